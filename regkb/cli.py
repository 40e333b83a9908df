"""The `regkb` command: one entry point, one subcommand per job.

Each package contributes its own subcommands through `commands.register()`,
so the crawler, the indexer, the search engine and the web app keep their
command-line code next to the code it drives.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from regkb.settings import DEFAULT_DATA_DIR

COMMAND_MODULES = ("crawler.commands", "indexer.commands", "indexer.search.commands", "search_app.commands", "regkb.pipeline",
                   "indexer.analysis.commands")


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), metavar="DIR",
                        help="corpus folder to read and write (default: %(default)s)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regkb", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a package that has no commands yet
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
