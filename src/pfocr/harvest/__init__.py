"""Harvest pathway figures from Europe PMC: search captions in a date window, download the
figures of Open Access articles with their metadata, keep a ledger of what was seen.

Off by default and the only part of pfocr that uses the network (``pfocr harvest``); the
folder it fills is an ordinary input of ``pfocr run``.
"""

from pfocr.harvest.europepmc import (
    DEFAULT_BASE_URL,
    DEFAULT_IMAGE_BASE_URL,
    PFOCR_TERMS,
    HarvestSummary,
    build_query,
    harvest,
)
from pfocr.harvest.http import HttpSettings, RetryingClient
from pfocr.harvest.ledger import Ledger

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_IMAGE_BASE_URL",
    "PFOCR_TERMS",
    "HarvestSummary",
    "HttpSettings",
    "Ledger",
    "RetryingClient",
    "build_query",
    "harvest",
]
