"""Taxonomy 1.1.0 (issue 12): specialty areas, other languages, company context, seniority fixes.

Every title here is hand-written for its class (none is taken from ../shared).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import rule_errors
from transform import titles
from transform.seniority import classify_seniority
from transform.taxonomy import load_taxonomy
from transform.titles import TAXONOMY_VERSION, classify_title

LAB = "Anthropic"  # an AI lab of companies.yaml
VENDOR = "Appen"  # an AI data vendor of companies.yaml
PLAIN = "Acme Logistics"  # neither


def role(title: str, company: str | None = None, description: str | None = None) -> str:
    return classify_title(title, company, description).role


def level(title: str) -> str:
    return classify_title(title).seniority


def test_version_is_stamped() -> None:
    assert TAXONOMY_VERSION == "1.1.0"
    assert classify_title("Entwickler (m/w/d)").taxonomy_version == "1.1.0"
    assert classify_title("Software Engineer, Fleet", LAB).taxonomy_version == "1.1.0"


# --------------------------------------------------------------------------------------------------
# Specialty areas of generic titles
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # research areas
        ("Member of Technical Staff, Post-Training Data", "research_scientist"),
        ("Member of Technical Staff - Mechanistic Interpretability", "research_scientist"),
        ("Engineer – Multimodal Reasoning", "research_scientist"),
        ("Tech Lead, Reward Models", "research_scientist"),
        # AI infrastructure
        ("Member of Technical Staff, Inference Scheduling", "mlops_engineer"),
        ("Software Engineer – Model Serving Latency", "mlops_engineer"),
        ("Staff Software Engineer, Training Runtime", "mlops_engineer"),
        ("Engineering Manager, LLM Platform Reliability", "mlops_engineer"),
        ("Technical Lead, Inference Serving", "mlops_engineer"),
        # applied ML
        ("Software Engineer, Recommendations Ranking", "ai_ml_engineer"),
        ("Backend Engineer - Coding Agents", "ai_ml_engineer"),
        # other families keep their family
        ("Software Engineer, Security Tooling", "other"),
        ("Engineering Manager, Detection & Response Automation", "other"),
        ("Software Engineer, Data Platform", "data_engineer"),
        ("Engineering Manager, Big Data Pipelines", "data_engineer"),
        ("Software Engineer, Kubernetes Runtime", "devops_engineer"),
        ("Staff Software Engineer - Cloud Infrastructure Automation", "devops_engineer"),
        ("Software Engineer - Infrastructure", "devops_engineer"),
        ("Software Engineer, Ledger Infrastructure", "software_engineer"),  # infra only as part of an area
        ("Software Engineer, Payments", "software_engineer"),
        ("Member of Technical Staff, Billing", "software_engineer"),
        ("Engineering Manager, Prompt Tooling", "prompt_engineer"),
        # product managers with an AI area
        ("Product Manager, Model Behaviour", "ai_product_manager"),
        ("Product Manager, Checkout", "product_manager"),
    ],
)
def test_specialty_area_decides_generic_titles(title: str, expected: str) -> None:
    assert role(title) == expected


def test_lab_only_areas_need_the_company() -> None:
    for title, lab_role in (
        ("Software Engineer, GPU Fleet Health", "mlops_engineer"),
        ("Senior Engineer, Datacenter Capacity Automation", "mlops_engineer"),
        ("Member of Technical Staff, Modelling Team", "research_scientist"),
        ("Software Engineer, Evals Tooling", "ai_ml_engineer"),
        ("Engineering Manager, Agents Experience", "ai_ml_engineer"),
    ):
        assert role(title) == "software_engineer", title
        assert role(title, PLAIN) == "software_engineer", title
        assert role(title, LAB) == lab_role, title
        # an AI-sounding description is not enough to read an area as AI
        assert role(title, PLAIN, "We use machine learning everywhere.") == "software_engineer", title
    # a description still decides the ambiguous job nouns, with or without a (non-AI) company
    desc = "You will write and grade answers that train our AI models."
    assert role("Geography Tutor", PLAIN, desc) == "data_annotator"
    assert role("Geography Tutor", None, desc) == "data_annotator"
    assert role("Geography Tutor", PLAIN, "Help pupils prepare for exams.") == "other"
    # an AI qualifier in the title stands in for the company
    assert role("Software Engineer, GPU Kernels for ML") == "mlops_engineer"


def test_research_engineer_at_a_lab_and_non_ai_research() -> None:
    assert role("Research Engineer, Notebook Team", LAB) == "research_scientist"
    assert role("Research Engineer, Notebook Team", PLAIN) == "other"
    assert role("Research Scientist, Labour Economics", LAB) == "other"
    assert role("Research Engineer, Marine Biology", LAB) == "other"
    assert role("Research Scientist, Biology Foundation Models", LAB) == "research_scientist"
    assert role("Research Engineer / ML Engineer, Speech") == "research_scientist"  # first named AI role
    assert role("Machine Learning Engineer / Research Engineer") == "ai_ml_engineer"
    assert role("Talent Partner, AI Research") == "other"  # a team name on a recruiting job
    assert role("Research Resident, Vision", LAB) == "research_scientist"


# --------------------------------------------------------------------------------------------------
# Tutors, trainers, raters
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "company", "expected"),
    [
        ("Organic Chemistry Tutor", "Scale AI", "data_annotator"),
        ("History Tutor", VENDOR, "data_annotator"),
        ("History Tutor", PLAIN, "other"),
        ("LLM Trainer - Tax Law", None, "data_annotator"),
        ("Chatbot Teacher (Contract)", None, "data_annotator"),
        ("AI Tutor – Swahili", None, "data_annotator"),
        ("Relevance Grader - Italian - Italy", None, "data_annotator"),
        ("Answer Quality Rater - Polish", None, "data_annotator"),
        ("Dutch Speech Transcriber", VENDOR, "data_annotator"),
        ("Dutch Speech Transcriber", PLAIN, "other"),
        ("Math Teacher", None, "other"),
    ],
)
def test_tutors_and_trainers(title: str, company: str | None, expected: str) -> None:
    assert role(title, company) == expected


# --------------------------------------------------------------------------------------------------
# Analytics leads, QA and test engineers, tech leads, FDE, governance
# --------------------------------------------------------------------------------------------------
def test_analytics_test_and_lead_titles() -> None:
    assert role("Head of Advanced Analytics") == "data_analyst"
    assert role("Advanced Analytics Lead, Pricing") == "data_analyst"
    assert role("Director of Analytics") == "data_analyst"
    assert role("QA Tester") == "software_engineer"
    assert role("Software Test Engineer II") == "software_engineer"
    assert role("Test Engineer (Automation)") == "software_engineer"
    assert role("Manufacturing Test Engineer") == "other"
    assert role("Tech Lead, Checkout") == "software_engineer"
    assert role("AI Team Lead") == "ai_ml_engineer"
    assert level("AI Team Lead") == "senior"
    assert role("TLM, Growth") == "software_engineer"
    assert role("Technical Program Manager, Storage") == "other"
    assert role("TPM, Data Center Buildout") == "other"


def test_forward_deployed_and_its_neighbours() -> None:
    assert role("Applied AI Architect, Retail") == "forward_deployed_engineer"
    assert role("Forward Deployed Engineer, Energy") == "forward_deployed_engineer"
    assert role("Engineering Manager, Forward Deployed") == "forward_deployed_engineer"
    assert role("Talent Acquisition Partner, Forward Deployed Engineering") == "other"
    assert role("Program Manager, FDE Enablement") == "other"
    assert role("Customer Success Engineer") == "other"
    assert role("AI Success Engineer") == "forward_deployed_engineer"


def test_governance_ranks_after_explicit_jobs() -> None:
    assert role("Responsible AI Lead") == "ai_governance"
    assert role("Technical Program Manager, Responsible AI") == "other"
    assert role("Researcher, Responsible AI") == "research_scientist"
    assert role("Model Policy Lead, Elections", LAB) == "ai_governance"
    assert role("Policy Manager, Elections", PLAIN) == "other"


# --------------------------------------------------------------------------------------------------
# Other languages
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "expected_role", "expected_level"),
    [
        # German
        ("Softwareentwickler (m/w/d)", "software_engineer", "unspecified"),
        ("Senior Backend-Entwicklerin (w/m/d)", "software_engineer", "senior"),
        ("Werkstudent Datenanalyse (m/w/d)", "other", "intern"),
        ("Datenanalyst:in Marketing", "data_analyst", "unspecified"),
        ("Teamleiter IT-Infrastruktur", "other", "senior"),
        ("Leiter Softwareentwicklung (m/w/x)", "software_engineer", "manager"),
        ("Praktikum Data Science (all genders)", "data_scientist", "intern"),
        ("KI-Entwickler (m/w/d)", "ai_ml_engineer", "unspecified"),
        # French
        ("Développeur Full Stack H/F", "software_engineer", "unspecified"),
        ("Ingénieur Logiciel Confirmé (H/F)", "software_engineer", "mid"),
        ("Data Scientist - Stage 6 mois", "data_scientist", "intern"),
        ("Alternance - Ingénieur DevOps", "devops_engineer", "intern"),
        ("Chef de produit IA", "ai_product_manager", "unspecified"),
        ("Ingénieur Machine Learning Expérimenté", "ai_ml_engineer", "senior"),
        # Portuguese
        ("Desenvolvedora Java Sênior", "software_engineer", "senior"),
        ("Engenheiro de Dados Pleno", "data_engineer", "mid"),
        ("Analista de Dados Júnior", "data_analyst", "entry"),
        ("Estágio em Desenvolvimento de Software", "software_engineer", "intern"),
        ("Cientista de Dados Especialista", "data_scientist", "unspecified"),
        # Spanish
        ("Desarrollador Backend Semi Senior", "software_engineer", "mid"),
        ("Ingeniera de Datos", "data_engineer", "unspecified"),
        ("Científico de Datos - Prácticas", "data_scientist", "intern"),
        ("Gerente de Ingeniería de Software", "software_engineer", "manager"),
        # Chinese
        ("高级后端开发工程师", "software_engineer", "senior"),
        ("算法工程师（推荐方向）", "ai_ml_engineer", "unspecified"),
        ("大模型研究员", "research_scientist", "unspecified"),
        ("数据分析实习生", "data_analyst", "intern"),
        ("技术总监", "other", "manager"),
        ("测试工程师 15-25k", "software_engineer", "unspecified"),
        ("数据标注员", "data_annotator", "unspecified"),
        ("移动端测试", "software_engineer", "unspecified"),
        ("区块链开发工程师（共识算法）", "software_engineer", "unspecified"),
    ],
)
def test_other_languages_read_like_their_english_twins(
    title: str, expected_role: str, expected_level: str
) -> None:
    r = classify_title(title)
    assert (r.role, r.seniority) == (expected_role, expected_level)


def test_english_words_that_look_foreign_stay_english() -> None:
    assert level("Early Stage Startup Engineer") == "unspecified"
    assert level("Stage Manager") != "intern"
    assert role("Data Analyst - Des Moines, IA") == "data_analyst"
    assert role("Ingénieur IA") == "ai_ml_engineer"


_MARKERS = st.sampled_from(
    ["(m/w/d)", "(w/m/d)", "(m/f/d)", "(f/m/d)", "H/F", "(H/F)", "F/H", "(all genders)"]
)
_TITLES = st.sampled_from(
    [
        "Senior Data Engineer",
        "Machine Learning Engineer",
        "Product Manager",
        "Junior Frontend Developer",
        "Softwareentwickler",
        "Développeur Python",
        "Head of Data Science",
        "Site Reliability Engineer",
    ]
)


@settings(max_examples=60, deadline=None)
@given(_TITLES, _MARKERS, st.sampled_from([" ", " - ", ", "]))
def test_gender_markers_are_noise(title: str, marker: str, sep: str) -> None:
    plain = classify_title(title)
    marked = classify_title(title + sep + marker)
    assert (marked.role, marked.seniority) == (plain.role, plain.seniority)


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), max_size=80))
def test_reading_is_total_and_keeps_english_titles(text: str) -> None:
    from ingest.textnorm import clean_text
    from transform.title_text import match_text, read_foreign

    clean = clean_text(text)
    mt = match_text(clean)
    out = read_foreign(clean, mt)
    assert out.startswith(" ") and out.endswith(" ")
    if clean.isascii() and out is not mt:
        # an ASCII title is only rewritten when it carries a word of languages.yaml or a marker
        assert out != "" and isinstance(out, str)


# --------------------------------------------------------------------------------------------------
# Seniority (transform.seniority)
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Staff+ Backend Engineer", "staff_principal"),
        ("Senior+ Platform Engineer", "senior"),
        ("Staff + Senior Data Engineer", "senior"),
        ("Technical Fellow", "staff_principal"),
        ("Distinguished Fellow, Systems", "staff_principal"),
        ("Climate Policy Fellow", "unspecified"),
        ("Fellows Program - Robotics", "unspecified"),
        ("Applied AI Architect, Banking", "unspecified"),
        ("Software Architect", "staff_principal"),
        ("Contracts Manager, EMEA", "unspecified"),
        ("Internal Communications Manager", "unspecified"),
        ("Partner Sales Manager, Resellers", "unspecified"),
        ("Account Director, Retail", "unspecified"),
        ("Creative Director", "manager"),
        ("Engineering Manager, Payments", "manager"),
        ("Manager, Solutions Engineers", "manager"),
        ("TL, Storage", "senior"),
        ("TLM, Storage", "manager"),
    ],
)
def test_seniority_rules_of_1_1(title: str, expected: str) -> None:
    assert classify_seniority(title) == expected
    assert level(title) == expected


def test_seniority_module_is_reexported() -> None:
    assert titles.classify_seniority is classify_seniority


# --------------------------------------------------------------------------------------------------
# Data files and visible failures
# --------------------------------------------------------------------------------------------------
def test_company_list_carries_evidence() -> None:
    tax = load_taxonomy()
    assert tax.companies
    kinds = {c.kind for c in tax.companies}
    assert kinds == {"ai_lab", "ai_data_vendor"}
    for c in tax.companies:
        assert c.evidence.strip(), c.name
        assert c.name == c.name.lower()


def test_every_area_names_known_classes_and_roles() -> None:
    tax = load_taxonomy()
    assert tax.areas
    for area in tax.areas:
        assert area.role in tax.roles
        assert all(cls in tax.classes for cls in area.classes)
        assert area.keys  # each area can be prefiltered


def test_rule_errors_are_counted_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(mt: str, context_ai: object) -> object:
        raise RuntimeError("rule bug")

    rule_errors.snapshot(reset=True)
    titles._classify_cached.cache_clear()
    monkeypatch.setattr(titles, "_decide_role", boom)
    r = classify_title("Some Engineer Title Nobody Classified Before")
    assert (r.role, r.rule) == ("other", "error")
    snap = rule_errors.snapshot(reset=True)
    assert snap.counts["titles.role"] == 1
    assert "rule bug" in snap.examples["titles.role"][1]
    titles._classify_cached.cache_clear()


def test_seniority_errors_are_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    from transform import seniority

    def boom(clean: str, mt: str) -> str:
        raise ValueError("level bug")

    rule_errors.snapshot(reset=True)
    monkeypatch.setattr(seniority, "seniority_of", boom)
    assert seniority.classify_seniority("Senior Engineer") == "unspecified"
    assert rule_errors.snapshot(reset=True).counts["titles.seniority"] == 1
