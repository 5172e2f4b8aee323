"""jobtrends: reproducible AI job-market numbers from public job postings."""

__version__ = "0.1.0"
