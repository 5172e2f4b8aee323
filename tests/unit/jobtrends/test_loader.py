"""Landing → raw: idempotent, nothing lost (bad records quarantined with a reason)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest.landing import write_landing
from jobtrends import pipeline, warehouse
from jobtrends.errors import UserError
from jobtrends.settings import Settings, load_settings

FETCHED = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(tmp_path / "data")


def _rows(settings: Settings, sql: str) -> list[tuple]:
    return warehouse.query(settings.warehouse_path, sql)[1]


def _greenhouse_board(*jobs: dict) -> bytes:
    return json.dumps({"jobs": list(jobs), "meta": {"total": len(jobs)}}).encode()


def _gh_job(job_id: int, title: str) -> dict:
    return {
        "id": job_id,
        "internal_job_id": job_id + 1000,
        "title": title,
        "absolute_url": f"https://boards.greenhouse.io/acme/jobs/{job_id}",
        "location": {"name": "Berlin, Germany"},
        "updated_at": "2025-06-01T10:00:00-04:00",
        "first_published": "2025-05-20T10:00:00-04:00",
        "requisition_id": f"R-{job_id}",
        "company_name": "Acme AI",
        "metadata": None,
        "content": "&lt;p&gt;Build models with &lt;b&gt;PyTorch&lt;/b&gt;.&lt;/p&gt;",
        "departments": [],
        "offices": [],
    }


def test_dump_loads_natively_and_twice_adds_nothing(settings: Settings, tmp_path: Path) -> None:
    dump = tmp_path / "postings.jsonl"
    dump.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"source": "survey", "source_id": "a", "title": "ML Engineer", "company": "Acme"},
                {"source": "survey", "source_id": "b", "title": "Data Analyst", "company": "Beta"},
                {"source": "survey", "source_id": "c", "title": "   ", "company": "Gamma"},
            ]
        )
    )
    pipeline.import_file(settings, dump, None, None, date(2025, 6, 1))
    first = pipeline.load(settings)
    assert (first["postings"], first["new_postings"], first["quarantined"]) == (2, 2, 1)
    assert pipeline.load(settings)["files"] == 0
    # the same bytes landed again on another day are a new landing file but no new posting
    pipeline.import_file(settings, dump, None, None, date(2025, 6, 2))
    assert pipeline.load(settings)["new_postings"] == 0
    assert _rows(settings, "select count(*) from raw.postings") == [(2,)]
    # dumps are sighted by the rows they add (a dump is not a board listing; see load_file_dumps_native)
    assert _rows(settings, "select count(*) from raw.sightings") == [(2,)]
    reasons = _rows(settings, "select distinct reason, record like '%Gamma%' from ops.quarantine")
    assert reasons == [("posting has no title", True)]


def test_a_dump_row_without_id_gets_a_stable_content_id(tmp_path: Path) -> None:
    """A row whose id is null is named by a digest of its content (hex md5, not DuckDB's version-bound
    ``hash()``): the same row gets the same id in another warehouse."""
    dump = tmp_path / "ids.jsonl"
    rows = [
        {"source": "survey", "source_id": "a", "title": "ML Engineer", "company": "Acme"},
        {"source": "survey", "source_id": None, "title": "Data Analyst", "company": "Beta"},
    ]
    dump.write_text("\n".join(json.dumps(r) for r in rows))
    ids = []
    for name in ("one", "two"):
        settings = load_settings(tmp_path / name)
        pipeline.import_file(settings, dump, None, None, date(2025, 6, 1))
        pipeline.load(settings)
        ids.append(_rows(settings, "select source_id from raw.postings order by source_id"))
    assert ids[0] == ids[1]
    assert ids[0][0] == ("a",)
    assert re.fullmatch(r"row-[0-9a-f]{20}", ids[0][1][0])


def test_import_lands_several_dumps_in_one_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jobtrends.cli import main

    dumps = []
    for i, title in enumerate(["ML Engineer", "Prompt Engineer", "Data Scientist"]):
        dump = tmp_path / f"part_{i}.jsonl"
        dump.write_text(
            json.dumps({"source": "survey", "source_id": str(i), "title": title, "company": "Acme"})
        )
        dumps.append(str(dump))
    data = tmp_path / "data"
    assert (
        main(["--data-dir", str(data), "import", *dumps, "--name", "survey", "--run-date", "2025-06-01"]) == 0
    )
    out = capsys.readouterr().out
    assert all(f"landed {d} " in out for d in dumps)
    settings = load_settings(data)
    assert pipeline.load(settings)["new_postings"] == 3
    assert _rows(settings, "select source_id, title from raw.postings order by source_id") == [
        ("0", "ML Engineer"),
        ("1", "Prompt Engineer"),
        ("2", "Data Scientist"),
    ]
    # a missing file is a user error naming it (checked before any file is landed)
    with pytest.raises(UserError, match="no such file: .*missing.jsonl"):
        pipeline.import_files(settings, [dumps[0], str(tmp_path / "missing.jsonl")])


def test_column_mapping_is_applied(settings: Settings, tmp_path: Path) -> None:
    dump = tmp_path / "kaggle.csv"
    dump.write_text("job_id,job_title,employer,salary_low\n17,Prompt Engineer,Acme,90000\n")
    pipeline.import_file(
        settings,
        dump,
        {"source_id": "job_id", "title": "job_title", "company": "employer", "pay_min": "salary_low"},
        None,
        date(2025, 6, 1),
        "kaggle",
    )
    pipeline.load(settings)
    assert _rows(settings, "select posting_key, title, company, pay_min from raw.postings") == [
        ("kaggle:17", "Prompt Engineer", "Acme", 90000.0)
    ]


def test_truncated_payload_is_quarantined_and_other_files_still_load(settings: Settings) -> None:
    good = _greenhouse_board(_gh_job(1, "Machine Learning Engineer"), _gh_job(2, "Recruiter"))
    write_landing(
        settings.landing_dir,
        "greenhouse",
        good,
        run_date=date(2025, 6, 2),
        fetched_at=FETCHED,
        board="acme",
        complete_listing=True,
    )
    write_landing(
        settings.landing_dir,
        "greenhouse",
        good[: len(good) // 2],
        run_date=date(2025, 6, 2),
        fetched_at=FETCHED,
        board="acme2",
        complete_listing=True,
    )
    out = pipeline.load(settings)
    assert out["files"] == 2 and out["postings"] == 2 and out["quarantined"] >= 1
    assert _rows(settings, "select count(*) from raw.postings") == [(2,)]
    statuses = dict(_rows(settings, "select status, count(*) from ops.landing_files group by all"))
    assert statuses == {"loaded": 1, "failed": 1}
    ((stage, landing_file),) = _rows(settings, "select distinct stage, landing_file from ops.quarantine")
    # landing_file is relative to the landing zone; the raw payload is kept
    assert stage == "load" and (settings.landing_dir / landing_file).exists()


def test_changed_posting_adds_a_version_unchanged_does_not(settings: Settings) -> None:
    board_v1 = _greenhouse_board(_gh_job(1, "ML Engineer"))
    board_v2 = _greenhouse_board(_gh_job(1, "Senior ML Engineer"), _gh_job(3, "Data Scientist"))
    for day, payload in ((1, board_v1), (2, board_v1), (3, board_v2)):
        write_landing(
            settings.landing_dir,
            "greenhouse",
            payload,
            run_date=date(2025, 6, day),
            fetched_at=FETCHED,
            board="acme",
            complete_listing=True,
        )
    pipeline.load(settings)
    assert _rows(settings, "select count(*), count(distinct posting_key) from raw.postings") == [(3, 2)]
    assert _rows(settings, "select count(*) from raw.listings where complete_listing") == [(3,)]
    assert _rows(settings, "select count(*) from raw.sightings") == [(4,)]


def test_truncated_dump_falls_back_to_the_parser_and_keeps_good_lines(
    settings: Settings, tmp_path: Path
) -> None:
    dump = tmp_path / "cut.jsonl"
    good = json.dumps({"source": "survey", "source_id": "a", "title": "ML Engineer"})
    dump.write_text(good + "\n" + '{"source": "survey", "source_id": "b", "title": "Data Sci')
    pipeline.import_file(settings, dump, None, None, date(2025, 6, 1))
    out = pipeline.load(settings)
    assert (out["files"], out["postings"], out["quarantined"]) == (1, 1, 1)
    assert _rows(settings, "select posting_key from raw.postings") == [("survey:a",)]
    assert _rows(settings, "select stage, pointer is not null from ops.quarantine") == [("load", True)]


def test_lone_surrogates_and_odd_shapes_do_not_fail_the_load(settings: Settings) -> None:
    """A JSON ``\\ud800`` escape decodes to text UTF-8 cannot hold (it failed the whole batch), and a job
    whose fields have the wrong types made the parser raise (the whole board was lost)."""
    odd = _gh_job(2, "Data Scientist")
    odd["location"] = ["Berlin", "Paris"]  # a list where an object belongs
    payload = (
        json.dumps({"jobs": [_gh_job(1, "ML Engineer"), odd, _gh_job(3, "Recruiter")]})
        .replace("PyTorch", "PyTorch \\ud800")
        .encode()
    )
    write_landing(
        settings.landing_dir,
        "greenhouse",
        payload,
        run_date=date(2025, 6, 2),
        fetched_at=FETCHED,
        board="acme",
        complete_listing=True,
    )
    out = pipeline.load(settings)
    assert (out["postings"], out["quarantined"]) == (2, 1)
    rows = _rows(settings, "select title, description like '%PyTorch \ufffd%' from raw.postings order by 1")
    assert rows == [("ML Engineer", True), ("Recruiter", True)]
    ((reason, record),) = _rows(settings, "select reason, record from ops.quarantine")
    assert reason.startswith("record has an unexpected shape") and '"Data Scientist"' in record


def test_a_posting_without_an_id_is_quarantined(settings: Settings) -> None:
    payload = _greenhouse_board(_gh_job(1, "ML Engineer"), {**_gh_job(2, "Data Scientist"), "id": ""})
    write_landing(
        settings.landing_dir,
        "greenhouse",
        payload,
        run_date=date(2025, 6, 2),
        fetched_at=FETCHED,
        board="acme",
    )
    out = pipeline.load(settings)
    assert (out["postings"], out["quarantined"]) == (1, 1)
    reasons = _rows(settings, "select check_name, reason from ops.quarantine")
    assert len(reasons) == 1 and reasons[0][1]


def test_native_json_load_keeps_detected_types_and_restores_the_memory_limit(
    settings: Settings, tmp_path: Path
) -> None:
    """The load's reader gets the columns DuckDB detected (nested, all-NULL, timestamps with offsets) and
    reads the same values; the load's memory limit is undone afterwards."""
    from ingest.landing import iter_landing

    dump = tmp_path / "nested.jsonl"
    rows = [
        {"source": "survey", "source_id": "n1", "title": "ML Engineer", "board": None,
         "extra": {"team": {"name": "Search"}, "tags": ["ranking"]},
         "posted_at": "2025-05-20T10:00:00+02:00", "pay_min": 90000},
        {"source": "survey", "source_id": "n2", "title": "Data Analyst", "board": None, "extra": None,
         "posted_at": "2025-05-21", "pay_min": 1.5},
    ]  # fmt: skip
    dump.write_text("\n".join(json.dumps(r) for r in rows))
    pipeline.import_file(settings, dump, None, None, date(2025, 6, 1))
    files = [(lf.path, lf.meta) for lf in iter_landing(settings.landing_dir)]
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        before = con.execute("select current_setting('memory_limit')").fetchall()
        stats = warehouse.in_transaction(
            con, lambda c: warehouse.load_file_dumps_native(c, files, memory_limit="300MB")
        )
        assert con.execute("select current_setting('memory_limit')").fetchall() == before
    assert stats == {"postings": 2, "new_postings": 2, "quarantined": 0}
    assert _rows(
        settings,
        "select source_id, extra::varchar, epoch(posted_at)::bigint, posted_at_precision, pay_min "
        "from raw.postings order by source_id",
    ) == [
        ("n1", '{"team":{"name":"Search"},"tags":["ranking"]}', 1747728000, "second", 90000.0),
        ("n2", None, 1747785600, "day", 1.5),
    ]


def test_both_loaders_store_each_descriptions_size_in_bytes(settings: Settings, tmp_path: Path) -> None:
    """What validation checks instead of reading the texts: UTF-8 bytes, null without a description."""
    dump = tmp_path / "postings.jsonl"
    rows = [
        {"source": "survey", "source_id": "a", "title": "ML Engineer", "description": "Zürich ✓ team"},
        {"source": "survey", "source_id": "b", "title": "Data Analyst"},
    ]
    dump.write_text("\n".join(json.dumps(r) for r in rows))
    pipeline.import_file(settings, dump, None, None, date(2025, 6, 1))
    write_landing(
        settings.landing_dir,
        "greenhouse",
        _greenhouse_board(_gh_job(1, "ML Engineer")),
        run_date=date(2025, 6, 1),
        fetched_at=FETCHED,
        board="acme",
    )
    pipeline.load(settings)
    stored = dict(_rows(settings, "select posting_key, description_bytes from raw.postings"))
    texts = dict(_rows(settings, "select posting_key, description from raw.postings"))
    assert stored["survey:a"] == len("Zürich ✓ team".encode()) == 16  # 13 characters
    assert stored["survey:b"] is None and texts["survey:b"] is None
    (parsed,) = [k for k in stored if k.startswith("greenhouse:")]  # the parser's path
    assert texts[parsed] and stored[parsed] == len(texts[parsed].encode())
