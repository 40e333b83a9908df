"""The `regkb` command: one entry point, one subcommand per job.

Each package contributes its own subcommands through its `commands.register()`,
so the crawler, the indexer, the search engine and the web app keep their
command-line code next to the code it drives.
"""
from __future__ import annotations

import argparse
import logging
import sys

from crawler import commands as crawler_commands
from indexer import commands as indexer_commands
from indexer.analysis import commands as analysis_commands
from indexer.search import commands as search_commands
from regkb import pipeline
from regkb.settings import add_data_dir
from search_app import commands as app_commands

__all__ = ["add_data_dir", "build_parser", "main"]

REGISTRARS = (crawler_commands.register, indexer_commands.register, search_commands.register, app_commands.register,
              pipeline.register, analysis_commands.register)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="regkb", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in REGISTRARS:
        register(sub)
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
