"""SQL behind the web pages and the JSON API: search, facets, gene pages, counts.

Every statement is parameterised. The full-text index over titles and captions (SQLite
FTS5, an external-content table over ``figures``) and a few read-side indexes are created
here, on demand, when a store is served, so the writer's schema stays as it is; a
fingerprint of the figures table tells when the index must be rebuilt.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from pfocr.enrich.library import resolve_genes
from pfocr.store.db import load_records

FTS_TABLE = "figures_fts"
_STATE_TABLE = "figures_fts_state"
SORTS: tuple[str, ...] = ("relevance", "year", "title", "figid")
_TOKEN = re.compile(r"\w[\w\-.']*\*?", re.UNICODE)
_MESH = re.compile(r"[CD]\d{6,9}")

_READ_INDEXES = (
    "CREATE INDEX IF NOT EXISTS web_figures_by_year ON figures (year, figid)",
    "CREATE INDEX IF NOT EXISTS web_chemicals_by_name ON chemicals (name COLLATE NOCASE)",
    "CREATE INDEX IF NOT EXISTS web_diseases_by_name ON diseases (name COLLATE NOCASE)",
    "CREATE INDEX IF NOT EXISTS web_diseases_by_doid ON diseases (doid)",
)


def _tier_sources() -> dict[str, tuple[str, ...] | None]:
    from pfocr.export.documents import FLAVOUR_SOURCES

    return {
        name: None if sources is None else tuple(sorted(sources))
        for name, sources in FLAVOUR_SOURCES.items()
    }


#: Recognition sources each gene tier admits (None: every source).
TIER_SOURCES: dict[str, tuple[str, ...] | None] = _tier_sources()


def fingerprint(conn: sqlite3.Connection) -> str:
    """Changes whenever figures are added, replaced or removed, or a run writes (cheap)."""
    row = conn.execute(
        "SELECT (SELECT count(*) FROM figures), (SELECT coalesce(max(rowid), 0) FROM figures), "
        "(SELECT coalesce(max(run_id), 0) FROM runs), "
        "(SELECT coalesce(max(coalesce(finished_at, started_at)), '') FROM runs)"
    ).fetchone()
    return f"{row[0]}:{row[1]}:{row[2]}:{row[3]}"


def prepare_store(conn: sqlite3.Connection) -> bool:
    """Create the read indexes and (re)build the full-text index when figures changed.

    Returns True when the index was rebuilt. A read-only store gets no index; search then
    falls back to ``LIKE`` (slower, same results for plain words).
    """
    try:
        with conn:
            for statement in _READ_INDEXES:
                conn.execute(statement)
            conn.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
                "figtitle, caption, papertitle, content='figures', content_rowid='rowid', "
                "tokenize='unicode61 remove_diacritics 2')"
            )
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {_STATE_TABLE} "
                "(id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL)"
            )
            current = fingerprint(conn)
            row = conn.execute(f"SELECT fingerprint FROM {_STATE_TABLE} WHERE id = 1").fetchone()
            if row is not None and row[0] == current:
                return False
            conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
            conn.execute(
                f"INSERT OR REPLACE INTO {_STATE_TABLE} (id, fingerprint) VALUES (1, ?)",
                (current,),
            )
            return True
    except sqlite3.OperationalError:
        return False


def has_fts(conn: sqlite3.Connection) -> bool:
    """Whether the store has a full-text index to search."""
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (FTS_TABLE,)).fetchone()
    return row is not None


def fts_query(text: str) -> str:
    """User text as an FTS5 query: every word quoted (no operator injection), all required.

    A trailing ``*`` on a word keeps prefix search.
    """
    terms = []
    for token in _TOKEN.findall(text):
        prefix = token.endswith("*")
        word = token.rstrip("*").replace('"', '""')
        if word:
            terms.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(terms)


@dataclass
class SearchParams:
    """What the browse page and ``/api/query`` filter on; empty strings mean no filter."""

    q: str = ""
    gene: str = ""
    chemical: str = ""
    disease: str = ""
    organism: str = ""
    year: str = ""
    pmcid: str = ""
    tier: str = "all"
    sort: str = ""
    page: int = 1
    per_page: int = 25

    def active(self) -> dict[str, str]:
        """The filters in use (the query's own words, for chips, links and the API)."""
        names = ("q", "gene", "chemical", "disease", "organism", "year", "pmcid")
        return {name: getattr(self, name) for name in names if getattr(self, name)}


@dataclass
class SearchResult:
    total: int
    rows: list[dict[str, Any]]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def gene_entrez(gene: str) -> str:
    """A symbol (any case, approved or unambiguous alias) or Entrez ID as an Entrez ID, or ""."""
    resolved = resolve_genes([gene.strip()])
    return resolved.entrez[0] if resolved.entrez else ""


def _where(conn: sqlite3.Connection, p: SearchParams) -> tuple[list[str], list[Any], str]:
    """WHERE clauses over ``figures f`` plus their parameters, and the FTS match (if any)."""
    # Figures scored below --min-score were not read and are not published.
    clauses: list[str] = ["f.skipped = 0"]
    args: list[Any] = []
    match = ""
    if p.gene:
        sources = TIER_SOURCES.get(p.tier)
        tier_sql = ""
        tier_args: list[Any] = []
        if sources is not None:
            tier_sql = f" AND source IN ({', '.join('?' for _ in sources)})"
            tier_args = list(sources)
        entrez = gene_entrez(p.gene)
        if entrez:
            clauses.append(f"f.figid IN (SELECT figid FROM mentions WHERE entrez = ?{tier_sql})")
            args += [entrez, *tier_args]
        else:
            clauses.append(
                f"f.figid IN (SELECT figid FROM mentions WHERE hgnc_symbol = ?{tier_sql})"
            )
            args += [p.gene.strip(), *tier_args]
    if p.chemical:
        value = p.chemical.strip()
        if value.upper().startswith("CHEBI:"):
            clauses.append("f.figid IN (SELECT figid FROM chemicals WHERE chebi = ?)")
            args.append(value.upper())
        elif _MESH.fullmatch(value.upper()):
            clauses.append("f.figid IN (SELECT figid FROM chemicals WHERE mesh = ?)")
            args.append(value.upper())
        else:
            clauses.append("f.figid IN (SELECT figid FROM chemicals WHERE name = ? COLLATE NOCASE)")
            args.append(value)
    if p.disease:
        value = p.disease.strip()
        if value.upper().startswith("DOID:"):
            clauses.append("f.figid IN (SELECT figid FROM diseases WHERE doid = ?)")
            args.append(value.upper())
        elif _MESH.fullmatch(value.upper()):
            clauses.append("f.figid IN (SELECT figid FROM diseases WHERE mesh = ?)")
            args.append(value.upper())
        else:
            clauses.append("f.figid IN (SELECT figid FROM diseases WHERE name = ? COLLATE NOCASE)")
            args.append(value)
    if p.organism:
        clauses.append("f.figid IN (SELECT figid FROM organisms WHERE name = ?)")
        args.append(p.organism.strip())
    if p.year:
        clauses.append("f.year = ?")
        args.append(p.year.strip())
    if p.pmcid:
        clauses.append("f.pmcid = ?")
        args.append(p.pmcid.strip().upper())
    if p.q.strip():
        if has_fts(conn):
            match = fts_query(p.q)
            if match:
                clauses.append(
                    f"f.rowid IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)"
                )
                args.append(match)
        else:
            for word in p.q.split():
                clauses.append("(f.figtitle LIKE ? OR f.caption LIKE ? OR f.papertitle LIKE ?)")
                like = f"%{word}%"
                args += [like, like, like]
    return clauses, args, match


def search(
    conn: sqlite3.Connection, p: SearchParams, *, facets: bool = True, genes: bool = True
) -> SearchResult:
    """One page of matching figures (with their genes), the total and facet counts."""
    clauses, args, match = _where(conn, p)
    where = " WHERE " + " AND ".join(clauses)
    sort = p.sort or ("relevance" if match else "year")
    if sort == "relevance" and match:
        order_from = (
            f" JOIN (SELECT rowid AS r, bm25({FTS_TABLE}, 10.0, 1.0, 3.0) AS score "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?) s ON s.r = f.rowid"
        )
        order = " ORDER BY s.score, f.figid"
        order_args: list[Any] = [match]
    else:
        order_from = ""
        order_args = []
        order = {
            "title": " ORDER BY f.figtitle COLLATE NOCASE, f.figid",
            "figid": " ORDER BY f.figid",
        }.get(sort, " ORDER BY f.year DESC, f.figid")
    total = int(conn.execute(f"SELECT count(*) FROM figures f{where}", args).fetchone()[0])
    offset = max(p.page - 1, 0) * p.per_page
    rows = conn.execute(
        "SELECT f.figid, f.figtitle, f.year, f.pmcid, f.papertitle, f.number, f.journal_title "
        f"FROM figures f{order_from}{where}{order} LIMIT ? OFFSET ?",
        [*order_args, *args, p.per_page, offset],
    ).fetchall()
    page = [dict(row) for row in rows]
    if genes:
        _attach_genes(conn, page)
    result = SearchResult(total=total, rows=page)
    if facets:
        result.facets = facet_counts(conn, where, args)
    return result


def _attach_genes(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    figids = [row["figid"] for row in rows]
    marks = ", ".join("?" for _ in figids)
    genes: dict[str, list[str]] = {figid: [] for figid in figids}
    for figid, symbol in conn.execute(
        f"SELECT figid, hgnc_symbol FROM mentions WHERE figid IN ({marks}) ORDER BY figid, seq",
        figids,
    ):
        if symbol not in genes[figid]:
            genes[figid].append(symbol)
    for row in rows:
        row["genes"] = genes[row["figid"]]


def facet_counts(
    conn: sqlite3.Connection, where: str, args: list[Any], limit: int = 15
) -> dict[str, list[tuple[str, int]]]:
    """Counts of figures per organism and per year among the matches."""
    inner = f"SELECT f.figid FROM figures f{where}"
    organisms = conn.execute(
        f"SELECT name, count(DISTINCT figid) AS n FROM organisms WHERE figid IN ({inner}) "
        "GROUP BY name ORDER BY n DESC, name LIMIT ?",
        [*args, limit],
    ).fetchall()
    years = conn.execute(
        f"SELECT f.year, count(*) AS n FROM figures f{where} GROUP BY f.year "
        "ORDER BY f.year DESC LIMIT ?",
        [*args, 30],
    ).fetchall()
    return {
        "organism": [(row[0], int(row[1])) for row in organisms],
        "year": [(row[0] or "unknown", int(row[1])) for row in years],
    }


def store_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Headline numbers for the home page (one scan per table; cache the result)."""
    one = lambda sql: int(conn.execute(sql).fetchone()[0] or 0)  # noqa: E731
    return {
        "figures": one("SELECT count(*) FROM figures WHERE skipped = 0"),
        "papers": one(
            "SELECT count(DISTINCT pmcid) FROM figures WHERE pmcid != '' AND skipped = 0"
        ),
        "gene_mentions": one("SELECT count(*) FROM mentions"),
        "genes": one("SELECT count(DISTINCT entrez) FROM mentions"),
        "chemical_mentions": one("SELECT count(*) FROM chemicals"),
        "chemicals": one("SELECT count(DISTINCT name) FROM chemicals"),
        "disease_mentions": one("SELECT count(*) FROM diseases"),
        "diseases": one("SELECT count(DISTINCT name) FROM diseases"),
    }


@dataclass
class GeneSummary:
    entrez: str
    symbol: str
    figures: int
    rows: list[dict[str, Any]]
    cooccurring: list[tuple[str, str, int]]
    words: list[tuple[str, str, int]]


def gene_summary(
    conn: sqlite3.Connection,
    gene: str,
    *,
    page: int = 1,
    per_page: int = 50,
    library: Any = None,
) -> GeneSummary | None:
    """A gene's figures (newest first), the genes most often drawn with it, how it was read.

    With a loaded ``GeneSetLibrary`` the co-occurrence counts come from its sparse matrix
    (milliseconds for a gene on 25k figures, where the SQL grouping takes a second).
    """
    entrez = gene_entrez(gene)
    if not entrez:
        row = conn.execute(
            "SELECT entrez FROM mentions WHERE hgnc_symbol = ? LIMIT 1", (gene.strip(),)
        ).fetchone()
        if row is None:
            return None
        entrez = row[0]
    symbol_row = conn.execute(
        "SELECT hgnc_symbol FROM mentions WHERE entrez = ? LIMIT 1", (entrez,)
    ).fetchone()
    if symbol_row is None:
        from pfocr.enrich.library import symbol_for

        return GeneSummary(entrez, symbol_for(entrez), 0, [], [], [])
    total = int(
        conn.execute(
            "SELECT count(DISTINCT m.figid) FROM mentions m JOIN figures f ON f.figid = m.figid "
            "WHERE m.entrez = ? AND f.skipped = 0",
            (entrez,),
        ).fetchone()[0]
    )
    rows = conn.execute(
        "SELECT f.figid, f.figtitle, f.year, f.pmcid, f.papertitle FROM figures f "
        "WHERE f.figid IN (SELECT figid FROM mentions WHERE entrez = ?) AND f.skipped = 0 "
        "ORDER BY f.year DESC, f.figid LIMIT ? OFFSET ?",
        (entrez, per_page, (max(page, 1) - 1) * per_page),
    ).fetchall()
    if library is not None and entrez in library.gene_index:
        from pfocr.enrich.library import TIERS as LIBRARY_TIERS

        co = library.cooccurring(entrez, LIBRARY_TIERS[-1])
    else:
        co = conn.execute(
            "SELECT hgnc_symbol, entrez, count(DISTINCT figid) AS n FROM mentions "
            "WHERE figid IN (SELECT m.figid FROM mentions m JOIN figures f ON f.figid = m.figid "
            "WHERE m.entrez = ? AND f.skipped = 0) AND entrez != ? "
            "GROUP BY entrez ORDER BY n DESC, hgnc_symbol LIMIT 30",
            (entrez, entrez),
        ).fetchall()
    words = conn.execute(
        "SELECT m.word, m.source, count(*) AS n FROM mentions m "
        "JOIN figures f ON f.figid = m.figid WHERE m.entrez = ? AND f.skipped = 0 "
        "GROUP BY m.word, m.source ORDER BY n DESC LIMIT 20",
        (entrez,),
    ).fetchall()
    page_rows = [dict(r) for r in rows]
    return GeneSummary(
        entrez=entrez,
        symbol=symbol_row[0],
        figures=total,
        rows=page_rows,
        cooccurring=[(r[0], r[1], int(r[2])) for r in co],
        words=[(r[0], r[1], int(r[2])) for r in words],
    )


def figure_exists(conn: sqlite3.Connection, figid: str) -> bool:
    return conn.execute("SELECT 1 FROM figures WHERE figid = ?", (figid,)).fetchone() is not None


def figure_image_source(conn: sqlite3.Connection, figid: str) -> sqlite3.Row | None:
    """Where a figure's image is: the stored path and archive member."""
    return conn.execute(
        "SELECT figid, source, image_path, archive_member, filename FROM figures WHERE figid = ?",
        (figid,),
    ).fetchone()


# --- stored figure documents ------------------------------------------------------------------

DOCUMENTS_TABLE = "figure_documents"
#: What a stored document depends on besides the figure's results (replaced with it).
#: The leading number is the document format: raising it rebuilds every stored document.
_DOC_KEY = (
    "'2' || char(31) || f.processed_at || char(31) || f.figtitle || char(31) || f.pmcid "
    "|| char(31) || f.filename"
)


def ensure_documents_table(conn: sqlite3.Connection) -> None:
    """The table of serialised API documents (one per figure), created on demand."""
    with conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {DOCUMENTS_TABLE} (figid TEXT PRIMARY KEY, "
            "doc_key TEXT NOT NULL, site_url TEXT NOT NULL, document TEXT NOT NULL)"
        )


def stored_documents(conn: sqlite3.Connection, figids: list[str], site_url: str) -> dict[str, str]:
    """Current stored documents of ``figids`` (stale or missing ones are left out)."""
    if not figids:
        return {}
    marks = ", ".join("?" for _ in figids)
    try:
        rows = conn.execute(
            f"SELECT d.figid, d.document FROM {DOCUMENTS_TABLE} d "
            f"JOIN figures f ON f.figid = d.figid AND d.doc_key = {_DOC_KEY} "
            f"WHERE d.figid IN ({marks}) AND d.site_url = ?",
            [*figids, site_url],
        ).fetchall()
    except sqlite3.OperationalError:
        return {}  # no table (a store never served, or read-only)
    return {row[0]: row[1] for row in rows}


def fill_documents(
    conn: sqlite3.Connection,
    site_url: str,
    *,
    batch: int = 500,
    stop: Any = None,
) -> int:
    """Store the document of every figure lacking a current one; returns how many were made.

    Runs beside a serving store (its own connection, one short transaction per batch), so
    gene queries read finished JSON instead of rebuilding records. ``stop`` (a
    ``threading.Event``) ends it early.
    """
    import json as _json

    from pfocr.export.documents import figure_document

    ensure_documents_table(conn)
    made = 0
    while stop is None or not stop.is_set():
        figids = [
            row[0]
            for row in conn.execute(
                f"SELECT f.figid FROM figures f LEFT JOIN {DOCUMENTS_TABLE} d "
                "ON d.figid = f.figid "
                f"WHERE d.figid IS NULL OR d.doc_key != {_DOC_KEY} OR d.site_url != ? LIMIT ?",
                (site_url, batch),
            )
        ]
        if not figids:
            break
        records = load_records(conn, figids)
        keys = dict(
            conn.execute(
                f"SELECT f.figid, {_DOC_KEY} FROM figures f "
                f"WHERE f.figid IN ({', '.join('?' for _ in figids)})",
                figids,
            ).fetchall()
        )
        rows = [
            (
                figid,
                keys[figid],
                site_url,
                _json.dumps(
                    figure_document(record, site_url), ensure_ascii=False, separators=(",", ":")
                ),
            )
            for figid, record in records.items()
        ]
        with conn:
            conn.executemany(
                f"INSERT OR REPLACE INTO {DOCUMENTS_TABLE} (figid, doc_key, site_url, document) "
                "VALUES (?, ?, ?, ?)",
                rows,
            )
        made += len(rows)
    with conn:
        conn.execute(
            f"DELETE FROM {DOCUMENTS_TABLE} WHERE figid NOT IN (SELECT figid FROM figures)"
        )
    return made
