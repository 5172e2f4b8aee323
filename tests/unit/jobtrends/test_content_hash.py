"""The load's fast content hash (hashlib through an Arrow UDF) gives DuckDB's own ``sha256`` digests."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from jobtrends import warehouse

TEXTS = [
    "",
    "a",
    "jt1|6:survey3:a-1-",
    "Zürich — 机器学习工程师 🚀",
    "x" * 2047,
    "y" * 2048,  # hashlib releases the GIL from 2,048 bytes on: both sides of that line
    "Senior ML Engineer\n\n" + "Train ranking models in PyTorch. " * 400,
]


def _duckdb_sha256_prefixes(texts: list[str | None]) -> list[str | None]:
    with duckdb.connect() as con:
        rows = con.execute(
            "select left(sha256(t), 32) from unnest($texts) with ordinality as u(t, i) order by i",
            {"texts": texts},
        ).fetchall()
    return [r[0] for r in rows]


def test_prefixes_equal_duckdb_sha256_for_strings_nulls_slices_and_chunks() -> None:
    texts: list[str | None] = [*TEXTS, None, *TEXTS[::-1]]
    expected = _duckdb_sha256_prefixes(texts)
    assert all(e is None or len(e) == 32 for e in expected)
    assert warehouse.sha256_prefixes(pa.array(texts, pa.string())).to_pylist() == expected
    assert warehouse.sha256_prefixes(pa.array(texts, pa.large_string())).to_pylist() == expected
    # an Arrow slice starts at an offset into shared buffers; chunked columns are combined
    assert warehouse.sha256_prefixes(pa.array(texts, pa.string()).slice(3, 6)).to_pylist() == expected[3:9]
    chunked = pa.chunked_array([pa.array(texts[:4], pa.string()), pa.array(texts[4:], pa.string())])
    assert warehouse.sha256_prefixes(chunked).to_pylist() == expected
    assert warehouse.sha256_prefixes(pa.array([], pa.string())).to_pylist() == []


def test_fast_content_hash_sql_is_the_definition_over_many_chunks() -> None:
    """Rows of every column type, NULLs included, over more rows than one DuckDB vector (2,048)."""
    given = (
        "source",
        "source_id",
        "title",
        "company",
        "description",
        "remote",
        "pay_min",
        "posted_at",
        "extra",
    )
    nulls = ", ".join(f"null::{t} as {c}" for c, t in warehouse.RAW_POSTING_TYPES.items() if c not in given)
    with duckdb.connect() as con:
        warehouse.register_content_hash(con)
        warehouse.register_content_hash(con)  # twice on one connection is fine
        con.execute(
            f"""
            create table t as
            select
                'survey' as source,
                'id-' || i::varchar as source_id,
                case when i % 7 = 0 then null else 'Machine Learning Engineer ' || i::varchar end as title,
                case when i % 5 = 0 then 'Zürich AG 机器' else 'Acme' end as company,
                repeat('Build models. ', (i % 300)::integer) as description,
                case when i % 3 = 0 then null else i % 2 = 0 end as remote,
                case when i % 4 = 0 then null else 1000.5 + i / 3 end as pay_min,
                timestamptz '2025-05-20 10:00:00+02' + to_seconds(i) as posted_at,
                case when i % 6 = 0 then '{{"a": [1, 2], "b": {{"c": "é"}}}}'::json end as extra,
                {nulls}
            from range(5000) as r(i)
            """
        )
        rows = con.execute(
            f"select count(*), count(*) filter (where {warehouse.fast_content_hash_sql('t')} = "
            f"{warehouse.content_hash_sql('t')}), count(distinct {warehouse.fast_content_hash_sql('t')}) from t"
        ).fetchall()
    assert rows == [(5000, 5000, 5000)]
