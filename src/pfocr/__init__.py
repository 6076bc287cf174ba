"""pfocr: genes and metadata from published pathway figures, offline.

The public names are re-exported here; everything else is internal.
Importing this package loads no OCR engine.
"""

from pfocr.errors import PfocrError
from pfocr.models import Figure, FigureRecord, FigureResult, IngestFailure, Mention, OcrToken

__version__ = "0.1.0"

__all__ = [
    "Figure",
    "FigureRecord",
    "FigureResult",
    "IngestFailure",
    "Mention",
    "OcrToken",
    "PfocrError",
    "__version__",
]
