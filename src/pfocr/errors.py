"""One exception hierarchy for every layer, so callers catch ``PfocrError`` and show its text.

A message says what failed, on which input, and what to do next.
"""

from __future__ import annotations


class PfocrError(Exception):
    """Base class of every error pfocr raises on purpose."""


class IngestError(PfocrError):
    """An input (image, metadata, article, archive) could not be read."""


class ImageReadError(IngestError):
    """An image file is unreadable, truncated, not an image or too large."""


class JatsParseError(IngestError):
    """A JATS article is malformed or unsafe to parse."""


class ArchiveError(IngestError):
    """An article archive is corrupt or holds unsafe member paths."""


class OcrError(PfocrError):
    """The OCR engine failed on an image."""


class OcrEngineMissing(OcrError):
    """The requested OCR engine or its runtime is not installed."""


class LexiconError(PfocrError):
    """A lexicon data file is missing or malformed."""


class StoreError(PfocrError):
    """The SQLite store cannot be opened, migrated or written."""


class SchemaVersionError(StoreError):
    """The store was written by a newer pfocr than this one."""


class ExportError(PfocrError):
    """An output file could not be written."""


class ClassifierError(PfocrError):
    """The pathway classifier's model or training labels are missing or malformed."""
