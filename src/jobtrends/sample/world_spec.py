"""The sample world's fixed design: the targets it is built to hit and the fictional companies.

Pure data (no randomness), held apart from :mod:`jobtrends.sample.world` (the generator), which re-exports
every name here.
"""

from __future__ import annotations

from dataclasses import dataclass

# ----------------------------------------------------------------------------- targets

NEW_ROLES_PANEL: dict[str, tuple[int, int]] = {
    # role: (new unique roles 2024, 2025) on the fixed panel of companies present in both years
    "ai_ml_engineer": (700, 1701),  # +143%
    "mlops_engineer": (250, 450),
    "prompt_engineer": (60, 110),
    "ai_governance": (30, 150),
    "forward_deployed_engineer": (80, 260),
    "data_scientist": (600, 650),
    "research_scientist": (250, 380),
    "data_annotator": (120, 240),
    "ai_product_manager": (90, 200),
    "software_engineer": (2500, 2300),
    "data_engineer": (600, 600),
    "data_analyst": (500, 450),
    "devops_engineer": (500, 480),
    "product_manager": (400, 380),
    "other": (1700, 1600),
}
NEW_ROLES_NEWCOS_2025: dict[str, int] = {
    # new unique roles in 2025 at the companies that start posting in 2025 (not in the panel)
    "ai_ml_engineer": 300,
    "mlops_engineer": 80,
    "prompt_engineer": 25,
    "ai_governance": 15,
    "forward_deployed_engineer": 60,
    "data_scientist": 40,
    "research_scientist": 70,
    "data_annotator": 40,
    "ai_product_manager": 30,
    "software_engineer": 250,
    "data_engineer": 50,
    "data_analyst": 30,
    "devops_engineer": 40,
    "product_manager": 40,
    "other": 150,
}
MONTH_WEIGHTS: tuple[float, ...] = (1.06, 1.02, 1.1, 1.04, 1.0, 0.97, 0.93, 0.96, 1.04, 1.03, 0.98, 0.87)
PRE_PERIOD_MONTHS: tuple[tuple[int, int], ...] = ((2023, 11), (2023, 12))
"""Roles first published before 2024 (2024 volumes) so the first snapshot is not empty."""

SKILL_SHARE_TARGETS: dict[str, dict[int, float]] = {
    "pytorch": {2024: 0.45, 2025: 0.62},
    "tensorflow": {2024: 0.38, 2025: 0.22},
}
"""Share of ``ai_ml_engineer`` roles (by first-published year) whose description names the skill."""

MID_PAY_USD: dict[str, int] = {
    "ai_ml_engineer": 170_000,
    "mlops_engineer": 165_000,
    "prompt_engineer": 140_000,
    "ai_governance": 150_000,
    "forward_deployed_engineer": 175_000,
    "data_scientist": 150_000,
    "research_scientist": 200_000,
    "data_annotator": 62_000,
    "ai_product_manager": 180_000,
    "software_engineer": 145_000,
    "data_engineer": 140_000,
    "data_analyst": 100_000,
    "devops_engineer": 135_000,
    "product_manager": 150_000,
    "other": 95_000,
}
"""Median annual USD pay midpoint of the Mid band per role (Entry/Senior+/Manager scale from it)."""
BAND_FACTOR: dict[str, float] = {
    "entry": 135 / 170,
    "mid": 1.0,
    "unspecified": 1.0,
    "senior_plus": 215 / 170,
    "manager": 1.4,
}
PAY_SIGMA = 0.15
"""Log-scale spread of pay midpoints within a (role, band): p25/p75 ≈ median × 0.904 / 1.106."""
PAY_SHARE_BY_COUNTRY: dict[str, float] = {"US": 0.72, "GB": 0.45, "DE": 0.35, "CA": 0.6}
CURRENCY: dict[str, str] = {"US": "USD", "GB": "GBP", "DE": "EUR", "CA": "CAD"}
FALLBACK_UNITS_PER_USD: dict[str, float] = {"USD": 1.0, "GBP": 0.79, "EUR": 0.92, "CAD": 1.36}
REPOST_RATE = 0.08
"""Share of roles published again under a new id (same text, title and place) soon after closing."""
REPOST_GAP_DAYS: tuple[int, int] = (3, 14)
"""Days between closing and the repost: short enough that a 45-day repost window joins them even when
the closing is only seen at the next monthly snapshot."""
KEY_QUIET_DAYS = 80
"""Two distinct roles of a company never share (title without level, place) within this many days of
the earlier one closing (45-day repost window + a month of snapshot granularity), so key-based dedup
cannot merge them."""
CROSSPOST_RATE = 0.35
"""Share of remote roles at Greenhouse/Lever/Ashby companies also posted on RemoteOK."""

# ----------------------------------------------------------------------------- companies

ROLE_AFFINITY: dict[str, dict[str, float]] = {
    "ai_lab": {
        "ai_ml_engineer": 4.0, "mlops_engineer": 4.0, "prompt_engineer": 5.0, "ai_governance": 3.0,
        "forward_deployed_engineer": 5.0, "data_scientist": 1.0, "research_scientist": 6.0,
        "data_annotator": 6.0, "ai_product_manager": 3.0, "software_engineer": 0.8, "data_engineer": 0.6,
        "data_analyst": 0.3, "devops_engineer": 0.6, "product_manager": 0.5, "other": 0.7,
    },
    "tech": {
        "ai_ml_engineer": 1.0, "mlops_engineer": 0.8, "prompt_engineer": 0.4, "ai_governance": 0.5,
        "forward_deployed_engineer": 0.4, "data_scientist": 1.0, "research_scientist": 0.3,
        "data_annotator": 0.2, "ai_product_manager": 0.8, "software_engineer": 1.2, "data_engineer": 1.0,
        "data_analyst": 0.9, "devops_engineer": 1.0, "product_manager": 1.0, "other": 0.9,
    },
    "industry": {
        "ai_ml_engineer": 0.6, "mlops_engineer": 0.4, "prompt_engineer": 0.2, "ai_governance": 1.0,
        "forward_deployed_engineer": 0.1, "data_scientist": 1.2, "research_scientist": 0.2,
        "data_annotator": 0.1, "ai_product_manager": 0.4, "software_engineer": 0.9, "data_engineer": 1.1,
        "data_analyst": 1.5, "devops_engineer": 1.0, "product_manager": 0.8, "other": 1.6,
    },
}  # fmt: skip

OFFICES: dict[str, tuple[tuple[str, str, str], ...]] = {
    # country: (city, region, display) choices
    "US": (
        ("San Francisco", "CA", "San Francisco, CA"),
        ("New York", "NY", "New York, NY"),
        ("Seattle", "WA", "Seattle, WA"),
        ("Austin", "TX", "Austin, TX"),
        ("Boston", "MA", "Boston, MA"),
    ),
    "GB": (("London", "England", "London, UK"), ("Manchester", "England", "Manchester, United Kingdom")),
    "DE": (("Berlin", "Berlin", "Berlin, Germany"), ("Munich", "Bavaria", "Munich, Germany")),
    "CA": (("Toronto", "ON", "Toronto, ON"), ("Vancouver", "BC", "Vancouver, BC, Canada")),
}
REMOTE_LABELS: dict[str, tuple[str, ...]] = {
    "US": ("Remote (US)", "Remote - United States", "United States (Remote)"),
    "GB": ("Remote - UK", "Remote (United Kingdom)"),
    "DE": ("Remote (Germany)", "Remote - Germany"),
    "CA": ("Remote, Canada", "Remote (Canada)"),
}


@dataclass(frozen=True, slots=True)
class Company:
    """A fictional employer with one board on one source."""

    key: str
    name: str
    kind: str
    """``greenhouse``, ``lever``, ``ashby`` or ``jsonld``."""
    board: str
    type: str
    size: float
    countries: tuple[tuple[str, float], ...]
    remote_share: float
    start_year: int = 2023
    host: str | None = None
    """Career-site host of ``jsonld`` companies."""

    @property
    def in_panel(self) -> bool:
        return self.start_year < 2025

    @property
    def source_name(self) -> str:
        return f"{self.kind}:{self.board}"


def _c(key: str, name: str, kind: str, type_: str, size: float, countries: str, remote: float, start: int = 2023,
       host: str | None = None) -> Company:  # fmt: skip
    parsed = tuple((part.split(":")[0], float(part.split(":")[1])) for part in countries.split(","))
    return Company(key, name, kind, key, type_, size, parsed, remote, start, host)


COMPANIES: tuple[Company, ...] = (
    # Greenhouse
    _c("synthetica", "Synthetica Labs", "greenhouse", "ai_lab", 3.0, "US:0.8,GB:0.2", 0.25),
    _c("mockingbird-ai", "Mockingbird AI (Sample Co.)", "greenhouse", "ai_lab", 2.0, "US:1", 0.3),
    _c("placeholder-analytics", "Placeholder Analytics", "greenhouse", "tech", 2.0, "US:0.7,CA:0.3", 0.3),
    _c("pretend-payments", "Pretend Payments", "greenhouse", "tech", 2.5, "US:0.6,GB:0.4", 0.2),
    _c("sample-cloud", "Sample Cloud Systems", "greenhouse", "tech", 3.0, "US:0.8,DE:0.2", 0.35),
    _c("lorem-ipsum-media", "Lorem Ipsum Media", "greenhouse", "tech", 1.5, "US:1", 0.2),
    _c("testbed-retail", "Testbed Retail Group", "greenhouse", "industry", 2.0, "US:0.8,CA:0.2", 0.1),
    _c("sandbox-security", "Sandbox Security", "greenhouse", "tech", 1.5, "US:0.7,GB:0.3", 0.3),
    _c("hypothetical-health", "Hypothetical Health", "greenhouse", "industry", 2.0, "US:1", 0.15),
    _c("notreal-logistics", "NotReal Logistics", "greenhouse", "industry", 1.5, "US:0.6,DE:0.4", 0.1),
    _c("dummy-bank", "Dummy Bank UK (Fictional)", "greenhouse", "industry", 2.0, "GB:1", 0.15),
    _c("fixture-foods", "Fixture Foods", "greenhouse", "industry", 1.0, "US:1", 0.05),
    _c("brandnew-agents", "Brandnew Agents (Sample Co.)", "greenhouse", "ai_lab", 2.0, "US:1", 0.3, 2025),
    _c("latecomer-ai", "Latecomer AI", "greenhouse", "ai_lab", 1.5, "US:0.7,GB:0.3", 0.25, 2025),
    # Lever
    _c("examplesoft", "ExampleSoft", "lever", "tech", 2.0, "US:1", 0.3),
    _c("mocksworth-ai", "Mocksworth AI", "lever", "ai_lab", 1.5, "US:0.6,GB:0.4", 0.3),
    _c("stand-in-systems", "Stand-In Systems GmbH", "lever", "tech", 1.5, "DE:1", 0.15),
    _c("prototype-pharma", "Prototype Pharma", "lever", "industry", 1.5, "US:0.7,GB:0.3", 0.1),
    _c("surrogate-ads", "Surrogate Ads", "lever", "tech", 1.0, "US:1", 0.25),
    _c("simulated-mobility", "Simulated Mobility", "lever", "tech", 1.2, "US:0.5,DE:0.5", 0.15),
    _c("ersatz-energy", "Ersatz Energy AG", "lever", "industry", 1.0, "DE:1", 0.05),
    _c("quasi-quant", "Quasi Quant Ltd", "lever", "industry", 1.0, "GB:1", 0.1),
    _c("fictive-games", "Fictive Games", "lever", "tech", 1.2, "CA:1", 0.2),
    _c("freshstart-labs", "Freshstart Labs (Sample Co.)", "lever", "ai_lab", 1.5, "US:0.6,CA:0.4", 0.3, 2025),
    # Ashby
    _c("imitation-intelligence", "Imitation Intelligence", "ashby", "ai_lab", 2.5, "US:0.8,CA:0.2", 0.3),
    _c("scaffold-dev", "Scaffold Dev Tools", "ashby", "tech", 1.5, "US:1", 0.4),
    _c("dryrun-data", "DryRun Data", "ashby", "tech", 1.5, "US:0.7,GB:0.3", 0.3),
    _c("stubbed-hr", "Stubbed HR", "ashby", "tech", 1.0, "US:1", 0.3),
    _c("specimen-bio", "Specimen Bio", "ashby", "industry", 1.0, "US:0.6,GB:0.4", 0.1),
    _c("makebelieve-ml", "MakeBelieve ML", "ashby", "ai_lab", 1.5, "CA:1", 0.25),
    _c("mapleleaf-mock", "Mapleleaf Mock Inc.", "ashby", "tech", 1.0, "CA:1", 0.2),
    _c("nascent-neural", "Nascent Neural (Sample Co.)", "ashby", "ai_lab", 1.5, "US:1", 0.35, 2025),
    # schema.org JSON-LD career sites
    _c("example-robotics", "Example Robotics", "jsonld", "tech", 0.2, "US:1", 0.1,
       host="careers.example-robotics.test"),
    _c("demo-manufacturing", "Demo Manufacturing", "jsonld", "industry", 0.2, "US:0.5,DE:0.5", 0.0,
       host="careers.demo-manufacturing.test"),
    _c("trial-insurance", "Trial Insurance", "jsonld", "industry", 0.2, "GB:1", 0.1,
       host="jobs.trial-insurance.test"),
)  # fmt: skip
