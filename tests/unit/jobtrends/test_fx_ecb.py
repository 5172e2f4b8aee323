"""ECB reference rates: the ``fx`` source, ``ref.fx_rates``, dated monthly cross rates, bundled fallback.

The payloads are hand-written in the exact shape of the ECB's ``eurofxref-hist.zip``: one member
``eurofxref-hist.csv``, newest day first, ``N/A`` for currencies not published that day, and a trailing
comma on every line (an empty last column).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import httpx
import pytest
import respx

from ingest.landing import iter_landing
from ingest.sources import fx as ecb
from jobtrends import pipeline, warehouse
from jobtrends.cli import main
from jobtrends.errors import UserError
from jobtrends.settings import Settings, load_settings
from transform import fx

HEADER = ["USD", "JPY", "CYP", "GBP", "RUB", "HUF"]
# day -> values in HEADER order (units per EUR); RUB stops after January, CYP (euro since 2008) is N/A
DAYS = {
    "2024-03-01": ["1.0800", "162.00", "N/A", "0.8550", "N/A", "392.00"],
    "2024-02-29": ["1.0820", "162.50", "N/A", "0.8560", "N/A", "393.00"],
    "2024-02-01": ["1.0800", "159.00", "N/A", "0.8540", "N/A", "390.00"],
    "2024-01-31": ["1.0850", "160.00", "N/A", "0.8520", "98.00", "385.00"],
    "2024-01-02": ["1.0950", "155.00", "N/A", "0.8650", "99.00", "380.00"],
}


def ecb_csv(days: dict[str, list[str]] = DAYS) -> str:
    lines = ["Date," + ",".join(HEADER) + ","]
    lines += [f"{day}," + ",".join(values) + "," for day, values in days.items()]
    return "\n".join(lines) + "\n"


def ecb_zip(days: dict[str, list[str]] = DAYS) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("eurofxref-hist.csv", ecb_csv(days))
    return buf.getvalue()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(tmp_path / "data")


@pytest.fixture(autouse=True)
def _no_reference_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fx, "_REFERENCE", None)


# ------------------------------------------------------------------------------------------ parsing


def test_parse_skips_na_and_the_trailing_empty_column() -> None:
    rows = ecb.parse_ecb_csv(ecb.read_ecb_payload(ecb_zip()))
    assert ("2024-01-31", "RUB", 98.0) in rows and ("2024-03-01", "GBP", 0.855) in rows
    assert not any(cur in ("CYP", "") for _, cur, _ in rows)
    assert len(rows) == 5 * 4 + 2  # USD, JPY, GBP, HUF every day; RUB on two days
    assert ecb.parse_ecb_csv(ecb.read_ecb_payload(ecb_csv().encode())) == rows  # unzipped CSV too


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"<html>maintenance</html>", "not an ECB reference-rate history"),
        (b"Date,JPY,\n2024-01-02,155.0,\n", "no USD column"),
        (b"Date,USD,\n02/01/2024,1.09,\n", "not YYYY-MM-DD"),
        (b"Date,USD,\n2024-01-02,1,09,\n", None),
        (b"PK\x03\x04broken", "unreadable ECB zip"),
    ],
)
def test_unreadable_payloads_fail_with_a_clear_message(payload: bytes, message: str | None) -> None:
    if message is None:  # an extra cell lands in the empty trailing column: still only USD is read
        assert ecb.parse_ecb_csv(ecb.read_ecb_payload(payload)) == [("2024-01-02", "USD", 1.0)]
        return
    with pytest.raises(ValueError, match=message):
        ecb.parse_ecb_csv(ecb.read_ecb_payload(payload))


# ------------------------------------------------------------------------------------------ fetch + load


def test_fx_update_fetches_lands_unchanged_and_loads(settings: Settings) -> None:
    payload = ecb_zip()
    with respx.mock(assert_all_called=True) as router:
        route = router.get(ecb.ECB_HIST_URL).mock(
            return_value=httpx.Response(200, content=payload, headers={"content-type": "application/zip"})
        )
        out = pipeline.update_fx(settings, run_date=date(2024, 3, 2))
    assert route.call_count == 1
    assert "jobtrends" in route.calls[0].request.headers["user-agent"]  # the polite client
    landed = list(iter_landing(settings.landing_dir, "fx"))
    assert len(landed) == 1 and landed[0].path.read_bytes() == payload and landed[0].path.suffix == ".zip"
    assert out["rates"] == 22 and out["table"] == {
        "rows": 22,
        "currencies": 4 + 1,
        "first_date": "2024-01-02",
        "newest_date": "2024-03-01",
    }
    ledger = warehouse.query(
        settings.warehouse_path, "select source, status, postings from ops.landing_files"
    )[1]
    assert ledger == [("fx", "loaded", 0)]
    # loading again adds nothing; the loader of postings does not read fx payloads as postings
    assert pipeline.load(settings)["postings"] == 0
    runs = [json.loads(p.read_text()) for p in (settings.landing_dir / "_runs").glob("dt=*/*.json")]
    assert [r["status"] for r in runs] == ["ok"]


def test_fx_update_reports_a_failed_fetch(settings: Settings) -> None:
    with respx.mock() as router:
        router.get(ecb.ECB_HIST_URL).mock(return_value=httpx.Response(404, text="gone"))
        with pytest.raises(UserError, match="--file"):
            pipeline.update_fx(settings, run_date=date(2024, 3, 2))


def test_cli_loads_a_downloaded_csv_offline(settings: Settings, tmp_path: Path, capsys) -> None:
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text(ecb_csv())
    assert (
        main(["--data-dir", str(settings.data_dir), "fx", "update", "--file", str(path), "--format", "json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["table"]["newest_date"] == "2024-03-01" and out["failed"] == 0
    bad = tmp_path / "not-rates.csv"
    bad.write_text("title,company\nEngineer,Acme\n")
    assert main(["--data-dir", str(settings.data_dir), "fx", "update", "--file", str(bad)]) == 2


def test_unreadable_landed_fx_file_is_quarantined(settings: Settings) -> None:
    from ingest.landing import write_landing
    from jobtrends.loader import load_fx_files

    landed = write_landing(
        settings.landing_dir, "fx", b"Date,JPY,\n", run_date=date(2024, 3, 2),
        fetched_at=pipeline.datetime(2024, 3, 2, tzinfo=pipeline.UTC), ext="csv",
    )  # fmt: skip
    assert load_fx_files(settings, [landed]) == {"files": 1, "rates": 0, "failed": 1}
    reasons = warehouse.query(settings.warehouse_path, "select source, reason from ops.quarantine")[1]
    assert reasons and reasons[0][0] == "fx" and "no USD column" in reasons[0][1]
    assert landed.path.exists()


# ------------------------------------------------------------------------------------------ conversion


def _activate(settings: Settings, payload: bytes | None) -> str | None:
    if payload is not None:
        path = settings.data_dir / "hist.zip"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
        pipeline.update_fx(settings, file=path, run_date=date(2024, 3, 2))
    with warehouse.connect(settings.warehouse_path) as con:
        warehouse.ensure_schema(con, settings.sql_dir)
        return pipeline.activate_fx_rates(con, settings)


def test_conversion_uses_the_monthly_cross_rate_of_the_postings_month(settings: Settings) -> None:
    assert _activate(settings, ecb_zip()) == "ecb:2024-03-01"
    feb = fx.lookup("GBP", "2024-02")
    expected = (0.8540 / 1.0800 + 0.8560 / 1.0820) / 2  # the average of February's two daily cross rates
    assert feb is not None and feb.month == "2024-02" and feb.source == "ecb:2024-03-01"
    assert feb.units_per_usd == pytest.approx(expected)
    eur = fx.lookup("EUR", "2024-01")
    assert eur is not None and eur.units_per_usd == pytest.approx((1 / 1.0950 + 1 / 1.0850) / 2)
    huf = fx.lookup("HUF", "2024-03-15")  # a currency the old bundled table lacked
    assert huf is not None and huf.units_per_usd == pytest.approx(392.0 / 1.08)
    # newest rate on or before the posting's month: a later posting uses March, never a later month
    later = fx.lookup("JPY", "2024-07")
    assert later is not None and later.month == "2024-03" and later.units_per_usd == pytest.approx(150.0)
    assert fx.to_usd(100_000, "GBP", "2024-02-20") == (pytest.approx(100_000 / expected), "2024-02")


def test_months_and_currencies_the_ecb_table_lacks_fall_back_to_the_bundled_table(settings: Settings) -> None:
    _activate(settings, ecb_zip())
    bundled = fx.bundled_table().label
    before = fx.lookup("GBP", "2023-11")  # before the ECB table starts
    assert before is not None and before.source == bundled and before.month == "2023-11"
    clp = fx.lookup("CLP", "2024-02")  # not an ECB currency
    assert clp is not None and clp.source == bundled
    # RUB stopped after January: not carried forward from the ECB table (and not in the bundled one)
    assert fx.lookup("RUB", "2024-01") is not None and fx.lookup("RUB", "2024-01").source.startswith("ecb:")
    assert fx.lookup("RUB", "2024-02") is None
    assert fx.lookup("USD", "2024-02") == fx.Rate(1.0, "2024-02", "identity")


def test_empty_table_means_the_bundled_table(settings: Settings) -> None:
    assert _activate(settings, None) is None
    found = fx.lookup("GBP", "2024-02")
    assert found is not None and found.source == fx.bundled_table().label


def test_normalised_postings_record_the_table_that_converted(settings: Settings, tmp_path: Path) -> None:
    _activate(settings, ecb_zip())
    dump = tmp_path / "jobs.jsonl"
    rows = [
        {"source_id": "1", "title": "Data Scientist", "company": "Acme", "pay_min": 60000, "pay_max": 70000,
         "pay_currency": "GBP", "pay_period": "year", "posted_at": "2024-02-15T00:00:00Z"},
        {"source_id": "2", "title": "Data Scientist", "company": "Acme", "pay_min": 60000, "pay_max": 70000,
         "pay_currency": "GBP", "pay_period": "year", "posted_at": "2023-06-15T00:00:00Z"},
        {"source_id": "3", "title": "Data Analyst", "company": "Acme", "pay_min": 90000, "pay_max": 99000,
         "pay_currency": "USD", "pay_period": "year", "posted_at": "2024-02-15T00:00:00Z"},
    ]  # fmt: skip
    dump.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    pipeline.import_file(settings, dump, run_date=date(2024, 3, 2))
    pipeline.load(settings)
    summary = pipeline.normalise(settings, run_id="t1")
    assert summary["fx_table"] == "ecb:2024-03-01" and summary["rule_errors"] == {}
    got = dict(
        warehouse.query(
            settings.warehouse_path,
            "select fx_rate_month || ' ' || fx_source, annual_min_usd from normalised.postings order by posting_key",
        )[1]
    )
    feb = (0.8540 / 1.0800 + 0.8560 / 1.0820) / 2
    assert got == {
        "2024-02 ecb:2024-03-01": pytest.approx(60_000 / feb),
        f"2023-06 {fx.bundled_table().label}": pytest.approx(
            60_000 / fx.bundled_table().lookup("GBP", "2023-06")[0]
        ),
        "2024-02 identity": 90_000,
    }
