"""Store layer: one SQLite file per output folder."""

from pfocr.store.db import (
    STORE_FILENAME,
    connect,
    counts,
    iter_records,
    store_path,
)

__all__ = ["STORE_FILENAME", "connect", "counts", "iter_records", "store_path"]
