"""Word pools of the synthetic sample: titles, skills (by the aliases of skills.md), duties, boilerplate.

Pure data. The wording avoids accidental skill mentions: nothing but a chosen PyTorch/TensorFlow skill
says "torch", "Keras" or "TensorFlow", so the skill-share truths are exact.
"""

from __future__ import annotations

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
)
ROLES: tuple[str, ...] = (*AI_ROLES, *COMPARABLE_ROLES, "other")

SENIORITIES: tuple[str, ...] = (
    "intern",
    "entry",
    "mid",
    "senior",
    "staff_principal",
    "manager",
    "unspecified",
)
BAND_OF: dict[str, str] = {
    "intern": "entry",
    "entry": "entry",
    "mid": "mid",
    "unspecified": "unspecified",
    "senior": "senior_plus",
    "staff_principal": "senior_plus",
    "manager": "manager",
}
"""Pay band of a seniority, as the salary mart reports them (Entry-Level, Mid-Level, Senior+, Manager,
Unspecified). Titles without a level ask for 2–5 years and are paid like Mid."""

# Base titles per role: every one maps to its role by the taxonomy rules, whatever noise is added.
BASE_TITLES: dict[str, tuple[str, ...]] = {
    "ai_ml_engineer": (
        "Machine Learning Engineer",
        "ML Engineer",
        "AI Engineer",
        "Applied AI Engineer",
        "Applied ML Engineer",
        "Deep Learning Engineer",
        "LLM Engineer",
        "GenAI Engineer",
        "NLP Engineer",
        "Computer Vision Engineer",
        "Software Engineer, Machine Learning",
        "AI Backend Engineer",
    ),
    "mlops_engineer": (
        "MLOps Engineer",
        "ML Platform Engineer",
        "ML Infrastructure Engineer",
        "AI Infrastructure Engineer",
        "Inference Engineer",
        "Model Serving Engineer",
        "LLMOps Engineer",
    ),
    "prompt_engineer": ("Prompt Engineer", "Prompt Designer", "AI Prompt Specialist", "LLM Prompt Writer"),
    "ai_governance": (
        "AI Governance Specialist",
        "AI Ethics Specialist",
        "AI Policy Analyst",
        "AI Risk Analyst",
        "AI Compliance Officer",
        "Responsible AI Specialist",
    ),
    "forward_deployed_engineer": (
        "Forward Deployed Engineer",
        "Forward-Deployed Software Engineer",
        "Forward Deployed AI Engineer",
        "AI Deployment Engineer",
        "AI Solutions Engineer",
    ),
    "data_scientist": (
        "Data Scientist",
        "Applied Scientist",
        "Decision Scientist",
        "Machine Learning Scientist",
    ),
    "research_scientist": (
        "Research Scientist, Machine Learning",
        "Research Engineer, Machine Learning",
        "AI Researcher",
        "Research Scientist, NLP",
        "Machine Learning Research Scientist",
        "Research Engineer, Pretraining",
        "Research Scientist, Alignment",
    ),
    "data_annotator": (
        "Data Annotator",
        "Data Labeler",
        "Annotation Specialist",
        "AI Trainer",
        "RLHF Specialist",
        "AI Data Rater",
        "AI Tutor, Chemistry",
    ),
    "ai_product_manager": (
        "AI Product Manager",
        "Product Manager, Machine Learning",
        "Product Manager, Generative AI",
        "Product Manager, AI",
    ),
    "software_engineer": (
        "Software Engineer",
        "Backend Engineer",
        "Frontend Engineer",
        "Full-Stack Engineer",
        "Full Stack Developer",
        "iOS Engineer",
        "Android Engineer",
        "Firmware Engineer",
        "Software Developer",
    ),
    "data_engineer": ("Data Engineer", "Analytics Engineer", "ETL Developer", "Big Data Engineer"),
    "data_analyst": (
        "Data Analyst",
        "BI Analyst",
        "Business Intelligence Developer",
        "Business Data Analyst",
    ),
    "devops_engineer": (
        "DevOps Engineer",
        "Site Reliability Engineer",
        "Platform Engineer",
        "Cloud Engineer",
        "Infrastructure Engineer",
        "Network Engineer",
    ),
    "product_manager": ("Product Manager", "Technical Product Manager"),
    "other": (
        "Account Executive",
        "Technical Recruiter",
        "Financial Analyst",
        "Product Designer",
        "UX Researcher",
        "Sales Development Representative",
        "Mechanical Design Engineer",
        "Product Marketing Manager",
        "Legal Counsel",
        "Payroll Specialist",
        "Executive Assistant",
        "Solutions Engineer",
        "Account Executive, AI Sales",
        "Customer Support Specialist",
    ),
}

# People-manager titles (seniority ``manager``) per role.
MANAGER_TITLES: dict[str, tuple[str, ...]] = {
    "ai_ml_engineer": ("Engineering Manager, Machine Learning", "Machine Learning Engineering Manager"),
    "mlops_engineer": ("Engineering Manager, ML Platform", "Engineering Manager, ML Infrastructure"),
    "prompt_engineer": ("Prompt Engineering Manager",),
    "ai_governance": ("Head of AI Governance", "Director, Responsible AI"),
    "forward_deployed_engineer": ("Forward Deployed Engineering Manager",),
    "data_scientist": ("Data Science Manager", "Director of Data Science"),
    "research_scientist": ("Research Scientist Manager, Machine Learning", "Head of AI Research"),
    "data_annotator": ("Data Annotation Manager",),
    "ai_product_manager": ("Group Product Manager, AI", "Director of Product, Machine Learning"),
    "software_engineer": ("Engineering Manager", "Software Engineering Manager"),
    "data_engineer": ("Data Engineering Manager",),
    "data_analyst": ("Analytics Manager, Business Intelligence",),
    "devops_engineer": ("SRE Manager", "DevOps Manager"),
    "product_manager": ("Group Product Manager", "Director of Product Management"),
    "other": ("Recruiting Manager", "Director of Sales", "Head of Finance"),
}

SENIOR_PREFIX: dict[str, tuple[str, ...]] = {
    "entry": ("Junior {t}", "{t} I", "Associate {t}", "New Grad {t}", "Entry Level {t}"),
    "mid": ("{t} II", "Mid-level {t}", "{t} 2"),
    "senior": ("Senior {t}", "Sr. {t}", "{t} III", "Lead {t}", "Senior {t}"),
    "staff_principal": ("Staff {t}", "Principal {t}", "Senior Staff {t}"),
    "intern": ("{t} Intern", "Intern, {t}", "{t} Internship"),
}

TEAM_SUFFIXES: tuple[str, ...] = (
    "Payments",
    "Growth",
    "Search",
    "Risk",
    "Ads",
    "Checkout",
    "Maps",
    "Customer Experience",
    "Marketplace",
    "Fraud",
    "Identity",
    "Billing",
    "Pricing",
    "Logistics",
    "Onboarding",
    "Notifications",
    "Compliance",
    "Partnerships",
    "Merchant Tools",
    "Lending",
    "Travel",
    "Messaging",
    "Reporting",
    "Accounts",
)

CODENAMES: tuple[str, ...] = (
    "Aurora", "Basalt", "Cobalt", "Dune", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper",
    "Kestrel", "Lumen", "Meridian", "Nimbus", "Orchid", "Pylon", "Quartz", "Ridge", "Sable", "Tundra",
    "Umber", "Vesper", "Willow", "Xenon", "Yarrow", "Zephyr", "Atlas", "Beacon", "Cedar", "Delta",
)  # fmt: skip

# Aliases (skills.md) used to mention each core skill.
SKILL_PHRASES: dict[str, tuple[str, ...]] = {
    "python": ("Python",),
    "r": ("R",),
    "sql": ("SQL", "T-SQL"),
    "java": ("Java",),
    "scala": ("Scala",),
    "go": ("Go", "Golang"),
    "rust": ("Rust",),
    "cpp": ("C++",),
    "javascript": ("TypeScript", "JavaScript", "Node.js"),
    "pytorch": ("PyTorch",),
    "tensorflow": ("TensorFlow", "TensorFlow/Keras"),
    "jax": ("JAX",),
    "scikit_learn": ("scikit-learn",),
    "xgboost": ("XGBoost", "LightGBM"),
    "hugging_face": ("Hugging Face",),
    "cuda": ("CUDA", "TensorRT"),
    "llm": ("LLMs", "large language models"),
    "rag": ("RAG", "retrieval-augmented generation"),
    "fine_tuning": ("fine-tuning", "LoRA"),
    "prompt_engineering": ("prompt engineering", "prompt design"),
    "langchain": ("LangChain", "LlamaIndex"),
    "vector_db": ("vector databases", "pgvector", "Pinecone"),
    "ai_agents": ("AI agents", "agentic systems"),
    "mlflow": ("MLflow",),
    "kubeflow": ("Kubeflow",),
    "wandb": ("Weights & Biases",),
    "feature_store": ("feature stores", "Feast"),
    "model_monitoring": ("model monitoring", "drift detection"),
    "ci_cd": ("CI/CD", "GitHub Actions"),
    "docker": ("Docker",),
    "kubernetes": ("Kubernetes", "k8s"),
    "terraform": ("Terraform",),
    "aws": ("AWS",),
    "sagemaker": ("SageMaker",),
    "gcp": ("GCP", "Google Cloud"),
    "vertex_ai": ("Vertex AI",),
    "azure": ("Azure",),
    "azure_ml": ("Azure ML",),
    "databricks": ("Databricks",),
    "spark": ("Apache Spark", "PySpark"),
    "airflow": ("Airflow",),
    "kafka": ("Kafka",),
    "snowflake": ("Snowflake",),
    "dbt": ("dbt",),
    "tableau": ("Tableau", "Power BI", "Looker"),
    "excel": ("Excel",),
    "machine_learning": ("machine learning",),
    "deep_learning": ("deep learning",),
    "nlp": ("NLP",),
    "computer_vision": ("computer vision",),
    "reinforcement_learning": ("reinforcement learning",),
    "statistics": ("statistics", "A/B testing"),
}

_ML_CORE = {"python": 0.9, "sql": 0.3, "docker": 0.35, "kubernetes": 0.25, "aws": 0.35, "gcp": 0.15}
# Probability that a posting of the role names each skill (PyTorch/TensorFlow of ai_ml_engineer are
# assigned exactly by the generator instead, see world.SKILL_SHARE_TARGETS).
SKILL_PROBS: dict[str, dict[str, float]] = {
    "ai_ml_engineer": {
        **_ML_CORE, "pytorch": 0.0, "tensorflow": 0.0, "jax": 0.08, "scikit_learn": 0.2, "hugging_face": 0.25,
        "cuda": 0.1, "llm": 0.45, "rag": 0.25, "fine_tuning": 0.2, "langchain": 0.12, "vector_db": 0.12,
        "ai_agents": 0.15, "mlflow": 0.12, "machine_learning": 0.7, "deep_learning": 0.35, "nlp": 0.15,
        "computer_vision": 0.12, "sagemaker": 0.08, "vertex_ai": 0.05, "spark": 0.1, "go": 0.05, "cpp": 0.1,
    },
    "mlops_engineer": {
        **_ML_CORE, "kubernetes": 0.75, "docker": 0.7, "terraform": 0.45, "mlflow": 0.35, "kubeflow": 0.25,
        "wandb": 0.1, "feature_store": 0.2, "model_monitoring": 0.35, "ci_cd": 0.5, "pytorch": 0.25,
        "cuda": 0.2, "go": 0.25, "sagemaker": 0.15, "vertex_ai": 0.1, "azure_ml": 0.05, "llm": 0.3,
        "machine_learning": 0.6, "airflow": 0.2,
    },
    "prompt_engineer": {
        "python": 0.5, "llm": 0.9, "prompt_engineering": 0.85, "rag": 0.35, "langchain": 0.3,
        "ai_agents": 0.3, "fine_tuning": 0.15, "nlp": 0.2, "javascript": 0.15,
    },
    "ai_governance": {"llm": 0.4, "machine_learning": 0.55, "model_monitoring": 0.2, "statistics": 0.2, "excel": 0.2},
    "forward_deployed_engineer": {
        "python": 0.8, "javascript": 0.45, "sql": 0.4, "llm": 0.6, "rag": 0.3, "ai_agents": 0.3, "aws": 0.35,
        "docker": 0.3, "kubernetes": 0.2, "azure": 0.15, "langchain": 0.15, "machine_learning": 0.3,
    },
    "data_scientist": {
        "python": 0.85, "r": 0.35, "sql": 0.75, "scikit_learn": 0.35, "xgboost": 0.25, "pytorch": 0.2,
        "tensorflow": 0.1, "statistics": 0.65, "machine_learning": 0.7, "spark": 0.2, "tableau": 0.2,
        "databricks": 0.1, "snowflake": 0.1, "llm": 0.15,
    },
    "research_scientist": {
        "python": 0.8, "pytorch": 0.65, "jax": 0.3, "tensorflow": 0.1, "cuda": 0.2, "llm": 0.6,
        "fine_tuning": 0.35, "reinforcement_learning": 0.35, "deep_learning": 0.6, "nlp": 0.25,
        "computer_vision": 0.15, "machine_learning": 0.6, "cpp": 0.1,
    },
    "data_annotator": {"llm": 0.35, "excel": 0.2, "python": 0.1, "machine_learning": 0.15},
    "ai_product_manager": {"llm": 0.6, "machine_learning": 0.6, "sql": 0.3, "ai_agents": 0.2, "rag": 0.15, "statistics": 0.15},
    "software_engineer": {
        "python": 0.4, "java": 0.3, "go": 0.2, "rust": 0.08, "cpp": 0.12, "javascript": 0.45, "sql": 0.35,
        "docker": 0.3, "kubernetes": 0.25, "aws": 0.35, "gcp": 0.1, "azure": 0.08, "ci_cd": 0.3, "kafka": 0.1,
        "scala": 0.05, "terraform": 0.1,
    },
    "data_engineer": {
        "python": 0.8, "sql": 0.9, "spark": 0.5, "airflow": 0.45, "kafka": 0.3, "snowflake": 0.35, "dbt": 0.35,
        "databricks": 0.25, "aws": 0.4, "gcp": 0.15, "scala": 0.15, "java": 0.1, "docker": 0.2, "terraform": 0.1,
    },
    "data_analyst": {"sql": 0.9, "excel": 0.65, "tableau": 0.6, "python": 0.4, "r": 0.2, "statistics": 0.4, "snowflake": 0.1, "dbt": 0.1},
    "devops_engineer": {
        "kubernetes": 0.7, "docker": 0.65, "terraform": 0.6, "aws": 0.6, "gcp": 0.2, "azure": 0.2, "ci_cd": 0.6,
        "python": 0.4, "go": 0.3, "kafka": 0.1,
    },
    "product_manager": {"sql": 0.3, "statistics": 0.15, "excel": 0.15, "tableau": 0.1},
    "other": {"excel": 0.2, "tableau": 0.05, "sql": 0.05},
}  # fmt: skip

DUTIES: dict[str, tuple[str, ...]] = {
    "ai_ml_engineer": (
        "Design, train and ship models that power core product features",
        "Own the path from a research prototype to a reliable production service",
        "Build evaluation harnesses and offline metrics that predict online impact",
        "Improve latency and cost of model inference without losing quality",
        "Partner with product and design to turn user problems into modelling problems",
        "Write clean, tested code and review the code of your peers",
        "Build data pipelines that produce high-quality training sets",
        "Run experiments, read the results honestly and decide what ships",
        "Mentor engineers who are new to applied modelling",
        "Instrument deployed models so regressions are caught early",
    ),
    "mlops_engineer": (
        "Build and run the platform our modellers use to train and deploy",
        "Operate GPU clusters and keep utilisation high and queues short",
        "Automate model packaging, rollout and rollback",
        "Own the serving stack: autoscaling, batching and caching",
        "Make training runs reproducible from data snapshot to artefact",
        "Define service level objectives for inference and hold us to them",
        "Reduce the time from a merged change to a model in production",
        "Work with security to keep model artefacts and data access auditable",
    ),
    "prompt_engineer": (
        "Write, test and version the instructions behind our assistant features",
        "Build evaluation sets that catch regressions in model behaviour",
        "Design guardrails and refusal behaviour with the policy team",
        "Compare model versions and recommend which one to ship",
        "Document prompting patterns so product teams can reuse them",
        "Analyse conversation logs to find failure modes",
    ),
    "ai_governance": (
        "Write and maintain our policies for the responsible use of models",
        "Run risk assessments of new model launches",
        "Track emerging regulation and translate it into concrete controls",
        "Audit model documentation, data sources and evaluation results",
        "Train teams on responsible development practices",
        "Report on compliance to leadership and to external auditors",
    ),
    "forward_deployed_engineer": (
        "Embed with customer teams to deploy our platform into their workflows",
        "Build integrations, data connectors and custom applications on site",
        "Turn field feedback into product requirements for the core team",
        "Lead technical discovery workshops with customer stakeholders",
        "Debug production issues in customer environments",
        "Travel to customer sites up to 30% of the time",
    ),
    "data_scientist": (
        "Frame business questions as analyses and models",
        "Design experiments and measure their impact",
        "Build forecasting and propensity models used by operations",
        "Communicate results to executives in clear, honest terms",
        "Define metrics and keep them trustworthy",
        "Partner with engineers to put models into production",
    ),
    "research_scientist": (
        "Advance the state of the art in pretraining and post-training",
        "Design and run large-scale experiments on our compute cluster",
        "Publish and present research at top venues",
        "Develop new evaluation methods for model capabilities",
        "Study model behaviour, interpretability and alignment",
        "Collaborate with engineers to bring research into products",
    ),
    "data_annotator": (
        "Label text, images and conversations following detailed guidelines",
        "Write high-quality demonstrations and compare model responses",
        "Flag unclear guidelines and suggest improvements",
        "Meet weekly quality and throughput goals",
        "Review the work of other annotators",
    ),
    "ai_product_manager": (
        "Own the roadmap of our assistant and model-powered features",
        "Define success metrics for features whose behaviour is probabilistic",
        "Work with research and engineering to decide what is feasible",
        "Talk to customers every week and turn insights into priorities",
        "Write clear specs, including evaluation criteria",
    ),
    "software_engineer": (
        "Design, build and operate services used by millions of customers",
        "Write well-tested, maintainable code",
        "Participate in on-call and improve the reliability of our systems",
        "Review code and help raise the engineering bar",
        "Work with product and design to ship features end to end",
        "Improve the performance of our web and mobile clients",
        "Break down large projects into incremental deliveries",
    ),
    "data_engineer": (
        "Build batch and streaming pipelines that feed analytics and product",
        "Model data in the warehouse for self-service analysis",
        "Own data quality checks, lineage and documentation",
        "Reduce pipeline cost and latency",
        "Work with analysts to define trustworthy metrics",
    ),
    "data_analyst": (
        "Build dashboards and reports used by leadership",
        "Answer ad-hoc questions from sales, finance and operations",
        "Define and document key business metrics",
        "Find trends and communicate them clearly",
        "Automate recurring reporting",
    ),
    "devops_engineer": (
        "Run and improve our cloud infrastructure",
        "Automate provisioning and deployments",
        "Own monitoring, alerting and incident response",
        "Harden our systems and keep them patched",
        "Improve developer productivity with better tooling",
    ),
    "product_manager": (
        "Own the roadmap of a product area",
        "Talk to customers and understand their problems deeply",
        "Write clear requirements and prioritise ruthlessly",
        "Work with engineering and design to ship iteratively",
        "Measure outcomes and adjust course",
    ),
    "other": (
        "Build strong relationships with customers and partners",
        "Own your targets and report progress every week",
        "Keep processes organised, documented and compliant",
        "Work closely with colleagues across the company",
        "Represent the company at events and in meetings",
        "Improve how the team works, one process at a time",
    ),
}

GENERIC_REQUIREMENTS: tuple[str, ...] = (
    "Clear written communication",
    "Comfort with ambiguity and a bias to action",
    "A track record of shipping work you are proud of",
    "Curiosity and a willingness to learn new domains",
    "Experience working with cross-functional partners",
)

COMPANY_BLURBS: tuple[str, ...] = (
    "{name} builds software that helps mid-sized businesses run their operations.",
    "{name} is a fictional company created for this synthetic sample; its products and customers are invented.",
    "At {name}, we help teams turn messy information into decisions they can trust.",
    "{name} is a growing company with offices in several cities and a remote-friendly culture.",
)

# Trap sentences: words that look like skills but are not ("Go to market", "R&D", "C-suite"...).
TRAP_SENTENCES: tuple[str, ...] = (
    "Our go-to-market team works closely with R&D on every launch.",
    "We reinvest a large share of revenue in R&D and partner with C-suite leaders at our customers.",
    "Our Go to market motion is product-led, and our tools are built to spark joy for finance teams.",
    "We raised a $40M Series B last year and have grown the team to 250 people.",
    "Our customers range from rag-tag startups to enterprises with C-suite sponsors.",
)

BENEFITS: tuple[str, ...] = (
    "Comprehensive medical, dental and vision coverage",
    "401(k) plan with a company match",
    "Generous parental leave",
    "Flexible working hours and a home-office stipend",
    "Learning and development budget",
    "25 days of paid holiday plus public holidays",
    "Equity in a growing company",
)

EEO = (
    "{name} is an equal opportunity employer. We welcome applicants of every background and do not "
    "discriminate on the basis of any protected characteristic."
)

YEARS_BY_SENIORITY: dict[str, str] = {
    "intern": "You are currently enrolled in a degree programme",
    "entry": "You have 0–2 years of relevant experience",
    "mid": "You have 2–5 years of relevant experience",
    "unspecified": "You have 2–5 years of relevant experience",
    "senior": "You have 6+ years of relevant experience",
    "staff_principal": "You have 10+ years of relevant experience and have led multi-team projects",
    "manager": "You have 3+ years of experience managing teams",
}

COMPANY_DETAILS: tuple[str, ...] = (
    "We are a team of builders, operators and researchers who care about doing careful work and "
    "explaining it clearly to the people who rely on it.",
    "Our customers include hospitals, retailers, logistics networks and public bodies, and we take "
    "their trust seriously: privacy and reliability are part of every design review.",
    "We are profitable, growing steadily and hiring across engineering, product, operations and sales "
    "in every office we have.",
    "We publish our engineering handbook internally, write design documents before we build, and keep "
    "meetings short so that people have long stretches of focused time.",
)

PROCESS: tuple[str, ...] = (
    "Our interview process has four steps: a short call with a recruiter, a conversation with the hiring "
    "manager, a practical exercise that mirrors the work, and a final round with the team. We aim to "
    "decide within three weeks and give feedback at every stage.",
    "We review every application by hand. If your background does not match every bullet above, apply "
    "anyway: we care more about how you think and learn than about a checklist.",
    "You will get a buddy for your first month, a written onboarding plan, and regular check-ins with "
    "your manager about your growth and workload.",
)
