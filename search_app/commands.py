"""`regkb serve`: the web app on a real HTTP server (also the last step of `regkb run`)."""
from __future__ import annotations

import argparse

from rich.console import Console

console = Console(stderr=True)


def register(sub: argparse._SubParsersAction) -> None:
    from regkb.cli import add_data_dir

    p = sub.add_parser("serve", help="serve the search pages and the JSON API")
    add_data_dir(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    p.add_argument("--backend", default=None, help="search backend (default from config/search.yaml)")
    p.set_defaults(func=serve_command)


def serve_command(args: argparse.Namespace) -> int:
    """Serve until interrupted; prints the URL to open (only once the port is really ours)."""
    from werkzeug.serving import make_server

    from search_app import create_app

    app = create_app({"DATA_DIR": args.data_dir, "SEARCH_BACKEND": getattr(args, "backend", None)})
    try:
        server = make_server(args.host, args.port, app, threaded=True)
    except (OSError, SystemExit) as exc:
        console.print(f"[red]cannot listen on {args.host}:{args.port} ({exc}). Choose another --port, or stop the program using it.[/]")
        return 1
    console.print(f"[green]RegKB is served at [bold]http://{args.host}:{server.server_port}/[/] (data: {args.data_dir}); Ctrl+C stops it[/]")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.server_close()
    return 0
