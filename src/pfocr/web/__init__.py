"""The web site and JSON API over a store (``pfocr serve``): see :func:`create_app`."""

from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any) -> Any:
    """Build the FastAPI app (imported lazily so ``import pfocr.web`` stays light)."""
    from pfocr.web.app import create_app as build

    return build(*args, **kwargs)


__all__ = ["create_app"]
