"""`regkb serve` runs gunicorn: real processes, real sockets, real HTTP on loopback.

One server (two workers) is shared by the module; the reload and Ctrl+C tests start their own.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from regkb.settings import CONFIG_DIR
from search_app.bench import process_tree, started_server
from search_app.server import SERVER_NAME, load_server_settings

SETTINGS = load_server_settings()


@contextmanager
def _serve(data_dir: Path, workers: int = 2, threads: int = 2):
    """`regkb serve` in a subprocess; yields (base URL, master pid) once every worker has started."""
    with started_server(argparse.Namespace(data_dir=data_dir, workers=workers, threads=threads, backend=None)) as (
        url,
        pid,
    ):
        _wait_for_workers(pid, workers)
        yield url.rstrip("/"), pid


def _wait_for_workers(master: int, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(_worker_pids(master)) < count:
        assert time.monotonic() < deadline, f"{count} workers did not start"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def served(indexed_dir):
    with _serve(indexed_dir) as served:
        yield served


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname, parts.port


def _raw(url: str, data: bytes, timeout: float = 10) -> bytes:
    """Send raw bytes, return everything the server answers until it closes."""
    with socket.create_connection(_address(url), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _threads(pid: int) -> list[str]:
    return [p.read_text().strip() for p in Path(f"/proc/{pid}/task").glob("*/comm")]


def test_serve_answers_pages_and_api_from_several_workers(served):
    url, master = served
    search = requests.get(url + "/api/search", params={"q": "child labour"}, timeout=30)
    assert search.status_code == 200 and search.json()["total"] > 0
    reader = requests.get(url + "/documents/celex-32024L1760-en", timeout=30)
    assert reader.status_code == 200 and "Article 8" in reader.text
    assert requests.get(url + "/", timeout=30).status_code == 200
    assert requests.get(url + "/static/app.css", timeout=30).status_code == 200
    workers = [p for p in process_tree(master) if p != master]
    assert len(workers) == 2
    # Fork safety: the master forks with one thread and never opens the index; each worker opened its own.
    assert _threads(master) == [_threads(master)[0]]
    for worker in workers:
        assert any("tantivy" in name for name in _threads(worker)), _threads(worker)


def test_server_header_names_no_product_or_version(served):
    url, _ = served
    for path, status in (("/", 200), ("/api/search?q=due+diligence", 200), ("/no/such/page", 404),
                         ("/api/search?format=xml", 400), ("/static/app.css", 200)):
        resp = requests.get(url + path, timeout=30)
        assert resp.status_code == status, path
        assert resp.headers["Server"] == SERVER_NAME, (path, resp.headers)
    # gunicorn's own error page, for a request it cannot parse, names nothing either.
    answer = _raw(url, b"NOT A REQUEST\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400")
    for word in (b"gunicorn", b"Python", b"Werkzeug"):
        assert word not in answer


def test_request_limits_are_enforced_by_the_server(served):
    url, _ = served
    too_long = requests.get(url + "/?q=" + "a" * (SETTINGS.limit_request_line + 10), timeout=30)
    assert too_long.status_code == 414
    many = {f"X-Field-{i}": "1" for i in range(SETTINGS.limit_request_fields + 5)}
    assert requests.get(url + "/", headers=many, timeout=30).status_code == 431
    assert requests.get(url + "/", timeout=30).status_code == 200


def test_keep_alive_pipelining_and_a_body_sent_after_its_head(served):
    url, _ = served
    host, port = _address(url)
    with socket.create_connection((host, port), timeout=30) as s:
        # Two pipelined requests in one packet: both answered, in order.
        s.sendall(b"GET /static/app.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                  b"GET /no/such/page HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and b"HTTP/1.1 404" in answer
    body = json.dumps({"text": "The company shall take appropriate measures.", "lang": "en"}).encode()
    with socket.create_connection((host, port), timeout=60) as s:
        s.sendall(b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body))
        time.sleep(0.5)  # the body comes later than the head: the worker thread reads it
        s.sendall(body)
        head = s.recv(65536)
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    session = requests.Session()
    assert session.get(url + "/static/app.css", timeout=30).status_code == 200
    time.sleep(1.5)  # the kept-alive connection waits in the worker's event loop, then speaks again
    assert session.get(url + "/api/search?q=due+diligence", timeout=30).status_code == 200


def test_half_open_and_trickling_connections_are_dropped_while_others_are_served(served):
    url, _ = served
    address = _address(url)
    idle = [socket.create_connection(address) for _ in range(60)]
    trickling = [socket.create_connection(address) for _ in range(12)]  # more than the 2 × 2 threads
    opened = time.monotonic()
    for s in trickling:
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    selector = selectors.DefaultSelector()
    for s in idle + trickling:
        s.setblocking(False)
        selector.register(s, selectors.EVENT_READ)
    closed: dict[socket.socket, float] = {}
    served_in: list[float] = []
    last_trickle = 0.0
    try:
        while len(closed) < len(idle) + len(trickling) and time.monotonic() - opened < SETTINGS.header_timeout + 5:
            if time.monotonic() - last_trickle > 0.5:
                last_trickle = time.monotonic()
                for s in trickling:
                    if s not in closed:
                        try:
                            s.send(b"X")  # one more byte of a header that never ends
                        except OSError:
                            pass
                started = time.monotonic()
                assert requests.get(url + "/api/search?q=grievance", timeout=10).status_code == 200
                served_in.append(time.monotonic() - started)
            for key, _ in selector.select(0.1):
                try:
                    data = key.fileobj.recv(1024)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                assert not data, "a connection that sent no complete request got an answer"
                closed[key.fileobj] = time.monotonic() - opened
                selector.unregister(key.fileobj)
    finally:
        for s in idle + trickling:
            s.close()
    assert len(closed) == len(idle) + len(trickling), (
        f"{len(idle) + len(trickling) - len(closed)} connections still open"
    )
    assert SETTINGS.header_timeout - 1 <= min(closed.values()) and max(closed.values()) <= SETTINGS.header_timeout + 4
    assert len(served_in) >= 8 and max(served_in) < 2.5, served_in  # not held up until the idle ones are dropped


def _worker_pids(master: int) -> set[int]:
    return {p for p in process_tree(master) if p != master}


def test_sighup_rereads_the_settings_and_replaces_the_workers_without_a_failed_request(
    indexed_dir, tmp_path, monkeypatch
):
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    app_yaml = config / "app.yaml"
    monkeypatch.setenv("REGKB_CONFIG_DIR", str(config))
    _set_workers(app_yaml, 2)
    with started_server(argparse.Namespace(data_dir=indexed_dir, workers=None, threads=None, backend=None)) as (
        url,
        master,
    ):
        url = url.rstrip("/")
        _wait_for_workers(master, 2)
        before = _worker_pids(master)
        failures: list[str] = []
        answered = [0]
        stop = threading.Event()

        def load() -> None:
            session = requests.Session()
            while not stop.is_set():
                try:
                    resp = session.get(url + "/api/search", params={"q": "child labour"}, timeout=30)
                    if resp.status_code != 200:
                        failures.append(f"HTTP {resp.status_code}")
                    answered[0] += 1
                except requests.RequestException as exc:
                    failures.append(repr(exc))

        clients = [threading.Thread(target=load) for _ in range(3)]
        for c in clients:
            c.start()
        try:
            time.sleep(0.5)
            _set_workers(app_yaml, 3)
            os.kill(master, signal.SIGHUP)
            _wait_until(lambda: len(_worker_pids(master)) == 3 and not _worker_pids(master) & before)
            after_reload = answered[0]
            second = _worker_pids(master)
            _set_workers(app_yaml, 0)  # invalid: the running settings stay, the server keeps serving
            os.kill(master, signal.SIGHUP)
            _wait_until(lambda: len(_worker_pids(master)) == 3 and not _worker_pids(master) & second)
        finally:
            stop.set()
            for c in clients:
                c.join()
        assert len(_worker_pids(master)) == 3
        assert not failures, failures[:5]
        assert answered[0] > after_reload > 0
        assert requests.get(url + "/api/search?q=child+labour", timeout=30).status_code == 200


def _set_workers(app_yaml: Path, count: int) -> None:
    app_yaml.write_text(re.sub(r"(?m)^  workers: \d+", f"  workers: {count}", app_yaml.read_text()))


def _wait_until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_ctrl_c_stops_master_and_workers(indexed_dir):
    log = indexed_dir.parent / "ctrl-c.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "regkb.cli",
                "serve",
                "--data-dir",
                str(indexed_dir),
                "--port",
                "0",
                "--workers",
                "2",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "served at" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        _wait_for_workers(proc.pid, 2)
        workers = _worker_pids(proc.pid)
        # Booted (signal handlers set, index open): a signal in the instant after a fork reaches the
        # master's inherited handler and is lost; the master then kills that worker after graceful_timeout.
        _wait_until(lambda: all(any("tantivy" in t for t in _threads(w)) for w in workers))
        for pid in (proc.pid, *workers):  # a terminal's Ctrl+C reaches the whole process group
            os.kill(pid, signal.SIGINT)
        # Usually well under a second; a worker that lost the signal (see above) is killed by the master after
        # graceful_timeout, so the promise is "stopped within graceful_timeout", not "at once".
        assert proc.wait(timeout=SETTINGS.graceful_timeout + 15) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "stopped" in log.read_text()
    assert not [w for w in workers if _running(w)]


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_invalid_server_settings_are_reported_not_raised(indexed_dir):
    done = subprocess.run([sys.executable, "-m", "regkb.cli", "serve", "--data-dir", str(indexed_dir), "--port", "0",
                           "--workers", "0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "workers" in done.stderr and "Traceback" not in done.stderr


def test_regkb_run_becomes_the_production_server(indexed_dir):
    """`regkb run`'s last step replaces the process by `regkb serve`: same pid, gunicorn workers below it."""
    log = indexed_dir.parent / "run-serve.log"
    code = (
        "import argparse, sys; from regkb.pipeline import _exec_serve; "
        "_exec_serve(argparse.Namespace(data_dir=sys.argv[1], host='127.0.0.1', port=0, backend=None, verbose=False))"
    )
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", code, str(indexed_dir)], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"served at (http://\S+/)", log.read_text())):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        _wait_for_workers(proc.pid, SETTINGS.workers)
        resp = requests.get(found.group(1) + "api/search?q=child+labour", timeout=30)
        assert resp.status_code == 200 and resp.headers["Server"] == SERVER_NAME
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_dev_server_serves_without_a_version_banner(indexed_dir):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "regkb.cli", "serve", "--dev", "--data-dir", str(indexed_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                resp = requests.get(f"http://127.0.0.1:{port}/static/app.css", timeout=5)
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        assert resp.status_code == 200 and resp.headers["Server"] == SERVER_NAME
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the reloader's child too
        proc.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
