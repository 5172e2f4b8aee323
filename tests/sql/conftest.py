"""Given/expect helpers for the SQL model tests: hand-made rows into a temp DuckDB, then a build."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from jobtrends import marts, warehouse
from jobtrends.settings import Settings, load_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = REPO_ROOT / "sql"
TAXONOMY = "test-v1"


def _ts(value: str | None) -> datetime | None:
    if value is None:
        return None
    if len(value) == 10:
        value += "T12:00:00"
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


class Given:
    """Collects hand-made postings, sightings and listings; ``build()`` loads them and builds the marts."""

    def __init__(self, con: Any, data_dir: Path) -> None:
        self.con = con
        self.data_dir = data_dir
        self.raw: list[dict] = []
        self.norm: list[dict] = []
        self.skills: list[dict] = []
        self.sightings: list[dict] = []
        self.listings: list[dict] = []

    def posting(
        self,
        key: str,
        *,
        posted: str | None = "2025-01-15",
        company: str | None = "Acme",
        title: str = "Machine Learning Engineer",
        title_clean: str | None = None,
        role: str = "ai_ml_engineer",
        is_ai: bool | None = None,
        seniority: str = "mid",
        country: str | None = "US",
        city: str | None = "New York",
        pay: tuple[float | None, float | None] | None = None,
        estimate: bool = False,
        skills: tuple[str, ...] = (),
        description: str | None = None,
        fetched: str | None = None,
        content_hash: str = "h1",
        board: str = "acme",
    ) -> Given:
        source, _, source_id = key.partition(":")
        fetched_at = _ts(fetched or posted or "2025-01-15")
        self.raw.append(
            {
                "posting_key": key,
                "source": source,
                "source_id": source_id,
                "content_hash": content_hash,
                "board": board,
                "title": title,
                "company": company,
                "description": description,
                "posted_at": _ts(posted),
                "fetched_at": fetched_at,
                "landing_file": f"lf-{key}-{content_hash}",
                "run_date": (fetched_at or _ts("2025-01-15")).date(),
            }
        )
        ai_roles = {
            "ai_ml_engineer",
            "mlops_engineer",
            "prompt_engineer",
            "ai_governance",
            "forward_deployed_engineer",
            "data_scientist",
            "research_scientist",
            "data_annotator",
            "ai_product_manager",
        }
        self.norm.append(
            {
                "posting_key": key,
                "content_hash": content_hash,
                "taxonomy_version": TAXONOMY,
                "title_clean": title_clean or title,
                "role": role,
                "seniority": seniority,
                "is_ai_role": role in ai_roles if is_ai is None else is_ai,
                "annual_min_usd": pay[0] if pay else None,
                "annual_max_usd": pay[1] if pay else None,
                "salary_is_estimate": estimate if pay else None,
                "country": country,
                "city": city,
            }
        )
        categories = {
            "pytorch": "ml_framework",
            "tensorflow": "ml_framework",
            "python": "language",
            "sql": "language",
            "llm": "genai",
            "docker": "infra",
        }
        for skill in skills:
            self.skills.append(
                {
                    "posting_key": key,
                    "content_hash": content_hash,
                    "skill_id": skill,
                    "category": categories.get(skill, "other"),
                    "is_core": True,
                }
            )
        return self

    def sighting(
        self, key: str, seen_at: str, landing_file: str, *, board: str = "acme", content_hash: str = "h1"
    ) -> Given:
        source, _, source_id = key.partition(":")
        self.sightings.append(
            {
                "source": source,
                "source_id": source_id,
                "board": board,
                "content_hash": content_hash,
                "seen_at": _ts(seen_at),
                "run_date": _ts(seen_at).date(),
                "landing_file": landing_file,
            }
        )
        return self

    def listing(
        self, source: str, fetched_at: str, landing_file: str, *, complete: bool = True, board: str = "acme"
    ) -> Given:
        self.listings.append(
            {
                "source": source,
                "board": board,
                "fetched_at": _ts(fetched_at),
                "run_date": _ts(fetched_at).date(),
                "complete_listing": complete,
                "postings": 0,
                "landing_file": landing_file,
            }
        )
        return self

    def load(self) -> None:
        named: dict[tuple[str, str], list[str]] = {}
        for s in self.skills:
            named.setdefault((s["posting_key"], s["content_hash"]), []).append(s["skill_id"])
        for row in self.norm:
            row["skill_ids"] = sorted(named.get((row["posting_key"], row["content_hash"]), []))
        dictionary = {
            s["skill_id"]: {k: s[k] for k in ("skill_id", "category", "is_core")} for s in self.skills
        }
        if dictionary:
            warehouse.upsert_arrow(
                self.con, "normalised.skill_dictionary", pa.Table.from_pylist(list(dictionary.values()))
            )
        for table, rows in (
            ("raw.postings", self.raw),
            ("normalised.postings", self.norm),
            ("raw.sightings", self.sightings),
            ("raw.listings", self.listings),
        ):
            if rows:
                warehouse.insert_arrow(self.con, table, pa.Table.from_pylist(rows))
        self.raw, self.norm, self.skills, self.sightings, self.listings = [], [], [], [], []

    def build(
        self,
        *,
        min_base: int = 30,
        validate: Any = None,
        run_id: str = "test-run",
        repost_window_days: int = 45,
    ) -> dict:
        self.load()
        settings = load_settings(
            self.data_dir,
            sql_dir=SQL_DIR,
            min_base=min_base,
            repost_window_days=repost_window_days,
            taxonomy_version=TAXONOMY,
        )
        return marts.build_and_publish(self.con, settings, run_id=run_id, validate=validate)

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def one(self, sql: str, params: list | None = None) -> dict:
        rows = self.rows(sql, params)
        assert len(rows) == 1, rows
        return rows[0]


def build_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings under which ``pipeline.build`` opens the ``given`` warehouse of ``data_dir`` and validates
    with the project's suites."""
    return load_settings(
        data_dir,
        sql_dir=SQL_DIR,
        expectations_dir=REPO_ROOT / "expectations",
        warehouse_path=data_dir / "test.duckdb",
        taxonomy_version=TAXONOMY,
        **overrides,
    )


@pytest.fixture()
def given(tmp_path: Path) -> Iterator[Given]:
    with warehouse.connect(tmp_path / "test.duckdb") as con:
        warehouse.ensure_schema(con, SQL_DIR)
        yield Given(con, tmp_path)
