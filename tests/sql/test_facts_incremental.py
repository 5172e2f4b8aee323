"""The incremental refresh of intermediate.int_posting_stable_facts (and of int_skill_months, kept from its
delta) equals the model computed in full.

Each build below adds or changes a few postings on one warehouse (new versions that move a posting to
another unique-role group, near-duplicates, lifecycle changes, quarantined and released rows, board
listings and sightings alone); after each, the table must hold exactly what the model's select gives over
the same inputs, and the refresh must have recomputed only part of it (none of it for listings that
change no stable fact).
"""

from __future__ import annotations

import pytest

from jobtrends import marts, warehouse
from jobtrends.settings import load_settings
from jobtrends.warehouse import additive, facts

from .conftest import SQL_DIR, TAXONOMY

MODEL_SQL = (SQL_DIR / "intermediate" / "int_posting_stable_facts.sql").read_text().strip().rstrip(";")
FACTS, SKILL_MONTHS = "intermediate.int_posting_stable_facts", "intermediate.int_skill_months"
SKILL_MONTHS_SQL = (SQL_DIR / "intermediate" / "int_skill_months.sql").read_text().strip().rstrip(";")
SHARED_DESC = (
    "We build the retrieval and ranking stack of our assistant: embeddings, vector search, evaluation "
    "harnesses and fine-tuning pipelines in PyTorch. You will own experiments end to end with product."
)
OTHER_DESC = (
    "Our finance platform team needs an engineer for ledgers, batch reconciliation jobs and reporting "
    "pipelines; you will work with accountants on controls and month-end close automation."
)


@pytest.fixture(autouse=True)
def _always_subset(monkeypatch):
    # a handful of postings: any change is a large share of them; the test is about the subset runs
    monkeypatch.setattr(facts, "MAX_CHANGED_SHARE", 1.0)


@pytest.fixture
def additive_modes(monkeypatch) -> list[str | None]:
    """How each build refreshed the additive aggregates (None: the model in full)."""
    modes: list[str | None] = []
    refresh = additive.refresh

    def spy(*args, **kwargs):
        modes.append(refresh(*args, **kwargs))
        return modes[-1]

    monkeypatch.setattr(additive, "refresh", spy)
    return modes


def _meta(given) -> dict:
    return given.one("select mode, reason, rows_written, facts_rows from ops.posting_facts_meta")


def _assert_same_as_full(given) -> None:
    # the model over the published views, through temp copies as the build reads them (it joins row ids)
    given.con.execute("create or replace temp table oracle_stg as select * from staging.stg_postings")
    given.con.execute(
        "create or replace temp table oracle_life as select * from intermediate.int_posting_lifecycle"
    )
    full = MODEL_SQL.replace("staging.stg_postings", "oracle_stg").replace(
        "intermediate.int_posting_lifecycle", "oracle_life"
    )
    table = "intermediate.int_posting_stable_facts"
    extra = given.rows(f"select * from {table} except all select * from ({full})")
    missing = given.rows(f"select * from ({full}) except all select * from {table}")
    assert extra == [] and missing == []
    (n,) = given.con.execute(f"select count(*) from {table}").fetchone()
    (state,) = given.con.execute("select count(*) from ops.posting_facts_state").fetchone()
    assert n == state > 0
    # the monthly skill counts kept from the facts' deltas: those of the whole table
    months = "intermediate.int_skill_months"
    extra = given.rows(f"select * from {months} except all select * from ({SKILL_MONTHS_SQL})")
    missing = given.rows(f"select * from ({SKILL_MONTHS_SQL}) except all select * from {months}")
    assert extra == [] and missing == []


def _facts(given) -> dict[str, dict]:
    return {r["posting_key"]: r for r in given.rows("select * from intermediate.int_posting_facts")}


def _filler(given, n: int = 8) -> None:
    for i in range(n):
        given.posting(f"fill:{i}", company=f"Filler {i}", title_clean=f"filler role {i}", posted="2025-01-10")


def test_increments_match_the_full_model(given, additive_modes):
    # build 1 (no state yet: full) — a tier 2 group (gh:1, gh:2, lv:1), a near-duplicate pair, others
    _filler(given)
    given.posting("gh:1", posted="2025-01-05", title_clean="ml engineer", skills=("pytorch", "python"))
    given.posting("gh:2", posted="2025-01-20", title_clean="ml engineer", skills=("python",))
    given.posting("lv:1", posted="2025-01-07", title_clean="ml engineer", skills=("pytorch",))
    given.posting("gh:3", posted="2025-02-01", title_clean="applied scientist", description=SHARED_DESC)
    given.posting("lv:3", posted="2025-02-03", title_clean="scientist ii", description=SHARED_DESC)
    # (every skill of the builds below is named here: a new skill in the dictionary rebuilds the facts)
    given.posting(
        "gh:9",
        posted="2025-02-01",
        title_clean="finance engineer",
        description=OTHER_DESC,
        skills=("llm", "rag"),
    )
    given.listing("gh", "2025-01-05", "L1").sighting("gh:1", "2025-01-05", "L1")
    modes = given.build(run_id="b1")["refresh_modes"]
    assert _meta(given)["mode"] == "full" and additive_modes == [None]
    # the build summary says how both tables were made
    assert modes == {FACTS: "full", SKILL_MONTHS: "full"}
    _assert_same_as_full(given)
    pytorch = "select postings, unique_roles from intermediate.int_skill_months where skill_id = 'pytorch'"
    assert given.con.execute(pytorch).fetchall() == [(2, 1)]
    before = _facts(given)
    assert before["lv:3"]["dedup_tier"] == 3 or before["gh:3"]["dedup_tier"] == 3

    # build 2 — gh:1, the first posting of the group (gh:1, lv:1, gh:2), gets a new title and leaves it:
    # lv:1 becomes the group's unique role without any change of its own; gh:9 is seen again
    given.posting(
        "gh:1",
        posted="2025-01-05",
        title_clean="principal ml engineer",
        content_hash="h2",
        fetched="2025-03-01",
        skills=("llm", "python"),
    )
    given.listing("gh", "2025-03-02", "L2").sighting("gh:9", "2025-03-02", "L2")
    modes = given.build(run_id="b2")["refresh_modes"]
    meta = _meta(given)
    assert meta["mode"] == "incremental" and meta["rows_written"] < meta["facts_rows"]
    assert additive_modes[-1] == "incremental"
    assert modes == {FACTS: "incremental", SKILL_MONTHS: "incremental"}
    _assert_same_as_full(given)
    # in January pytorch was named by gh:1 (the group's unique role) and lv:1; now gh:1, a unique role of
    # its own, names llm, and lv:1, unchanged itself, is the unique role that names pytorch
    january = "from intermediate.int_skill_months where month = date '2025-01-01' and skill_id"
    assert given.con.execute(f"select postings, unique_roles {january} = 'llm'").fetchall() == [(1, 1)]
    assert given.con.execute(f"select postings, unique_roles {january} = 'pytorch'").fetchall() == [(1, 1)]
    after = _facts(given)
    assert before["lv:1"]["unique_role_id"] == "gh:1" and after["lv:1"]["unique_role_id"] == "lv:1"
    assert after["gh:2"]["unique_role_id"] == "lv:1"
    assert after["gh:9"]["last_seen_at"] != before["gh:9"]["last_seen_at"]
    assert after["fill:0"] == before["fill:0"]

    # build 2b — an earlier posting joins the group: it becomes the unique role of the others
    given.posting("gh:0", posted="2025-01-02", title_clean="ml engineer", skills=("rag",))
    given.build(run_id="b2b")
    assert _meta(given)["mode"] == "incremental" and additive_modes[-1] == "incremental"
    _assert_same_as_full(given)
    assert _facts(given)["gh:2"]["unique_role_id"] == "gh:0"

    # build 3 — gh:0's normalised row and gh:1's latest raw version are quarantined (gh:0 leaves, gh:1
    # comes back to its first title and group); a new near-duplicate of the canonical pair arrives
    given.load()
    given.con.execute(
        "insert into ops.quarantine (stage, posting_key, reason, layer, content_hash, taxonomy_version) values "
        "('validate', 'gh:0', 'test', 'normalised', 'h1', ?), ('validate', 'gh:1', 'test', 'raw', 'h2', null)",
        [TAXONOMY],
    )
    given.posting("wk:3", posted="2025-03-05", title_clean="ai scientist", description=SHARED_DESC)
    given.build(run_id="b3")
    assert _meta(given)["mode"] == "incremental" and additive_modes[-1] == "incremental"
    _assert_same_as_full(given)
    # gh:0 left with its only skill: no month counts it any more
    assert given.con.execute(f"select count(*) {january} = 'rag'").fetchall() == [(0,)]
    now = _facts(given)
    assert "gh:0" not in now
    assert now["gh:1"]["title_key"] == before["gh:1"]["title_key"]
    assert now["gh:2"]["unique_role_id"] == "gh:1"
    assert now["wk:3"]["dedup_tier"] == 3

    # build 4 — the quarantine is released; a complete listing closes what it does not show
    given.con.execute("update ops.quarantine set released_at = current_timestamp where posting_key = 'gh:0'")
    given.listing("gh", "2025-03-10", "L3").sighting("gh:0", "2025-03-10", "L3")
    given.build(run_id="b4")
    assert _meta(given)["mode"] == "incremental"
    _assert_same_as_full(given)
    assert "gh:0" in _facts(given)

    # build 5 — nothing new for the facts (a row in another taxonomy): nothing rewritten
    given.load()
    given.con.execute(
        "insert into normalised.postings (posting_key, content_hash, taxonomy_version, role, seniority, is_ai_role) "
        "values ('gh:1', 'h1', 'other-taxonomy', 'other', 'mid', false)"
    )
    modes = given.build(run_id="b5")["refresh_modes"]
    assert additive_modes[-1] == "unchanged"
    assert modes == {FACTS: "unchanged", SKILL_MONTHS: "unchanged"}
    assert _meta(given) | {"facts_rows": 0} == {
        "mode": "unchanged",
        "reason": None,
        "rows_written": 0,
        "facts_rows": 0,
    }
    _assert_same_as_full(given)


def test_a_changed_setting_or_full_rebuilds_everything(given, tmp_path):
    _filler(given, 4)
    given.posting("gh:1", posted="2025-01-05", title_clean="ml engineer")
    given.build(run_id="b1")
    given.posting("gh:2", posted="2025-01-09", title_clean="ml engineer")
    given.build(run_id="b2")
    assert _meta(given)["mode"] == "incremental"
    # another repost window changes every session: the whole table is rebuilt
    given.posting("gh:3", posted="2025-01-10", title_clean="ml engineer")
    given.build(run_id="b3", repost_window_days=3)
    meta = _meta(given)
    assert meta["mode"] == "full" and "settings" in meta["reason"]
    _assert_same_as_full(given)
    settings = load_settings(tmp_path, sql_dir=SQL_DIR, repost_window_days=3, taxonomy_version=TAXONOMY)
    marts.build_and_publish(given.con, settings, run_id="b4", full=True)
    assert _meta(given) == {
        "mode": "full",
        "reason": "full build requested",
        "rows_written": 7,
        "facts_rows": 7,
    }
    _assert_same_as_full(given)


def test_a_table_out_of_step_with_its_state_is_rebuilt(given):
    _filler(given, 4)
    given.build(run_id="b1")
    given.con.execute("delete from intermediate.int_posting_stable_facts where posting_key = 'fill:0'")
    given.posting("gh:1", posted="2025-01-05", title_clean="ml engineer")
    given.build(run_id="b2")
    meta = _meta(given)
    assert meta["mode"] == "full" and "out of step" in meta["reason"]
    _assert_same_as_full(given)


def test_skill_months_that_do_not_add_up_are_rebuilt_in_full(given, additive_modes, caplog):
    _filler(given, 4)
    given.posting("gh:1", posted="2025-01-05", title_clean="ml engineer", skills=("pytorch",))
    given.build(run_id="b1")
    # a table changed behind the build's back: gh:1's new version takes away a count it no longer holds
    given.con.execute("delete from intermediate.int_skill_months where skill_id = 'pytorch'")
    given.posting(
        "gh:1", posted="2025-01-05", title_clean="ml engineer", content_hash="h2", fetched="2025-02-01"
    )
    modes = given.build(run_id="b2")["refresh_modes"]
    assert _meta(given)["mode"] == "incremental" and additive_modes[-1] is None
    assert modes == {FACTS: "incremental", SKILL_MONTHS: "full"}
    assert "rebuilding it in full" in caplog.text
    _assert_same_as_full(given)


def test_a_near_duplicate_follows_its_canonical_into_another_group(given):
    # gh:8 is a near-duplicate of gh:7 (another title) at another office of the same source: another
    # opening, its own group; gh:7's new version moves to gh:8's office: gh:8 becomes its tier 3 duplicate
    # without any change of its own (the row is written by hand: no description to compare)
    _filler(given, 4)
    given.posting("gh:7", posted="2025-01-05", title_clean="data scientist", city="Boston")
    given.posting("gh:8", posted="2025-01-09", title_clean="ml scientist", city="New York")
    given.build(run_id="b1")
    # (after the first build: the dedup step drops the rows of postings whose company key is new)
    given.con.execute(
        "insert into normalised.near_duplicates (posting_key, canonical_key, similarity, block_key) "
        "values ('gh:8', 'gh:7', 0.9, 'by-hand')"
    )
    given.build(run_id="b1b")
    assert _facts(given)["gh:8"]["near_duplicate_of"] is None
    assert _facts(given)["gh:8"]["dedup_tier"] == 1
    given.posting(
        "gh:7", posted="2025-01-05", title_clean="data scientist", city="New York", content_hash="h2"
    )
    given.build(run_id="b2")
    meta = _meta(given)
    assert meta["mode"] == "incremental" and meta["rows_written"] < meta["facts_rows"]
    _assert_same_as_full(given)
    rows = _facts(given)
    assert rows["gh:8"]["dedup_tier"] == 3


def _marts(given) -> dict[str, tuple[int, str]]:
    tables = given.rows("select table_name from duckdb_tables() where schema_name = 'marts'")
    names = sorted(r["table_name"] for r in tables)
    return {name: warehouse.table_fingerprint(given.con, f"marts.{name}") for name in names}


def test_a_nightly_listing_rewrites_no_row(given, tmp_path):
    # a nightly run lists whole boards: every open posting is seen again, one of them is not shown and
    # closes, every open posting is listed through the new day. No stable fact changes: no row is written
    _filler(given)
    given.posting("gh:1", posted="2025-01-05", title_clean="ml engineer")
    given.posting("lv:1", posted="2025-01-07", title_clean="ml engineer")  # gh:1's group (tier 2)
    given.posting("gh:4", posted="2025-01-12", title_clean="data engineer")
    given.posting("gh:5", posted="2025-01-14", title_clean="platform engineer")
    given.listing("gh", "2025-01-15", "L1")
    for key in ("gh:1", "gh:4", "gh:5"):
        given.sighting(key, "2025-01-15", "L1")
    given.build(run_id="b1")
    assert _meta(given)["mode"] == "full"
    before = _facts(given)
    assert before["lv:1"]["unique_role_id"] == "gh:1"
    assert (before["gh:5"]["is_closed"], str(before["gh:5"]["active_to_date"])) == (False, "2025-01-15")

    for source, keys in (
        ("gh", ("gh:1", "gh:4")),
        ("lv", ("lv:1",)),
        ("fill", [f"fill:{i}" for i in range(8)]),
    ):
        given.listing(source, "2025-03-01", f"N-{source}")
        for key in keys:
            given.sighting(key, "2025-03-01", f"N-{source}")
    out = given.build(run_id="b2")
    assert out["status"] == "published"
    meta = _meta(given)
    assert (meta["mode"], meta["rows_written"]) == ("unchanged", 0)
    _assert_same_as_full(given)
    after = _facts(given)
    assert str(after["gh:1"]["last_seen_at"])[:10] == "2025-03-01"
    assert str(after["fill:3"]["active_to_date"]) == "2025-03-01"
    assert str(after["lv:1"]["active_to_date"]) == "2025-03-01"
    # gh:5 was not in the complete listing of its board: closed there, listed through its last sighting
    assert after["gh:5"]["is_closed"] and str(after["gh:5"]["closed_at"])[:10] == "2025-03-01"
    assert str(after["gh:5"]["active_to_date"]) == "2025-01-15"
    assert {k: v["unique_role_id"] for k, v in after.items()} == {
        k: v["unique_role_id"] for k, v in before.items()
    }

    # the marts are those of a full build over the same inputs
    incremental = _marts(given)
    settings = load_settings(
        tmp_path, sql_dir=SQL_DIR, taxonomy_version=TAXONOMY, min_base=30, repost_window_days=45
    )
    marts.build_and_publish(given.con, settings, run_id="b3", full=True)
    assert _meta(given)["mode"] == "full"
    assert _marts(given) == incremental


def test_a_sighting_that_moves_a_session_recomputes_its_group(given):
    # gh:2 came 15 days after gh:1 was last seen (same source, company, title, place): a repost, gh:1 is
    # its unique role. A later listing shows gh:1 on the day after gh:2 appeared: gh:1 was still open, so
    # gh:2 is another opening. No signature changes; the group's rows must still be recomputed
    _filler(given, 4)
    given.posting("gh:1", posted="2025-01-05", title_clean="ml engineer")
    given.posting("gh:2", posted="2025-01-20", title_clean="ml engineer")
    given.posting("lv:5", posted="2025-01-02", title_clean="research scientist")
    given.posting("wk:5", posted="2025-01-04", title_clean="research scientist")
    given.build(run_id="b1")
    assert _facts(given)["gh:2"]["unique_role_id"] == "gh:1"
    assert _facts(given)["wk:5"]["unique_role_id"] == "lv:5"

    given.listing("gh", "2025-01-21", "L2").sighting("gh:1", "2025-01-21", "L2").sighting(
        "gh:2", "2025-01-21", "L2"
    )
    given.build(run_id="b2")
    meta = _meta(given)
    assert (meta["mode"], meta["rows_written"]) == ("incremental", 2)
    _assert_same_as_full(given)
    rows = _facts(given)
    assert (rows["gh:2"]["unique_role_id"], rows["gh:2"]["is_canonical"]) == ("gh:2", True)
    assert rows["wk:5"]["unique_role_id"] == "lv:5"
