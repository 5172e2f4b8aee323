"""The synthetic sample: real payload shapes, determinism, known truths realised, transport routes, bench."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup

from jobtrends.sample import SYNTHETIC_MARKER, TRUTHS, generate_world, realised_truths
from jobtrends.sample import text as T
from jobtrends.sample.world import MIN_OPEN_DAYS, SampleWorld

DAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def world() -> SampleWorld:
    return generate_world(seed=7, scale=1.0)


@pytest.fixture(scope="module")
def payloads(world: SampleWorld) -> dict[str, bytes]:
    return world.payloads(DAY)


def _get(world: SampleWorld, url: str, day: date = DAY) -> httpx.Response:
    with httpx.Client(transport=world.transport(day)) as client:
        return client.get(url)


def _first(payloads: dict[str, bytes], needle: str) -> Any:
    for url, body in payloads.items():
        if needle in url:
            data = json.loads(body)
            if data.get("jobs") if isinstance(data, dict) else data:
                return data
    raise AssertionError(f"no non-empty payload for {needle}")


def _jsonld(body: bytes) -> dict[str, Any]:
    soup = BeautifulSoup(body, "html.parser")
    block = soup.find("script", type="application/ld+json")
    assert block is not None
    return json.loads(block.string or "")


# ----------------------------------------------------------------------------- world basics


def test_snapshots_and_specs(world: SampleWorld) -> None:
    dates = world.snapshot_dates()
    assert len(dates) == 25 and dates[0] == date(2024, 1, 1) and dates[-1] == date(2026, 1, 1)
    specs = world.source_specs()
    assert {s.kind for s in specs} == {"greenhouse", "lever", "ashby", "jsonld", "remoteok"}
    assert 30 <= len(specs) <= 40 and len({s.name for s in specs}) == len(specs)
    assert "greenhouse:synthetica" in {s.name for s in specs}
    for spec in specs:
        if spec.kind == "jsonld":
            assert spec.params["urls"] and all(u.startswith("https://") for u in spec.params["urls"])
    open_now = {s.name: s for s in world.source_specs(as_of=DAY)}
    assert all(len(s.params["urls"]) <= len(next(x for x in specs if x.name == n).params["urls"])
               for n, s in open_now.items() if s.kind == "jsonld")  # fmt: skip


def test_companies_fictional_and_marked(world: SampleWorld, payloads: dict[str, bytes]) -> None:
    for c in world.companies:
        assert not re.search(r"\b(Stripe|Ramp|Lambda|Anthropic|OpenAI|Google|Axon)\b", c.name)
    for url, body in payloads.items():
        assert SYNTHETIC_MARKER.encode() in body or b"legal" in body or body.startswith(b'{"jobs":[]'), url
    gh = _first(payloads, "greenhouse")
    assert all(SYNTHETIC_MARKER in job["content"] for job in gh["jobs"])


def test_every_role_seniority_and_noise(world: SampleWorld) -> None:
    roles = {j.role for j in world.jobs}
    assert roles == set(T.ROLES)
    for role in T.ROLES:
        seniorities = {j.seniority for j in world.jobs if j.role == role}
        assert len(seniorities) >= 3, role
    titles = [j.title for j in world.jobs]
    assert any("(Remote)" in t for t in titles) and any(re.search(r"\[R-\d+\]", t) for t in titles)
    assert any(re.search(r" (II|III|I)\b", t) for t in titles) and any(t.startswith("Staff ") for t in titles)
    assert 15_000 <= len(world.jobs) <= 25_000


def test_every_posting_observed_and_lifecycle(world: SampleWorld) -> None:
    dates = world.snapshot_dates()
    for job in world.jobs[::50]:
        original = job.listings[0]
        if job.year < 2024:
            continue
        assert (original.closes - original.published).days >= MIN_OPEN_DAYS
        assert any(original.open_on(d) for d in dates)
    # a posting open in one snapshot and closed by a later one exists (lifecycle)
    a, b = world.open_listings(date(2025, 5, 1)), world.open_listings(DAY)
    assert {x.source_id for x in a} - {x.source_id for x in b}


def test_pay_formats_and_currencies(world: SampleWorld, payloads: dict[str, bytes]) -> None:
    pays = [j.pay for j in world.jobs if j.pay is not None]
    assert {p.currency for p in pays} >= {"USD", "GBP", "EUR", "CAD"}
    assert {p.period for p in pays} == {"year", "hour"}
    assert 0.4 < len(pays) / len(world.jobs) < 0.8
    blob = b"".join(payloads.values()).decode("utf-8")
    assert re.search(r"\$\d{2,3},000 - \$\d{2,3},000", blob) and re.search(r"£\d+k–£\d+k", blob)
    assert re.search(r"€\d+\.000 - €\d+\.000 per year", blob) and re.search(r"\$\d+–\$\d+/hr", blob)
    assert '"pay_input_ranges"' in blob and '"salaryRange"' in blob and '"summaryComponents"' in blob
    assert "Go to market" in blob or "go-to-market" in blob
    assert "R&amp;D" in blob or "R&D" in blob


# ----------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes() -> None:
    from jobtrends.sample.world import _generate_cached

    fresh = _generate_cached.__wrapped__  # bypass the per-process memo: two independent generations
    a, b = fresh(3, 0.05), fresh(3, 0.05)
    assert a is not b
    assert a.payloads(DAY) == b.payloads(DAY)
    assert a.payloads(date(2024, 1, 1)) == b.payloads(date(2024, 1, 1))
    assert generate_world(seed=4, scale=0.05).payloads(DAY) != a.payloads(DAY)


# ----------------------------------------------------------------------------- shapes vs real payloads


def _keys(obj: Any) -> set[str]:
    return set(obj.keys()) if isinstance(obj, dict) else set()


@pytest.mark.acceptance
def test_greenhouse_shape(realdata: Path, payloads: dict[str, bytes]) -> None:
    ours = _first(payloads, "greenhouse")
    real_list = json.loads(
        (realdata / "srajob2_ats/greenhouse_api/listings/nexhealth_jobs.json").read_bytes()
    )
    assert _keys(ours) == _keys(real_list) and _keys(ours["meta"]) == _keys(real_list["meta"])
    for path in sorted((realdata / "srajob2_ats/greenhouse_api/jobs").glob("*.json")):
        real = json.loads(path.read_bytes())
        job = ours["jobs"][0]
        assert _keys(real) - {"education"} <= _keys(job), path.name
        assert _keys(real["data_compliance"][0]) == _keys(job["data_compliance"][0])
        assert _keys(real["departments"][0]) == _keys(job["departments"][0])
        assert _keys(real["offices"][0]) == _keys(job["offices"][0])
        for key in ("id", "internal_job_id", "title", "first_published", "content", "location"):
            assert type(real[key]) is type(job[key]), key
        assert "&lt;p&gt;" in real["content"] and "&lt;p&gt;" in job["content"]  # entity-escaped HTML
    extra = set().union(*(_keys(j) for j in ours["jobs"])) - _keys(real) - {"pay_input_ranges"}
    assert not extra
    ranges = [j["pay_input_ranges"] for j in ours["jobs"] if "pay_input_ranges" in j]
    assert ranges and all(isinstance(r[0]["min_cents"], int) and r[0]["currency_type"] for r in ranges)


@pytest.mark.acceptance
def test_lever_shape(realdata: Path, payloads: dict[str, bytes]) -> None:
    real = json.loads((realdata / "ats_misc_trimmed/lever_postings.json").read_bytes())[0]
    ours = _first(payloads, "lever")
    for post in ours[:20]:
        assert _keys(real) <= _keys(post)
        assert _keys(real["categories"]) <= _keys(post["categories"])
        assert _keys(real["lists"][0]) == _keys(post["lists"][0])
        assert isinstance(post["createdAt"], int) and post["createdAt"] > 1_600_000_000_000
        assert post["workplaceType"] in {"remote", "hybrid", "on-site"}
    salaries = [p["salaryRange"] for p in ours if "salaryRange" in p]
    assert salaries and all(s["interval"] in {"per-year-salary", "per-hour-wage"} for s in salaries)
    assert all(set(s) == {"min", "max", "currency", "interval"} for s in salaries)


@pytest.mark.acceptance
def test_ashby_shape(realdata: Path, payloads: dict[str, bytes]) -> None:
    real = json.loads((realdata / "srajob2_ats/ashby_api/ashby_ramp_posting_api.json").read_bytes())
    ours = _first(payloads, "ashby")
    assert _keys(ours) == _keys(real) and ours["apiVersion"] == real["apiVersion"]
    real_job = real["jobs"][0]
    for job in ours["jobs"][:20]:
        assert _keys(real_job) <= _keys(job)
        assert _keys(real_job["address"]) == _keys(job["address"])
        for key in ("publishedAt", "isRemote", "secondaryLocations", "descriptionHtml"):
            assert type(real_job[key]) is type(job[key]), key
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", job["publishedAt"])
    comps = [j["compensation"] for j in ours["jobs"] if j["compensation"]["summaryComponents"]]
    assert comps
    comp = comps[0]["summaryComponents"][0]
    assert set(comp) >= {"compensationType", "interval", "currencyCode", "minValue", "maxValue"}


@pytest.mark.acceptance
def test_jsonld_shape(realdata: Path, world: SampleWorld) -> None:
    real = _jsonld((realdata / "srajob2_ats/html_jsonld/ashby_lambda_job_detail.html").read_bytes())
    spec = next(s for s in world.source_specs(as_of=DAY) if s.kind == "jsonld" and s.params["urls"])
    resp = _get(world, spec.params["urls"][0])
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    ours = _jsonld(resp.content)
    assert ours["@type"] == "JobPosting"
    assert _keys(real) - {"baseSalary", "jobLocationType", "applicantLocationRequirements"} <= _keys(ours)
    assert _keys(real["jobLocation"]["address"]) >= _keys(ours["jobLocation"]["address"]) - {"addressRegion"}
    assert re.match(r"\d{4}-\d\d-\d\d$", ours["datePosted"])
    salaried = [_jsonld(b) for u, b in world.payloads(DAY).items() if ".test/" in u]
    with_pay = [p for p in salaried if "baseSalary" in p]
    assert with_pay and _keys(with_pay[0]["baseSalary"]["value"]) == _keys(real["baseSalary"]["value"])


@pytest.mark.acceptance
def test_remoteok_shape(realdata: Path, payloads: dict[str, bytes]) -> None:
    real = json.loads((realdata / "remoteok_api/remoteok_api_2026-03-17.json").read_bytes())
    ours = json.loads(payloads["https://remoteok.com/api"])
    assert _keys(ours[0]) == _keys(real[0]) and "legal" in ours[0]
    required = set.intersection(*(_keys(j) for j in real[1:]))
    for job in ours[1:]:
        assert required <= _keys(job) <= set().union(*(_keys(j) for j in real[1:]))
        for key in ("id", "epoch", "salary_min", "tags"):
            assert type(real[1][key]) is type(job[key]), key


# ----------------------------------------------------------------------------- transport


def test_transport_routes(world: SampleWorld) -> None:
    gh = _get(world, "https://boards-api.greenhouse.io/v1/boards/synthetica/jobs?foo=1&content=true")
    assert gh.status_code == 200 and "content" in gh.json()["jobs"][0]
    bare = _get(world, "https://boards-api.greenhouse.io/v1/boards/synthetica/jobs")
    assert (
        "content" not in bare.json()["jobs"][0] and bare.json()["meta"]["total"] == gh.json()["meta"]["total"]
    )
    one = gh.json()["jobs"][0]["id"]
    assert (
        _get(world, f"https://boards-api.greenhouse.io/v1/boards/synthetica/jobs/{one}").json()["id"] == one
    )
    lever = _get(world, "https://api.lever.co/v0/postings/examplesoft?mode=json").json()
    page = _get(world, "https://api.lever.co/v0/postings/examplesoft?limit=5&skip=2&mode=json").json()
    assert [p["id"] for p in page] == [p["id"] for p in lever[2:7]]
    ashby = _get(world, "https://api.ashbyhq.com/posting-api/job-board/scaffold-dev?includeCompensation=true")
    assert all("compensation" in j for j in ashby.json()["jobs"])
    rok = _get(world, "https://remoteok.com/api").json()
    assert "legal" in rok[0] and len(rok) > 20
    robots = _get(world, "https://careers.example-robotics.test/robots.txt")
    assert robots.status_code == 200 and b"Allow: /" in robots.content
    assert _get(world, "https://boards-api.greenhouse.io/v1/boards/nope/jobs").status_code == 404
    assert _get(world, "https://example.org/whatever").status_code == 404
    # a 2025-only company has an empty (valid) board before it starts
    early = _get(
        world,
        "https://boards-api.greenhouse.io/v1/boards/brandnew-agents/jobs?content=true",
        date(2024, 3, 1),
    )
    assert early.status_code == 200 and early.json() == {"jobs": [], "meta": {"total": 0}}
    # a JSON-LD page of the world that is not open answers a page without JSON-LD
    closed = next(lst for lst in world.listings("jsonld") if not lst.open_on(DAY))
    resp = _get(world, closed.url)
    assert resp.status_code == 200 and b"ld+json" not in resp.content


def test_cross_posts_and_reposts(world: SampleWorld) -> None:
    reposts = [lst for lst in world.listings() if lst.is_repost]
    cross = [lst for lst in world.listings() if lst.is_crosspost]
    assert reposts and cross
    for lst in reposts[:50]:
        first = lst.job.listings[0]
        assert lst.source_id != first.source_id and lst.published > first.closes
    for lst in cross[:50]:
        assert lst.job.work_mode == "remote" and lst.kind == "remoteok"


# ----------------------------------------------------------------------------- truths


def test_truths_realised_in_generated_data(world: SampleWorld) -> None:
    got = realised_truths(world)
    assert got["ai_ml_growth_panel"] == pytest.approx(TRUTHS.ai_ml_growth_panel, abs=0.005)
    assert TRUTHS.ai_ml_growth_panel == pytest.approx(1.43)
    assert got["ai_ml_growth_all"] == pytest.approx(TRUTHS.ai_ml_growth_all, abs=0.005)
    assert got["ai_ml_growth_all"] > got["ai_ml_growth_panel"] + 0.2
    assert got["new_roles_panel"] == dict(TRUTHS.new_roles_panel)
    assert got["new_roles_all"] == dict(TRUTHS.new_roles_all)
    for key, share in TRUTHS.skill_share.items():
        assert got["skill_share"][key] == pytest.approx(share, abs=0.005), key
    for key, median in TRUTHS.pay_median_usd.items():
        if got["pay_n"].get(key, 0) >= 30:
            assert got["pay_median_usd"][key] == pytest.approx(median, rel=0.02), key
    assert got["pay_median_usd"][("ai_ml_engineer", "entry")] == pytest.approx(135_000, rel=0.01)
    assert got["pay_median_usd"][("ai_ml_engineer", "mid")] == pytest.approx(170_000, rel=0.01)
    assert got["pay_median_usd"][("ai_ml_engineer", "senior_plus")] == pytest.approx(215_000, rel=0.01)
    for band, premium in TRUTHS.wage_premium_ai.items():
        assert got["wage_premium_ai"][band] == pytest.approx(premium, abs=0.01), band
    assert got["repost_rate"] == pytest.approx(TRUTHS.repost_rate, abs=0.01)
    assert got["crosspost_rate"] == pytest.approx(TRUTHS.crosspost_rate, abs=0.03)


def test_skill_mentions_are_in_the_text(world: SampleWorld) -> None:
    """Count PyTorch/TensorFlow straight in rendered descriptions (not via the generator's flags)."""
    from jobtrends.sample.payloads import description_html

    for year in (2024, 2025):
        group = [j for j in world.jobs if j.role == "ai_ml_engineer" and j.year == year]
        texts = [description_html(world.seed, j) for j in group]
        pt = sum("PyTorch" in t for t in texts) / len(texts)
        tf = sum("TensorFlow" in t for t in texts) / len(texts)
        assert pt == pytest.approx(TRUTHS.skill_share[("pytorch", year)], abs=0.005)
        assert tf == pytest.approx(TRUTHS.skill_share[("tensorflow", year)], abs=0.005)
        assert not any(re.search(r"\btorch\b|Keras\b", t) and "TensorFlow" not in t for t in texts)


# ----------------------------------------------------------------------------- CLI and bench


def test_sample_command_writes_payloads(tmp_path: Path) -> None:
    from jobtrends.commands.sample import write_sample

    stats = write_sample(tmp_path, scale=0.05, dates=[date(2024, 1, 1)])
    assert stats["files"] > 30 and (tmp_path / "2024-01-01/greenhouse/synthetica.json").exists()
    assert (tmp_path / "2024-01-01/remoteok/api.json").exists() and (tmp_path / "truths.json").exists()


def test_mart_checks_compares_with_tolerance() -> None:
    from jobtrends.sample import mart_checks

    class Stub:
        def __init__(self, value: float | None) -> None:
            self.value = value

        def execute(self, sql: str, params: list[Any]) -> Stub:
            return self

        def fetchone(self) -> tuple[float | None] | None:
            return None if self.value is None else (self.value,)

    missing = mart_checks(Stub(None))
    assert len(missing) > 20 and not any(c["ok"] for c in missing)
    names = {c["name"] for c in missing}
    assert "ai_ml_engineer growth 2025 vs 2024, fixed panel" in names
    assert "ai_ml_engineer senior_plus median pay 2025" in names


def test_mart_checks_tolerance_branch_passes_inside_and_fails_outside() -> None:
    """Hand-made truths and mart values: each check passes just inside its tolerance and fails just
    outside (growth ±10% relative, shares ±5 pp, medians ±7% relative, premium ±5 pp)."""
    from dataclasses import replace

    from jobtrends.sample import mart_checks

    roles, bands = ("ai_ml_engineer", "software_engineer", "data_scientist"), ("entry", "mid", "senior_plus")
    pay = {(role, band): 100_000.0 for role in roles for band in bands}
    truths = replace(
        TRUTHS,
        ai_ml_growth_panel=1.0,  # expected ratio 2.0
        ai_ml_growth_all=0.5,  # expected ratio 1.5
        skill_share={("pytorch", 2025): 0.50, ("tensorflow", 2025): 0.20},
        pay_median_usd=pay,
        wage_premium_ai={("all", 2025): 0.10, ("senior_plus", 2025): 0.10, ("unspecified", 2025): 0.9},
    )

    class Marts:
        """Answers each check's query by what it selects and its parameters."""

        def execute(self, sql: str, params: list[Any]) -> Marts:
            if "yoy_panel_change" in sql:
                self.value: float | None = 1.19  # 2.19 / 2.0 - 1 = +9.5%: inside 10%
            elif "yoy_change" in sql:
                self.value = 0.70  # 1.70 / 1.5 - 1 = +13.3%: outside
            elif "agg_skill_frequency" in sql:
                self.value = {"pytorch": 0.54, "tensorflow": 0.26}[params[0]]  # +4 pp inside, +6 pp outside
            elif "agg_salary_trends" in sql:
                role, band, year = params
                if role == "software_engineer":
                    self.value = None  # no row: a failed check, not a crash
                else:
                    self.value = (
                        106_000.0 if role == "ai_ml_engineer" else 92_000.0
                    )  # +6% inside, -8% outside
            elif "agg_wage_premium" in sql:
                self.value = {"All": 0.14, "Senior+": 0.04}[params[0]]  # +4 pp inside, -6 pp outside
            else:
                raise AssertionError(f"unexpected query {sql}")
            return self

        def fetchone(self) -> tuple[float] | None:
            return None if self.value is None else (self.value,)

    ok = {c["name"]: c["ok"] for c in mart_checks(Marts(), truths)}
    assert ok.pop("ai_ml_engineer growth 2025 vs 2024, fixed panel") is True
    assert ok.pop("ai_ml_engineer growth 2025 vs 2024, all companies") is False
    assert ok.pop("pytorch share of ai_ml_engineer 2025") is True
    assert ok.pop("tensorflow share of ai_ml_engineer 2025") is False
    assert ok.pop("AI wage premium all 2025") is True
    assert ok.pop("AI wage premium senior_plus 2025") is False
    for band in ("entry", "mid", "senior_plus"):
        for year in (2024, 2025):
            assert ok.pop(f"ai_ml_engineer {band} median pay {year}") is True
            assert ok.pop(f"data_scientist {band} median pay {year}") is False
            assert ok.pop(f"software_engineer {band} median pay {year}") is False
    assert ok == {}  # nothing else checked; the 'unspecified' premium band is skipped
