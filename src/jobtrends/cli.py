"""``jobtrends`` command line: one sub-command per job, each with ``--help``.

Each module in :mod:`jobtrends.commands` registers its sub-commands; a handler returns the
process exit code. User-facing errors (:class:`jobtrends.errors.UserError`) print one line
to stderr and exit 2 instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from jobtrends import __version__
from jobtrends.errors import UserError

COMMAND_MODULES: tuple[str, ...] = (
    "jobtrends.commands.core",
    "jobtrends.commands.normalize",
    "jobtrends.commands.sources",
    "jobtrends.commands.marts",
    "jobtrends.commands.quality",
    "jobtrends.commands.sample",
    "jobtrends.commands.fx",
    "jobtrends.commands.dashboard",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobtrends",
        description="Turn raw job postings into reproducible AI job-market numbers (DuckDB warehouse).",
    )
    parser.add_argument("--version", action="version", version=f"jobtrends {__version__}")
    parser.add_argument(
        "--data-dir",
        help="folder for warehouse, landing zone and exports (default: $JOBTRENDS_DATA_DIR or ./data)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except UserError as exc:
        print(f"jobtrends: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("jobtrends: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
