"""The incremental near-duplicate step equals a full recomputation after every increment.

One warehouse takes several increments (a near-duplicate joining a group, an earlier-dated copy that
becomes the group's canonical posting, a posting leaving its group by a new version, a posting moving to
another company, a whole group moving, postings tied on their first second); after each, the near-duplicates and the marks
the step wrote incrementally must be exactly what ``compute_dedup_inputs(full=True)`` (every block
recomputed, every text signed again) gives, and the groups are checked by hand.
"""

from __future__ import annotations

import random
import zlib

import pytest

from jobtrends import marts, warehouse

from .conftest import SQL_DIR, Given

ROLE_DESC = (
    "Join the search relevance group to design ranking features, train gradient boosted and neural "
    "rankers, run online experiments with the product team and keep latency budgets for every query."
)
ROLE_REPOST = ROLE_DESC + " Reference 7731, reposted this spring."
FINANCE_DESC = (
    "The treasury systems team needs an engineer for payment files, bank statement parsing and "
    "reconciliation jobs; you will pair with analysts on controls and the month-end close calendar."
)
DESIGN_DESC = (
    "Lead the visual language of the mobile app: typography, colour, motion and the component library, "
    "working with researchers on usability studies and with engineers on accessible implementations."
)


def _state(given) -> tuple[list, list]:
    near = given.rows(
        "select posting_key, canonical_key, similarity, block_key from normalised.near_duplicates order by all"
    )
    marks = given.rows(
        "select posting_key, content_hash, block_key from normalised.dedup_processed order by all"
    )
    return near, marks


def _pairs(given) -> set[tuple[str, str]]:
    rows = given.rows("select posting_key, canonical_key from normalised.near_duplicates")
    return {(r["posting_key"], r["canonical_key"]) for r in rows}


def _build_and_compare(given) -> dict:
    summary = given.build()
    incremental = _state(given)
    full = marts.compute_dedup_inputs(given.con, SQL_DIR, full=True)
    assert _state(given) == incremental
    summary["full_blocks"] = full["blocks_recomputed"]
    return summary


def test_every_increment_gives_the_groups_of_a_full_recomputation(given) -> None:
    given.posting("gh:a", posted="2025-02-10", company="Acme", title_clean="ranking", description=ROLE_DESC)
    given.posting(
        "gh:x", posted="2025-02-11", company="Acme", title_clean="finance", description=FINANCE_DESC
    )
    given.posting(
        "gh:i", posted="2025-02-10", company="Initech", title_clean="ranking", description=ROLE_DESC
    )
    first = _build_and_compare(given)
    assert first["dedup"]["blocks_recomputed"] == 2 and _pairs(given) == set()

    # a repost joins gh:a's group; Initech's block is not recomputed
    given.posting("ws:b", posted="2025-02-12", company="Acme Inc", title_clean="r", description=ROLE_REPOST)
    second = _build_and_compare(given)
    assert second["dedup"]["blocks_recomputed"] == 1
    assert _pairs(given) == {("ws:b", "gh:a")}

    # an earlier-dated copy arrives later: it becomes the canonical posting of the whole group
    given.posting("lv:c", posted="2025-02-01", company="Acme", title_clean="r", description=ROLE_REPOST)
    _build_and_compare(given)
    assert _pairs(given) == {("gh:a", "lv:c"), ("ws:b", "lv:c")}

    # the canonical posting leaves the group (a new version with another text): gh:a is the root again
    given.posting(
        "lv:c", posted="2025-02-01", fetched="2025-02-20", company="Acme", title_clean="r",
        description=DESIGN_DESC, content_hash="h2",
    )  # fmt: skip
    _build_and_compare(given)
    assert _pairs(given) == {("ws:b", "gh:a")}

    # gh:a moves to Initech (a new version naming another company): it joins gh:i there, ws:b is alone
    given.posting(
        "gh:a", posted="2025-02-10", fetched="2025-02-21", company="Initech", title_clean="ranking",
        description=ROLE_DESC, content_hash="h2",
    )  # fmt: skip
    _build_and_compare(given)
    # both first seen on 2025-02-10 (the same second): the smaller posting key is the canonical one
    assert _pairs(given) == {("gh:i", "gh:a")}

    # nothing new: no block is recomputed, and the state stays
    before = _state(given)
    again = given.build()
    assert again["dedup"]["blocks_recomputed"] == 0 and _state(given) == before


def test_postings_tied_on_their_first_second_are_ordered_by_key_in_every_block(given) -> None:
    for key in ("gh:t2", "gh:t10", "ws:t1"):
        given.posting(key, posted="2025-03-01", company="Globex", title_clean="r", description=ROLE_DESC)
    _build_and_compare(given)
    # "gh:t10" < "gh:t2" < "ws:t1" as strings
    assert _pairs(given) == {("gh:t2", "gh:t10"), ("ws:t1", "gh:t10")}
    # a posting without a posted date is ordered by its first fetch
    given.posting("aa:t0", posted=None, fetched="2025-02-28", company="Globex", description=ROLE_REPOST)
    _build_and_compare(given)
    assert _pairs(given) == {("gh:t2", "aa:t0"), ("gh:t10", "aa:t0"), ("ws:t1", "aa:t0")}


def test_a_group_whose_postings_all_move_to_another_company_leaves_no_row_behind(given) -> None:
    given.posting("gh:h1", posted="2025-04-01", company="Hooli", description=FINANCE_DESC)
    given.posting("gh:h2", posted="2025-04-02", company="Hooli", description=FINANCE_DESC)
    given.posting("gh:r", posted="2025-04-03", company="Initrode", description=DESIGN_DESC)
    _build_and_compare(given)
    assert given.rows("select posting_key, canonical_key, block_key from normalised.near_duplicates") == [
        {"posting_key": "gh:h2", "canonical_key": "gh:h1", "block_key": "hooli"}
    ]
    for key, posted in (("gh:h1", "2025-04-01"), ("gh:h2", "2025-04-02")):
        given.posting(
            key, posted=posted, fetched="2025-04-10", company="Initrode", description=FINANCE_DESC,
            content_hash="h2",
        )  # fmt: skip
    summary = _build_and_compare(given)
    assert summary["dedup"]["new_keys"] == 0
    assert summary["dedup"]["blocks_recomputed"] == 2  # initrode, and hooli (now without candidates)
    assert given.rows("select posting_key, canonical_key, block_key from normalised.near_duplicates") == [
        {"posting_key": "gh:h2", "canonical_key": "gh:h1", "block_key": "initrode"}
    ]


def test_a_posting_whose_new_version_names_no_company_leaves_its_group(given) -> None:
    given.posting("gh:n1", posted="2025-05-01", company="Vandelay", description=ROLE_DESC)
    given.posting("gh:n2", posted="2025-05-02", company="Vandelay", description=ROLE_REPOST)
    _build_and_compare(given)
    assert _pairs(given) == {("gh:n2", "gh:n1")}
    # the new version has no company: the posting is no candidate any more, in no block
    given.posting(
        "gh:n2", posted="2025-05-02", fetched="2025-05-09", company=None, description=ROLE_REPOST,
        content_hash="h2",
    )  # fmt: skip
    summary = _build_and_compare(given)
    assert summary["dedup"]["blocks_recomputed"] == 1  # vandelay, now with gh:n1 alone
    assert _pairs(given) == set()
    # that version is marked compared: the next build finds nothing new
    assert given.build()["dedup"]["blocks_recomputed"] == 0


def test_an_older_version_loaded_late_moves_the_canonical_posting(given) -> None:
    given.posting("gh:o1", posted="2025-06-10", company="Kramerica", description=ROLE_DESC)
    given.posting("gh:o2", posted="2025-06-12", company="Kramerica", description=ROLE_REPOST)
    _build_and_compare(given)
    assert _pairs(given) == {("gh:o2", "gh:o1")}
    # an earlier version of gh:o2 (an older dump imported now) dates it first; its latest version is the same
    given.posting(
        "gh:o2", posted="2025-06-01", fetched="2025-06-01", company="Kramerica", description=ROLE_DESC,
        content_hash="h0",
    )  # fmt: skip
    _build_and_compare(given)
    assert _pairs(given) == {("gh:o1", "gh:o2")}
    assert given.build()["dedup"]["blocks_recomputed"] == 0


def test_a_posting_moving_to_a_company_never_seen_before_leaves_its_group(given) -> None:
    given.posting("gh:m1", posted="2025-07-01", company="Pendant", description=ROLE_DESC)
    given.posting("gh:m2", posted="2025-07-02", company="Pendant", description=ROLE_REPOST)
    _build_and_compare(given)
    given.posting(
        "gh:m1", posted="2025-07-01", fetched="2025-07-05", company="Brand New Co", description=ROLE_DESC,
        content_hash="h2",
    )  # fmt: skip
    summary = _build_and_compare(given)
    assert summary["dedup"]["new_keys"] == 1
    # pendant is regrouped without gh:m1; brand new co only gains a singleton: its (no) groups are kept
    assert summary["dedup"]["blocks_recomputed"] == 1
    assert summary["dedup"]["blocks_kept"] == 1
    assert _pairs(given) == set()


def test_changed_company_key_rules_recompute_the_blocks_postings_left(given, monkeypatch) -> None:
    from transform import dedup

    # under older rules both names had Sabre's key: gh:k2 (posted first) was the canonical posting of gh:k1
    sabre = dedup.company_key("Sabre")
    monkeypatch.setattr(dedup, "company_key", lambda name: sabre if name else "")
    given.posting("gh:k1", posted="2025-08-10", company="Sabre", description=ROLE_DESC)
    given.posting("gh:k2", posted="2025-08-01", company="Sabre Labs", description=ROLE_REPOST)
    given.build()
    assert _pairs(given) == {("gh:k1", "gh:k2")}
    monkeypatch.undo()
    # only "Sabre Labs" is keyed anew: gh:k2 leaves the block where gh:k1 stays
    summary = _build_and_compare(given)
    assert summary["dedup"]["new_keys"] == 1
    assert _pairs(given) == set()


_SENTENCES = [
    " ".join(f"{word}{i}" for word in words.split())
    for i, words in enumerate(
        [
            "design ranking features for search and train rankers on click logs",
            "run online experiments with product managers and report the lift",
            "keep latency budgets for every query served from the edge caches",
            "build payment file parsers and reconcile bank statements each night",
            "pair with analysts on controls and the month end close calendar",
            "lead the visual language of the mobile app and its component library",
            "work with researchers on usability studies and accessible designs",
            "own the feature store and the batch pipelines that fill it daily",
            "mentor two engineers and review the designs of the platform team",
            "write the evaluation harness for language models and their prompts",
            "operate the training cluster and plan its capacity with finance",
            "document the data contracts between the product and the warehouse",
        ]
    )
]


def _text(rng) -> str:
    # a few shared sentences: many texts near (or exactly) one another, many LSH collisions below it
    return ". ".join(rng.sample(_SENTENCES, rng.randint(3, 6)))


def _dedup_state(given) -> tuple[list, list, list]:
    near, marks = _state(given)
    keys = given.rows("select * exclude (content_hash) from normalised.dedup_band_keys order by all")
    return near, marks, keys


@pytest.mark.parametrize(("seed", "max_bucket"), [(1, 200), (2, 200), (3, 2)])
def test_random_increments_keep_the_state_of_a_full_pass_in_every_block(
    tmp_path, monkeypatch, seed: int, max_bucket: int
) -> None:
    """Two warehouses take the same random increments (new postings, new versions with new or the same
    texts, moves between companies and out of them, older versions loaded late); one runs the step
    incrementally, the other as a full pass after every increment. Their near-duplicates, marks and LSH
    keys must be equal after each, with blocks kept and regrouped along the way. ``max_bucket`` 2
    compares most buckets as a chain, which a kept block must not meet."""
    from transform.dedup import near

    monkeypatch.setattr(near, "MAX_BUCKET_PAIRS", max_bucket)
    rng = random.Random(seed)
    companies = ["Acme", "Initech", "Hooli", None]
    texts: dict[str, str] = {}
    kept = regrouped = 0
    with (
        warehouse.connect(tmp_path / "inc.duckdb") as inc_con,
        warehouse.connect(tmp_path / "full.duckdb") as full_con,
    ):
        pair = []
        for con, name in ((inc_con, "inc"), (full_con, "full")):
            warehouse.ensure_schema(con, SQL_DIR)
            (tmp_path / name).mkdir()
            pair.append(Given(con, tmp_path / name))
        inc, full = pair
        versions: dict[str, int] = {}
        for round_ in range(6):
            rows = []
            for n in range(rng.randint(3, 8)):
                key = f"gh:r{round_}n{n}"
                texts[key] = (
                    _text(rng) if not texts or rng.random() < 0.7 else rng.choice(list(texts.values()))
                )
                versions[key] = 1
                rows.append(
                    (key, texts[key], rng.choice(companies[:3]), f"2025-0{1 + round_}-1{n % 9}", None)
                )
            for key in rng.sample(sorted(versions), min(len(versions), rng.randint(1, 4))):
                versions[key] += 1
                if rng.random() < 0.5:
                    texts[key] = _text(rng)
                # an older version loaded late: posted and fetched before every other, it dates the
                # posting earlier (and may make it its group's canonical posting)
                late = rng.random() < 0.2
                posted, fetched = ("2024-12-01", "2024-12-01") if late else (None, f"2025-07-0{1 + round_}")
                rows.append((key, texts[key], rng.choice(companies), posted, fetched))
            for given in (inc, full):
                for key, text, company, posted, fetched in rows:
                    given.posting(
                        key, posted=posted, fetched=fetched, company=company, description=text,
                        content_hash=f"h{versions[key]}-{zlib.crc32(text.encode())}",
                    )  # fmt: skip
                given.load()
            summary = marts.compute_dedup_inputs(inc_con, SQL_DIR)
            marts.compute_dedup_inputs(full_con, SQL_DIR, full=True)
            assert _dedup_state(inc) == _dedup_state(full), f"round {round_}"
            kept += summary["blocks_kept"]
            regrouped += summary["blocks_recomputed"] if round_ else 0
    assert kept and regrouped


def test_keys_a_step_did_not_keep_are_written_anew_by_the_next(given) -> None:
    from jobtrends import dedup_index
    from transform import dedup

    def keyed() -> list[str]:
        return [
            r["posting_key"]
            for r in given.rows("select posting_key from normalised.dedup_band_keys order by 1")
        ]

    given.posting("gh:a", company="Acme", description=ROLE_DESC).load()
    first = marts.compute_dedup_inputs(given.con, SQL_DIR)
    assert first["blocks_recomputed"] == 1 and keyed() == ["gh:a"]
    assert dedup_index.current(given.con, num_perm=dedup.DEFAULT_NUM_PERM, threshold=dedup.DEFAULT_THRESHOLD)
    # 20 values make 20 bands, more than the table holds: that step groups without keys
    given.posting("gh:b", company="Acme", description=FINANCE_DESC).load()
    marts.compute_dedup_inputs(given.con, SQL_DIR, num_perm=20)
    assert not dedup_index.current(
        given.con, num_perm=dedup.DEFAULT_NUM_PERM, threshold=dedup.DEFAULT_THRESHOLD
    )
    given.posting("gh:c", company="Initech", description=DESIGN_DESC).load()
    again = marts.compute_dedup_inputs(given.con, SQL_DIR)
    assert again["blocks_recomputed"] == 2 and again["blocks_kept"] == 0  # every block, its keys anew
    assert keyed() == ["gh:a", "gh:b", "gh:c"]
