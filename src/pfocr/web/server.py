"""The ASGI app ``pfocr serve`` runs: the store comes from ``PFOCR_WEB_STORE`` so uvicorn
can import it by name in every worker process."""

from __future__ import annotations

import os
from pathlib import Path

from pfocr.export.release import DEFAULT_SITE_URL
from pfocr.web.app import create_app

app = create_app(
    Path(os.environ["PFOCR_WEB_STORE"]),
    site_url=os.environ.get("PFOCR_WEB_SITE_URL", DEFAULT_SITE_URL),
)
