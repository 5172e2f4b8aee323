"""Normalised layer suite: roles, levels, pay and places in ``normalised.postings`` are usable.

The frame joins ``raw.postings`` for the publication date (the future-date check) and adds
``is_other`` so the share of unclassified postings is a plain column mean. The moving bound
"not in the future" is a suite parameter (``max_posted_at``) that :mod:`jobtrends.quality` fills in
at validation time, so the suite itself stays a constant.

The grain and the taxonomy version are structural (a failure blocks publishing); every other critical
check is row-level: a failing row version is quarantined and left out of the marts.
"""

from __future__ import annotations

import great_expectations as gx

from . import critical, warning

SUITE_NAME = "normalised"
TABLE = "normalised.postings"

# ../shared/guide/taxonomy.md, version 1 (also src/transform/taxonomy/taxonomy_v1.yaml).
AI_ROLES: tuple[str, ...] = (
    "ai_ml_engineer",
    "mlops_engineer",
    "prompt_engineer",
    "ai_governance",
    "forward_deployed_engineer",
    "data_scientist",
    "research_scientist",
    "data_annotator",
    "ai_product_manager",
)
COMPARABLE_ROLES: tuple[str, ...] = (
    "software_engineer",
    "data_engineer",
    "data_analyst",
    "devops_engineer",
    "product_manager",
    "other",
)
ROLES: tuple[str, ...] = AI_ROLES + COMPARABLE_ROLES
SENIORITIES: tuple[str, ...] = (
    "intern",
    "entry",
    "mid",
    "senior",
    "staff_principal",
    "manager",
    "unspecified",
)
PAY_PERIODS: tuple[str, ...] = ("hour", "day", "week", "month", "year")
WORK_MODES: tuple[str, ...] = ("remote", "hybrid", "onsite")
SALARY_SOURCES: tuple[str, ...] = ("structured", "text")

MIN_ANNUAL_USD = 5_000.0
MAX_ANNUAL_USD = 2_000_000.0
# Share of postings classified `other`: outside this band the classifier (or a source) is suspect.
OTHER_SHARE_BAND = (0.02, 0.95)


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ISO 4217 active currency codes (2025).
ISO_4217: frozenset[str] = _codes(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN
    BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV
    MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG
    SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN
    UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL
    """
)

# ISO 3166-1 alpha-2 country codes (and XK, Kosovo, as used by job boards).
ISO_3166_ALPHA2: frozenset[str] = _codes(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
    BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH
    ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT
    HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS
    LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI
    NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG
    SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG
    UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK
    """
)

ROW_KEY = ("posting_key", "content_hash", "taxonomy_version")
ADDED_AT = "normalised_at"


def frame_sql(where: str | None = None) -> str:
    """The validation frame over the rows ``where`` selects (on alias ``n``; all rows when None).

    A batch reads only the raw rows of its own posting versions; the full frame groups all of them.
    """
    raw_rows = (
        "true"
        if where is None
        else "(posting_key, content_hash) in (select posting_key, content_hash from n)"
    )
    return f"""
with n as (
    select n.rowid as _rowid, n.*
    from {TABLE} as n
    where {where or "true"}
)
select
    n._rowid,
    n.posting_key,
    n.content_hash,
    n.taxonomy_version,
    n.role,
    n.seniority,
    n.is_ai_role,
    n.role_confidence,
    n.salary_min,
    n.salary_max,
    n.salary_currency,
    n.salary_period,
    n.annual_min_usd,
    n.annual_max_usd,
    n.salary_source,
    n.country,
    n.work_mode,
    n.role || ':' || coalesce(n.is_ai_role::varchar, 'null') as role_ai_pair,
    r.posted_at,
    n.role = 'other'              as is_other,
    n.{ADDED_AT}                  as _added_at
from n
left join (
    select posting_key, content_hash, min(posted_at) as posted_at
    from raw.postings
    where {raw_rows}
    group by posting_key, content_hash
) as r on r.posting_key = n.posting_key and r.content_hash = n.content_hash
"""


FRAME_SQL = frame_sql()

QUARANTINE_COLUMNS = ("posting_key",)
RECORD_SQL = f"select rowid as _rowid, * from {TABLE}"

# Suite parameters quality.py must supply (name -> meaning).
PARAMETERS = {"max_posted_at": "validation time + 1 day (a posting cannot be published in the future)"}


def build_suite(
    *, min_base: int, other_share_band: tuple[float, float] = OTHER_SHARE_BAND
) -> gx.ExpectationSuite:
    e = gx.expectations
    # (role, is_ai_role) agreement as one derived column: GX's column-pair set check is row-by-row Python
    # (9 s per 100k rows); a value-set check on 'role:is_ai_role' is vectorised.
    role_pairs = [f"{role}:{str(role in AI_ROLES).lower()}" for role in ROLES]
    return gx.ExpectationSuite(
        name=SUITE_NAME,
        expectations=[
            # grain and taxonomy
            critical(
                e.ExpectCompoundColumnsToBeUnique(
                    column_list=["posting_key", "content_hash", "taxonomy_version"]
                ),
                "duplicate normalised row (same posting version and taxonomy version)",
                structural=True,
            ),
            critical(
                e.ExpectColumnValuesToNotBeNull(column="taxonomy_version"),
                "taxonomy_version is missing",
                structural=True,
            ),
            critical(e.ExpectColumnValuesToNotBeNull(column="role"), "role is missing"),
            critical(
                e.ExpectColumnValuesToBeInSet(column="role", value_set=list(ROLES)),
                "role not in the taxonomy",
            ),
            critical(e.ExpectColumnValuesToNotBeNull(column="seniority"), "seniority is missing"),
            critical(
                e.ExpectColumnValuesToBeInSet(column="seniority", value_set=list(SENIORITIES)),
                "seniority not in the taxonomy",
            ),
            critical(
                e.ExpectColumnValuesToBeInSet(column="role_ai_pair", value_set=role_pairs),
                "is_ai_role disagrees with the role",
            ),
            warning(
                e.ExpectColumnValuesToBeBetween(column="role_confidence", min_value=0, max_value=1),
                "role_confidence outside [0, 1]",
            ),
            warning(
                e.ExpectColumnMeanToBeBetween(
                    column="is_other", min_value=other_share_band[0], max_value=other_share_band[1]
                ),
                f"share of postings classified `other` outside {other_share_band[0]:.0%}–{other_share_band[1]:.0%}",
                min_rows=min_base,
            ),
            # pay
            critical(
                e.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="salary_max",
                    column_B="salary_min",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                ),
                "salary_min greater than salary_max",
            ),
            critical(
                e.ExpectColumnValuesToBeBetween(
                    column="annual_min_usd", min_value=MIN_ANNUAL_USD, max_value=MAX_ANNUAL_USD
                ),
                "annual_min_usd outside 5k–2M USD",
            ),
            critical(
                e.ExpectColumnValuesToBeBetween(
                    column="annual_max_usd", min_value=MIN_ANNUAL_USD, max_value=MAX_ANNUAL_USD
                ),
                "annual_max_usd outside 5k–2M USD",
            ),
            critical(
                e.ExpectColumnValuesToBeInSet(column="salary_currency", value_set=sorted(ISO_4217)),
                "salary_currency is not an ISO 4217 code",
            ),
            critical(
                e.ExpectColumnValuesToBeInSet(column="salary_period", value_set=list(PAY_PERIODS)),
                "salary_period not hour/day/week/month/year",
            ),
            warning(
                e.ExpectColumnValuesToBeInSet(column="salary_source", value_set=list(SALARY_SOURCES)),
                "salary_source not structured/text",
            ),
            # place and time
            warning(
                e.ExpectColumnValuesToBeInSet(column="country", value_set=sorted(ISO_3166_ALPHA2)),
                "country is not an ISO 3166-1 alpha-2 code",
            ),
            warning(
                e.ExpectColumnValuesToBeInSet(column="work_mode", value_set=list(WORK_MODES)),
                "work_mode not remote/hybrid/onsite",
            ),
            critical(
                e.ExpectColumnValuesToBeBetween(
                    column="posted_at", max_value={"$PARAMETER": "max_posted_at"}
                ),
                "posted_at is in the future",
            ),
        ],
    )
