"""Drill ``fuzz``: every source parser and every normaliser on generated inputs; nothing may crash.

Parsers get payloads made by a seeded structured mutator: the repository's hand-made fixture payloads
(``tests/fixtures/payloads/<kind>/``) are decoded and mutated — values swapped for hostile ones (lone
surrogates, NUL and control characters, huge or nested values, NaN, numbers as text, HTML), keys dropped,
lists emptied or repeated, types changed — and re-encoded, or their bytes are truncated, flipped or
replaced. Normalisers get text composed from job-ad fragments and the same hostile pieces.

Invariants (``AssertionError`` on any breach):

- a parser never raises; every ``RecordError`` has a reason; a payload that is not valid JSON (for a
  JSON source) yields at least one error, so nothing vanishes without a quarantine row;
- every posting can be stored: the loader's Arrow conversion (:func:`jobtrends.loader._postings_table`)
  accepts the batch, pay is finite, ``source``/``source_id`` are text;
- a normaliser never raises and returns its documented type with finite numbers.

``quick``: ~2,000 inputs per target (CI); full: 100,000 per target.
"""

from __future__ import annotations

import copy
import json
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jobtrends.settings import PROJECT_ROOT

SEED = 20261203
FULL_INPUTS = 100_000
QUICK_INPUTS = 2_000
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "payloads"
FETCHED = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
#: Postings checked through the loader's Arrow conversion together (bisected when one fails).
_STORE_BATCH = 256

# ----------------------------------------------------------------------------- hostile pieces

_HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "nul\x00inside",
    "\ud800",
    "lone \udfff surrogate",
    "\u202e right-to-left",
    "\ufeffBOM",
    "tab\tand\r\nnewlines\x0b\x0c",
    "<script>alert(1)</script>",
    "<p>unclosed <b>tags <i>",
    "&lt;p&gt;escaped &amp;amp; twice&lt;/p&gt;",
    "<<>>",
    "&#xD800;&#0;&#x110000;",
    "CafÃ© mojibake â€™",
    "🤖 emoji 👩‍💻",
    "Ｆｕｌｌｗｉｄｔｈ",
    "null",
    "NaN",
    "-1",
    "1e309",
    "0x1F",
    "$",
    "€-£-¥",
    "2026-02-30",
    "9999-99-99T99:99:99Z",
    "1790866800000",
    "a" * 5000,
    "ML " * 2000,
]
_HOSTILE_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    10**30,
    -(10**30),
    1e308,
    -1e-308,
    float("nan"),
    float("inf"),
    3.5,
    [],
    {},
    [None],
    [[[[["deep"]]]]],
    {"a": {"b": {"c": None}}},
    ["list", "of", 3, None],
]

_TITLE_WORDS = [
    "Senior",
    "Staff",
    "Principal",
    "Lead",
    "Junior",
    "Head",
    "Director",
    "VP",
    "Intern",
    "Machine",
    "Learning",
    "ML",
    "AI",
    "Engineer",
    "Scientist",
    "Data",
    "Research",
    "Prompt",
    "LLM",
    "NLP",
    "Computer",
    "Vision",
    "Applied",
    "Software",
    "Backend",
    "Analyst",
    "Manager",
    "Product",
    "Recruiter",
    "MLOps",
    "Platform",
    "Infrastructure",
    "II",
    "III",
    "(Remote)",
    "-",
    ",",
    "/",
    "&",
    "–",
    "|",
    "Ads",
    "Search",
    "GenAI",
    "Deep",
    "Learning",
]
_PAY = [
    "$150k - $180k",
    "$5,000,000 - $6,000,000 a year",
    "€60.000–€80.000 brutto",
    "£45 per hour",
    "120000",
    "USD 90,000-120,000/yr + equity",
    "₹18 LPA",
    "$0",
    "-$10k",
    "up to 200K",
    "competitive",
    "CHF 130'000",
    "$1e9",
    "between 10 and 5 dollars",
]
_SKILLS = [
    "PyTorch",
    "TensorFlow",
    "Go",
    "Kubernetes",
    "Python",
    "R",
    "C++",
    "C#",
    "SQL",
    "Spark",
    "JAX",
    "Rust",
    "AWS",
    "GCP",
    "LangChain",
    "RAG",
]
_PLACES = [
    "Berlin, Germany",
    "New York, NY",
    "Remote",
    "Remote - US",
    "London / Hybrid",
    "São Paulo, BR",
    "San Francisco, CA; Seattle, WA",
    "Anywhere",
    "Zürich",
    "Bengaluru, Karnataka, India",
    "Paris (On-site)",
    "EMEA",
]


def _hostile_text(rng: random.Random) -> str:
    return rng.choice(_HOSTILE_TEXT)


def _text(rng: random.Random, pool: list[str] | tuple[str, ...] | None = None) -> str:
    """A few fragments from ``pool`` (job-ad words) and hostile pieces, joined by random separators."""
    pieces = []
    for _ in range(rng.randint(0, 6)):
        roll = rng.random()
        if pool and roll < 0.6:
            pieces.append(rng.choice(pool))
        elif roll < 0.85:
            pieces.append(_hostile_text(rng))
        else:
            pieces.append("".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(1, 12))))
    return rng.choice([" ", "", ", ", " - ", "\n", "<br>", " / "]).join(pieces)


def _hostile_value(rng: random.Random) -> Any:
    # a copy: the mutator edits what it inserted, and a shared object could end up inside itself
    return copy.deepcopy(rng.choice(_HOSTILE_VALUES)) if rng.random() < 0.5 else _hostile_text(rng)


# ----------------------------------------------------------------------------- JSON mutator


def _nodes(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _nodes(v, (*path, i))


def _set(root: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    parent = root
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return root


def _mutate_json(doc: Any, rng: random.Random) -> Any:
    doc = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 4)):
        nodes = list(_nodes(doc))
        path, node = rng.choice(nodes)
        op = rng.random()
        if op < 0.35:
            doc = _set(doc, path, _hostile_value(rng))
        elif op < 0.5 and isinstance(node, dict) and node:
            del node[rng.choice(list(node))]
        elif op < 0.6 and isinstance(node, list) and node:
            if rng.random() < 0.5:
                node.clear()
            else:
                node.extend(copy.deepcopy(node[: rng.randint(1, 3)]))
        elif op < 0.7:
            doc = _set(doc, path, [node] if rng.random() < 0.5 else {"value": node})
        elif op < 0.8 and isinstance(node, str):
            doc = _set(
                doc,
                path,
                node + _hostile_text(rng) if rng.random() < 0.5 else node[: rng.randint(0, len(node))],
            )
        elif op < 0.9 and isinstance(node, int | float) and not isinstance(node, bool):
            doc = _set(doc, path, rng.choice([str(node), -node, node * 10**12, None]))
        else:
            doc = _set(doc, path, _text(rng, _TITLE_WORDS + _PLACES + _PAY))
    return doc


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    op = rng.random()
    if op < 0.3 and data:
        return data[: rng.randrange(len(data))]  # truncated
    if op < 0.5 and data:
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if op < 0.65:
        return rng.choice(
            [b"", b"null", b"[]", b"{}", b'"text"', b"<html><body>Not JSON</body></html>", b"\xff\xfe\x00"]
        )
    if op < 0.8:
        return b"\xef\xbb\xbf" + data  # BOM
    cut = rng.randrange(len(data) + 1) if data else 0
    return data[:cut] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))) + data[cut:]


# ----------------------------------------------------------------------------- seeds


@dataclass(slots=True)
class Seed:
    kind: str
    name: str
    payload: bytes
    options: dict[str, Any] = field(default_factory=dict)
    doc: Any = None  # the decoded JSON (None for HTML / CSV / JSON Lines)
    script: tuple[int, int] | None = None  # the JSON-LD block's span inside an HTML page


#: Seeds for kinds without fixture payloads: hand-made, in the shape the parser reads.
_BUILTIN_SEEDS: dict[str, list[tuple[str, bytes]]] = {
    "fx": [
        (
            "eurofxref-hist.csv",
            b"Date,USD,JPY,GBP,CHF,\n2026-01-02,1.0321,162.50,0.8312,0.9405,\n2026-01-01,1.0300,N/A,0.8300,0.9399,\n",
        )
    ],
}


def _seeds() -> dict[str, list[Seed]]:
    from ingest.sources import REGISTRY

    if not FIXTURES.is_dir():
        raise AssertionError(f"fuzz seeds not found: {FIXTURES} (the drill runs from a repository checkout)")
    out: dict[str, list[Seed]] = {}
    for kind in sorted(REGISTRY):
        seeds = []
        files = [(p.name, p.read_bytes()) for p in sorted((FIXTURES / kind).glob("*"))]
        for name, data in files or _BUILTIN_SEEDS.get(kind, []):
            ext = name.rsplit(".", 1)[-1]
            options = {"format": ext, "mapping": "identity"} if kind == "file" else {}
            seed = Seed(kind, name, data, options)
            if ext == "json":
                try:
                    seed.doc = json.loads(data)
                except ValueError:
                    seed.doc = None
            elif ext == "html":
                text = data.decode("utf-8", "replace")
                start = text.find('application/ld+json">')
                end = text.find("</script>", start)
                if start >= 0 and end > start:
                    start += len('application/ld+json">')
                    try:
                        seed.doc = json.loads(text[start:end])
                        seed.script = (start, end)
                    except ValueError:
                        seed.doc = None
            seeds.append(seed)
        if not seeds:
            raise AssertionError(f"no fuzz seed payloads for source {kind!r} in {FIXTURES / kind}")
        out[kind] = seeds
    return out


def _jsonl_doc(seed: Seed) -> list[Any]:
    rows = []
    for line in seed.payload.decode("utf-8", "replace").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return rows


def _generate(seed: Seed, rng: random.Random) -> tuple[bytes, bool]:
    """A mutated payload and whether it is meant to be valid JSON."""
    ext = seed.name.rsplit(".", 1)[-1]
    if rng.random() < 0.25:
        return _mutate_bytes(seed.payload, rng), False
    ensure_ascii = rng.random() < 0.5
    if seed.doc is not None and ext == "json":
        return json.dumps(_mutate_json(seed.doc, rng), ensure_ascii=ensure_ascii).encode(
            "utf-8", "surrogatepass"
        ), True
    if seed.doc is not None and seed.script:
        text = seed.payload.decode("utf-8", "replace")
        block = json.dumps(_mutate_json(seed.doc, rng), ensure_ascii=ensure_ascii)
        page = text[: seed.script[0]] + block + text[seed.script[1] :]
        return page.encode("utf-8", "surrogatepass"), False
    if ext == "jsonl":
        rows = _mutate_json(_jsonl_doc(seed), rng)
        rows = rows if isinstance(rows, list) else [rows]
        lines = [json.dumps(r, ensure_ascii=ensure_ascii) for r in rows]
        return "\n".join(lines).encode("utf-8", "surrogatepass"), False
    if ext == "csv":
        lines = seed.payload.decode("utf-8", "replace").splitlines()
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(lines))
            cells = lines[i].split(",")
            cells[rng.randrange(len(cells))] = _text(rng, _TITLE_WORDS + _PAY).replace("\n", " ")
            lines[i] = (
                rng.choice([",", ",,", ";", '"']).join(cells) if rng.random() < 0.2 else ",".join(cells)
            )
        return "\n".join(lines).encode("utf-8", "surrogatepass"), False
    return _mutate_bytes(seed.payload, rng), False


# ----------------------------------------------------------------------------- checks


def _check_posting(p: Any) -> str | None:
    if not isinstance(p.source, str) or not isinstance(p.source_id, str) or not p.source_id:
        return f"posting without a text source/source_id: {p.source!r}:{p.source_id!r}"
    for name in ("pay_min", "pay_max"):
        value = getattr(p, name)
        if value is not None and (not isinstance(value, int | float) or not math.isfinite(value)):
            return f"{name} is not a finite number: {value!r}"
    if p.posted_at is not None and (not isinstance(p.posted_at, datetime) or p.posted_at.tzinfo is None):
        return f"posted_at is not an aware datetime: {p.posted_at!r}"
    return None


def _storable(postings: list[Any]) -> list[tuple[Any, str]]:
    """Postings the loader's Arrow conversion rejects (bisecting a failing batch down to the posting)."""
    from jobtrends.loader import ParsedFile, _postings_table

    class _Meta:
        run_date = "2026-01-01"

    class _Landing:
        path = "fuzz/dt=2026-01-01/x.json"
        meta = _Meta

    def ok(batch: list[Any]) -> bool:
        try:
            _postings_table([ParsedFile(landing=_Landing, postings=batch)])  # type: ignore[arg-type]
        except Exception:
            return False
        return True

    if not postings or ok(postings):
        return []
    if len(postings) == 1:
        try:
            _postings_table([ParsedFile(landing=_Landing, postings=postings)])  # type: ignore[arg-type]
        except Exception as exc:
            return [(postings[0], f"{type(exc).__name__}: {exc}"[:200])]
    mid = len(postings) // 2
    return _storable(postings[:mid]) + _storable(postings[mid:])


@dataclass(slots=True)
class Tally:
    inputs: int = 0
    crashes: int = 0
    violations: int = 0
    postings: int = 0
    errors: int = 0
    quarantined: int = 0  # postings the loader turns away (no title, no id), with that reason
    examples: list[str] = field(default_factory=list)

    def fail(self, kind: str, detail: str) -> None:
        if kind == "crash":
            self.crashes += 1
        else:
            self.violations += 1
        if len(self.examples) < 5:
            self.examples.append(f"{kind}: {detail}"[:300])


def fuzz_parser(kind: str, seeds: list[Seed], n: int, rng: random.Random) -> Tally:
    from ingest.base import ParseContext, ParseResult
    from ingest.sources import get
    from jobtrends.loader import _storable as _loader_storable
    from jobtrends.loader import admission_problem

    module = get(kind)
    tally = Tally()
    pending: list[Any] = []
    for i in range(n):
        seed = seeds[i % len(seeds)]
        payload, valid_json = _generate(seed, rng)
        options = dict(seed.options)
        ctx = ParseContext(
            fetched_at=FETCHED,
            raw_ref=f"{kind}/dt=2026-01-01/{i}.{seed.name.rsplit('.', 1)[-1]}",
            board=rng.choice(["acme", None, "a.b-c"]),
            url=rng.choice([None, "https://example.test/jobs", "not a url"]),
            options=options,
        )
        tally.inputs += 1
        try:
            result = module.parse(payload, ctx)
        except Exception as exc:  # the drill's point: count it, keep going
            tally.fail("crash", f"{kind} #{i} ({seed.name}): {type(exc).__name__}: {exc}")
            continue
        if not isinstance(result, ParseResult):
            tally.fail("violation", f"{kind} #{i}: parse returned {type(result).__name__}")
            continue
        tally.postings += len(result.postings)
        tally.errors += len(result.errors)
        for err in result.errors:
            if not isinstance(getattr(err, "reason", None), str) or not err.reason.strip():
                tally.fail("violation", f"{kind} #{i}: a record error without a reason: {err!r}")
        unreadable = (
            not valid_json and seed.doc is not None and seed.script is None and _json_invalid(payload)
        )
        if unreadable and not result.errors:
            tally.fail(
                "violation",
                f"{kind} #{i}: unreadable payload gave no error ({len(result.postings)} postings)",
            )
        for err in result.errors:
            try:
                _loader_storable(err.record or "").encode("utf-8")
                _loader_storable(err.reason).encode("utf-8")
            except UnicodeEncodeError as exc:
                tally.fail("violation", f"{kind} #{i}: a quarantine row cannot be stored: {exc}")
        for p in result.postings:
            if admission_problem(p) is not None:  # the loader quarantines it with that reason
                tally.quarantined += 1
                continue
            problem = _check_posting(p)
            if problem:
                tally.fail("violation", f"{kind} #{i}: {problem}")
            pending.append(p)
        if len(pending) >= _STORE_BATCH:
            for p, why in _storable(pending):
                tally.fail("violation", f"{kind}: posting cannot be stored ({why}): {p.title!r}")
            pending = []
    for p, why in _storable(pending):
        tally.fail("violation", f"{kind}: posting cannot be stored ({why}): {p.title!r}")
    return tally


def _json_invalid(payload: bytes) -> bool:
    try:
        json.loads(payload)
    except ValueError:
        return True
    return False


# ----------------------------------------------------------------------------- normalisers


def _finite(*values: Any) -> bool:
    return all(v is None or (isinstance(v, int | float) and math.isfinite(v)) for v in values)


def _normalisers() -> dict[str, tuple[Callable[[random.Random], Any], Callable[[Any], str | None]]]:
    from ingest.html import html_to_text
    from transform.locations import LocationResult, parse_location
    from transform.salary import PayResult, parse_pay
    from transform.skills import SkillResult, extract_skills
    from transform.titles import TitleResult, classify_title

    def title_case(rng: random.Random) -> Any:
        return classify_title(
            _text(rng, _TITLE_WORDS),
            company=rng.choice([None, "Acme AI", _hostile_text(rng)]),
            description=rng.choice([None, _text(rng, _SKILLS + list(_TITLE_WORDS))]),
        )

    def pay_case(rng: random.Random) -> Any:
        return parse_pay(
            rng.choice([None, _text(rng, _PAY)]),
            pay_min=rng.choice([None, 0.0, 90000.0, -5.0, 1e300, float("nan"), float("inf")]),
            pay_max=rng.choice([None, 120000.0, 45.5, 1e-9, float("nan")]),
            currency=rng.choice([None, "USD", "EUR", "XXX", "", _hostile_text(rng)]),
            period=rng.choice([None, "year", "hour", "fortnight", ""]),
            is_estimate=rng.choice([None, True, False]),
            country=rng.choice([None, "US", "DE", "IN", "ZZ", ""]),
            location_text=rng.choice([None, *_PLACES]),
        )

    def location_case(rng: random.Random) -> Any:
        return parse_location(
            rng.choice([None, _text(rng, _PLACES)]),
            country=rng.choice([None, "US", "de", "ZZ", ""]),
            remote=rng.choice([None, True, False]),
            work_mode=rng.choice([None, "remote", "hybrid", "onsite", "sometimes"]),
            description=rng.choice([None, _text(rng, _PLACES + _SKILLS)]),
        )

    def check_title(r: Any) -> str | None:
        ok = isinstance(r, TitleResult) and isinstance(r.role, str) and isinstance(r.seniority, str)
        return None if ok and _finite(r.confidence) else f"classify_title returned {r!r}"[:200]

    def check_pay(r: Any) -> str | None:
        if r is None:
            return None
        if not isinstance(r, PayResult):
            return f"parse_pay returned {type(r).__name__}"
        return (
            None
            if _finite(r.salary_min, r.salary_max, r.annual_min, r.annual_max)
            else f"non-finite pay {r!r}"[:200]
        )

    def check_location(r: Any) -> str | None:
        return None if isinstance(r, LocationResult) else f"parse_location returned {type(r).__name__}"

    def check_skills(r: Any) -> str | None:
        return (
            None
            if isinstance(r, SkillResult) and all(isinstance(s, str) for s in r.skills)
            else f"{r!r}"[:200]
        )

    def check_html(r: Any) -> str | None:
        return None if r is None or isinstance(r, str) else f"html_to_text returned {type(r).__name__}"

    return {
        "titles": (title_case, check_title),
        "salary": (pay_case, check_pay),
        "locations": (location_case, check_location),
        "skills": (lambda rng: extract_skills(_text(rng, _SKILLS + list(_TITLE_WORDS))), check_skills),
        "html_to_text": (
            lambda rng: html_to_text(
                rng.choice([None, _text(rng, ["<p>", "</p>", "<li>", "&amp;", "<br/>", *_SKILLS])])
            ),
            check_html,
        ),
    }


def fuzz_normaliser(
    case: Callable[[random.Random], Any], check: Callable[[Any], str | None], n: int, rng: random.Random
) -> Tally:
    tally = Tally()
    for i in range(n):
        tally.inputs += 1
        state = rng.getstate()
        try:
            result = case(rng)
        except Exception as exc:
            tally.fail("crash", f"#{i}: {type(exc).__name__}: {exc} (replay: random state of input {i})")
            rng.setstate(state)
            rng.random()  # move on from the failing input
            continue
        problem = check(result)
        if problem:
            tally.fail("violation", f"#{i}: {problem}")
    return tally


# ----------------------------------------------------------------------------- drill


def run(quick: bool, *, inputs: int | None = None, seed: int = SEED) -> dict[str, Any]:
    """Fuzz every parser and normaliser; return figures, raise ``AssertionError`` on any crash or breach."""
    n = inputs or (QUICK_INPUTS if quick else FULL_INPUTS)
    targets: dict[str, Tally] = {}
    for kind, seeds in _seeds().items():
        targets[f"parse:{kind}"] = fuzz_parser(kind, seeds, n, random.Random(f"{seed}:{kind}"))
    for name, (case, check) in _normalisers().items():
        targets[f"normalise:{name}"] = fuzz_normaliser(case, check, n, random.Random(f"{seed}:{name}"))
    crashes = sum(t.crashes for t in targets.values())
    violations = sum(t.violations for t in targets.values())
    figures: dict[str, Any] = {
        "targets": len(targets),
        "inputs_per_target": n,
        "inputs_fuzzed": sum(t.inputs for t in targets.values()),
        "crashes": crashes,
        "contract_violations": violations,
        "postings_parsed": sum(t.postings for t in targets.values()),
        "record_errors_with_reason": sum(t.errors for t in targets.values()),
        "postings_quarantined_by_loader": sum(t.quarantined for t in targets.values()),
    }
    broken = {name: t.examples for name, t in targets.items() if t.examples}
    if broken:
        figures["failures"] = broken
    assert not crashes and not violations, (
        f"fuzz: {crashes} crashes, {violations} contract violations: {broken}"
    )
    return figures
