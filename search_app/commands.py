"""`regkb serve` (also the last step of `regkb run`) and `regkb bench-serve`.

`serve` runs the production server (gunicorn, search_app/server.py); `--dev` runs Werkzeug's
reloading development server instead.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import NoReturn

from rich.console import Console

from regkb.settings import add_data_dir

console = Console(stderr=True, soft_wrap=True)  # messages stay one line: scripts and tests read them


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the search pages and the JSON API")
    add_data_dir(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=int, default=8000, help="port, 0 for any free one (default: %(default)s)")
    p.add_argument("--backend", default=None, help="search backend (default from config/search.yaml)")
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: config/app.yaml server.workers)"
    )
    p.add_argument(
        "--threads", type=int, default=None, help="threads per worker (default: config/app.yaml server.threads)"
    )
    p.add_argument("--dev", action="store_true", help="Werkzeug's development server, restarting on code changes")
    p.set_defaults(func=serve_command)

    from search_app.bench import add_arguments

    b = sub.add_parser("bench-serve", help="load-test the production server: req/s, latency, errors, memory")
    add_data_dir(b)
    add_arguments(b)
    b.set_defaults(func=bench_serve_command)


def serve_command(args: argparse.Namespace) -> int:
    """Serve until interrupted; prints the URL to open once the port is ours and a worker answers on it."""
    import yaml
    from pydantic import ValidationError

    from search_app import create_app
    from search_app.server import Listening, RegkbServer, port_is_free

    host, port = args.host, args.port

    def app_factory():
        return create_app({"DATA_DIR": args.data_dir, "SEARCH_BACKEND": getattr(args, "backend", None)})

    if getattr(args, "dev", False):
        return _serve_dev(app_factory(), host, port, args.data_dir)
    busy = port_is_free(host, port)
    if busy:
        console.print(
            f"[red]cannot listen on {host}:{port} ({busy}). Choose another --port, or stop the program using it.[/]"
        )
        return 1
    def ready(at: Listening) -> None:
        s = server.settings
        console.print(f"[green]RegKB is served at [bold]http://{at.host}:{at.port}/[/] (data: {args.data_dir}; "
                      f"{s.workers} workers × {s.threads} threads); Ctrl+C stops it[/]")

    overrides = {"workers": getattr(args, "workers", None), "threads": getattr(args, "threads", None)}
    try:
        server = RegkbServer(
            app_factory, host, port, overrides, on_ready=ready, verbose=getattr(args, "verbose", False)
        )
    except (ValidationError, OSError, yaml.YAMLError) as exc:
        console.print(
            f"[red]the server settings are not valid (config/app.yaml `server:`, --workers, --threads): {exc}[/]"
        )
        return 2
    master = os.getpid()
    try:
        server.run()
    except SystemExit as exc:  # gunicorn's master exits through sys.exit, also on Ctrl+C
        if os.getpid() != master:  # a worker leaving: forked inside run(), it unwinds the same stack
            _leave_worker(exc.code)
        code = exc.code if isinstance(exc.code, int) else 1
        if code and not server.announced:
            console.print(f"[red]the server did not start (exit {code}); see the log above. "
                          "A port in use: choose another --port.[/]")
            return code or 1
        console.print("stopped")
        return code
    return 0


def _leave_worker(code: object) -> NoReturn:
    """End a worker process without the interpreter's shutdown: in a forked child that would run the master's
    exit handlers and the search engine's destructors, which join native threads (a stuck one held Ctrl+C)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 1)


def _serve_dev(app, host: str, port: int, data_dir: str) -> int:
    """Werkzeug's server with the reloader: for editing templates and code, never for production."""
    from werkzeug.serving import WSGIRequestHandler, run_simple

    from search_app.server import SERVER_NAME

    class Handler(WSGIRequestHandler):
        def version_string(self) -> str:  # no "Werkzeug/… Python/…" banner, here either
            return SERVER_NAME

    console.print(f"[yellow]development server (Werkzeug, reloading) for {data_dir}; not for production[/]")
    try:
        run_simple(host, port, app, use_reloader=True, threaded=True, request_handler=Handler)
    except KeyboardInterrupt:
        console.print("stopped")
    return 0


def bench_serve_command(args: argparse.Namespace) -> int:
    from search_app.bench import bench_serve

    return bench_serve(args)
