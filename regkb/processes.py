"""Worker processes for the CPU-heavy steps (parsing in the crawl, extraction), started one way.

WHY spawn: the calling process may hold threads (fetchers, a progress bar's refresh thread) and loaded models;
forking it copies locks in whatever state they are. A spawned worker starts clean and ends when its parent is gone
(a kill -9 of the parent gives its children no notice).
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

MAX_WORKERS = 8  # no step here gains from more processes than that, and each holds its own models


def worker_count(setting: int | str | None, cap: int = MAX_WORKERS) -> int:
    """A worker-count setting as a number: 'auto' (or None) is one per core, at most `cap`; 0 or 1 means: work in the
    calling process. A bad value raises ValueError saying what is allowed."""
    if setting is None or setting == "auto":
        return max(1, min(os.cpu_count() or 1, cap))
    try:
        n = int(setting)
    except (TypeError, ValueError):
        raise ValueError(f"worker count {setting!r}: use 'auto' or a whole number (0 or 1: no worker processes)") \
            from None
    if n < 0:
        raise ValueError(f"worker count {n}: use 'auto' or a whole number ≥ 0 (0 or 1: no worker processes)")
    return max(1, n)


def worker_pool(workers: int, initializer: Callable[..., Any] | None = None,
                initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool of `workers` spawned processes that run `initializer(*initargs)` once and exit with their parent."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
                               initargs=(os.getpid(), initializer, initargs))


def _start_worker(parent_pid: int, initializer: Callable[..., Any] | None, initargs: tuple) -> None:
    exit_with_parent(parent_pid)
    if initializer is not None:
        initializer(*initargs)


def exit_with_parent(parent_pid: int) -> None:
    """In a worker: end when the parent process is gone."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
