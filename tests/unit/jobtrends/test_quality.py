"""jobtrends.quality: suites loaded by path, results kept, Data Docs, the CLI, the benchmark hook."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from jobtrends import cli, quality, warehouse
from jobtrends.settings import PROJECT_ROOT, load_settings


def settings_for(tmp_path, **overrides):
    paths = {"sql_dir": PROJECT_ROOT / "sql", "expectations_dir": PROJECT_ROOT / "expectations"}
    return load_settings(tmp_path, **{**paths, **overrides})


def raw_rows(n: int = 5) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "posting_key": f"ashby:{i}",
                "source": "ashby",
                "source_id": str(i),
                "content_hash": f"h{i}",
                "title": "Prompt Engineer",
                "posted_at": datetime(2026, 11, 1, tzinfo=UTC),
                "fetched_at": datetime(2026, 11, 2, tzinfo=UTC),
                "landing_file": "landing/ashby/x.json",
                "run_date": date(2026, 11, 2),
            }
            for i in range(n)
        ]
    )


@pytest.fixture
def warehouse_dir(tmp_path):
    """A data dir with a warehouse holding a clean raw layer."""
    settings = settings_for(tmp_path)
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        warehouse.insert_arrow(con, "raw.postings", raw_rows())
    return tmp_path


def test_suites_load_by_path_from_settings(tmp_path):
    copy = tmp_path / "my_expectations"
    shutil.copytree(PROJECT_ROOT / "expectations", copy, ignore=shutil.ignore_patterns("__pycache__"))
    text = (copy / "raw.py").read_text().replace("MAX_TITLE_CHARS = 500", "MAX_TITLE_CHARS = 7")
    (copy / "raw.py").write_text(text)
    mine = quality.load_expectations(settings_for(tmp_path, expectations_dir=copy), "raw")
    shipped = quality.load_expectations(settings_for(tmp_path), "raw")
    assert mine.MAX_TITLE_CHARS == 7 and shipped.MAX_TITLE_CHARS == 500
    assert mine.__file__ == str(copy / "raw.py")
    with pytest.raises(ValueError, match="unknown layer"):
        quality.load_expectations(settings_for(tmp_path), "gold")
    with pytest.raises(FileNotFoundError):
        quality.load_expectations(settings_for(tmp_path, expectations_dir=tmp_path / "nowhere"), "raw")


def test_a_broken_expectation_is_a_failure_not_a_crash(tmp_path):
    copy = tmp_path / "exp"
    shutil.copytree(PROJECT_ROOT / "expectations", copy, ignore=shutil.ignore_patterns("__pycache__"))
    raw_py = copy / "raw.py"
    raw_py.write_text(raw_py.read_text().replace(" as description_bytes,", " as description_size,"))
    settings = settings_for(tmp_path, expectations_dir=copy)
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        warehouse.insert_arrow(con, "raw.postings", raw_rows())
        outcome = quality.validate_layer(con, "raw", run_id="r", settings=settings, docs=False)
    (broken,) = outcome.critical_failures
    assert broken.expectation == "expect_column_values_to_be_between(description_bytes)"
    assert broken.observed_value.startswith("error:")


def test_outcome_summary_is_json(warehouse_dir):
    settings = settings_for(warehouse_dir)
    with warehouse.connect(settings.warehouse_path) as con:
        con.execute("update raw.postings set title = null where source_id = '0'")
        outcome = quality.validate_layer(con, "all", run_id="r-all", settings=settings, docs=False)
    assert outcome.layer == "all"
    assert {r.suite for r in outcome.results} >= {"raw", "normalised", "drift.volume"}
    summary = json.loads(json.dumps(outcome.summary()))
    assert summary["success"] is False and summary["quarantined"] == 1
    assert summary["critical_failures"][0]["reason"] == "title is missing"
    assert outcome.summary_line().startswith("FAILED: ")
    assert "1 rows quarantined" in outcome.summary_line()


def test_data_docs_keep_every_run(warehouse_dir):
    settings = settings_for(warehouse_dir)
    with warehouse.connect(settings.warehouse_path) as con:
        first = quality.validate_layer(con, "raw", run_id="run-one", settings=settings)
        second = quality.validate_layer(con, "raw", run_id="run-two", settings=settings)
    assert first.docs_path == second.docs_path == settings.docs_dir / "data_docs" / "index.html"
    index = second.docs_path.read_text()
    assert "run-one" in index and "run-two" in index
    pages = sorted((settings.docs_dir / "data_docs" / "validations" / "raw").glob("*/*/raw.html"))
    assert [p.parts[-3] for p in pages] == ["run-one", "run-two"]


def test_data_docs_index_from_cached_entries_is_the_index_gx_builds_from_the_results(warehouse_dir):
    import re

    from jobtrends.quality import gx_adapter

    settings = settings_for(warehouse_dir)
    with warehouse.connect(settings.warehouse_path) as con:
        quality.validate_layer(con, "raw", run_id="run-one", settings=settings)
        con.execute("update raw.postings set title = null where source_id = '0'")
        quality.validate_layer(con, "raw", run_id="run-two", settings=settings)
        # a third run: the index lists run-one and run-two from the cache, not from their results
        third = quality.validate_layer(con, "raw", run_id="run-three", settings=settings)
    cache = json.loads((settings.docs_dir / gx_adapter.INDEX_CACHE).read_text())
    assert sorted(e["success"] for e in cache.values()) == [False, False, True]
    assert {e["meta"]["active_batch_definition"]["data_asset_name"] for e in cache.values()} == {"raw"}

    def index() -> str:  # less the render time GX stamps on the logo's URL
        return re.sub(r"\?d=[0-9TZ.]+&", "?", third.docs_path.read_text())

    cached = index()
    ctx, site = gx_adapter._docs_context(settings.docs_dir)
    ctx.build_data_docs(site_names=[site])  # GX alone: every stored result read again
    assert index() == cached
    assert all(run in cached for run in ("run-one", "run-two", "run-three"))


def test_cli_validate_prints_a_summary_and_docs_path(warehouse_dir, capsys):
    code = cli.main(["--data-dir", str(warehouse_dir), "validate", "--layer", "raw", "--run-id", "cli-1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "suite" in out and "raw" in out
    assert f"data docs: {warehouse_dir / 'docs' / 'data_docs' / 'index.html'}" in out
    assert "validation ok:" in out


def test_cli_validate_exits_non_zero_on_critical_failure(warehouse_dir, capsys):
    settings = settings_for(warehouse_dir)
    with warehouse.connect(settings.warehouse_path) as con:
        con.execute("update raw.postings set title = null where source_id = '2'")
    code = cli.main(["--data-dir", str(warehouse_dir), "validate", "--layer", "raw", "--no-docs"])
    out = capsys.readouterr().out
    assert code == 1
    assert "CRITICAL" in out and "title is missing" in out
    assert "quarantined 1 rows" in out
    assert "data docs" not in out


def test_cli_validate_without_warehouse_is_a_user_error(tmp_path, capsys):
    assert cli.main(["--data-dir", str(tmp_path / "empty"), "validate"]) == 2
    assert "no warehouse" in capsys.readouterr().err


def test_validate_batch_benchmark_small():
    from jobtrends.bench import quality as quality_bench

    result = quality_bench.validate_batch_benchmark(3_000)
    assert result["success"] is True
    assert result["n_rows"] == 3_000 and result["expectations"] >= 15
    assert result["validate_s"] > 0


def _suite_jobs(n: int) -> list[quality._Job]:
    gx = quality._gx()
    jobs = []
    for i in range(n):
        suite = gx.ExpectationSuite(
            name=f"parallel.{i}",
            expectations=[
                gx.expectations.ExpectColumnValuesToNotBeNull(column="x", meta={"severity": "critical"}),
                gx.expectations.ExpectColumnValuesToBeBetween(column="x", min_value=0, max_value=10),
            ],
        )
        values = [1, 2, None] if i == 2 else [1, 2, 3 + i]  # suite 2 has a null, the later ones leave 0..10
        jobs.append(quality._Job(suite=suite, frame=pa.table({"x": pa.array(values, pa.int64())})))
    return jobs


def _tag_batches_with_pid(monkeypatch) -> None:
    """Each batch's GX result becomes a namespace carrying the pid of the process that validated it."""
    import os
    from types import SimpleNamespace

    run_one = quality._validate_batch

    def with_pid(job, exps):
        run = run_one(job, exps)
        return quality._BatchRun(
            run.outcomes,
            run.failing_rows,
            SimpleNamespace(results=list(run.gx_result.results), pid=os.getpid()),
        )

    # patched where the runner looks it up (the forked workers inherit the patch)
    monkeypatch.setattr(quality.runner, "_validate_batch", with_pid)


def _fork_even_tiny_frames(monkeypatch) -> None:
    """Tiny frames stay in the calling process in one batch per suite; these tests need the forked path."""
    monkeypatch.setattr(quality.runner, "_PARALLEL_MIN_COST", 0)
    monkeypatch.setattr(quality.runner, "_ONE_BATCH_MAX_ROWS", 0)


def test_suites_run_in_forked_workers_give_the_serial_results_in_order(monkeypatch):
    import os

    _fork_even_tiny_frames(monkeypatch)
    _tag_batches_with_pid(monkeypatch)
    jobs = _suite_jobs(max(quality._PARALLEL_MIN_BATCHES, 9))
    serial = quality._run_suites(jobs, workers=1)
    parallel = quality._run_suites(jobs, workers=2)
    assert {run.gx_result.pid for run in serial} == {os.getpid()}
    assert os.getpid() not in {run.gx_result.pid for run in parallel}
    assert [run.outcomes for run in parallel] == [run.outcomes for run in serial]
    failed = [(o.suite, o.expectation) for run in parallel for o in run.outcomes if not o.success]
    assert failed == [
        ("parallel.2", "expect_column_values_to_not_be_null(x)"),
        ("parallel.8", "expect_column_values_to_be_between(x)"),
    ]


def test_one_wide_suite_is_split_by_column_group_across_workers(monkeypatch):
    import os

    gx = quality._gx()
    e = gx.expectations
    columns = ["a", "b", "c", "d", "e"]
    suite = gx.ExpectationSuite(
        name="wide",
        expectations=[
            e.ExpectColumnValuesToNotBeNull(column=c, meta={"severity": "critical"}) for c in columns
        ]
        + [e.ExpectTableRowCountToBeBetween(min_value=1, max_value=10)],
    )
    frame = pa.table({c: pa.array([1, None if c == "d" else 2, 3], pa.int64()) for c in columns})
    job = quality._Job(suite=suite, frame=frame)
    _fork_even_tiny_frames(monkeypatch)
    _tag_batches_with_pid(monkeypatch)
    (serial,) = quality._run_suites([job], workers=1)
    (parallel,) = quality._run_suites([job], workers=2)
    assert serial.gx_result.pid == os.getpid() != parallel.gx_result.pid
    assert parallel.outcomes == serial.outcomes
    assert [o.expectation for o in parallel.outcomes] == [
        *(f"expect_column_values_to_not_be_null({c})" for c in columns),
        "expect_table_row_count_to_be_between()",
    ]
    assert [o.success for o in parallel.outcomes] == [True, True, True, False, True, True]
    # one GX result per suite for Data Docs, with every expectation of it
    assert len(parallel.gx_result.results) == len(columns) + 1


def test_gx_adapter_accepts_only_the_gx_versions_it_supports():
    for version in ("1.24.0", "1.24.7", "1.24.1rc1"):
        quality.check_gx_version(version)
    for version in ("1.23.9", "1.25.0", "2.0.0", "0.18.12", "unknown"):
        with pytest.raises(quality.UnsupportedGXVersionError, match="not supported"):
            quality.check_gx_version(version)
    quality.check_gx_version(quality._gx().__version__)  # the installed one (pinned in pyproject.toml)


def _mixed_suite_job(n_rows: int) -> quality._Job:
    """A suite whose uniqueness check sits between column checks; row 1 repeats row 0's key and has no b."""
    gx = quality._gx()
    e = gx.expectations
    crit = {"severity": "critical"}
    suite = gx.ExpectationSuite(
        name="mixed",
        expectations=[
            e.ExpectTableRowCountToBeBetween(min_value=1),
            e.ExpectColumnValuesToNotBeNull(column="a", meta=crit),
            e.ExpectCompoundColumnsToBeUnique(column_list=["k1", "k2"], meta=crit),
            e.ExpectColumnValuesToNotBeNull(column="b", meta=crit),
            e.ExpectColumnValuesToBeBetween(column="a", min_value=0, max_value=n_rows, meta=crit),
        ],
    )
    keys = [f"key-{i}" for i in range(n_rows)]
    keys[1] = keys[0]
    frame = pa.table(
        {
            "a": pa.array(range(n_rows), pa.int64()),
            "b": pa.array([None if i == 1 else i for i in range(n_rows)], pa.int64()),
            "k1": pa.array(keys, pa.string()),
            "k2": pa.array(["x"] * n_rows, pa.string()),
        }
    )
    from types import SimpleNamespace

    # a row-level job (quarantine set): its failing rows are kept
    return quality._Job(suite=suite, frame=frame, quarantine=SimpleNamespace())


def test_a_small_frame_is_validated_in_few_batches_with_the_results_of_one_per_column_group(monkeypatch):
    job = _mixed_suite_job(6)
    batches: list[list[str]] = []
    run_one = quality.runner._validate_batch

    def recording(job, exps):
        batches.append([e.configuration.type for e in exps])
        return run_one(job, exps)

    monkeypatch.setattr(quality.runner, "_validate_batch", recording)
    (joined,) = quality._run_suites([job], workers=1)
    # consecutive column groups join; the uniqueness check stays apart (coded keys), order kept
    # (groups: the table's, a's two checks, (k1, k2), b's)
    assert batches == [
        [
            "expect_table_row_count_to_be_between",
            "expect_column_values_to_not_be_null",
            "expect_column_values_to_be_between",
        ],
        ["expect_compound_columns_to_be_unique"],
        ["expect_column_values_to_not_be_null"],
    ]
    batches.clear()
    monkeypatch.setattr(quality.runner, "_ONE_BATCH_MAX_ROWS", 0)
    (split,) = quality._run_suites([job], workers=1)
    assert len(batches) == 4  # table, a, (k1, k2), b
    assert joined.outcomes == split.outcomes
    assert [(o.expectation, o.success, o.unexpected_count) for o in joined.outcomes] == [
        ("expect_table_row_count_to_be_between()", True, None),
        ("expect_column_values_to_not_be_null(a)", True, 0),
        ("expect_column_values_to_be_between(a)", True, 0),
        ("expect_compound_columns_to_be_unique(k1,k2)", False, 2),
        ("expect_column_values_to_not_be_null(b)", False, 1),
    ]
    assert joined.failing_rows == split.failing_rows
    assert [sorted(rows) for _, rows in joined.failing_rows] == [[0, 1], [1]]
    assert len(joined.gx_result.results) == 5


def test_small_suites_stay_in_the_calling_process_even_with_workers(monkeypatch):
    import os

    _tag_batches_with_pid(monkeypatch)
    monkeypatch.setattr(quality.runner, "_ONE_BATCH_MAX_ROWS", 0)  # many batches, each tiny
    jobs = [_mixed_suite_job(6) for _ in range(3)]
    batches = sum(len(quality.runner._plan(job)[1]) for job in jobs)
    assert quality._PARALLEL_MIN_BATCHES <= batches < quality.runner._PARALLEL_MANY_BATCHES
    runs = quality._run_suites(jobs, workers=2)
    assert {run.gx_result.pid for run in runs} == {os.getpid()}
    monkeypatch.setattr(quality.runner, "_PARALLEL_MIN_COST", 0)
    assert os.getpid() not in {run.gx_result.pid for run in quality._run_suites(jobs, workers=2)}


def test_many_small_batches_run_in_forked_workers(monkeypatch):
    """As many batches as the marts' suites make: small frames, but GX's cost per batch is worth two
    workers. The results are those of one process, in order."""
    import os

    _tag_batches_with_pid(monkeypatch)
    monkeypatch.setattr(quality.runner, "_ONE_BATCH_MAX_ROWS", 0)  # many batches, each tiny
    jobs = [_mixed_suite_job(6) for _ in range(8)]
    batches = sum(len(quality.runner._plan(job)[1]) for job in jobs)
    assert batches >= quality.runner._PARALLEL_MANY_BATCHES
    cost = sum(quality.runner._batch_cost(job, exps) for job in jobs for exps in quality.runner._plan(job)[1])
    assert cost < quality.runner._PARALLEL_MIN_COST
    runs = quality._run_suites(jobs, workers=2)
    assert os.getpid() not in {run.gx_result.pid for run in runs}
    serial = quality._run_suites(jobs, workers=1)
    assert [run.outcomes for run in runs] == [run.outcomes for run in serial]


def test_gx_imports_without_loading_what_only_unused_expectations_need():
    """altair and scipy.stats load only when an expectation that uses them runs (a fresh interpreter:
    this session may have imported them already)."""
    import subprocess
    import sys

    code = """
import sys
from jobtrends import quality
quality._gx()
assert "altair" not in sys.modules and "scipy.stats" not in sys.modules, "loaded with GX"
from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl
assert round(kl.stats.entropy([0.5, 0.5], [0.9, 0.1]), 6) == 0.510826  # loads scipy.stats now
assert "scipy.stats" in sys.modules and "altair" not in sys.modules
import altair
assert type(altair).__name__ == "module" and kl.alt.Chart is altair.Chart
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_data_docs_pages_are_those_gx_renders_without_shared_templates(warehouse_dir, monkeypatch):
    """The Jinja bytecode the views share changes no page: GX's own rendering (every view compiling its
    templates) gives the same pages, less what GX makes up per render or per docs folder."""
    import contextlib
    import dataclasses
    import re

    from jobtrends.quality import gx_adapter

    settings = settings_for(warehouse_dir)
    with warehouse.connect(settings.warehouse_path) as con:
        con.execute("update raw.postings set title = null where source_id = '0'")  # a failure to show
        outcome = quality.validate_layer(con, "raw", run_id="run-one", settings=settings, docs="defer")
    rendered, now = outcome.pending_docs

    def pages(folder: str, shared: bool) -> dict[str, str]:
        docs = warehouse_dir / folder
        with monkeypatch.context() as m:
            if not shared:
                m.setattr(gx_adapter, "_shared_template_bytecode", contextlib.nullcontext)
            gx_adapter._render_docs(dataclasses.replace(settings, docs_dir=docs), "run-one", rendered, now)
        # the render time, the docs folder's GX context id and the random ids of collapsible blocks
        stamp = r"\?d=[0-9TZ.]+|dataContextId=[0-9a-f-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        return {
            str(p.relative_to(docs)): re.sub(stamp, "", p.read_text())
            for p in docs.rglob("data_docs/**/*.html")
        }

    plain = pages("plain", shared=False)
    assert len(plain) == 3 and "data_docs/index.html" in plain
    assert pages("shared", shared=True) == plain
    assert gx_adapter._TEMPLATE_BYTECODE._code  # the templates were compiled once and kept
    assert pages("shared_again", shared=True) == plain  # now from the kept bytecode


def test_data_docs_store_a_suite_only_when_it_changed_or_is_missing(warehouse_dir, monkeypatch):
    """Rendering docs writes each suite into the docs store once: again only when its content changed (a
    new check, another threshold) or its stored copy is gone. The stored suite is then the one validated."""
    import dataclasses

    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    from jobtrends.quality import gx_adapter

    settings = settings_for(warehouse_dir)
    with warehouse.connect(settings.warehouse_path) as con:
        outcome = quality.validate_layer(con, "raw", run_id="run-one", settings=settings, docs="defer")
    rendered, now = outcome.pending_docs
    settings = dataclasses.replace(settings, docs_dir=warehouse_dir / "docs_store")
    ctx, _ = gx_adapter._docs_context(warehouse_dir / "docs_store")
    written: list[str] = []
    real = ctx.suites.add_or_update
    monkeypatch.setattr(
        ctx.suites, "add_or_update", lambda suite: (written.append(suite.name), real(suite))[1]
    )

    def render(run_id: str) -> list[str]:
        written.clear()
        assert gx_adapter._render_docs(settings, run_id, rendered, now) is not None
        return list(written)

    names = [suite.name for suite, _ in rendered]
    assert render("run-one") == names
    assert render("run-two") == []
    suite = rendered[0][0]
    # one check fewer: the suite is written again, and the store holds the new one
    exp = suite.expectations[0]
    suite.delete_expectation(exp)
    assert render("run-three") == [suite.name]
    stored = ctx.suites.get(suite.name)
    assert len(stored.expectations) == len(suite.expectations)
    # a store that lost the suite gets it back although its digest is known
    ctx.expectations_store.remove_key(ExpectationSuiteIdentifier(name=suite.name))
    assert render("run-four") == [suite.name]
    assert ctx.expectations_store.has_key(ExpectationSuiteIdentifier(name=suite.name))
    index = (warehouse_dir / "docs_store" / gx_adapter.DOCS_SUBDIR / "index.html").read_text()
    assert "run-four" in index and "run-one" in index


def _fresh_interpreter(code: str) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_suites_load_before_gx_is_imported_and_import_it_on_first_use(tmp_path):
    """A suite's frame SQL is there without GX (so DuckDB computes the frame while GX is imported);
    building the suite imports GX, without the optional integrations jobtrends never uses."""
    _fresh_interpreter(f"""
import importlib.util, sys
from jobtrends import quality
from jobtrends.settings import PROJECT_ROOT, load_settings
settings = load_settings({str(tmp_path)!r}, expectations_dir=PROJECT_ROOT / "expectations")
raw = quality.load_expectations(settings, "raw")
assert "great_expectations" not in sys.modules, "GX imported to load a suite module"
assert "from raw.postings" in raw.frame_sql("true")
suite = raw.build_suite(min_base=10)
import great_expectations as gx
assert isinstance(suite, gx.ExpectationSuite) and suite.name == "raw" and len(suite.expectations) == 13
assert raw.gx.ExpectationSuite is gx.ExpectationSuite
assert quality.load_expectations(settings, "normalised").gx is gx  # GX loaded: the module itself
hidden = [n for n in ("sqlalchemy", "boto3", "botocore") if importlib.util.find_spec(n) is not None]
assert not [n for n in hidden if n in sys.modules], "loaded with GX"
for name in hidden:
    assert importlib.import_module(name).__name__ == name  # importable as usual afterwards
print("ok")
""")


def test_a_fork_waits_for_the_background_gx_import():
    """preload() imports GX in a thread; a process forked meanwhile gets GX whole, never half imported."""
    _fresh_interpreter("""
import os
from jobtrends.quality import gx_adapter
gx_adapter.preload()
assert "context" not in gx_adapter._GX  # still importing (it takes a second or more)
pid = os.fork()
if pid == 0:
    os._exit(0 if "context" in gx_adapter._GX and "great_expectations" in __import__("sys").modules else 3)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, "the child started before GX was imported"
assert gx_adapter._context() is gx_adapter._GX["context"]
print("ok")
""")
