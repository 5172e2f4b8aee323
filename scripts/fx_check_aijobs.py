"""Median error of the FX tables against ai-jobs.net's own USD conversions (ds_salaries.csv).

``python scripts/fx_check_aijobs.py ../shared/realdata/aijobs_ds_salaries_2023/ds_salaries.csv``

ai-jobs.net converts each salary with the average rate of its ``work_year``; here the rate of that year's
mid-year month (July) is used, as a posting dated then would be. Prints, per currency, the rows, the
median of ``our_usd / their_usd - 1`` and which table answered. The file is read in place, never copied.
"""

from __future__ import annotations

import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from transform import fx


def main(path: str) -> None:
    text = Path(path).read_text(encoding="utf-8").lstrip("\r\n")
    errors: dict[str, list[float]] = defaultdict(list)
    sources: dict[str, set[str]] = defaultdict(set)
    missing: dict[str, int] = defaultdict(int)
    for row in csv.DictReader(text.splitlines()):
        cur = row["salary_currency"].strip().upper()
        if cur == "USD":
            continue
        found = fx.lookup(cur, f"{row['work_year']}-07")
        if found is None:
            missing[cur] += 1
            continue
        ours = float(row["salary"]) / found.units_per_usd
        errors[cur].append(ours / float(row["salary_in_usd"]) - 1)
        sources[cur].add(found.source)
    print(f"{'currency':8} {'rows':>5} {'median error':>12}  table")
    for cur in sorted(errors, key=lambda c: -len(errors[c])):
        print(
            f"{cur:8} {len(errors[cur]):5d} {statistics.median(errors[cur]):+12.1%}  {', '.join(sorted(sources[cur]))}"
        )
    for cur, n in sorted(missing.items()):
        print(f"{cur:8} {n:5d} {'no rate':>12}")


if __name__ == "__main__":
    main(sys.argv[1])
