"""Location text (+ structured fields) → city, region, ISO2 country and work mode.

Structured fields win over text: ``work_mode`` → ``remote`` flag → the location text → (only strong
phrases of) the description. ``country`` (ISO2 or a name) wins over a country read from the text.

The text reader knows a compact gazetteer (``gazetteer.yaml``): US states, Canadian provinces, ~60
countries with aliases (UK, USA, …), regions (EMEA, EU, …) and ~150 tech cities with their country.
Multi-location strings ("NYC; SF", "London or Berlin") take the first place. "Remote" counts only as a
work-mode word of the location ("Remote - US", "Remote (EU)", "US Remote"), never as a substring of other
words ("remote sensing", "remotely" in a description sentence).

:func:`parse_location` never raises.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from ingest.rule_errors import record_error
from ingest.textnorm import clean_text
from transform import yaml_data

__all__ = [
    "WORK_MODES",
    "LocationResult",
    "find_country",
    "is_location_phrase",
    "location_words",
    "parse_location",
]

WORK_MODES = ("remote", "hybrid", "onsite")
MAX_LOCATION_CHARS = 300


@dataclass(frozen=True, slots=True)
class LocationResult:
    city: str | None = None
    region: str | None = None
    country: str | None = None
    work_mode: str | None = None

    def as_dict(self) -> dict:
        return {
            "city": self.city,
            "region": self.region,
            "country": self.country,
            "work_mode": self.work_mode,
        }


_NONE = LocationResult()


def _key(text: str) -> str:
    """Lookup key: lower-case, accents removed, punctuation → space, single spaces."""
    s = text.lower()
    if not s.isascii():
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+|_", " ", s).split())


@dataclass(frozen=True)
class _Gazetteer:
    countries: dict[str, str]  # key → ISO2
    country_codes: frozenset[str]
    us_states: dict[str, str]  # key (name or code) → code
    ca_provinces: dict[str, str]
    regions: frozenset[str]
    cities: dict[str, tuple[str, str, str | None]]  # key → (city, ISO2, region)
    words: frozenset[str]  # every word of every name above, for a fast "not a place" test


@cache
def _gazetteer() -> _Gazetteer:
    data = yaml_data.safe_load(
        resources.files("transform").joinpath("gazetteer.yaml").read_text(encoding="utf-8")
    )
    countries: dict[str, str] = {}
    for iso, names in data["countries"].items():
        countries[_key(iso)] = iso
        for name in names:
            countries[_key(name)] = iso

    def _subdivisions(block: dict) -> dict[str, str]:
        out: dict[str, str] = {}
        for code, names in block.items():
            out[_key(code)] = code
            for name in [names] if isinstance(names, str) else names:
                out[_key(name)] = code
        return out

    cities: dict[str, tuple[str, str, str | None]] = {}
    for name, spec in data["cities"].items():
        iso, _, region = str(spec["at"]).partition("/")
        canonical = re.sub(r" (MA|UK)$", "", name)  # "Cambridge MA" → "Cambridge"
        value = (canonical, iso, region or None)
        cities[_key(name)] = value
        for alias in spec.get("aliases", []) or []:
            cities.setdefault(_key(alias), value)
    words = {w for table in (countries, cities) for k in table for w in k.split()}
    words |= {w for k in (*data["us_states"], *data["ca_provinces"]) for w in _key(str(k)).split()}
    for block in (data["us_states"], data["ca_provinces"]):
        for names in block.values():
            for name in [names] if isinstance(names, str) else names:
                words.update(_key(name).split())
    words |= {w for r in data["regions"] for w in _key(r).split()}
    return _Gazetteer(
        words=frozenset(words),
        countries=countries,
        country_codes=frozenset(data["countries"]),
        us_states=_subdivisions(data["us_states"]),
        ca_provinces=_subdivisions(data["ca_provinces"]),
        regions=frozenset(_key(r) for r in data["regions"]),
        cities=cities,
    )


# ---------------------------------------------------------------------------------------------------
# Work mode
# ---------------------------------------------------------------------------------------------------
_MODE_ALIASES = {
    "remote": "remote",
    "fully remote": "remote",
    "remote only": "remote",
    "wfh": "remote",
    "work from home": "remote",
    "telecommute": "remote",
    "distributed": "remote",
    "anywhere": "remote",
    "hybrid": "hybrid",
    "flexible": "hybrid",
    "onsite": "onsite",
    "on site": "onsite",
    "in office": "onsite",
    "office": "onsite",
    "in person": "onsite",
    "on premise": "onsite",
    "on premises": "onsite",
}
# Work-mode words in a location field. "remote" must not be followed by a word that makes it an
# adjective of something else ("remote sensing", "remote operations").
_LOC_HYBRID_RE = re.compile(r"\bhybrid\b", re.I)
_LOC_REMOTE_RE = re.compile(
    r"\b(?:remote(?!\s+(?:sensing|operations?|operator|monitoring|patient|pilot|support|access|site)\b)|"
    r"work(?:ing)?\s+from\s+home|wfh|telecommute|anywhere|home[\s-]based|distributed)\b",
    re.I,
)
_LOC_ONSITE_RE = re.compile(r"\b(?:on[\s-]?site|in[\s-]office|in[\s-]person|office[\s-]based)\b", re.I)
# Description: only explicit statements about the job's work arrangement.
_DESC_REMOTE_RE = re.compile(
    r"\b(?:(?:this|the)\s+(?:role|position|job|opportunity)\s+is\s+(?:a\s+)?(?:fully\s+|100%\s+)?remote\b|"
    r"fully[\s-]remote\s+(?:role|position|job|team|company|opportunity)|100%\s+remote\b|"
    r"remote[\s-](?:first|only)\s+(?:role|position|company|team)|work\s+from\s+anywhere)",
    re.I,
)
_DESC_HYBRID_RE = re.compile(
    r"\b(?:(?:this|the)\s+(?:role|position|job)\s+is\s+(?:a\s+)?hybrid\b|hybrid\s+(?:role|position|work|"
    r"schedule|model|arrangement|working)\b|\d\s+days?\s+(?:a|per)\s+week\s+in\s+(?:the\s+|our\s+)?office)",
    re.I,
)
_DESC_ONSITE_RE = re.compile(
    r"\b(?:(?:this|the)\s+(?:role|position|job)\s+is\s+(?:an?\s+)?(?:on[\s-]?site|in[\s-]office|in[\s-]person)\b|"
    r"(?:fully|100%)\s+on[\s-]?site\b|must\s+(?:work|be)\s+on[\s-]?site\b)",
    re.I,
)


def _mode_from_field(work_mode: object, remote: object) -> str | None:
    if isinstance(work_mode, str) and work_mode.strip():
        k = _key(work_mode)
        if k in _MODE_ALIASES:
            return _MODE_ALIASES[k]
        for word, mode in (
            ("hybrid", "hybrid"),
            ("remote", "remote"),
            ("site", "onsite"),
            ("office", "onsite"),
        ):
            if word in k:
                return mode
    if isinstance(remote, bool):
        return "remote" if remote else None
    if isinstance(remote, str) and remote.strip():
        k = _key(remote)
        if k in ("true", "yes", "y", "1", "remote"):
            return "remote"
    return None


def _mode_from_text(text: str) -> str | None:
    if _LOC_HYBRID_RE.search(text):
        return "hybrid"
    if _LOC_REMOTE_RE.search(text):
        return "remote"
    if _LOC_ONSITE_RE.search(text):
        return "onsite"
    return None


def _mode_from_description(description: str) -> str | None:
    d = clean_text(description, max_chars=50_000)
    if _DESC_HYBRID_RE.search(d):
        return "hybrid"
    if _DESC_REMOTE_RE.search(d):
        return "remote"
    if _DESC_ONSITE_RE.search(d):
        return "onsite"
    return None


# ---------------------------------------------------------------------------------------------------
# Place
# ---------------------------------------------------------------------------------------------------
_MULTI_SPLIT_RE = re.compile(r"\s*(?:;|\||\n|/|\s+or\s+|\s+and\s+|\s+&\s+|•)\s*", re.I)
_MODE_WORDS_RE = re.compile(
    r"\b(?:fully\s+remote|remote(?:ly)?(?:\s+(?:first|only|friendly|ok|possible|eligible))?|hybrid|"
    r"on[\s-]?site|in[\s-]office|in[\s-]person|office[\s-]based|work\s+from\s+home|wfh|telecommute|"
    r"home[\s-]based|distributed|anywhere\s+in|based\s+in|located\s+in|within|only|from)\b",
    re.I,
)
_LEADING_IN_RE = re.compile(r"^(?:in|within|across|from|the)\s+", re.I)
_PAREN_RE = re.compile(r"[()\[\]{}]")
_SEG_SEP_RE = re.compile(r"\s*(?:,|\s-\s|\s–\s|\s—\s|:|\s+-|-\s+)\s*")
_CITY_OK_RE = re.compile(r"^[^\W\d_][^\d]{0,40}$")


def _place_kind(part: str) -> tuple[str, object] | None:
    """Classify one comma-separated part: ('city', (name, iso, region)) | ('state', code) |
    ('province', code) | ('country', iso) | ('region', key)."""
    g = _gazetteer()
    k = _key(part)
    if not k:
        return None
    if k in g.cities and len(k) > 2:
        return "city", g.cities[k]
    upper = part.strip().strip(".").upper()
    # Two-letter codes: a US state / CA province code written in capitals, or an ISO2 country.
    if len(k) == 2:
        if upper in ("UK", "US"):
            return "country", g.countries[k]
        if k in g.cities and upper in ("SF", "LA", "DC"):
            return "city", g.cities[k]
        if upper in g.us_states.values():
            return "state", upper
        if upper in g.ca_provinces.values():
            return "province", upper
        if upper in g.country_codes:
            return "country", upper
        return None
    if k in g.countries:
        return "country", g.countries[k]
    if k in g.us_states:
        return "state", g.us_states[k]
    if k in g.ca_provinces:
        return "province", g.ca_provinces[k]
    if k in g.regions:
        return "region", k
    if k in g.cities:
        return "city", g.cities[k]
    return None


def _parse_place(segment: str) -> tuple[str | None, str | None, str | None, bool]:
    """(city, region, country, recognised) from one location (e.g. "San Francisco, CA")."""
    s = _PAREN_RE.sub(",", segment)
    s = _MODE_WORDS_RE.sub(",", s)
    parts = [_LEADING_IN_RE.sub("", p.strip(" .,-–—/")) for p in _SEG_SEP_RE.split(s)]
    parts = [p for p in parts if p and _key(p)]
    known_city: tuple[str, str, str | None] | None = None
    unknown: list[str] = []
    subdivision: tuple[str, str] | None = None  # (region code, ISO2)
    explicit_country: str | None = None
    recognised = False

    def take(kind: tuple[str, object]) -> None:
        nonlocal known_city, subdivision, explicit_country
        what, value = kind
        if what == "city":
            known_city = known_city or value  # type: ignore[assignment]
        elif what == "state":
            subdivision = subdivision or (str(value), "US")
        elif what == "province":
            subdivision = subdivision or (str(value), "CA")
        elif what == "country":
            explicit_country = explicit_country or str(value)

    for part in parts:
        kind = _place_kind(part)
        if kind is None:
            # "Austin TX", "London UK": the last word may be a code or a country.
            words = part.split()
            if len(words) > 1:
                head, tail = " ".join(words[:-1]), words[-1]
                tail_kind = _place_kind(tail)
                if tail_kind and tail_kind[0] in ("state", "province", "country"):
                    recognised = True
                    take(tail_kind)
                    head_kind = _place_kind(head)
                    if head_kind is not None:
                        take(head_kind)
                    elif _CITY_OK_RE.match(head):
                        unknown.append(head)
                    continue
            if _CITY_OK_RE.match(part):
                unknown.append(part)
            continue
        recognised = True
        take(kind)
    if not recognised:
        return None, None, None, False
    city = region = country = None
    if subdivision is not None:
        region, country = subdivision
    if explicit_country is not None:
        if country is not None and explicit_country != country:
            region = None  # "Ontario, United States" makes no sense: keep the country only
        country = explicit_country
    if known_city is not None:
        name, iso, reg = known_city
        city = name
        if country is None:
            country, region = iso, region or reg
        elif country == iso and region is None:
            region = reg
    elif unknown:
        city = unknown[0].strip()
    return city, region, country, True


@lru_cache(maxsize=1 << 15)
def _parse_text(text: str) -> tuple[str | None, str | None, str | None, str | None]:
    clean = clean_text(text, max_chars=MAX_LOCATION_CHARS)
    if not clean:
        return None, None, None, None
    mode = _mode_from_text(clean)
    for segment in _MULTI_SPLIT_RE.split(clean):
        if not segment or not segment.strip():
            continue
        city, region, country, recognised = _parse_place(segment)
        if recognised:
            return city, region, country, mode
    return None, None, None, mode


def _normalise_country(country: object) -> str | None:
    if not isinstance(country, str) or not country.strip():
        return None
    g = _gazetteer()
    c = country.strip()
    if len(c) == 2 and c.upper() in g.country_codes:
        return c.upper()
    if c.upper() == "UK":
        return "GB"
    return g.countries.get(_key(c))


def parse_location(
    location_text: str | None,
    *,
    country: str | None = None,
    remote: bool | None = None,
    work_mode: str | None = None,
    description: str | None = None,
) -> LocationResult:
    """City, region (state/province code), ISO2 country and work mode of a posting. Never raises."""
    try:
        mode = _mode_from_field(work_mode, remote)
        city = region = text_country = None
        text_mode = None
        if isinstance(location_text, str) and location_text.strip():
            city, region, text_country, text_mode = _parse_text(location_text)
        iso = _normalise_country(country)
        if iso is not None and text_country is not None and iso != text_country:
            # the structured country wins; a region of another country does not fit it
            city, region = (city, None) if region else (city, region)
        out_country = iso or text_country
        if mode is None:
            mode = text_mode
        if mode is None and remote is False:
            mode = None
        if mode is None and isinstance(description, str) and description:
            mode = _mode_from_description(description)
        return LocationResult(city=city, region=region, country=out_country, work_mode=mode)
    except Exception as exc:  # a normaliser must not stop a batch, but the error is counted, not hidden
        record_error("locations.parse_location", exc, location_text)
        return _NONE


_MODE_TOKENS = frozenset(
    [
        "remote",
        "remotely",
        "fully",
        "first",
        "only",
        "friendly",
        "ok",
        "possible",
        "eligible",
        "hybrid",
        "on",
        "site",
        "onsite",
        "in",
        "office",
        "person",
        "based",
        "work",
        "from",
        "home",
        "wfh",
        "telecommute",
        "distributed",
        "anywhere",
        "within",
        "located",
        "the",
        "of",
        "and",
        "or",
    ]
)


def location_words() -> frozenset[str]:
    """Every lower-case word that can appear in a place or work-mode phrase (for cheap pre-checks)."""
    return _gazetteer().words | _MODE_TOKENS


@lru_cache(maxsize=1 << 15)
def is_location_phrase(text: str) -> bool:
    """True when ``text`` is only a place and/or work-mode words ("NYC", "Remote - US", "Dublin, Ireland").

    Used to strip location noise from job titles; unknown words make it False.
    """
    try:
        if not text or len(text) > 80:
            return False
        words = _gazetteer().words
        if not all(w in words or w in _MODE_TOKENS for w in _key(text).split()):
            return False
        s = _MODE_WORDS_RE.sub(",", _PAREN_RE.sub(",", text))
        parts = [_LEADING_IN_RE.sub("", p.strip(" .,-–—/")) for p in _SEG_SEP_RE.split(s)]
        parts = [p for p in parts if p and _key(p)]
        if not parts:
            return _mode_from_text(text) is not None
        return all(_place_kind(p) is not None for p in parts)
    except Exception as exc:
        record_error("locations.is_location_phrase", exc, text)
        return False


# ---------------------------------------------------------------------------------------------------
# Places named in free text (a Hacker News header, a pay sentence): the first one decides the country
# ---------------------------------------------------------------------------------------------------
#: Short names that free text uses in capitals for a place; every other 2-3 letter code ("IT", "BE",
#: "QA", "HR") is far more often a word or a job abbreviation than a country.
_SHORT_PLACE_KEYS = frozenset(
    {"us", "usa", "u s", "uk", "u k", "uae", "nyc", "sf", "sfo", "dc", "slc", "prc"}
)
_TEXT_WORD_RE = re.compile(r"[^\W\d_]+")
_STATE_CODE_RE = re.compile(r",\s*([A-Z]{2})\b")


@dataclass(frozen=True)
class _PlaceIndex:
    names: dict[str, str]  # key -> ISO2 ("" for a region: recognised, no country)
    first_words: frozenset[str]  # first words of multi-word names
    cjk: tuple[tuple[str, str], ...]  # CJK names (matched as substrings: CJK text has no spaces)


@cache
def _place_index() -> _PlaceIndex:
    g = _gazetteer()
    names: dict[str, str] = {}
    for k, (_, iso, _) in g.cities.items():
        names.setdefault(k, iso)
    for k, iso in g.countries.items():
        names.setdefault(k, iso)
    for table, iso in ((g.us_states, "US"), (g.ca_provinces, "CA")):
        for k in table:
            if len(k) > 2:
                names.setdefault(k, iso)
    for k in g.regions:
        names.setdefault(k, "")
    names = {k: v for k, v in names.items() if len(k) > 3 or k in _SHORT_PLACE_KEYS or not k.isascii()}
    cjk = tuple((k, v) for k, v in names.items() if not k.isascii() and re.search(r"[\u4e00-\u9fff]", k))
    first = frozenset(k.split()[0] for k in names if " " in k)
    return _PlaceIndex(names, first, cjk)


@lru_cache(maxsize=1 << 16)
def _word_key(word: str) -> str:
    return word.lower() if word.isascii() else _key(word)


@lru_cache(maxsize=1 << 15)
def find_country(text: str) -> str | None:
    """ISO2 country of the first place named in free text ("Acme | Toronto (hybrid) | $150k" -> CA).

    Uses the same gazetteer as :func:`parse_location`. Multi-word names win over their first word
    ("New Mexico" is a US state, not Mexico); short names count only in capitals ("US", "UK", "NYC");
    a region ("Europe", "EMEA") is a place with no country and is skipped.
    """
    if not text:
        return None
    idx = _place_index()
    names, first_words = idx.names, idx.first_words
    best: tuple[int, str] | None = None
    words = _TEXT_WORD_RE.findall(text)
    keys = [w.lower() if w.isascii() else _word_key(w) for w in words]
    n_words = len(words)
    skip_to = 0
    for i, k in enumerate(keys):
        if i < skip_to or (k not in names and k not in first_words):
            continue
        size, iso = 0, ""
        if k in first_words:
            for n in (4, 3, 2):
                if i + n <= n_words and (cand := " ".join(keys[i : i + n])) in names:
                    size, iso = n, names[cand]
                    break
        if not size and k in names:
            size, iso = 1, names[k]
        # Short names only in capitals: "US", "U.S.", "NYC", not the pronoun "us".
        if (
            size
            and len(" ".join(keys[i : i + size])) <= 3
            and not all(w.isupper() for w in words[i : i + size])
        ):
            size = 0
        if size and iso:
            # Position of the i-th word (for the comparison with state codes and CJK names below).
            pos = -1
            for w in words[: i + 1]:
                pos = text.find(w, pos + 1)
            best = (pos, iso)
            break
        skip_to = i + size  # a region ("Latin America") is consumed whole
    code = _STATE_CODE_RE.search(text)  # "Austin, TX"
    if code and code.group(1) in _gazetteer().us_states.values() and (best is None or code.start() < best[0]):
        best = (code.start(), "US")
    if not text.isascii():
        for name, iso in idx.cjk:
            at = text.find(name)
            if at >= 0 and iso and (best is None or at < best[0]):
                best = (at, iso)
    return best[1] if best else None
