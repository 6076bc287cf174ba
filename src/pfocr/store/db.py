"""The SQLite store: figures, OCR tokens, mentions, failures and runs in one file.

No ORM: named functions, each one or a few parameterised statements. One writer
(the process running ``pfocr run``); every figure is committed in its own
transaction, so an interrupted run loses at most the figure in flight.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from pfocr.errors import SchemaVersionError, StoreError
from pfocr.models import (
    METADATA_FIELDS,
    Figure,
    FigureRecord,
    FigureResult,
    Mention,
    OcrToken,
)

SCHEMA_VERSION = 1
STORE_FILENAME = "pfocr.sqlite"


def store_path(out_dir: Path) -> Path:
    """Where the store of an output folder lives."""
    return Path(out_dir) / STORE_FILENAME


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating and migrating if needed) the store at ``path``."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(
            f"Cannot open the store {path}: {exc}. Check the folder is writable."
        ) from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(
            f"{path} is not a pfocr store or is damaged ({exc}). "
            "Use another --out folder or move the file away."
        ) from None
    return conn


def migrate(conn: sqlite3.Connection, path: Path | str = "store") -> None:
    """Create the schema, or refuse a store written by a newer pfocr."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{path} has schema version {version}; this pfocr reads up to {SCHEMA_VERSION}. "
            "Upgrade pfocr."
        )
    if version < SCHEMA_VERSION:
        schema = resources.files("pfocr.store").joinpath("schema.sql").read_text("utf-8")
        with conn:
            conn.executescript(schema)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


# --- runs -----------------------------------------------------------------------------------


def start_run(conn: sqlite3.Connection, settings: dict[str, object], command: str) -> int:
    from pfocr import __version__

    with conn:
        # A run left 'running' was killed: mark it so the history stays honest.
        conn.execute(
            "UPDATE runs SET status = 'interrupted' WHERE status = 'running'",
        )
        cur = conn.execute(
            "INSERT INTO runs (started_at, command, pfocr_version, settings_json) "
            "VALUES (?, ?, ?, ?)",
            (_now(), command, __version__, json.dumps(settings, sort_keys=True)),
        )
    return int(cur.lastrowid or 0)


@dataclass
class RunCounts:
    figures: int = 0
    processed: int = 0
    reused: int = 0
    failed: int = 0


def finish_run(conn: sqlite3.Connection, run_id: int, counts: RunCounts) -> None:
    with conn:
        conn.execute(
            "UPDATE runs SET finished_at = ?, status = 'finished', n_figures = ?, "
            "n_processed = ?, n_reused = ?, n_failed = ? WHERE run_id = ?",
            (_now(), counts.figures, counts.processed, counts.reused, counts.failed, run_id),
        )


# --- figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredState:
    """What the store already holds for a figure, to decide what work is left."""

    image_sha256: str
    ocr_key: str
    recognise_key: str
    metadata: dict[str, str]


def stored_state(conn: sqlite3.Connection, figid: str) -> StoredState | None:
    row = conn.execute(
        "SELECT image_sha256, ocr_key, recognise_key, "
        + ", ".join(METADATA_FIELDS)
        + " FROM figures WHERE figid = ?",
        (figid,),
    ).fetchone()
    if row is None:
        return None
    return StoredState(
        image_sha256=row["image_sha256"],
        ocr_key=row["ocr_key"],
        recognise_key=row["recognise_key"],
        metadata={name: row[name] for name in METADATA_FIELDS},
    )


def load_tokens(conn: sqlite3.Connection, figid: str) -> list[OcrToken]:
    rows = conn.execute(
        "SELECT text, x0, y0, x1, y1, confidence, kind, line, alternatives FROM ocr_tokens "
        "WHERE figid = ? ORDER BY seq",
        (figid,),
    ).fetchall()
    return [OcrToken(*row[:8], alternatives=tuple(json.loads(row[8]))) for row in rows]


def save_result(
    conn: sqlite3.Connection,
    result: FigureResult,
    *,
    ocr_key: str,
    recognise_key: str,
    run_id: int,
) -> None:
    """Replace everything stored for the figure with ``result``, atomically."""
    fig = result.figure
    columns = (
        "figid",
        "source",
        "image_path",
        "archive_member",
        *METADATA_FIELDS,
        "image_sha256",
        "width",
        "height",
        "ocr_key",
        "recognise_key",
        "seconds",
        "run_id",
        "processed_at",
    )
    values = (
        fig.figid,
        fig.source,
        fig.image_path,
        fig.archive_member,
        *(getattr(fig, name) for name in METADATA_FIELDS),
        result.image_sha256,
        result.width,
        result.height,
        ocr_key,
        recognise_key,
        round(result.seconds, 4),
        run_id,
        _now(),
    )
    placeholders = ", ".join("?" for _ in columns)
    with conn:
        conn.execute("DELETE FROM ocr_tokens WHERE figid = ?", (fig.figid,))
        conn.execute("DELETE FROM mentions WHERE figid = ?", (fig.figid,))
        conn.execute(
            f"INSERT OR REPLACE INTO figures ({', '.join(columns)}) VALUES ({placeholders})",
            values,
        )
        conn.executemany(
            "INSERT INTO ocr_tokens (figid, seq, kind, line, text, x0, y0, x1, y1, confidence, "
            "alternatives) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    fig.figid,
                    i,
                    t.kind,
                    t.line,
                    t.text,
                    t.x0,
                    t.y0,
                    t.x1,
                    t.y1,
                    t.confidence,
                    json.dumps(list(t.alternatives), ensure_ascii=False),
                )
                for i, t in enumerate(result.tokens)
            ],
        )
        conn.executemany(
            "INSERT INTO mentions (figid, seq, word, symbol, source, hgnc_symbol, entrez, "
            "x0, y0, x1, y1, confidence, transforms, family) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    fig.figid,
                    i,
                    m.word,
                    m.symbol,
                    m.source,
                    m.hgnc_symbol,
                    m.entrez,
                    m.x0,
                    m.y0,
                    m.x1,
                    m.y1,
                    m.confidence,
                    ";".join(m.transforms),
                    m.family,
                )
                for i, m in enumerate(result.mentions)
            ],
        )


def update_metadata(conn: sqlite3.Connection, figure: Figure) -> None:
    """Refresh a stored figure's metadata (a sidecar edited since) without reprocessing it."""
    assignments = ", ".join(f"{name} = ?" for name in METADATA_FIELDS)
    with conn:
        conn.execute(
            f"UPDATE figures SET source = ?, {assignments} WHERE figid = ?",
            (figure.source, *(getattr(figure, name) for name in METADATA_FIELDS), figure.figid),
        )


def record_failure(
    conn: sqlite3.Connection,
    run_id: int,
    *,
    source: str,
    stage: str,
    error_class: str,
    message: str,
    figid: str | None = None,
) -> None:
    with conn:
        conn.execute(
            "INSERT INTO failures (run_id, figid, source, stage, error_class, message, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run_id, figid, source, stage, error_class, message, _now()),
        )


# --- reading --------------------------------------------------------------------------------


def _figure_from_row(row: sqlite3.Row) -> Figure:
    return Figure(
        figid=row["figid"],
        image_path=row["image_path"],
        source=row["source"],
        archive_member=row["archive_member"],
        **{name: row[name] for name in METADATA_FIELDS},
    )


def _mentions_by_figure(conn: sqlite3.Connection, figid: str) -> tuple[Mention, ...]:
    rows = conn.execute(
        "SELECT word, symbol, source, hgnc_symbol, entrez, x0, y0, x1, y1, confidence, "
        "transforms, family FROM mentions WHERE figid = ? ORDER BY seq",
        (figid,),
    ).fetchall()
    return tuple(
        Mention(
            word=r["word"],
            symbol=r["symbol"],
            source=r["source"],
            hgnc_symbol=r["hgnc_symbol"],
            entrez=r["entrez"],
            x0=r["x0"],
            y0=r["y0"],
            x1=r["x1"],
            y1=r["y1"],
            confidence=r["confidence"],
            transforms=tuple(t for t in r["transforms"].split(";") if t),
            family=r["family"],
        )
        for r in rows
    )


def iter_records(conn: sqlite3.Connection) -> Iterator[FigureRecord]:
    """Every stored figure with its mentions, ordered by figid; streams."""
    cursor = conn.execute("SELECT * FROM figures ORDER BY figid")
    while True:
        rows = cursor.fetchmany(256)
        if not rows:
            return
        for row in rows:
            yield FigureRecord(
                figure=_figure_from_row(row),
                mentions=_mentions_by_figure(conn, row["figid"]),
                image_sha256=row["image_sha256"],
                width=row["width"],
                height=row["height"],
                pathway_score=row["pathway_score"],
            )


def run_failures(conn: sqlite3.Connection, run_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT figid, source, stage, error_class, message FROM failures "
        "WHERE run_id = ? ORDER BY failure_id",
        (run_id,),
    ).fetchall()


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Headline numbers of a store (for summaries and ``pfocr status``)."""
    one = lambda sql: int(conn.execute(sql).fetchone()[0])  # noqa: E731
    return {
        "figures": one("SELECT count(*) FROM figures"),
        "tokens": one("SELECT count(*) FROM ocr_tokens"),
        "mentions": one("SELECT count(*) FROM mentions"),
        "genes": one("SELECT count(DISTINCT entrez) FROM mentions"),
        "runs": one("SELECT count(*) FROM runs"),
        "failures": one("SELECT count(*) FROM failures"),
    }
