"""The sample postings' description text: sections, pay sentences and their HTML / plain rendering.

Held apart from :mod:`jobtrends.sample.payloads` (the per-source payload shapes), which re-exports every
name here. Every description ends with :data:`SYNTHETIC_MARKER`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from jobtrends.sample import text as T
from jobtrends.sample.world import SYNTHETIC_MARKER, Job, Pay, _rng


@dataclass(frozen=True, slots=True)
class Section:
    heading: str | None
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    key: str = ""
    """``about``, ``role``, ``duties``, ``requirements``, ``nice``, ``pay``, ``benefits``, ``footer``."""


# ----------------------------------------------------------------------------- text


def _money(
    amount: float, symbol: str, *, k: bool = False, euro_dots: bool = False, cents: bool = False
) -> str:
    if k:
        return f"{symbol}{amount / 1000:g}K"
    if cents:
        return f"{symbol}{amount:,.2f}"
    s = f"{amount:,.0f}"
    return f"{symbol}{s.replace(',', '.') if euro_dots else s}"


def pay_text(pay: Pay) -> str:
    """The pay as the employer writes it in a description (format chosen by ``pay.style``)."""
    lo, hi, style = pay.min, pay.max, pay.style
    if pay.zones:
        d = max(1000.0, round((hi - lo) / 4 / 1000) * 1000)
        return f"Zone A: ${lo + d:,.0f} - ${hi:,.0f}; Zone B: ${lo:,.0f} - ${hi - d:,.0f}"
    if pay.currency == "USD":
        if pay.period == "hour":
            return [
                f"${lo:g}–${hi:g}/hr",
                f"{_money(lo, '$', cents=True)} - {_money(hi, '$', cents=True)} per hour",
                f"${lo:g} to ${hi:g} an hour",
            ][style % 3]
        return [
            f"{_money(lo, '$')} - {_money(hi, '$')}",
            f"{_money(lo, '$', k=True)}–{_money(hi, '$', k=True)}",
            f"{_money(lo, '$')} to {_money(hi, '$')} per year",
            f"USD {lo:,.0f}–{hi:,.0f} annually",
            f"{_money(lo, '$')}—{_money(hi, '$')} USD",
        ][style % 5]
    if pay.currency == "GBP":
        if pay.period == "hour":
            return f"£{lo:g}–£{hi:g} per hour"
        return [f"£{lo / 1000:g}k–£{hi / 1000:g}k", f"£{lo:,.0f} - £{hi:,.0f} per annum"][style % 2]
    if pay.currency == "EUR":
        if pay.period == "hour":
            return f"€{lo:g} - €{hi:g} per hour"
        return [
            f"{_money(lo, '€', euro_dots=True)} - {_money(hi, '€', euro_dots=True)} per year",
            f"EUR {lo:,.0f} – {hi:,.0f} per year",
        ][style % 2]
    if pay.period == "hour":
        return f"CA${lo:g}–CA${hi:g} per hour"
    return [f"CA${lo:,.0f} - CA${hi:,.0f}", f"${lo:,.0f} - ${hi:,.0f} CAD per year"][style % 2]


def _pay_sentence(pay: Pay) -> str:
    return [
        "The base salary range for this position is {p}. Your final offer depends on skills, experience and location.",
        "Pay: {p}. We also offer equity and a 401(k) match.",
        "Expected base pay for this role: {p}, plus benefits.",
    ][pay.style % 3].format(p=pay_text(pay))


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


_SKILL_GROUPS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "lang",
        ("python", "r", "sql", "java", "scala", "go", "rust", "cpp", "javascript"),
        ("Strong programming skills in {s}", "Production experience with {s}", "Fluency in {s}"),
    ),
    (
        "ml",
        ("pytorch", "tensorflow", "jax", "scikit_learn", "xgboost", "hugging_face", "cuda"),
        (
            "Hands-on experience with {s}",
            "You have trained and shipped models with {s}",
            "Deep familiarity with {s}",
        ),
    ),
    (
        "genai",
        ("llm", "rag", "fine_tuning", "prompt_engineering", "langchain", "vector_db", "ai_agents"),
        ("Experience building products with {s}", "Practical knowledge of {s}", "You have worked with {s}"),
    ),
    (
        "ops",
        (
            "mlflow",
            "kubeflow",
            "wandb",
            "feature_store",
            "model_monitoring",
            "ci_cd",
            "docker",
            "kubernetes",
            "terraform",
        ),
        ("Experience with {s}", "Comfort operating {s} in production", "You know your way around {s}"),
    ),  # fmt: skip
    (
        "cloud",
        ("aws", "sagemaker", "gcp", "vertex_ai", "azure", "azure_ml"),
        ("Experience with {s}", "Familiarity with cloud platforms such as {s}"),
    ),
    (
        "data",
        ("databricks", "spark", "airflow", "kafka", "snowflake", "dbt", "tableau", "excel"),
        ("Experience with {s}", "You have built data workflows with {s}", "Working knowledge of {s}"),
    ),
    (
        "domain",
        (
            "machine_learning",
            "deep_learning",
            "nlp",
            "computer_vision",
            "reinforcement_learning",
            "statistics",
        ),
        ("A solid grounding in {s}", "Background in {s}", "Depth in {s}"),
    ),
)


def sections(seed: int, job: Job) -> tuple[Section, ...]:
    """The description of ``job`` as sections (rendered per source as HTML, lists or plain text)."""
    rng = _rng(seed, "desc", job.id)
    c = job.company
    about = [rng.choice(T.COMPANY_BLURBS).format(name=c.name) + " " + rng.choice(T.COMPANY_DETAILS)]
    if rng.random() < 0.45:
        about.append(rng.choice(T.TRAP_SENTENCES))
    where = "remotely" if job.work_mode == "remote" else f"from our {job.city} office" if job.city else ""
    codename = rng.choice(T.CODENAMES)
    role_par = [
        f"We are looking for a {job.title.split(' (')[0].split(' [')[0]} to join the {job.team} team {where}. "
        f"You will work on Project {codename}, one of our priorities for the next two years.".replace(
            "  ", " "
        ),
        rng.choice(
            (
                "The team is small, senior and pragmatic, and ships every week.",
                "You will report to the head of the group and work with people across the company.",
                "This is a new team, so you will shape how it works from day one.",
                "You will join an established team with a strong culture of code review and documentation.",
            )
        ),
    ]
    duties = rng.sample(T.DUTIES[job.role], k=min(len(T.DUTIES[job.role]), rng.randint(4, 6)))
    required = [T.YEARS_BY_SENIORITY[job.seniority]]
    nice: list[str] = []
    for _name, members, templates in _SKILL_GROUPS:
        chosen = [s for s in members if s in job.skills]
        if not chosen:
            continue
        phrases = [rng.choice(T.SKILL_PHRASES[s]) for s in chosen]
        if len(phrases) > 2 and rng.random() < 0.5:
            cut = rng.randint(1, len(phrases) - 1)
            required.append(rng.choice(templates).format(s=_join(phrases[:cut])))
            nice.append(f"Exposure to {_join(phrases[cut:])}")
        elif rng.random() < 0.8:
            required.append(rng.choice(templates).format(s=_join(phrases)))
        else:
            nice.append(f"Experience with {_join(phrases)} is a plus")
    required += rng.sample(T.GENERIC_REQUIREMENTS, k=2)
    rng.shuffle(required)
    out = [
        Section(f"About {c.name}", tuple(about), key="about"),
        Section("About the role", tuple(role_par), key="role"),
        Section("What you'll do", items=tuple(duties), key="duties"),
        Section("What you bring", items=tuple(required), key="requirements"),
    ]
    if nice:
        out.append(Section("Nice to have", items=tuple(nice), key="nice"))
    if job.pay is not None:
        out.append(Section("Compensation", (_pay_sentence(job.pay),), key="pay"))
    out.append(Section("Benefits", items=tuple(rng.sample(T.BENEFITS, k=rng.randint(3, 5))), key="benefits"))
    out.append(Section("How we hire", tuple(rng.sample(T.PROCESS, k=rng.randint(1, 2))), key="process"))
    out.append(Section(None, (T.EEO.format(name=c.name), SYNTHETIC_MARKER), key="footer"))
    return tuple(out)


def description_html(seed: int, job: Job) -> str:
    """The whole description as HTML (what JSON-LD, Ashby and RemoteOK carry)."""
    return render_html(sections(seed, job))


def render_html(secs: tuple[Section, ...] | list[Section]) -> str:
    parts = []
    for s in secs:
        if s.heading:
            parts.append(f"<p><strong>{html.escape(s.heading)}</strong></p>")
        parts += [f"<p>{html.escape(p)}</p>" for p in s.paragraphs]
        if s.items:
            parts.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in s.items) + "</ul>")
    return "\n".join(parts)


def render_plain(secs: tuple[Section, ...] | list[Section]) -> str:
    parts = []
    for s in secs:
        block = [s.heading.upper()] if s.heading else []
        block += list(s.paragraphs) + [f"• {i}" for i in s.items]
        parts.append("\n".join(block))
    return "\n\n".join(parts)


# Job sections are rebuilt on demand and cached per world (cheap, deterministic).
def _secs(world: Any, job: Job) -> tuple[Section, ...]:
    cache: dict[int, tuple[Section, ...]] = world.__dict__.setdefault("_sections_cache", {})
    got = cache.get(job.id)
    if got is None:
        got = cache[job.id] = sections(world.seed, job)
    return got
