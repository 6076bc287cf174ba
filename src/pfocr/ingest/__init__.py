"""Ingest: from the user's files, folders, articles and packages to ``Figure`` records.

``discover`` finds figures and their metadata; ``read_image_bytes`` and ``decode_image``
turn one figure into an RGB picture, with a clear ``ImageReadError`` when that fails.
"""

from pfocr.ingest.archives import ArchiveListing, ArchiveMember, list_members, read_member
from pfocr.ingest.discover import discover, figure_from_fields
from pfocr.ingest.images import (
    IMAGE_SUFFIXES,
    decode_image,
    is_image_path,
    read_image_bytes,
    sha256_bytes,
    to_rgb,
)
from pfocr.ingest.jats import JatsArticle, JatsFigure, parse_article
from pfocr.ingest.metadata import figure_fields, read_manifest, read_sidecar

__all__ = [
    "IMAGE_SUFFIXES",
    "ArchiveListing",
    "ArchiveMember",
    "JatsArticle",
    "JatsFigure",
    "decode_image",
    "discover",
    "figure_fields",
    "figure_from_fields",
    "is_image_path",
    "list_members",
    "parse_article",
    "read_image_bytes",
    "read_manifest",
    "read_member",
    "read_sidecar",
    "sha256_bytes",
    "to_rgb",
]
