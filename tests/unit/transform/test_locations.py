"""parse_location: structured fields first, then text; a compact gazetteer; no over-matching of "remote"."""

from __future__ import annotations

import pytest

from transform.locations import WORK_MODES, LocationResult, find_country, is_location_phrase, parse_location


@pytest.mark.parametrize(
    ("text", "city", "region", "country"),
    [
        ("SF", "San Francisco", "CA", "US"),
        ("NYC", "New York", "NY", "US"),
        ("San Francisco, CA", "San Francisco", "CA", "US"),
        ("Austin, Texas", "Austin", "TX", "US"),
        ("Seattle WA", "Seattle", "WA", "US"),
        ("London, UK", "London", None, "GB"),
        ("Berlin, Germany", "Berlin", None, "DE"),
        ("Toronto, ON", "Toronto", "ON", "CA"),
        ("Vancouver, British Columbia, Canada", "Vancouver", "BC", "CA"),
        ("Bengaluru, India", "Bangalore", None, "IN"),
        ("Zürich", "Zurich", None, "CH"),
        ("Springfield, IL", "Springfield", "IL", "US"),  # unknown city, known state
        ("Paris, TX", "Paris", "TX", "US"),  # an explicit state beats the city's usual country
        ("United States", None, None, "US"),
        ("USA", None, None, "US"),
        ("California", None, "CA", "US"),
        ("Ontario", None, "ON", "CA"),
    ],
)
def test_places(text: str, city: str | None, region: str | None, country: str | None) -> None:
    r = parse_location(text)
    assert (r.city, r.region, r.country) == (city, region, country)


def test_multi_location_takes_first() -> None:
    assert parse_location("NYC; SF").city == "New York"
    assert parse_location("London or Berlin").country == "GB"
    assert parse_location("Boston, MA | Remote").city == "Boston"


@pytest.mark.parametrize(
    ("text", "mode", "country"),
    [
        ("Remote - US", "remote", "US"),
        ("Remote (EU)", "remote", None),
        ("Remote in USA", "remote", "US"),
        ("US Remote", "remote", "US"),
        ("Remote, Canada", "remote", "CA"),
        ("Hybrid - London", "hybrid", "GB"),
        ("On-site, Austin, TX", "onsite", "US"),
        ("Hybrid", "hybrid", None),
        ("Work from home", "remote", None),
    ],
)
def test_work_mode_from_text(text: str, mode: str, country: str | None) -> None:
    r = parse_location(text)
    assert (r.work_mode, r.country) == (mode, country)


def test_remote_is_not_over_matched() -> None:
    r = parse_location("Remote Sensing Lab, Denver, CO")
    assert (r.work_mode, r.city, r.region) == (None, "Denver", "CO")
    desc = "Experience with remote sensing data. You will collaborate remotely with partners on occasion."
    assert parse_location("Denver, CO", description=desc).work_mode is None


def test_description_only_explicit_statements() -> None:
    assert parse_location(None, description="This role is fully remote within the US.").work_mode == "remote"
    assert parse_location(
        None, description="We offer a hybrid schedule with 3 days a week in office."
    ).work_mode == ("hybrid")
    assert parse_location(None, description="This position is on-site in Munich.").work_mode == "onsite"


def test_structured_fields_win() -> None:
    assert parse_location("Remote", work_mode="Hybrid").work_mode == "hybrid"
    assert parse_location("Seattle, WA", remote=True).work_mode == "remote"
    assert parse_location("Seattle, WA", work_mode="onsite").work_mode == "onsite"
    assert parse_location("Berlin", country="DE").country == "DE"
    assert parse_location(None, country="United Kingdom").country == "GB"
    assert parse_location(None, country="uk").country == "GB"
    # the structured country beats the text's country
    assert parse_location("London", country="CA").country == "CA"


@pytest.mark.parametrize(
    "text", [None, "", "   ", "🚀", "x" * 100_000, "\x00\ud800", "<b>NYC</b>", "Nowhere Special"]
)
def test_never_raises_and_allowed_values(text: str | None) -> None:
    r = parse_location(text)
    assert isinstance(r, LocationResult)
    assert r.work_mode in (*WORK_MODES, None)
    assert r.country is None or (len(r.country) == 2 and r.country.isupper())


def test_is_location_phrase() -> None:
    assert is_location_phrase("Dublin, Ireland")
    assert is_location_phrase("Remote - US")
    assert is_location_phrase("NYC")
    assert not is_location_phrase("Payments")
    assert not is_location_phrase("Data Platform")


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Acme | Backend | Toronto, ON (hybrid) | $150k", "CA"),
        ("Acme | Remote (US/Canada) | $150k", "US"),
        ("Acme | Albuquerque, New Mexico | $90k", "US"),
        ("Acme | Latin America or Toronto", "CA"),
        ("Acme | Remote (Europe) | $90k", None),
        ("Acme | 1st BE / 1st FE | IT support", None),
        ("tell us about yourself", None),
        ("Acme | Austin, TX | $120k", "US"),
        ("Acme | Zürich | CHF 120k", "CH"),
        ("招聘后端工程师，工作地点：深圳", "CN"),
        ("台北 後端工程師", "TW"),
    ],
)
def test_find_country_names_the_first_place_in_free_text(text: str, country: str | None) -> None:
    assert find_country(text) == country
