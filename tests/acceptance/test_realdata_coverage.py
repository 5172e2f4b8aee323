"""Every real text in ../shared/realdata through the batch normaliser: no rule may raise (issue 12,
"failures visible"), and ``jobtrends eval coverage`` reports both checks with their review lists.

Structure is asserted, not thresholds: the figures are review queues that the normaliser work moves.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

import pytest

from ingest.readers import CATALOGUE
from transform.eval_coverage import CoverageReport, evaluate

pytestmark = [pytest.mark.acceptance, pytest.mark.xdist_group("realdata_coverage")]

# data sets of the manifest that hold postings (titles, and pay texts for most)
POSTING_SETS = {
    "srajob2_ats", "remoteok_api", "ats_misc_trimmed", "glassdoor_ds_2020", "aijobs_ds_salaries_2023",
    "hn_whoishiring_2026", "hn_whoishiring_2023", "rebase_whoishiring_cn", "jobhunter_ai_boards",
    "simplify_internships", "simplify_newgrad_ai_subset",
}  # fmt: skip


@pytest.fixture(scope="module")
def report(realdata: Path) -> CoverageReport:
    return evaluate([realdata])


@pytest.fixture(scope="module")
def figures(report: CoverageReport) -> dict[str, Any]:
    return report.as_dict()


def test_no_normaliser_rule_raises_on_real_texts(figures: dict[str, Any]) -> None:
    assert figures["postings"] > 15_000
    assert figures["rule_errors"] == {}, f"normaliser rules raised on real data: {figures['rule_errors']}"


def test_every_posting_set_is_read(figures: dict[str, Any]) -> None:
    assert set(figures["by_dataset"]) == POSTING_SETS
    assert all(v["postings"] > 0 for v in figures["by_dataset"].values())
    assert sum(v["postings"] for v in figures["by_dataset"].values()) == figures["postings"]
    # files skipped (no postings) are the non-posting sets and pages without JSON-LD, never a catalogued capture
    for s in figures["skipped_files"]:
        entry = next((e for e in CATALOGUE if PurePath(s["file"]).match(e.pattern)), None)
        assert entry is None or entry.kind == "jsonld", s
    assert all(s["reason"] for s in figures["skipped_files"])


def test_pay_check_structure(figures: dict[str, Any]) -> None:
    pay = figures["pay"]
    assert 0 < pay["pay_looking_texts"] <= figures["postings"]
    assert 0 <= pay["no_pay_found"] <= pay["pay_looking_texts"]
    assert pay["share_no_pay_found"] == pytest.approx(
        pay["no_pay_found"] / pay["pay_looking_texts"], abs=1e-4
    )
    counts = [t["count"] for t in pay["top"]]
    assert counts == sorted(counts, reverse=True) and sum(counts) <= pay["no_pay_found"]
    assert len(counts) == 20 or sum(counts) == pay["no_pay_found"]  # capped, or every case listed
    assert all(t["example"] and t["dataset"] in POSTING_SETS for t in pay["top"])
    # pay texts live in forums, boards and Glassdoor; the title-only lists state none
    by = figures["by_dataset"]
    assert (
        by["hn_whoishiring_2023"]["pay_looking_texts"] > 50
        and by["rebase_whoishiring_cn"]["pay_looking_texts"] > 50
    )
    assert by["jobhunter_ai_boards"]["pay_looking_texts"] == 0


def test_ai_title_check_structure(figures: dict[str, Any]) -> None:
    ai = figures["ai_titles"]
    assert 0 < ai["outside_ai_roles"] <= ai["titles_with_ai_vocabulary"] <= figures["postings"]
    assert len(ai["top"]) == 20
    counts = [t["count"] for t in ai["top"]]
    assert counts == sorted(counts, reverse=True)
    from transform.titles import AI_ROLES

    assert all(t["role"] not in AI_ROLES and t["title"] for t in ai["top"])
    assert figures["by_dataset"]["jobhunter_ai_boards"]["titles_with_ai_vocabulary"] > 100


def test_text_report(report: CoverageReport) -> None:
    text = report.render()
    assert "Pay-looking texts with no pay found:" in text and "Titles with AI vocabulary outside" in text
    assert "Rule errors: none" in text
