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
from jobtrends.errors import BusyError, UserError

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

#: Sub-commands that write the warehouse or the exports: they hold the writer lock (``--wait SECONDS``).
#: ``ingest`` and ``import`` only add landing files (atomic, content-addressed), which a load in
#: progress either sees whole or not at all, so they run beside a writer.
WRITING_COMMANDS: tuple[str, ...] = ("run", "load", "export", "validate", "fx")
EXIT_BUSY = 75


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
    for name in WRITING_COMMANDS:
        if name in sub.choices:
            sub.choices[name].add_argument(
                "--wait",
                type=float,
                default=None,
                metavar="SECONDS",
                help="if another writer holds the warehouse, wait up to this long for it "
                "(default: $JOBTRENDS_LOCK_WAIT_S or 0: exit 75 at once)",
            )
    return parser


def _run_handler(args: argparse.Namespace) -> int:
    if args.command not in WRITING_COMMANDS:
        return int(args.handler(args) or 0)
    from jobtrends.settings import load_settings
    from jobtrends.writelock import writer_lock

    settings = load_settings(args.data_dir)
    wait = settings.lock_wait_s if args.wait is None else args.wait
    with writer_lock(settings.warehouse_path, wait_s=wait):
        return int(args.handler(args) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run_handler(args)
    except UserError as exc:
        print(f"jobtrends: error: {exc}", file=sys.stderr)
        return 2
    except BusyError as exc:
        print(f"jobtrends: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except KeyboardInterrupt:
        print("jobtrends: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
