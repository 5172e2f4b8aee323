"""transform.skills against shared/guide/skills.md: meaning-aware rules, extension, stream, robustness."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transform import skills
from transform.skills import (
    SKILL_CATEGORIES,
    SkillResult,
    extract_skills,
    load_dictionary,
    normalize_skills_stream,
)


def core(text: str) -> set[str]:
    return set(extract_skills(text).skills)


def test_categories_cover_the_contract() -> None:
    assert len(SKILL_CATEGORIES) == 52
    assert SKILL_CATEGORIES["python"] == "language"
    assert SKILL_CATEGORIES["sagemaker"] == "cloud_ml"
    assert SKILL_CATEGORIES["statistics"] == "domain"


def test_result_is_sorted() -> None:
    r = extract_skills("SQL, Python and AWS with Docker")
    assert isinstance(r, SkillResult)
    assert r.skills == sorted(r.skills) == ["aws", "docker", "python", "sql"]


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("Experience in Python, R and SQL.", {"r", "python", "sql"}, set()),
        ("Our R&D team works with partners.", set(), {"r"}),
        ("Build microservices in Go; either Go or Python.", {"go", "python"}, set()),
        ("Own our go-to-market motion and go live fast. Go beyond.", set(), {"go"}),
        ("C/C++ and C# are welcome; C-suite exposure.", {"cpp"}, set()),
        ("Apache Spark and PySpark pipelines with Hadoop.", {"spark"}, set()),
        ("Ideas that spark joy and innovation sparks growth.", set(), {"spark"}),
        ("Build RAG pipelines over our docs.", {"rag"}, set()),
        ("Project status is reported as a RAG status.", set(), {"rag"}),
        ("Advanced Excel and SQL skills.", {"excel", "sql"}, set()),
        ("You will excel at communication. Excel in your role.", set(), {"excel"}),
        ("Deep RL and RLHF experience.", {"reinforcement_learning", "fine_tuning"}, set()),
        ("We use reinforcement learning from human feedback.", {"fine_tuning"}, {"reinforcement_learning"}),
        ("Data lake on S3, EC2 compute.", {"aws"}, set()),
        ("Storage protocols: object storage (e.g., S3), NFS and iSCSI.", set(), {"aws"}),
        ("Lambda is the GPU cloud company.", set(), {"aws"}),
        ("Formerly at Snowflake and Google.", set(), {"snowflake"}),
        ("Our warehouse runs on Snowflake with dbt.", {"snowflake", "dbt"}, set()),
        ("AI is everything. Generative AI too.", set(), {"machine_learning", "llm"}),
        ("Background in AI/ML systems.", {"machine_learning"}, set()),
        ("MLOps and LLMOps practices.", {"machine_learning", "llm"}, set()),
        ("Containerization and container orchestration.", {"docker"}, set()),
        ("CI with Buildkite, CircleCI or GitLab CI.", {"ci_cd"}, set()),
        ("Infrastructure with Pulumi or CloudFormation.", {"terraform"}, set()),
        ("Configuration management with Ansible.", set(), {"terraform"}),
        ("Frontend in React and Next.js; backend in Django.", set(), {"javascript", "python"}),
        ("TypeScript and Node.js services.", {"javascript"}, set()),
        ("CNNs and graph convolutional networks.", {"deep_learning"}, set()),
        ("We trace runs with LangSmith.", set(), {"langchain"}),
        ("Agents built with LangGraph.", {"langchain"}, set()),
        ("Microsoft SQL Server or MySQL or PostgreSQL or NoSQL.", set(), {"sql"}),
        ("T-SQL, PL/SQL and Spark SQL.", {"sql"}, set()),
        ("Java (not JavaScript) and Scala.", {"java", "javascript", "scala"}, set()),
        ("Azure ML and Azure OpenAI.", {"azure_ml"}, {"azure"}),
        ("Azure Blob Storage and Azure Databricks.", {"azure", "databricks"}, set()),
        ("Amazon SageMaker pipelines.", {"sagemaker"}, {"aws"}),
        ("AWS-EKS clusters and GKE.", {"aws", "kubernetes"}, set()),
        ("Redshift, EMR and BigQuery.", set(), {"aws", "gcp"}),
        ("Google Cloud Platform and Google Earth.", {"gcp"}, set()),
        ("Pass the torch to the next team.", set(), {"pytorch"}),
        ("Gradient boosting models.", set(), {"xgboost"}),
        ("XGBoost and LightGBM.", {"xgboost"}, set()),
        ("Claude, Llama and Mistral models.", {"llm"}, set()),
        ("Fine-tune your messaging for customers.", set(), {"fine_tuning"}),
        ("Fine-tuning LLMs with LoRA and PEFT.", {"fine_tuning", "llm"}, set()),
        ("Optimize prompts for the LLM.", {"prompt_engineering", "llm"}, set()),
        ("Please reply with a prompt response.", set(), {"prompt_engineering"}),
        ("Customer service agents answer calls.", set(), {"ai_agents"}),
        ("Build agentic workflows and AI agents with tool calling.", {"ai_agents"}, set()),
        ("Model deployment and monitoring, drift detection.", {"model_monitoring"}, set()),
        ("Infrastructure monitoring with Grafana.", set(), {"model_monitoring"}),
        ("A/B testing and statistical modelling.", {"statistics"}, set()),
        ("Source: Bureau of Labor Statistics.", set(), {"statistics"}),
        ("Reporting on CNN and other news channels.", set(), {"deep_learning"}),
        ("Shipping containers at the port terminal.", set(), {"docker"}),
        ("Dialectical behavior therapy (DBT) for clinical patients.", set(), {"dbt"}),
        ("GCP audits for clinical trials.", set(), {"gcp"}),
    ],
)
def test_meaning_aware_rules(text: str, present: set[str], absent: set[str]) -> None:
    found = core(text)
    assert present <= found, found
    assert not (absent & found), found


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("Experience with JAX and Flax for model training.", "jax"),
        ("Models from the Hugging Face Hub and the Transformers library.", "hugging_face"),
        ("Retrieval-augmented generation over product docs.", "rag"),
        ("Vector databases such as Pinecone, Weaviate, Milvus, pgvector or FAISS.", "vector_db"),
        ("Experiment tracking in MLflow.", "mlflow"),
        ("Weights & Biases (W&B) dashboards; wandb sweeps.", "wandb"),
        ("Training and serving on Vertex AI.", "vertex_ai"),
        ("Feature store design with Feast or Tecton.", "feature_store"),
        ("CUDA kernels and TensorRT.", "cuda"),
        ("Kubeflow pipelines on Kubernetes.", "kubeflow"),
    ],
)
def test_skills_without_dev_examples(text: str, skill: str) -> None:
    assert skill in core(text)


def test_hugging_face_as_company_is_not_a_skill() -> None:
    assert "hugging_face" not in core("Backed by investors including the former CTO of Hugging Face.")
    assert "hugging_face" not in core("Our founders were previously at Hugging Face.")


def test_chinese_terms() -> None:
    assert {"machine_learning", "deep_learning", "nlp", "llm"} <= core(
        "熟悉机器学习、深度学习、自然语言处理和大模型"
    )


def test_other_skills_are_reported_separately() -> None:
    r = extract_skills("Python with pandas and NumPy; Kotlin for Android.")
    assert r.skills == ["python"]
    assert {"pandas", "numpy", "kotlin"} <= set(r.other_skills)


def test_paragraphs_and_many_texts_in_one_pass() -> None:
    d = skills.get_dictionary()
    texts = ["Python\n\nand SQL", None, "", "Go, Rust", "R&D"]
    assert d.extract_many(texts) == [
        (("python", "sql"), ()),
        ((), ()),
        ((), ()),
        (("go", "rust"), ()),
        ((), ()),
    ]
    assert d.scan_many(["Salary: $100k", "no pay"])[0][2] is True
    assert d.scan_many(["Salary: $100k", "nothing here"])[1][2] is False


def test_user_extension(tmp_path: Path) -> None:
    ext = tmp_path / "mine.yaml"
    ext.write_text(
        "extra:\n  - {id: duckdb, category: database, aliases: [duckdb, duck db]}\n"
        "  - {id: fake_python, category: x, aliases: [python]}\n",
        encoding="utf-8",
    )
    d = load_dictionary([ext])
    r = d.extract("DuckDB and Python")
    assert r.skills == ["python"] and r.other_skills == ["duckdb"]


def test_onet_import(tmp_path: Path) -> None:
    from transform.onet import onet_entries, write_yaml

    tsv = tmp_path / "Technology Skills.txt"
    tsv.write_text(
        "O*NET-SOC Code\tTitle\tExample\tCommodity Code\tCommodity Title\tHot Technology\tIn Demand\n"
        "11-1011.00\tChief Executives\tAtlassian JIRA\t1\tWorkflow software\tY\tN\n"
        "11-1011.00\tChief Executives\tPython\t2\tDevelopment environment software\tY\tY\n"
        "11-1011.00\tChief Executives\tWord\t3\tWord processing software\tN\tN\n",
        encoding="utf-8",
    )
    entries = onet_entries(tsv)
    assert [e["id"] for e in entries] == ["atlassian_jira", "python", "word"]
    d = load_dictionary([tsv])
    r = d.extract("Atlassian JIRA, Python, and a word about Word.")
    assert r.skills == ["python"]
    assert "atlassian_jira" in r.other_skills and "word" in r.other_skills and "python" not in r.other_skills
    assert "word" not in d.extract("a word").other_skills
    assert write_yaml(tsv, tmp_path / "onet.yaml", hot_only=True) == 2


def test_stream_order_and_bad_lines() -> None:
    lines = [
        json.dumps({"text": "Python and SQL"}),
        "not json",
        json.dumps({"x": 1}),
        json.dumps({"text": "Go, Rust"}),
    ]
    out = list(normalize_skills_stream(lines))
    assert out == [
        {"skills": ["python", "sql"], "other_skills": []},
        {"skills": [], "other_skills": []},
        {"skills": [], "other_skills": []},
        {"skills": ["go", "rust"], "other_skills": []},
    ]


def test_big_html_and_odd_text() -> None:
    big = "<p>We use <b>Python</b> &amp; SQL.</p>" + ("lorem ipsum " * 9_000) + "Kubernetes"
    assert {"python", "sql", "kubernetes"} <= core(big)
    assert core("ＰｙＴｏｒｃｈ 😀 Python\u200bic \ud800 \x00 SQL") >= {"sql"}
    assert core("") == set() and core(None) == set()  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_never_raises_and_only_known_ids(text: str) -> None:
    r = extract_skills(text)
    assert set(r.skills) <= set(SKILL_CATEGORIES)
    assert r.skills == sorted(r.skills)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Python",
                "R",
                "&",
                "D",
                "Go",
                "-",
                "to",
                "C",
                "++",
                "#",
                "Azure",
                "ML",
                "SQL",
                "Server",
                "\n\n",
                " ",
                ",",
                "/",
                ".js",
                "Next",
                "Spark",
                "joy",
                "\ud83d",
                "\u200f",
                "עברית",
                "机器学习",
                "Â",
                "<p>",
                "&amp;",
            ]
        ),
        max_size=60,
    )
)
def test_never_raises_on_tricky_tokens(parts: list[str]) -> None:
    text = " ".join(parts)
    r = extract_skills(text)
    # Batch (many texts in one pass) and single-text extraction agree.
    assert skills.get_dictionary().extract_many([text, text])[1] == (tuple(r.skills), tuple(r.other_skills))


# ----------------------------------------------------------------------------- Arrow batch path

_BATCH_TEXTS = [
    "You will use Python and PyTorch.\n\nWe are an equal opportunity employer.",
    "<p>Experience with <b>TensorFlow</b> &amp; Kubernetes</p>",
    "Pay: $150,000 - $180,000 per year.\n\nSQL and R daily.",
    "Spark and Airflow\r\n\r\nExcel at communication; advanced Excel required",
    "Go-to-market team.\r\n\r\nGo and Rust.\n\nC++ for performance.",
    "",
    None,
    "Large language models (LLMs), RAG and LangChain agents. " * 50,
    "数据科学 Python 😀 \u202eSQL\u202c",
    "You will use Python and PyTorch.\n\nWe are an equal opportunity employer.",
]


@functools.cache
def _pair() -> tuple[skills.SkillDictionary, skills.SkillDictionary]:
    """Two dictionaries with their own paragraph caches: one for each path."""
    return skills.load_dictionary(), skills.load_dictionary()


def _as_ints(words) -> list[int]:
    return [sum(int(w) << (64 * i) for i, w in enumerate(row)) for row in words]


@pytest.mark.parametrize("large", [False, True])
def test_scan_mask_words_matches_scan_masks(large: bool) -> None:
    import pyarrow as pa

    d, other = _pair()
    arr = pa.array(_BATCH_TEXTS, pa.large_string() if large else pa.string())
    got = _as_ints(d.scan_mask_words(arr))
    assert got == other.scan_masks(_BATCH_TEXTS)
    assert got[0] == got[-1] and got[0] != 0
    assert got[5] == got[6] == 0
    # a slice with an offset and a chunked array give the same rows
    assert _as_ints(d.scan_mask_words(arr.slice(2, 3))) == got[2:5]
    assert _as_ints(d.scan_mask_words(pa.chunked_array([arr.slice(0, 4), arr.slice(4)]))) == got
    assert d.scan_mask_words(pa.array([], pa.string())).shape[0] == 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(), st.text(alphabet=st.sampled_from(list("ab \n\r<>&;#Rgo.SQLpython$k")), max_size=80)
        ),
        max_size=12,
    )
)
def test_scan_mask_words_matches_scan_masks_on_arbitrary_text(texts: list) -> None:
    import pyarrow as pa

    d = skills.load_dictionary()
    assert _as_ints(d.scan_mask_words(pa.array(texts, pa.string()))) == skills.load_dictionary().scan_masks(
        texts
    )
