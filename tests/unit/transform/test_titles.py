"""Role and seniority rules of taxonomy.md (v1), one hand-written case per rule."""

from __future__ import annotations

import dataclasses
import json

import pytest

from transform.titles import (
    AI_ROLES,
    ROLES,
    SENIORITIES,
    TAXONOMY_VERSION,
    TitleResult,
    classify_seniority,
    classify_title,
    normalize_titles_stream,
)


def role(title: str, company: str | None = None, description: str | None = None) -> str:
    return classify_title(title, company, description).role


def level(title: str) -> str:
    return classify_title(title).seniority


# --------------------------------------------------------------------------------------------------
# Result shape
# --------------------------------------------------------------------------------------------------
def test_result_is_frozen_and_stamped() -> None:
    r = classify_title("Senior Machine Learning Engineer")
    assert isinstance(r, TitleResult)
    assert r.taxonomy_version == TAXONOMY_VERSION == "1.1.0"
    assert (r.role, r.seniority, r.is_ai_role) == ("ai_ml_engineer", "senior", True)
    assert 0.0 < r.confidence <= 1.0
    assert r.rule
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.role = "other"  # type: ignore[misc]


def test_roles_and_seniorities_are_the_contract() -> None:
    assert set(ROLES) == {
        "ai_ml_engineer",
        "mlops_engineer",
        "prompt_engineer",
        "ai_governance",
        "forward_deployed_engineer",
        "data_scientist",
        "research_scientist",
        "data_annotator",
        "ai_product_manager",
        "software_engineer",
        "data_engineer",
        "data_analyst",
        "devops_engineer",
        "product_manager",
        "other",
    }
    assert {
        "ai_ml_engineer",
        "mlops_engineer",
        "prompt_engineer",
        "ai_governance",
        "forward_deployed_engineer",
        "data_scientist",
        "research_scientist",
        "data_annotator",
        "ai_product_manager",
    } == AI_ROLES
    assert set(SENIORITIES) == {
        "intern",
        "entry",
        "mid",
        "senior",
        "staff_principal",
        "manager",
        "unspecified",
    }


def test_title_clean_strips_noise() -> None:
    r = classify_title("Sr. Backend Engineer II (Remote) - Toronto, ON - Req #48213")
    assert r.title_clean == "Backend Engineer"
    assert classify_title("Summer 2026 Data Science Intern - Chicago, IL").title_clean == "Data Science"
    # "Staff" of Member of Technical Staff is kept
    assert classify_title("Member of Technical Staff, Inference").title_clean.startswith(
        "Member of Technical Staff"
    )
    assert "title_clean" in classify_title("ML Engineer").as_dict()


# --------------------------------------------------------------------------------------------------
# Roles: typical titles of each role
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Machine Learning Engineer", "ai_ml_engineer"),
        ("Applied AI Engineer", "ai_ml_engineer"),
        ("LLM Engineer", "ai_ml_engineer"),
        ("Computer Vision Engineer", "ai_ml_engineer"),
        ("Software Engineer - Machine Learning", "ai_ml_engineer"),
        ("Backend Engineer, Generative AI", "ai_ml_engineer"),
        ("MLOps Engineer", "mlops_engineer"),
        ("ML Platform Engineer", "mlops_engineer"),
        ("Inference Engineer", "mlops_engineer"),
        ("Platform Engineer, ML", "mlops_engineer"),
        ("Software Engineer, AI Infrastructure", "mlops_engineer"),
        ("Prompt Engineer", "prompt_engineer"),
        ("LLM Prompt Writer", "prompt_engineer"),
        ("Responsible AI Manager", "ai_governance"),
        ("AI Policy Analyst", "ai_governance"),
        ("AI Compliance Officer", "ai_governance"),
        ("Model Risk Manager (AI/ML)", "ai_governance"),
        ("Forward Deployed Engineer", "forward_deployed_engineer"),
        ("AI Solutions Architect", "forward_deployed_engineer"),
        ("AI Deployment Engineer", "forward_deployed_engineer"),
        ("Data Scientist", "data_scientist"),
        ("Decision Scientist", "data_scientist"),
        ("Machine Learning Scientist", "data_scientist"),
        ("Research Scientist, NLP", "research_scientist"),
        ("Research Engineer, Reinforcement Learning", "research_scientist"),
        ("AI Researcher", "research_scientist"),
        ("Data Labeler", "data_annotator"),
        ("RLHF Specialist", "data_annotator"),
        ("AI Tutor - Physics", "data_annotator"),
        ("Search Quality Rater", "data_annotator"),
        ("AI Product Manager", "ai_product_manager"),
        ("Product Manager, Machine Learning", "ai_product_manager"),
        ("Senior Software Engineer", "software_engineer"),
        ("Full-Stack Developer", "software_engineer"),
        ("Firmware Engineer", "software_engineer"),
        ("Data Engineer", "data_engineer"),
        ("Analytics Engineer", "data_engineer"),
        ("ETL Developer", "data_engineer"),
        ("Data Analyst", "data_analyst"),
        ("Business Intelligence Analyst", "data_analyst"),
        ("DevOps Engineer", "devops_engineer"),
        ("Site Reliability Engineer", "devops_engineer"),
        ("Cloud Engineer", "devops_engineer"),
        ("Product Manager", "product_manager"),
        ("Technical Product Manager", "product_manager"),
        ("Account Executive", "other"),
        ("Registered Nurse", "other"),
        ("Recruiter", "other"),
    ],
)
def test_typical_titles(title: str, expected: str) -> None:
    assert role(title) == expected


# --------------------------------------------------------------------------------------------------
# Roles: the hard-case rules
# --------------------------------------------------------------------------------------------------
def test_most_specific_role_wins() -> None:
    assert role("Senior ML Engineer, Model Serving Platform") == "mlops_engineer"
    assert role("Data Scientist, Deep Learning") == "data_scientist"
    assert role("Research Engineer, Computer Vision") == "research_scientist"


def test_ai_qualifier_only_upgrades_comparable_roles() -> None:
    assert role("Frontend Engineer, AI Assistant") == "ai_ml_engineer"
    assert role("Product Manager, LLM Platform") == "ai_product_manager"
    assert role("Site Reliability Engineer, Kubernetes") == "devops_engineer"
    assert role("Site Reliability Engineer, GPU Clusters") == "mlops_engineer"  # runs AI compute clusters
    assert role("Site Reliability Engineer, ML Infrastructure") == "mlops_engineer"
    # unrelated functions stay other
    assert role("Enterprise Account Executive, Generative AI") == "other"
    assert role("Product Marketing Manager, Machine Learning") == "other"
    assert role("Recruiter, AI Talent") == "other"
    assert role("Developer Advocate, LLMs") == "other"
    # a generic solutions architect without AI is other
    assert role("Solutions Architect") == "other"


def test_ai_security_is_security_work() -> None:
    assert role("Security Engineer, AI Security") == "other"
    assert role("Sales Engineer - Cloud & AI Security") == "other"
    assert role("Machine Learning Engineer, Fraud & Security") == "ai_ml_engineer"


def test_forward_deployed_any_wording() -> None:
    for title in (
        "Forward-Deployed Software Engineer",
        "FDE - Public Sector",
        "Software Engineer, Forward Deployed",
        "Forward Deployed Engineer, Infrastructure",
        "Manager, Forward Deployment",
    ):
        assert role(title) == "forward_deployed_engineer", title
    assert role("Deployment Engineer") == "other"
    assert role("Field Deployment Engineer") == "other"


def test_ai_hardware_is_other() -> None:
    assert role("Mechanical Engineer, AI Data Center") == "other"
    assert role("Hardware Design Engineer - AI Accelerators") == "other"
    assert role("ASIC Verification Engineer, ML Chips") == "other"


def test_parenthetical_and_dual_titles() -> None:
    assert role("Software Developer (Data Scientist)") == "data_scientist"
    assert role("Data Scientist / Machine Learning Engineer") == "data_scientist"  # both AI: first named
    assert role("Machine Learning Engineer / Data Scientist") == "ai_ml_engineer"
    assert role("Full Stack Developer and Data Scientist") == "data_scientist"  # AI beats comparable


def test_specific_contract_readings() -> None:
    assert role("AI Scientist") == "data_scientist"
    assert role("Data Scientist, Causal Inference") == "data_scientist"
    assert role("Chief Data Officer") == "other"
    assert role("Head of Data") == "other"
    assert role("Data Governance Manager") == "other"
    assert role("Database Engineer") == "data_engineer"
    assert role("Data Specialist") == "data_analyst"
    assert role("UX Researcher") == "other"
    assert role("Threat Researcher") == "other"
    assert role("Senior Research Scientist, Organic Chemistry") == "other"
    assert role("Quantitative Researcher") == "other"


def test_member_of_technical_staff() -> None:
    r = classify_title("Member of Technical Staff")
    assert (r.role, r.seniority) == ("software_engineer", "unspecified")
    assert role("Member of Technical Staff - Pretraining") == "research_scientist"
    assert role("Member of Technical Staff, Alignment") == "research_scientist"
    assert role("Member of Technical Staff, Inference") == "mlops_engineer"


def test_context_only_for_ambiguous_titles() -> None:
    # Tutor: an AI lab's tutor trains models
    assert role("Chemistry Tutor") == "other"
    assert role("Chemistry Tutor", company="Scale AI") == "data_annotator"
    assert role("Math Tutor", description="You will write and grade answers used to train AI models.") == (
        "data_annotator"
    )
    assert role("Math Tutor", company="Sylvan Learning") == "other"
    # bare research titles
    assert role("Research Scientist", company="Anthropic") == "research_scientist"
    assert role("Research Scientist", company="Mercy Hospital") == "other"
    # product names of AI labs count only with AI-lab context
    assert role("Software Engineer, Grok") == "software_engineer"
    assert role("Software Engineer, Grok", company="xAI") == "ai_ml_engineer"
    # unambiguous titles ignore context
    assert role("Account Executive", company="OpenAI") == "other"
    assert role("Data Engineer", company="Anthropic") == "data_engineer"


def test_noise_does_not_change_role() -> None:
    base = role("Machine Learning Engineer")
    for noisy in (
        "Machine Learning Engineer (Remote)",
        "Machine Learning Engineer - London, UK",
        "2026 Machine Learning Engineer",
        "Machine Learning Engineer, Req 123456",
        "Machine Learning Engineer - German speaking",
        "Machine Learning Engineer Intern",
        "  machine   LEARNING engineer  ",
        "<p>Machine Learning Engineer</p>",
        "Machine Learning Engineer â€“ Berlin",  # mojibake of an en dash
    ):
        assert role(noisy) == base, noisy


# --------------------------------------------------------------------------------------------------
# Seniority
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Software Engineering Intern", "intern"),
        ("Data Science Co-op", "intern"),
        ("Apprentice Developer", "intern"),
        ("Working Student Data Analytics", "intern"),
        ("Junior Data Analyst", "entry"),
        ("Jr. Developer", "entry"),
        ("Entry-Level Data Engineer", "entry"),
        ("New Grad Software Engineer", "entry"),
        ("Associate Product Manager", "entry"),
        ("Data Engineer I", "entry"),
        ("Software Engineer, L3", "entry"),
        ("Data Scientist II", "mid"),
        ("Mid-Level Backend Engineer", "mid"),
        ("Software Engineer L4", "mid"),
        ("Analyst 2", "mid"),
        ("Senior Data Engineer", "senior"),
        ("Sr ML Engineer", "senior"),
        ("Software Engineer III", "senior"),
        ("Lead Data Scientist", "senior"),
        ("Team Lead, Platform", "senior"),
        ("Software Engineer L5", "senior"),
        ("Staff Software Engineer", "staff_principal"),
        ("Senior Staff ML Engineer", "staff_principal"),
        ("Principal Data Scientist", "staff_principal"),
        ("Distinguished Engineer", "staff_principal"),
        ("Software Engineer L6", "staff_principal"),
        ("Software Architect", "staff_principal"),
        ("Engineering Manager", "manager"),
        ("Director of Machine Learning", "manager"),
        ("Head of AI", "manager"),
        ("VP, Engineering", "manager"),
        ("Shift Supervisor", "manager"),
        ("Machine Learning Engineer", "unspecified"),
    ],
)
def test_seniority_signals(title: str, expected: str) -> None:
    assert level(title) == expected


def test_manager_only_when_managing_people() -> None:
    assert level("Product Manager") == "unspecified"
    assert level("Senior Program Manager") == "senior"
    assert level("Key Account Manager") == "unspecified"
    assert level("Group Product Manager") == "manager"
    assert level("Manager, Data Science") == "manager"
    assert level("Principal Compliance Manager") == "manager"  # principal + manager: highest wins


def test_level_rules() -> None:
    assert level("Member of Technical Staff") == "unspecified"  # Staff in MTS is not a level
    assert level("Associate, Investment Banking Technology") == "unspecified"  # bank rank
    assert level("Data Analyst IV") == "senior"
    assert level("Data Engineer 5") == "senior"
    assert level("Summer Intern - Senior Year Students") == "intern"  # internship wins
    assert level("Sr. Product Manager I") == "senior"  # highest signal
    assert level("Platform Engineer (Senior or Staff)") == "senior"  # range: lower bound
    assert level("Backend Engineer I/II") == "entry"
    assert level("Data Analyst II-III") == "mid"
    assert level("Chief of Staff") == "manager"
    assert level("Data Architect") == "unspecified"  # Architect as a role noun is not a level
    assert level("Support Specialist (6pm to 3am shift)") == "unspecified"  # a clock time is not a level


def test_classify_seniority_helper() -> None:
    assert classify_seniority("Senior Staff Engineer") == "staff_principal"
    assert classify_seniority("") == "unspecified"


# --------------------------------------------------------------------------------------------------
# Robustness and the stream
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "title",
    [
        "",
        "   ",
        "x" * 100_000,
        "🚀🚀🚀",
        "מהנדס תוכנה",
        "机器学习工程师",
        "\x00\x01\x7f",
        "a\ud800b",
        "<script>x</script>",
    ],
)
def test_never_raises(title: str) -> None:
    r = classify_title(title)
    assert r.role in ROLES and r.seniority in SENIORITIES
    assert isinstance(r.title_clean, str)


def test_non_string_inputs() -> None:
    assert classify_title(None).role == "other"  # type: ignore[arg-type]
    assert classify_title(42).role == "other"  # type: ignore[arg-type]
    assert classify_title("Data Engineer", company=3, description=[1]).role == "data_engineer"  # type: ignore[arg-type]


def test_stream_formats_and_order() -> None:
    lines = [
        "Senior Data Scientist",
        json.dumps({"title": "Chemistry Tutor", "company": "Scale AI"}),
        json.dumps("Staff DevOps Engineer"),
        json.dumps({"title": "Research Scientist", "description": "Protein folding in wet labs."}),
        "{not json",
        "",
        json.dumps({"company": "no title"}),
        "[1, 2, 3]",
    ]
    out = list(normalize_titles_stream(lines))
    assert len(out) == len(lines)
    assert [o["role"] for o in out] == [
        "data_scientist",
        "data_annotator",
        "devops_engineer",
        "other",
        "other",
        "other",
        "other",
        "other",
    ]
    assert out[0]["seniority"] == "senior"
    assert out[2]["title"] == "Staff DevOps Engineer"
    assert set(out[0]) == {"title", "role", "seniority", "is_ai_role", "confidence", "taxonomy_version"}
    for o in out:
        json.dumps(o, ensure_ascii=False).encode("utf-8")  # serialisable, no lone surrogates


def test_stream_output_is_utf8_safe() -> None:
    (o,) = normalize_titles_stream(["ML Engineer \udcff"])
    assert o["role"] == "ai_ml_engineer"
    json.dumps(o, ensure_ascii=False).encode("utf-8")
