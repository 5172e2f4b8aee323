"""``jobtrends eval coverage``: label-free pay and AI-title checks on a tiny hand-made folder of payloads."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest.landing import write_landing
from ingest.models import Posting
from ingest.readers import read_postings
from jobtrends.cli import main
from transform import batch, salary
from transform.eval_coverage import ai_vocabulary, check_postings, pay_snippet
from transform.titles import AI_ROLES


@pytest.mark.parametrize(
    "text",
    [
        "Acme | Backend Engineer | Remote | $150k-$180k + equity | salary depends on level",
        "Base salary range: €70.000 - €90.000 per year",
        "Compensation: 40-50K USD",
        "薪资：20K-35K 人民币/月",
        "Pay: ₹18 LPA",
    ],
)
def test_pay_looking_texts(text: str) -> None:
    assert pay_snippet(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "We raised $20M in Series A funding and pay well",  # millions: funding
        "A $1,500 learning stipend per year",  # a benefit
        "Salary is competitive; we have 120 engineers",  # no currency
        "Reimbursement of $500 per month for your home office",
        None,
        "",
    ],
)
def test_texts_that_do_not_look_like_pay(text: str | None) -> None:
    assert pay_snippet(text) is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Senior ML Engineer", True),
        ("AI/ML Platform Lead", True),
        ("Machine Learning Scientist", True),
        ("机器学习工程师", True),
        ("Ingénieur en intelligence artificielle", True),
        ("Email Marketing Manager", False),  # "ai" inside a word
        ("Maintenance Technician", False),
        ("Data Engineer", False),
    ],
)
def test_ai_vocabulary(title: str, expected: bool) -> None:
    assert ai_vocabulary(title) is expected


def _posting(i: int, title: str, *, pay_text: str | None = None, description: str | None = None) -> Posting:
    return Posting(source="t", source_id=str(i), title=title, pay_text=pay_text, description=description)


def test_counts_and_review_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """The normaliser's answers are pinned (a marker decides), so the counting itself is what is tested."""
    real_parse = salary.parse_pay
    monkeypatch.setattr(
        salary,
        "parse_pay",
        lambda text=None, **kw: None if text and "MISS" in text else real_parse(text, **kw),
    )
    real_title = batch.classify_title_alone
    outside = real_title("Account Executive")
    assert outside[0].role not in AI_ROLES
    monkeypatch.setattr(
        batch, "classify_title_alone", lambda t: outside if "OUT" in (t or "") else real_title(t)
    )
    rows = [
        ("a", _posting(1, "Machine Learning Engineer", pay_text="$150,000 - $180,000 per year")),
        ("a", _posting(2, "ML Engineer OUT", pay_text="Salary: $120k-$140k MISS")),
        ("a", _posting(3, "ML Engineer OUT", description="Base salary $90,000 - $100,000 a year MISS")),
        ("b", _posting(4, "AI Trainer OUT")),
        ("b", _posting(5, "Account Manager", description="We raised $40M in funding.")),
    ]
    report = check_postings(rows, workers=1)
    d = report.as_dict()
    assert d["postings"] == 5
    assert d["pay"]["pay_looking_texts"] == 3 and d["pay"]["no_pay_found"] == 2
    assert d["pay"]["share_no_pay_found"] == pytest.approx(2 / 3, abs=1e-4)
    assert d["ai_titles"]["titles_with_ai_vocabulary"] == 4 and d["ai_titles"]["outside_ai_roles"] == 3
    top = d["ai_titles"]["top"]
    assert [(t["title"], t["count"]) for t in top] == [("ML Engineer OUT", 2), ("AI Trainer OUT", 1)]
    assert top[0]["role"] == outside[0].role and top[0]["dataset"] == "a"
    assert [p["count"] for p in d["pay"]["top"]] == [1, 1]
    assert "MISS" in d["pay"]["top"][0]["example"]
    assert d["by_dataset"]["b"] == {
        "postings": 2,
        "pay_looking_texts": 0,
        "no_pay_found": 0,
        "titles_with_ai_vocabulary": 1,
        "outside_ai_roles": 1,
    }
    assert d["rule_errors"] == {}
    text = report.render()
    assert "Pay-looking texts with no pay found: 2 / 3 = 66.7%" in text
    assert "Titles with AI vocabulary outside the AI roles: 3 / 4 = 75.0%" in text


def test_review_list_is_capped_and_most_frequent_first(monkeypatch: pytest.MonkeyPatch) -> None:
    outside = batch.classify_title_alone("Account Executive")
    monkeypatch.setattr(batch, "classify_title_alone", lambda t: outside)
    rows = [("x", _posting(i, f"AI Role {i % 30}")) for i in range(90)] + [("x", _posting(99, "AI Role 29"))]
    d = check_postings(rows, workers=1, top_n=20).as_dict()
    top = d["ai_titles"]["top"]
    assert len(top) == 20 and top[0] == {
        "title": "AI Role 29",
        "count": 4,
        "role": outside[0].role,
        "dataset": "x",
    }
    assert [t["count"] for t in top] == sorted((t["count"] for t in top), reverse=True)


# ------------------------------------------------------------------------------------------ reading folders


def _folder(tmp_path: Path) -> Path:
    """A tiny folder shaped like ../shared/realdata plus a plain dump a user might import."""
    root = tmp_path / "payloads"
    hn = root / "hn_whoishiring_2026"
    hn.mkdir(parents=True)
    jobs = [
        {"id": 1, "by": "u1", "time": 1767225600, "source": "who_is_hiring",
         "text": "Acme Robotics | Senior ML Engineer | Berlin | €90k-€110k salary<p>We build robots."},
        {"id": 2, "by": "u2", "time": 1767225600, "source": "who_is_hiring",
         "text": "Beta | Backend Engineer | Remote (US)<p>Go and Postgres."},
    ]  # fmt: skip
    (hn / "raw_2026-01-01.json").write_text(json.dumps({"date": "2026-01-01", "sources": {}, "jobs": jobs}))
    rows = [
        {"source_id": "d1", "title": "Data Scientist", "pay_text": "$130,000 - $150,000 per year"},
        {"source_id": "d2", "title": "AI Sales Engineer", "description": "Salary: USD 100k-120k base."},
    ]
    (root / "my_dump.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (root / "notes.csv").write_text("date,value\n2024-01-01,3\n")  # not postings: skipped with a reason
    return root


def test_reader_uses_the_catalogue_the_file_connector_and_reports_skips(tmp_path: Path) -> None:
    read = read_postings([_folder(tmp_path)])
    by_label: dict[str, list[str]] = {}
    for label, p in read.postings:
        by_label.setdefault(label, []).append(p.title)
    assert by_label == {
        "hn_whoishiring_2026": ["Senior ML Engineer", "Backend Engineer"],
        "payloads": ["Data Scientist", "AI Sales Engineer"],
    }
    hn = [p for label, p in read.postings if label == "hn_whoishiring_2026"]
    assert hn[0].company == "Acme Robotics" and hn[0].pay_text and "€90k" in hn[0].pay_text
    assert read.files == 3 and [Path(f).name for f, _ in read.skipped] == ["notes.csv"]
    assert "title column" in read.skipped[0][1]


def test_reader_reads_a_landing_zone(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    board = {"jobs": [{"id": 7, "title": "MLOps Engineer", "absolute_url": "https://x/7", "location": {"name": "Remote"},
                       "updated_at": "2025-06-01T10:00:00Z"}], "meta": {"total": 1}}  # fmt: skip
    when = datetime(2025, 6, 2, tzinfo=UTC)
    write_landing(
        landing, "greenhouse", json.dumps(board).encode(), run_date=date(2025, 6, 2), fetched_at=when
    )
    write_landing(
        landing, "fx", b"Date,USD,\n2025-06-02,1.1,\n", run_date=date(2025, 6, 2), fetched_at=when, ext="csv"
    )
    read = read_postings([landing])
    assert [(label, p.title) for label, p in read.postings] == [("greenhouse", "MLOps Engineer")]
    assert read.files == 1  # reference data (fx) is not read as postings


def test_cli_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _folder(tmp_path)
    assert main(["eval", "coverage", str(root), "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["postings"] == 4 and d["files"] == 3
    assert set(d) >= {"pay", "ai_titles", "by_dataset", "rule_errors", "skipped_files", "taxonomy_version"}
    assert d["pay"]["pay_looking_texts"] == 3
    assert d["ai_titles"]["titles_with_ai_vocabulary"] == 3  # ML, AI and "Data Scientist"
    assert main(["eval", "coverage", str(root)]) == 0
    assert "Pay-looking texts with no pay found" in capsys.readouterr().out
    assert main(["eval", "coverage", str(tmp_path / "missing")]) == 2
    assert main(["eval", "titles"]) == 2  # the labelled evaluators still take exactly one file


def test_a_pay_field_needs_no_pay_word() -> None:
    assert pay_snippet("$140-175K plus equity") is None  # in free text, a pay word is needed
    assert pay_snippet("$140-175K plus equity", pay_field=True) is not None  # the field's label is one
    assert pay_snippet("Visa + €10k Signing Bonus", pay_field=True) is not None  # over-counts on purpose
    assert pay_snippet("Series B, $40M raised", pay_field=True) is None
