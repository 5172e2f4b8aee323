"""transform.dedup kernels: what a description reads as, signatures on Arrow buffers, and grouping."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transform import dedup

SRC = Path(__file__).resolve().parents[3] / "src"
BASE = (
    "Design prompts, tools and guardrails for the support assistant used by two million customers daily. "
    "You will work with researchers to evaluate models, write clear documentation and mentor engineers."
)


def _sig(text: str | None) -> np.ndarray | None:
    return dedup.signature(text)


def _same(a: str, b: str) -> bool:
    sa, sb = _sig(a), _sig(b)
    return sa is not None and sb is not None and bool((sa == sb).all())


def _texts(values: list[str | None], kind: pa.DataType | None = None) -> dedup.Signatures:
    return dedup.description_signatures(pa.array(values, kind or pa.string()))


def _words(n: int) -> list[str]:
    """``n`` distinct letter-only words (digits would split them)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [letters[i // 26 % 26] + letters[i % 26] + "x" for i in range(n)]


# ----------------------------------------------------------------------------- what a text reads as


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("<p>Senior <b>ML</b> engineer</p><br/>", "Senior ML engineer"),  # tags dropped
        ('<a href="https://x.io/jobs?id=1&team=ml">Apply</a> now', "Apply now"),  # '&' inside a tag too
        ("SENIOR Machine LEARNING Engineer", "senior machine learning engineer"),  # case folded
        ("Senior ML engineer, req 4821 (2025)!", "senior ml engineer req"),  # digits, punctuation dropped
        ("abc123def", "abc def"),  # digits separate words
        ("R&D team", "r and d team"),  # '&' reads as "and"
        ("Société Générale à Zürich", "societe generale a zurich"),  # accents folded like NFKD
        ("e\u0301cole", "école"),  # a combining accent does not split the word
        ("école", "ecole"),
        ("ﬁnance ＡＩ", "finance ai"),  # compatibility forms fold
        ("senior\u00a0engineer", "senior engineer"),  # no-break space separates
        ("ML🚀engineer", "ml engineer"),  # characters outside the BMP separate
        ("data—driven, don’t", "data driven don t"),  # dashes and curly quotes separate
    ],
)
def test_equivalent_texts_have_equal_signatures(a, b):
    assert _same(a, b)
    assert dedup.normalise_description(a) == dedup.normalise_description(b)


def test_tag_rule_matches_the_regex():
    # '<' without a closing '>' (or with another '<' first) is a separator, not a tag
    assert dedup.normalise_description("a<b c") == "a b c" and _same("a<b c", "a b c")
    assert _same("x < y <i>z</i>", "x y z")
    # a tag longer than 500 bytes is text
    long_tag = "<" + "q" * 600 + ">"
    assert dedup.normalise_description(long_tag) == "q" * 600
    assert _same("lead " + long_tag, "lead " + "q" * 600)


def test_other_scripts_are_letters_and_keep_their_case_folded():
    assert dedup.normalise_description("Москва ДАННЫЕ") == "москва данные"
    assert _same("Москва ДАННЫЕ", "москва данные")
    assert not _same("Москва данные", "Киев данные")
    assert dedup.signature("数据工程师") is not None  # CJK: one word per run


@pytest.mark.parametrize("text", [None, "", "   ", "1234 !!!", "<p></p>", "🚀🚀", "\u0301"])
def test_texts_without_words_have_no_signature(text):
    assert dedup.signature(text) is None
    assert dedup.normalise_description(text) == ""
    assert dedup.shingle_hashes(text).size == 0


def test_short_texts_are_one_shingle_of_all_their_words():
    assert dedup.shingle_hashes("ml engineer").size == 1
    assert dedup.shingle_hashes("one two three four five").size == 1
    assert dedup.shingle_hashes("one two three four five six").size == 2
    sig = _sig("ml engineer")
    assert sig is not None and len(set(sig.tolist())) == 1  # one shingle fills every bin
    assert not _same("ml engineer", "engineer ml")  # word order counts
    assert _same("ML engineer!", "ml, engineer")


def test_similarity_estimates_the_jaccard_of_the_shingles():
    words = _words(200)
    base = " ".join(words[:100])
    variants = [words[:100], words[:95] + words[150:155], words[10:110], words[30:130], words[100:200]]
    for variant in variants:
        text = " ".join(variant)
        a, b = set(dedup.shingle_hashes(base).tolist()), set(dedup.shingle_hashes(text).tolist())
        jaccard = len(a & b) / len(a | b)
        estimate = dedup.estimated_similarity(_sig(base), _sig(text))
        assert abs(estimate - jaccard) < 0.15  # three standard errors of a 64-value signature
    assert dedup.estimated_similarity(_sig(base), _sig(base.upper())) == 1.0


_ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") * 4
    + list("  ,.;-'0123456789<>/&\n\t")
    + list("éÉüßøłДдж中ﬁＡ\u0301\u00a0’—😀ǅİ")
)


@settings(max_examples=300, deadline=None)
@given(st.text(_ALPHABET, max_size=120))  # at most 480 bytes: no tag where bytes and characters disagree
def test_kernel_reads_text_like_normalise_description(text):
    words = dedup.normalise_description(text)
    assert np.array_equal(dedup.shingle_hashes(text), dedup.shingle_hashes(words))
    assert np.array_equal(dedup.shingle_hashes(text, 1), dedup.shingle_hashes(words, 1))


# ----------------------------------------------------------------------------- Arrow input


def test_string_large_string_and_string_view_agree():
    values = [BASE, None, "", "Senior ML engineer", "Société Générale"]
    ref = _texts(values)
    for kind in (pa.large_string(), pa.string_view()):
        other = _texts(values, kind)
        assert np.array_equal(ref.values, other.values)
        assert np.array_equal(ref.text_hash, other.text_hash)
        assert np.array_equal(ref.words, other.words)


def test_slices_and_chunks_use_their_own_rows():
    values = ["zero words here", None, BASE, "Senior ML engineer", "", BASE.upper(), "last one"]
    full = _texts(values)
    for kind in (pa.string(), pa.large_string()):
        arr = pa.array(values, kind)
        part = dedup.description_signatures(arr.slice(2, 4))
        assert np.array_equal(part.values, full.values[2:6])
        assert part.words.tolist() == full.words[2:6].tolist()
        chunked = dedup.description_signatures(pa.chunked_array([arr.slice(0, 3), arr.slice(3)]))
        assert np.array_equal(chunked.values, full.values)
    assert full.words[1] == 0 and full.words[4] == 0  # null and empty: no words
    assert full.text_hash[2] == full.text_hash[5]  # same words, different case


def test_fill_writes_rows_in_any_order():
    values = ["first text here", "second text here", "third text here"]
    sigs = dedup.Signatures.empty(5)
    sigs.fill(pa.array(values), rows=np.array([4, 0, 2]))
    ref = _texts(values)
    assert np.array_equal(sigs.values[[4, 0, 2]], ref.values)
    assert sigs.words[[1, 3]].tolist() == [0, 0]
    with pytest.raises(ValueError):
        sigs.fill(pa.array(values), rows=np.array([0, 1, 5]))


def test_many_documents_in_parallel_match_one_by_one():
    rng = np.random.default_rng(7)
    words = BASE.split()
    values = [" ".join(rng.choice(words, size=int(rng.integers(0, 60)))) for _ in range(5000)]
    sigs = _texts(values)  # above the size that splits the work across threads
    for i in (0, 1, 2499, 4999):
        one = dedup.signature(values[i])
        assert (one is None and sigs.words[i] == 0) or np.array_equal(one, sigs.values[i])


def test_signatures_are_the_same_in_another_process():
    code = (
        "from transform import dedup; import sys; "
        "sys.stdout.write(dedup.signature(sys.argv[1]).tobytes().hex())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, BASE],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PYTHONHASHSEED": "12345"},
    ).stdout
    assert out == _sig(BASE).tobytes().hex()


# ----------------------------------------------------------------------------- grouping


def test_near_duplicates_table_groups_inside_blocks_and_points_at_the_earliest():
    table = dedup.near_duplicates_table(
        ["acme", "acme", "acme", "globex", "acme", None, ""],
        ["late", "early", "copy", "other", "unrelated", "noblock", "empty-block"],
        ["2025-03-01", "2025-01-01", "2025-02-01", "2024-01-01", "2025-01-05", "2020", "2020"],
        [
            BASE + " Apply now.",
            BASE,
            BASE.upper(),
            BASE,
            "Completely different words in this advert.",
            BASE,
            BASE,
        ],
    )
    rows = {r["posting_key"]: r for r in table.to_pylist()}
    assert set(rows) == {"late", "copy"}
    assert rows["copy"]["canonical_key"] == "early" and rows["copy"]["similarity"] == 1.0
    assert rows["copy"]["identical"] is True
    assert rows["late"]["canonical_key"] == "early" and rows["late"]["identical"] is False
    assert dedup.DEFAULT_THRESHOLD <= rows["late"]["similarity"] < 1.0
    assert table.schema.names == ["posting_key", "canonical_key", "similarity", "block_key", "identical"]


def test_groups_are_transitive_and_order_decides_the_canonical():
    words = _words(140)
    windows = [" ".join(words[10 * k : 10 * k + 100]) for k in range(5)]  # neighbours share 90 of 100 words
    n = len(windows)
    table = dedup.near_duplicates_table(
        ["b"] * n, [f"p{k}" for k in range(n)], [f"2025-01-{n - k:02d}" for k in range(n)], windows
    )
    assert table.num_rows == n - 1
    assert set(table["canonical_key"].to_pylist()) == {f"p{n - 1}"}  # the earliest by order
    far = {r["posting_key"]: r["similarity"] for r in table.to_pylist()}["p0"]
    assert far < dedup.DEFAULT_THRESHOLD  # joined through its neighbours, not directly


def test_huge_buckets_are_chained_not_compared_pairwise():
    n = 450  # more than the 200 members a bucket compares pairwise
    texts = [f"{BASE} {BASE} reference {chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(n)]
    table = dedup.near_duplicates_table(
        ["b"] * n, [f"p{i:03d}" for i in range(n)], [f"{i:03d}" for i in range(n)], texts
    )
    assert table.num_rows == n - 1
    assert set(table["canonical_key"].to_pylist()) == {"p000"}


def test_group_requires_documents_sorted_by_block():
    sigs = _texts([BASE, BASE, BASE])
    with pytest.raises(ValueError, match="sorted by block"):
        dedup.group_near_duplicates(pa.array(["a", "b", "a"]), pa.array(["1", "2", "3"]), sigs)
    empty = dedup.group_near_duplicates(pa.array([], pa.string()), pa.array([], pa.string()), _texts([]))
    assert empty.num_rows == 0


def test_the_table_is_in_block_order_and_points_at_the_earliest_of_each_block():
    table = dedup.near_duplicates_table(
        ["beta", "alpha", "alpha", "beta"],
        ["b2", "a1", "a2", "b1"],
        ["2", "1", "2", "1"],
        [BASE, BASE, BASE.lower(), BASE + " Apply today."],
    )
    found = table.to_pylist()
    assert [(d["posting_key"], d["canonical_key"], d["block_key"]) for d in found] == [
        ("a2", "a1", "alpha"),
        ("b2", "b1", "beta"),
    ]
    assert found[0]["similarity"] == 1.0 and found[1]["similarity"] >= dedup.DEFAULT_THRESHOLD
