"""``python -m jobtrends.drills [NAME ...] [--quick] [--json FILE]``: run the drills, print figures."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time

from jobtrends.drills import DRILLS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobtrends.drills", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"drills to run (default: all of {', '.join(DRILLS)})"
    )
    parser.add_argument("--quick", action="store_true", help="the reduced version CI runs")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    names = args.names or list(DRILLS)
    unknown = sorted(set(names) - set(DRILLS))
    if unknown:
        parser.error(f"unknown drill(s): {', '.join(unknown)}; choose from {', '.join(DRILLS)}")
    results: dict[str, object] = {}
    failed = False
    for name in names:
        module = importlib.import_module(f"jobtrends.drills.{name}")
        started = time.perf_counter()
        try:
            figures = module.run(quick=args.quick)
            status = "PASS"
        except AssertionError as exc:
            figures, status, failed = {"error": str(exc)}, "FAIL", True
        figures = {**figures, "seconds": round(time.perf_counter() - started, 1), "status": status}
        results[name] = figures
        print(f"{status}  {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items() if k != "status"))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2, default=str)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
