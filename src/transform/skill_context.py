"""Context checks for skill aliases whose meaning depends on the words around them.

Held apart from :mod:`transform.skills` (the dictionary and the scan): :class:`_Ctx` is the window around one
automaton hit, and :data:`_CHECKS` maps the ``check`` names used in ``data/skills.yaml`` to predicates over it
("Go" the language vs "go-to-market", Excel the product vs "excel at", Snowflake the tool vs the employer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass


def _w(words: str) -> tuple[str, ...]:
    """A word list written as one string (keeps long vocabularies readable)."""
    return tuple(words.split())


@dataclass(slots=True)
class _Ctx:
    orig: str
    low: str
    start: int
    end: int
    lo: int  # bounds of the current text inside the joined buffer
    hi: int

    @property
    def span(self) -> str:
        return self.orig[self.start : self.end]

    def before(self, n: int = 3, chars: int = 60) -> list[str]:
        return self.low[max(self.lo, self.start - chars) : self.start].split()[-n:]

    def after(self, n: int = 3, chars: int = 60) -> list[str]:
        return self.low[self.end : min(self.hi, self.end + chars)].split()[:n]

    def prev_char(self) -> str:
        """Previous non-space character of the original text ('' at the start)."""
        i = self.start - 1
        while i >= self.lo and self.orig[i] in " \t\u00a0":
            i -= 1
        return self.orig[i] if i >= self.lo else ""

    def next_char(self) -> str:
        i = self.end
        while i < self.hi and self.orig[i] in " \t\u00a0":
            i += 1
        return self.orig[i] if i < self.hi else ""

    def window_words(self, chars: int) -> set[str]:
        return set(self.low[max(self.lo, self.start - chars) : min(self.hi, self.end + chars)].split())

    def window_text(self, chars: int) -> str:
        return (
            " "
            + " ".join(self.low[max(self.lo, self.start - chars) : min(self.hi, self.end + chars)].split())
            + " "
        )

    def near(self, words: Iterable[str], chars: int = 80) -> bool:
        bag = self.window_words(chars)
        text: str | None = None
        for w in words:
            if " " in w:
                text = text if text is not None else self.window_text(chars)
                if f" {w} " in text:
                    return True
            elif w in bag:
                return True
        return False


_ML_WORDS = _w(
    "model models llm llms ml machine learning neural training gpt transformer transformers bert weights "
    "lora dataset datasets ai pytorch tensorflow inference deep language generative embedding embeddings "
    "rlhf peft agents agentic genai sft diffusion nlp qlora checkpoint checkpoints reward preference"
)
_LANG_WORDS = _w(
    "python java rust c scala ruby kotlin typescript javascript node elixir swift php perl haskell erlang "
    "clojure languages language programming microservices golang backend cpp"
)
_R_WORDS = _w(
    "python sql sas stata matlab spss julia scala java programming language languages packages package "
    "shiny tidyverse ggplot ggplot2 cran statistical statistics rstudio scripts scripting coding code "
    "analytics excel tableau hadoop mahout modeling modelling"
)
_AI_WORDS = _w(
    "ai llm llms gpt gpts agentic genai claude openai langchain autonomous automation automations copilot "
    "copilots bots chatbot chatbots models model anthropic"
)
_HUMAN_AGENT = frozenset(
    _w(
        "customer customers support service travel sales insurance estate call booking free secret change "
        "user field leasing rental border patrol special federal registered licensed human live talent sports "
        "literary casting shipping claims"
    )
)
_SPARK_OBJECTS = frozenset(
    _w(
        "joy innovation innovations creativity curiosity conversation conversations ideas idea change growth "
        "interest excitement new meaningful discussion discussions debate collaboration action imagination "
        "engagement passion inspiration connection connections dialogue"
    )
)
_SPARK_TECH = _w(
    "hadoop hive kafka scala pyspark databricks sql streaming etl data big python java cluster clusters "
    "emr flink beam presto airflow mllib rdd dataframes pipelines distributed structured hdfs mapreduce "
    "pig accumulo snowflake iceberg"
)
_COMPANY_CUES = frozenset(
    _w(
        "ex former formerly previously alumni backed investors investor founders founded companies customers "
        "clients partners partnered partnership acquired employer employers worked"
    )
)
_CONTAINER_AVOID = _w(
    "shipping ship ships cargo intermodal terminal freight trucking vessel vessels chassis reefer drayage "
    "yard food plastic glass waste recycling"
)
_CONTAINER_TECH = _w(
    "docker kubernetes orchestration cloud deploy deployment deployments microservices images image "
    "runtime ecs eks aks gke k8s linux devops infrastructure helm registry virtualization vm vms "
    "serverless applications apps services platform software technologies"
)
_AMAZON_SERVICES = frozenset(
    _w(
        "aurora redshift s3 ec2 emr rds dynamodb kinesis bedrock ecs eks athena glue lambda cloudwatch sqs "
        "sns elasticache opensearch vpc iam route cloudfront ecr fargate msk timestream neptune quicksight "
        "lex polly rekognition textract comprehend transcribe"
    )
)
_GOOGLE_SERVICES = frozenset(
    _w(
        "bigquery big dataflow dataproc pub pubsub spanner firestore bigtable composer dataform tpu tpus gke "
        "kubernetes"
    )
)
_PROMPT_VERBS = frozenset(
    _w(
        "optimize optimise optimizing optimising write writing craft crafting design designing iterate "
        "iterating tune tuning refine refining engineer engineering evaluate evaluating build building test "
        "testing create creating manage managing develop developing system effective llm our"
    )
)
_PROMPT_NOUNS = frozenset(
    _w(
        "engineering design templates template chaining optimization optimisation library libraries "
        "management versioning evaluation evals"
    )
)
_CI_NOUNS = frozenset(
    _w(
        "pipeline pipelines tools tooling systems system workflows workflow jobs builds build server servers "
        "infrastructure platform runners tests"
    )
)
_EXCEL_PRODUCT_AFTER = frozenset(
    _w(
        "spreadsheet spreadsheets skills skill models model macros macro vba pivot formulas formula workbooks "
        "sheets dashboards and or powerpoint word access sql proficiency experience knowledge"
    )
)
_EXCEL_PRODUCT_BEFORE = frozenset(
    _w(
        "microsoft ms advanced in with using and or of proficient proficiency expert ridiculous strong "
        "excellent google including"
    )
)
_EXCEL_VERB_BEFORE = frozenset(
    _w(
        "to will you can who we they i must should would could help helps truly and people teams team where "
        "freedom"
    )
)


def _list_context(c: _Ctx) -> bool:
    return c.prev_char() in (",", "/", "(", ";", "•") or c.next_char() in (",", "/", ")", ";")


_R_AND_D_RE = re.compile(r"\s*&\s*[Dd](?![A-Za-z])")


def _check_r(c: _Ctx) -> bool:
    nxt = c.orig[c.end] if c.end < c.hi else ""
    prv = c.orig[c.start - 1] if c.start > c.lo else ""
    if nxt in "'’" or prv in "&-'’.":
        return False
    if c.next_char() == "&" and _R_AND_D_RE.match(c.orig, c.end, c.hi):
        return False  # R&D, R & D
    if nxt == "-" and c.end + 1 < c.hi and c.orig[c.end + 1].isalpha():
        return False  # R-squared, R-value
    if _list_context(c) and c.near(_R_WORDS + _LANG_WORDS, 80):
        return True
    if c.before(1) and c.before(1)[0] in ("in", "using", "with") and c.near(_R_WORDS, 60):
        return True
    return c.near(_R_WORDS, 40) and (_list_context(c) or bool(set(c.before(1) + c.after(1)) & {"or", "and"}))


def _check_go(c: _Ctx) -> bool:
    if c.span not in ("Go", "GO"):
        return False
    nxt = c.orig[c.end] if c.end < c.hi else ""
    if nxt in "-'’":
        return False
    if not c.near([w for w in _LANG_WORDS if w != "golang"] + ["golang"], 60):
        return False
    before, after = c.before(1), c.after(1)
    structural = (
        _list_context(c)
        or (before and before[0] in ("in", "and", "or", "with", "using", "like", "as", "of", "either"))
        or (after and after[0] in ("and", "or", "programming", "language", "lang", "developer", "developers", "microservices", "services", "code", "experience"))
    )  # fmt: skip
    return bool(structural)


def _check_cpp(c: _Ctx) -> bool:
    return c.orig[c.end : c.end + 2] == "++"


def _check_csharp(c: _Ctx) -> bool:
    return c.orig[c.end : c.end + 1] == "#"


def _check_c(c: _Ctx) -> bool:
    nxt = c.orig[c.end] if c.end < c.hi else ""
    prv = c.orig[c.start - 1] if c.start > c.lo else ""
    if nxt in "+#-'’." or prv in "-'’.":
        return False
    return _list_context(c) and c.near(_LANG_WORDS, 60)


def _check_node(c: _Ctx) -> bool:
    return c.span == "Node" and _list_context(c) and c.after(1) != ["red"]


def _check_js(c: _Ctx) -> bool:
    prv = c.orig[c.start - 1] if c.start > c.lo else ""
    return prv != "." and c.span in ("JS", "js", "Js")


def _check_ml_context(c: _Ctx) -> bool:
    return c.near(_ML_WORDS, 120)


def _check_language_context(c: _Ctx) -> bool:
    return c.near(
        ["language", "llm", "llms", "text", "gpt", "nlp", "generative", "chat", "claude", "llama"], 120
    )


def _check_lora(c: _Ctx) -> bool:
    return c.span != "LoRa" and c.near(_ML_WORDS, 120)


def _check_prompt(c: _Ctx) -> bool:
    before, after = c.before(3), c.after(1)
    if not (set(before) & _PROMPT_VERBS or (after and after[0] in _PROMPT_NOUNS)):
        return False
    # "optimize prompts" is unambiguous; a singular "prompt" (also an adjective) needs ML words nearby.
    return c.span.lower() == "prompts" or c.near(_ML_WORDS, 150)


def _check_agents(c: _Ctx) -> bool:
    before = c.before(2)
    if before and before[-1] in _HUMAN_AGENT:
        return False
    return c.near(_AI_WORDS, 100)


def _check_model_monitoring(c: _Ctx) -> bool:
    before = c.before(5, 50)
    return bool({"model", "models", "ml"} & set(before))


def _check_ci(c: _Ctx) -> bool:
    after = c.after(1)
    return bool(after and after[0] in _CI_NOUNS)


def _check_container(c: _Ctx) -> bool:
    return not c.near(_CONTAINER_AVOID, 60) and c.near(_CONTAINER_TECH, 100)


def _check_s3(c: _Ctx) -> bool:
    return not c.near(
        [
            "protocol",
            "protocols",
            "nfs",
            "iscsi",
            "smb",
            "swift",
            "minio",
            "ceph",
            "lustre",
            "fibre",
            "object",
            "compatible",
        ],
        80,
    )


def _check_amazon(c: _Ctx) -> bool:
    after = c.after(1)
    return c.span[:1] == "A" and bool(after and after[0] in _AMAZON_SERVICES)


def _check_google(c: _Ctx) -> bool:
    after = c.after(1)
    return c.span[:1] == "G" and bool(after and after[0] in _GOOGLE_SERVICES)


def _check_spark(c: _Ctx) -> bool:
    after, before = c.after(1), c.before(1)
    if after and after[0] in _SPARK_OBJECTS:
        return False
    if before and before[0] in ("a", "the", "that", "creative", "initial", "to"):
        return False
    return c.near(_SPARK_TECH, 100)


def _check_excel(c: _Ctx) -> bool:
    before, after = c.before(1), c.after(1)
    if c.span == "EXCEL" and not _list_context(c):
        return False
    if before and before[0] in _EXCEL_VERB_BEFORE and not (after and after[0] in _EXCEL_PRODUCT_AFTER):
        return False
    if after and after[0] in (
        "at",
        "in",
        "as",
        "within",
        "when",
        "on",
        "through",
        "under",
        "while",
        "across",
        "if",
    ):
        return bool(before and before[0] in ("microsoft", "ms", "advanced", "using", "with"))
    if (
        (before and before[0] in _EXCEL_PRODUCT_BEFORE)
        or (after and after[0] in _EXCEL_PRODUCT_AFTER)
        or _list_context(c)
    ):
        return True
    return c.span == "Excel" and c.prev_char() not in (".", "!", "?", "", "•", "-", ":", "\n")


def _check_not_company(c: _Ctx) -> bool:
    before = c.before(6)
    if before and before[-1] == "at":
        return False
    if set(before) & _COMPANY_CUES:
        return False
    after = c.after(2)
    return not (
        after[:1] == ["s"] and len(after) > 1 and after[1] in ("ceo", "cto", "founder", "cofounder", "co")
    )


def _check_ml_field(c: _Ctx) -> bool:
    before = c.before(1)
    return not (before and before[0].replace(".", "").isdigit())


_CHECKS: dict[str, Callable[[_Ctx], bool]] = {
    "r_language": _check_r,
    "go_language": _check_go,
    "cpp_plus": _check_cpp,
    "csharp": _check_csharp,
    "c_language": _check_c,
    "node_js": _check_node,
    "js_abbrev": _check_js,
    "ml_context": _check_ml_context,
    "language_context": _check_language_context,
    "lora": _check_lora,
    "prompt_work": _check_prompt,
    "ai_agents": _check_agents,
    "model_monitoring": _check_model_monitoring,
    "ci_word": _check_ci,
    "software_container": _check_container,
    "s3_aws": _check_s3,
    "amazon_service": _check_amazon,
    "google_service": _check_google,
    "spark_tool": _check_spark,
    "excel_product": _check_excel,
    "not_company": _check_not_company,
    "ml_field": _check_ml_field,
}
