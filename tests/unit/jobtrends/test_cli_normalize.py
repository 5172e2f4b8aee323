"""`jobtrends normalize …` as a person pipes text into it: one JSON line out per line in, never a crash."""

from __future__ import annotations

import json
import subprocess
import sys


def normalize(what: str, data: bytes) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "jobtrends.cli", "normalize", what],
        input=data,
        capture_output=True,
        check=False,
        env={"PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8", "PATH": ""},
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return [json.loads(line) for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines()]


def test_titles_keep_input_order_and_survive_undecodable_bytes() -> None:
    out = normalize("titles", b'Senior ML Engineer\n\xff\xfe\n{"title": "Tutor", "company": "Anthropic"}\n')
    assert [o["role"] for o in out] == ["ai_ml_engineer", "other", "data_annotator"]
    assert out[0]["seniority"] == "senior" and out[1]["seniority"] == "unspecified"


def test_salary_and_skills_lines() -> None:
    pay = normalize("salary", b'$90k - 150k\n"Up to \\u00a3200k a year"\nDOE\n')
    assert [(p["salary_min"], p["salary_max"], p["currency"]) for p in pay] == [
        (90000.0, 150000.0, "USD"),
        (None, 200000.0, "GBP"),
        (None, None, None),
    ]
    skills = normalize("skills", b'{"text": "Go to market with PyTorch"}\nnot json\n')
    assert skills == [{"skills": ["pytorch"], "other_skills": []}, {"skills": [], "other_skills": []}]
