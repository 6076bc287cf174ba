"""The SQLite store: figures, OCR tokens, mentions of genes, chemicals and diseases,
organisms, interactions, failures and runs in one file.

No ORM: named functions, each one or a few parameterised statements. One writer
(the process running ``pfocr run``); every figure is committed in its own
transaction, so an interrupted run loses at most the figure in flight.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from pfocr.errors import SchemaVersionError, StoreError
from pfocr.models import (
    METADATA_FIELDS,
    AmbiguousMention,
    ChemicalMention,
    DiseaseMention,
    Edge,
    Figure,
    FigureRecord,
    FigureResult,
    Mention,
    OcrToken,
    OrganismCount,
    OrganismRow,
)

#: Tables holding one figure's results, cleared before the figure is written again.
FIGURE_TABLES: tuple[str, ...] = (
    "ocr_tokens",
    "mentions",
    "chemicals",
    "diseases",
    "organisms",
    "organisms_ner",
    "edges",
    "ambiguous_mentions",
)

SCHEMA_VERSION = 2
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
        "pathway_score",
        "skipped",
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
        # A figure left unread keeps no OCR key, so a later run without --min-score reads it.
        "" if result.skipped else ocr_key,
        recognise_key,
        result.pathway_score,
        int(result.skipped),
        round(result.seconds, 4),
        run_id,
        _now(),
    )
    placeholders = ", ".join("?" for _ in columns)
    with conn:
        for table in FIGURE_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE figid = ?", (fig.figid,))
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
        _save_extras(conn, result)


def _save_extras(conn: sqlite3.Connection, result: FigureResult) -> None:
    """Chemicals, diseases, organisms, edges and ambiguous synonyms of a figure (inside the
    caller's transaction)."""
    figid = result.figure.figid
    conn.executemany(
        "INSERT INTO ambiguous_mentions (figid, seq, word, symbol, source, candidates, entrez, "
        "x0, y0, x1, y1, confidence, transforms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                figid,
                i,
                a.word,
                a.symbol,
                a.source,
                ";".join(a.candidates),
                ";".join(a.entrez),
                a.x0,
                a.y0,
                a.x1,
                a.y1,
                a.confidence,
                ";".join(a.transforms),
            )
            for i, a in enumerate(result.ambiguous)
        ],
    )
    for table, id_column, items in (
        ("chemicals", "chebi", result.chemicals),
        ("diseases", "doid", result.diseases),
    ):
        conn.executemany(
            f"INSERT INTO {table} (figid, seq, word, match, name, mesh, {id_column}, "
            "x0, y0, x1, y1, confidence, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    figid,
                    i,
                    c.word,
                    c.match,
                    c.name,
                    c.mesh,
                    getattr(c, id_column),
                    c.x0,
                    c.y0,
                    c.x1,
                    c.y1,
                    c.confidence,
                    c.source,
                )
                for i, c in enumerate(items)
            ],
        )
    conn.executemany(
        "INSERT INTO organisms (figid, seq, name, taxon_id, grp, evidence, gene_set) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (figid, i, o.name, o.taxon_id, o.group, o.evidence, int(o.gene_set))
            for i, o in enumerate(result.organisms)
        ],
    )
    conn.executemany(
        "INSERT INTO organisms_ner (figid, seq, organism_id, organism_name, organism_group, "
        "count_direct, count_synonym, count_match) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                figid,
                i,
                n.organism_id,
                n.organism_name,
                n.organism_group,
                n.count_direct,
                n.count_synonym,
                n.count_match,
            )
            for i, n in enumerate(result.organisms_ner)
        ],
    )
    conn.executemany(
        "INSERT INTO edges (figid, seq, source, target, kind, confidence, directed, "
        "source_word, target_word, source_type, target_type, polyline) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                figid,
                i,
                e.source,
                e.target,
                e.kind,
                e.confidence,
                int(e.directed),
                e.source_word,
                e.target_word,
                e.source_type,
                e.target_type,
                json.dumps([[round(x, 1), round(y, 1)] for x, y in e.polyline]),
            )
            for i, e in enumerate(result.edges)
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


#: Per-figure result tables and the columns that rebuild their records, in record order.
_RESULT_QUERIES: dict[str, str] = {
    "mentions": "word, symbol, source, hgnc_symbol, entrez, x0, y0, x1, y1, confidence, "
    "transforms, family",
    "chemicals": "word, match, name, mesh, chebi, x0, y0, x1, y1, confidence, source",
    "diseases": "word, match, name, mesh, doid, x0, y0, x1, y1, confidence, source",
    "organisms": "name, taxon_id, grp, evidence, gene_set",
    "organisms_ner": "organism_id, organism_name, organism_group, count_direct, count_synonym, "
    "count_match",
    "edges": "source, target, kind, confidence, polyline, directed, source_word, target_word, "
    "source_type, target_type",
    "ambiguous_mentions": "word, symbol, source, candidates, entrez, x0, y0, x1, y1, confidence, "
    "transforms",
}
#: Figures per batch of ``IN (...)`` queries (well under SQLite's variable limit).
_BATCH = 256


def _edge(r: tuple) -> Edge:  # type: ignore[type-arg]
    polyline = tuple((float(x), float(y)) for x, y in json.loads(r[4]))
    return Edge(r[0], r[1], r[2], r[3], polyline, bool(r[5]), *r[6:])


def _ambiguous(r: tuple) -> AmbiguousMention:  # type: ignore[type-arg]
    def split(text: str) -> tuple[str, ...]:
        return tuple(t for t in text.split(";") if t)

    return AmbiguousMention(r[0], r[1], r[2], split(r[3]), tuple(r[4].split(";")), *r[5:10],
                            transforms=split(r[10]))  # fmt: skip


def _records_for_rows(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[FigureRecord]:
    """Records of ``figures`` rows, reading each result table once for all of them."""
    figids = [row["figid"] for row in rows]
    marks = ", ".join("?" for _ in figids)
    found: dict[str, dict[str, list[tuple]]] = {}  # type: ignore[type-arg]
    for table, columns in _RESULT_QUERIES.items():
        by_figure: dict[str, list[tuple]] = {figid: [] for figid in figids}  # type: ignore[type-arg]
        sql = f"SELECT figid, {columns} FROM {table} WHERE figid IN ({marks}) ORDER BY figid, seq"
        for r in conn.execute(sql, figids):
            by_figure[r[0]].append(tuple(r)[1:])
        found[table] = by_figure
    records = []
    for row in rows:
        figid = row["figid"]
        organisms = tuple(
            OrganismRow(r[0], r[1], r[2], r[3], bool(r[4])) for r in found["organisms"][figid]
        )
        names = tuple(o.name for o in organisms) or ("Homo sapiens",)
        records.append(
            FigureRecord(
                figure=_figure_from_row(row),
                mentions=tuple(
                    Mention(
                        *r[:10], transforms=tuple(t for t in r[10].split(";") if t), family=r[11]
                    )
                    for r in found["mentions"][figid]
                ),
                image_sha256=row["image_sha256"],
                width=row["width"],
                height=row["height"],
                pathway_score=row["pathway_score"],
                organisms=names,
                chemicals=tuple(ChemicalMention(*r) for r in found["chemicals"][figid]),
                diseases=tuple(DiseaseMention(*r) for r in found["diseases"][figid]),
                organisms_ner=tuple(OrganismCount(*r) for r in found["organisms_ner"][figid]),
                edges=tuple(_edge(r) for r in found["edges"][figid]),
                ambiguous=tuple(_ambiguous(r) for r in found["ambiguous_mentions"][figid]),
                gene_set_organisms=(
                    tuple(o.name for o in organisms if o.gene_set) if organisms else names
                ),
            )
        )
    return records


def _figure_rows(
    conn: sqlite3.Connection, sql: str, params: Sequence[object] = ()
) -> sqlite3.Cursor:
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row  # whatever the connection's own row factory
    return cursor.execute(sql, params)


def load_records(conn: sqlite3.Connection, figids: Sequence[str]) -> dict[str, FigureRecord]:
    """Stored figures with everything recognised on them, by figid (unknown ids left out)."""
    records: dict[str, FigureRecord] = {}
    for i in range(0, len(figids), _BATCH):
        batch = list(figids[i : i + _BATCH])
        marks = ", ".join("?" for _ in batch)
        rows = _figure_rows(conn, f"SELECT * FROM figures WHERE figid IN ({marks})", batch)
        records.update((r.figure.figid, r) for r in _records_for_rows(conn, rows.fetchall()))
    return records


def load_record(conn: sqlite3.Connection, figid: str) -> FigureRecord | None:
    """One stored figure with everything recognised on it, or None."""
    return load_records(conn, [figid]).get(figid)


def iter_records(
    conn: sqlite3.Connection, *, include_skipped: bool = False
) -> Iterator[FigureRecord]:
    """Every stored figure with its results, ordered by figid; streams in batches.

    Figures left unread by ``--min-score`` are not published unless ``include_skipped``.
    """
    where = "" if include_skipped else " WHERE skipped = 0"
    cursor = _figure_rows(conn, f"SELECT * FROM figures{where} ORDER BY figid")
    while True:
        rows = cursor.fetchmany(_BATCH)
        if not rows:
            return
        yield from _records_for_rows(conn, rows)


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
        "chemicals": one("SELECT count(*) FROM chemicals"),
        "diseases": one("SELECT count(*) FROM diseases"),
        "edges": one("SELECT count(*) FROM edges"),
        "ambiguous": one("SELECT count(*) FROM ambiguous_mentions"),
        "skipped": one("SELECT count(*) FROM figures WHERE skipped = 1"),
        "runs": one("SELECT count(*) FROM runs"),
        "failures": one("SELECT count(*) FROM failures"),
    }
