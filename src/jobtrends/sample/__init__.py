"""The bundled synthetic sample: a deterministic world of fictional companies and their postings.

``make run`` ingests it offline through the real connectors: :class:`SampleWorld.transport` serves the
generated payloads at the real API URLs (Greenhouse, Lever, Ashby, schema.org JSON-LD career pages,
RemoteOK). Nothing here is real data; every payload carries :data:`SYNTHETIC_MARKER`.
"""

from __future__ import annotations

from jobtrends.sample.truths import TRUTHS, SampleTruths, mart_checks, realised_truths
from jobtrends.sample.world import SYNTHETIC_MARKER, Company, Job, Listing, SampleWorld, generate_world

__all__ = [
    "SYNTHETIC_MARKER",
    "TRUTHS",
    "Company",
    "Job",
    "Listing",
    "SampleTruths",
    "SampleWorld",
    "generate_world",
    "mart_checks",
    "realised_truths",
]
