"""Micro-benchmark of the title classifier: N generated distinct titles, cold cache, CPU time.

    .venv/bin/python scripts/bench_titles.py [N]            # default 200,000; ~1/6 titles in other languages
    ENGLISH=1 .venv/bin/python scripts/bench_titles.py      # English titles only

Compare a branch with main by running main's sources with the same interpreter:
    PYTHONPATH=/work/main/src .venv/bin/python scripts/bench_titles.py
"""

import os
import random
import statistics
import sys
import time

from transform import titles

rng = random.Random(12)
LEVELS = ["", "Senior ", "Sr. ", "Staff ", "Principal ", "Junior ", "Lead ", "Head of ", "Director, ", ""]
NOUNS0 = [
    "Software Engineer",
    "Machine Learning Engineer",
    "Data Scientist",
    "Research Scientist",
    "Product Manager",
    "Account Executive",
    "Data Engineer",
    "DevOps Engineer",
    "Member of Technical Staff",
    "Research Engineer",
    "Recruiter",
    "Data Analyst",
    "Backend Developer",
    "Mechanical Engineer",
    "AI Tutor",
    "Solutions Architect",
    "Nurse",
    "Entwickler (m/w/d)",
    "Ingénieur logiciel H/F",
    "Desenvolvedor Pleno",
    "算法工程师",
    "Analytics Lead",
    "QA Engineer",
    "Sales Manager",
]

NOUNS = (
    [x for x in NOUNS0 if x.isascii() and "Entwickler" not in x and "Pleno" not in x]
    if os.environ.get("ENGLISH")
    else NOUNS0
)
AREAS = [
    "",
    ", Inference",
    " - Pretraining",
    ", Growth",
    " – Search",
    ", Fleet",
    " (Remote)",
    ", Payments",
    ", Safety",
    " II",
    " - Berlin, Germany",
    ", Platform",
    " [Hybrid]",
    ", GPU Kernels",
    ", Codex",
]
n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
out = set()
while len(out) < n:
    out.add(
        f"{rng.choice(LEVELS)}{rng.choice(NOUNS)}{rng.choice(AREAS)}{rng.choice(['', '', f' #{rng.randint(1, 10**6)}'])}"
    )
data = list(out)
times = []
for _ in range(3):
    titles._classify_cached.cache_clear()
    t0 = time.process_time()
    for t in data:
        titles.classify_title(t)
    times.append(time.process_time() - t0)
print(
    f"{n} distinct titles, cold cache, CPU time: best {min(times):.2f}s median {statistics.median(times):.2f}s "
    f"({n / min(times):,.0f} titles/s)"
)
