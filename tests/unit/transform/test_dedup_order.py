"""transform.dedup.document_order: the order of ``ORDER BY block_key, order_key, posting_key`` (NULLS LAST,
binary string order) computed with integer sorts, and the block ranges in it."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transform import dedup

BLOCKS = st.sampled_from(["acme", "acme inc", "Acme", "zeta", "éclair", "b\u00e9ta", "日本"])
ORDER_KEYS = st.one_of(st.none(), st.sampled_from([-86_400, 0, 1, 2, 1_700_000_000, 2**40]))


def _reference(blocks: list[str], order_keys: list[int | None], keys: list[str]) -> list[int]:
    return sorted(
        range(len(blocks)),
        key=lambda i: (blocks[i].encode(), order_keys[i] is None, order_keys[i] or 0, keys[i].encode()),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(BLOCKS, ORDER_KEYS), min_size=1, max_size=40), st.randoms())
def test_the_order_is_that_of_sorting_by_block_then_time_then_posting_key(rows, rnd) -> None:
    blocks = [b for b, _ in rows]
    order_keys = [o for _, o in rows]
    keys = [f"{rnd.choice(['gh', 'ws', 'lv', 'ÿ'])}:{i}" for i in range(len(rows))]
    rnd.shuffle(keys)
    order, starts = dedup.document_order(pa.array(blocks), pa.array(order_keys, pa.int64()), pa.array(keys))
    assert order.tolist() == _reference(blocks, order_keys, keys)
    ordered = [blocks[i] for i in order]
    assert starts.tolist() == [
        0,
        *(i for i in range(1, len(ordered)) if ordered[i] != ordered[i - 1]),
        len(rows),
    ]


def test_rows_tied_on_block_and_time_are_ordered_by_posting_key() -> None:
    order, starts = dedup.document_order(
        pa.array(["b", "a", "a", "a", "b"]),
        pa.array([5, 7, 7, None, 5], pa.int64()),
        pa.array(["ws:2", "gh:9", "gh:10", "gh:1", "ws:1"]),
    )
    # a: the two at 7 by key ("gh:10" < "gh:9" as strings), the one without a time last; then b's tie
    assert order.tolist() == [2, 1, 3, 4, 0]
    assert starts.tolist() == [0, 3, 5]


def test_huge_time_spans_fall_back_to_a_lexsort() -> None:
    order, _ = dedup.document_order(
        pa.array(["a", "a", "b"]), pa.array([2**62, -(2**62), 0], pa.int64()), pa.array(["x", "y", "z"])
    )
    assert order.tolist() == [1, 0, 2]


def test_no_documents_and_null_blocks() -> None:
    order, starts = dedup.document_order(
        pa.array([], pa.string()), pa.array([], pa.int64()), pa.array([], pa.string())
    )
    assert order.tolist() == [] and starts.tolist() == [0]
    with pytest.raises(ValueError, match="null"):
        dedup.document_order(pa.array(["a", None]), pa.array([1, 2]), pa.array(["x", "y"]))
