"""A build over the inputs of the last published build publishes nothing new; any changed input builds.

And the cost-saving paths (skipping, incremental dedup) give the marts a full build gives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jobtrends import marts, warehouse
from jobtrends.settings import load_settings

from .conftest import SQL_DIR, TAXONOMY, Given

MARTS = [
    "agg_distinct_titles",
    "agg_salary_trends",
    "agg_skill_frequency",
    "agg_title_growth",
    "agg_wage_premium",
    "claims",
    "dim_roles",
    "settings",
]


def _fingerprints(con: Any) -> dict[str, tuple[int, str]]:
    return {name: warehouse.table_fingerprint(con, f"marts.{name}") for name in MARTS}


def _build(given: Given, *, full: bool = False, min_base: int = 3, validate: Any = None) -> dict:
    given.load()
    settings = load_settings(
        given.data_dir, sql_dir=SQL_DIR, min_base=min_base, repost_window_days=45, taxonomy_version=TAXONOMY
    )
    return marts.build_and_publish(given.con, settings, run_id="run", validate=validate, full=full)


class Recorder:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, con: Any, names: list[str]) -> bool:
        self.calls += 1
        return True


def _base(given: Given, n: int = 12) -> None:
    for i in range(n):
        given.posting(
            f"gh:{i}",
            posted=f"2025-0{1 + i % 6}-1{i % 9}",
            company=f"Co{i % 4}",
            title="Machine Learning Engineer" if i % 2 else "Data Scientist",
            role="ai_ml_engineer" if i % 2 else "data_scientist",
            pay=(100_000 + 1000 * i, 150_000) if i % 3 else None,
            skills=("pytorch", "python") if i % 2 else ("sql",),
            description=f"Build models for team {i % 3}. We ship every week with python and care.",
        )
        given.sighting(f"gh:{i}", f"2025-0{1 + i % 6}-20", f"listing-{i % 6}")
    given.listing("gh", "2025-07-01", "listing-complete")


def test_a_build_over_the_inputs_of_the_last_published_one_publishes_nothing_new(given: Given) -> None:
    _base(given)
    assert _build(given)["status"] == "published"
    before = _fingerprints(given.con)
    check = Recorder()

    again = _build(given, validate=check)

    assert again["status"] == "unchanged" and again["published"] is False
    assert set(again["marts"]) == set(MARTS)
    assert check.calls == 0  # the published marts were validated when they were published
    assert _fingerprints(given.con) == before


@pytest.mark.parametrize(
    "change",
    [
        "new posting",
        "new version",
        "new sighting",
        "new listing",
        "quarantined row",
        "released row",
        "min base",
        "mart dropped",
    ],
)
def test_any_changed_input_builds_again(given: Given, change: str) -> None:
    _base(given)
    given.con.execute(
        "insert into ops.quarantine (stage, layer, posting_key, content_hash, taxonomy_version, reason, run_id) "
        "values ('validate', 'normalised', 'gh:3', 'h1', ?, 'test', 'r0')",
        [TAXONOMY],
    )
    assert _build(given)["status"] == "published"
    min_base = 3
    if change == "new posting":
        given.posting("gh:new", posted="2025-06-02", company="Co9")
    elif change == "new version":
        given.posting("gh:1", posted="2025-01-11", company="Co1", content_hash="h2", fetched="2025-08-01")
    elif change == "new sighting":
        given.sighting("gh:2", "2025-08-20", "listing-later")
    elif change == "new listing":
        given.listing("gh", "2025-08-01", "listing-complete-2")
    elif change == "quarantined row":
        given.con.execute(
            "insert into ops.quarantine (stage, layer, posting_key, content_hash, reason, run_id) "
            "values ('validate', 'raw', 'gh:5', 'h1', 'test', 'r1')"
        )
    elif change == "released row":
        given.con.execute("update ops.quarantine set released_at = now() where posting_key = 'gh:3'")
    elif change == "min base":
        min_base = 4
    elif change == "mart dropped":
        given.con.execute("drop table marts.claims")
    check = Recorder()

    out = _build(given, min_base=min_base, validate=check)

    assert out["status"] == "published", change
    assert check.calls == 1


def test_a_rejected_build_is_built_again(given: Given) -> None:
    _base(given)
    _build(given)
    given.posting("gh:new", posted="2025-06-02", company="Co9")
    assert _build(given, validate=lambda con, names: False)["status"] == "validation_failed"

    assert _build(given)["status"] == "published"
    assert given.one("select count(*) as n from intermediate.int_posting_facts") == {"n": 13}


def test_full_always_builds(given: Given) -> None:
    _base(given)
    _build(given)
    check = Recorder()
    assert _build(given, full=True, validate=check)["status"] == "published"
    assert check.calls == 1


def _increment(given: Given) -> None:
    for i in range(4):
        given.posting(
            f"gh:n{i}",
            posted=f"2025-07-0{i + 2}",
            company=f"Co{i}",
            title="Machine Learning Engineer",
            skills=("pytorch",),
            description=f"Build models for team {i % 3}. We ship every week with python and care.",
        )
    # new versions of existing postings (other text, later fetch)
    for i in (1, 2):
        given.posting(
            f"gh:{i}",
            posted=f"2025-0{1 + i % 6}-1{i % 9}",
            company=f"Co{i % 4}",
            content_hash="h2",
            fetched="2025-07-05",
            pay=(120_000, 160_000),
            description=f"A new text for posting {i}: research, evaluation and serving of language models.",
        )
    given.sighting("gh:n1", "2025-07-10", "listing-7")


def test_an_increment_built_incrementally_gives_the_marts_of_a_full_build(tmp_path: Path) -> None:
    prints = []
    for full in (False, True):
        with warehouse.connect(tmp_path / f"full-{full}.duckdb") as con:
            warehouse.ensure_schema(con, SQL_DIR)
            given = Given(con, tmp_path / f"data-{full}")
            _base(given)
            assert _build(given)["status"] == "published"
            _increment(given)
            out = _build(given, full=full)
            assert out["status"] == "published"
            prints.append(_fingerprints(con))
    assert prints[0] == prints[1]


_TEXT = (
    "Join the applied research group to train, evaluate and ship large language models for search. "
    "You will design data pipelines, run distributed training jobs on GPU clusters, write evaluation "
    "harnesses, review papers with the team and mentor two junior engineers in the platform squad."
)


def test_a_recomputed_block_signs_only_the_versions_it_has_not_signed(given: Given) -> None:
    given.posting("gh:d", posted="2025-02-01", company="Acme", description=_TEXT)
    given.posting("gh:x", posted="2025-02-01", company="Initech", description="Sales lead for the east.")
    assert _build(given)["dedup"]["descriptions_signed"] == 2
    given.posting("ws:e", posted="2025-02-03", company="Acme", description=_TEXT + " Apply by March.")

    out = _build(given)["dedup"]

    assert (out["blocks_recomputed"], out["descriptions_signed"], out["near_duplicates_total"]) == (1, 1, 1)
    pairs = given.rows("select posting_key, canonical_key, similarity from normalised.near_duplicates")
    assert [(p["posting_key"], p["canonical_key"]) for p in pairs] == [("ws:e", "gh:d")]
    # a new version replaces its posting's stored signature
    given.posting("gh:d", posted="2025-02-01", company="Acme", content_hash="h2", fetched="2025-02-05",
                  description=_TEXT.replace("search", "code review"))  # fmt: skip
    assert _build(given)["dedup"]["descriptions_signed"] == 1
    stored = given.rows("select content_hash from normalised.dedup_signatures where posting_key = 'gh:d'")
    assert stored == [{"content_hash": "h2"}]
    incremental = given.rows("select * exclude (computed_at) from normalised.near_duplicates order by all")
    # a full build signs every text again and finds the same near-duplicates
    full = _build(given, full=True)["dedup"]
    assert (full["blocks_recomputed"], full["descriptions_signed"]) == (2, 3)
    assert (
        given.rows("select * exclude (computed_at) from normalised.near_duplicates order by all")
        == incremental
    )
    assert given.one("select count(*) as n from normalised.dedup_signatures") == {"n": 3}


@pytest.mark.parametrize("batch_rows", [1, marts._BATCH_ROWS])
def test_stored_signatures_are_the_kernels_signatures_of_the_texts(
    given: Given, monkeypatch: pytest.MonkeyPatch, batch_rows: int
) -> None:
    """What the next build reads back instead of signing again: each latest version's MinHash values,
    as the kernel signs its description (streamed to DuckDB in one batch, or in batches of 4 rows)."""
    from transform import dedup

    monkeypatch.setattr(marts, "_BATCH_ROWS", batch_rows)
    texts = {
        "gh:a": _TEXT,
        "gh:b": "Sales lead for the east.",
        "gh:c": "",
        "gh:d": "<p>Ünïcode &amp; tags</p>",
    } | {f"gh:{i}": f"{_TEXT} Team {i}." for i in range(10)}
    for key, text in texts.items():
        given.posting(key, posted="2025-02-01", company="Acme", description=text)
    _build(given)

    rows = given.rows("select posting_key, num_perm, words, signature from normalised.dedup_signatures")
    expected = dedup.description_signatures(list(texts.values()), num_perm=dedup.DEFAULT_NUM_PERM)
    stored = {r["posting_key"]: r for r in rows}
    for i, key in enumerate(texts):
        if not expected.words[i]:
            continue  # an empty description is never signed or grouped
        assert stored[key]["num_perm"] == dedup.DEFAULT_NUM_PERM
        assert stored[key]["words"] == expected.words[i]
        assert stored[key]["signature"] == expected.values[i].tolist()


def test_the_publish_commit_vacuums_on_a_full_build_only_while_tables_are_compact(given: Given) -> None:
    def vacuum_tasks() -> int:
        return int(given.con.execute("select current_setting('max_vacuum_tasks')").fetchall()[0][0])

    before = vacuum_tasks()
    _base(given)
    assert _build(given)["vacuum_on_commit"] is False
    _increment(given)
    rejected = _build(given, validate=lambda con, names: False)
    assert (rejected["status"], rejected["vacuum_on_commit"]) == ("validation_failed", False)
    assert vacuum_tasks() == before
    assert _build(given)["vacuum_on_commit"] is False
    assert vacuum_tasks() == before
    assert _build(given, full=True)["vacuum_on_commit"] is True
    assert vacuum_tasks() == before


def test_a_published_build_says_how_long_each_model_took(given: Given) -> None:
    """Every staging and intermediate model and every mart, in build order, and within the layers' and
    marts' own times; a build that publishes nothing built no model and says none."""
    _base(given)
    built = _build(given)
    seconds = built["model_seconds"]
    assert list(seconds) == [*built["models"], *(f"marts.{name}" for name in built["marts"])]
    assert all(isinstance(s, float) and s >= 0 for s in seconds.values())
    layers = sum(s for name, s in seconds.items() if not name.startswith("marts."))
    marts_only = sum(s for name, s in seconds.items() if name.startswith("marts."))
    assert layers <= built["timings"]["layers_s"] + 0.01
    assert marts_only <= built["timings"]["marts_s"] + 0.01
    assert "model_seconds" not in _build(given)
