"""The harvest ledger: which articles and figures were seen, fetched or failed, and where a
search window's paging got to. One SQLite file in the harvest folder; every change is its
own transaction, so an interrupted harvest resumes without fetching anything twice.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

LEDGER_FILENAME = "harvest-ledger.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS figures (
    figid      TEXT PRIMARY KEY,
    pmcid      TEXT NOT NULL,
    url        TEXT NOT NULL,
    status     TEXT NOT NULL,          -- ok | failed
    attempts   INTEGER NOT NULL DEFAULT 0,
    error      TEXT NOT NULL DEFAULT '',
    filename   TEXT NOT NULL DEFAULT '',
    sha256     TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    pmcid      TEXT PRIMARY KEY,
    status     TEXT NOT NULL,          -- ok | failed | partial
    figures    INTEGER NOT NULL DEFAULT 0,
    error      TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS searches (
    query      TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0,
    hits       INTEGER NOT NULL DEFAULT 0,
    seen       INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    """Read and update the ledger in ``folder``."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / LEDGER_FILENAME
        self._conn = sqlite3.connect(self.path, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        with self._conn:
            self._conn.executescript(_SCHEMA)

    # -- figures
    def figure_status(self, figid: str) -> str | None:
        row = self._conn.execute("SELECT status FROM figures WHERE figid = ?", (figid,)).fetchone()
        return None if row is None else str(row[0])

    def figure_ok(self, figid: str, pmcid: str, url: str, filename: str, sha256: str) -> None:
        self._upsert_figure(figid, pmcid, url, "ok", "", filename, sha256)

    def figure_failed(self, figid: str, pmcid: str, url: str, error: str) -> None:
        self._upsert_figure(figid, pmcid, url, "failed", error, "", "")

    def _upsert_figure(
        self, figid: str, pmcid: str, url: str, status: str, error: str, name: str, sha: str
    ) -> None:
        with self._conn:
            self._conn.execute(
                "INSERT INTO figures (figid, pmcid, url, status, attempts, error, filename, "
                "sha256, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?) "
                "ON CONFLICT(figid) DO UPDATE SET url = excluded.url, status = excluded.status, "
                "attempts = attempts + 1, error = excluded.error, filename = excluded.filename, "
                "sha256 = excluded.sha256, updated_at = excluded.updated_at",
                (figid, pmcid, url, status, error, name, sha, _now()),
            )

    def failed_figures(self) -> list[tuple[str, str, int]]:
        """(figid, error, attempts) of every figure that could not be fetched."""
        return [
            (str(r[0]), str(r[1]), int(r[2]))
            for r in self._conn.execute(
                "SELECT figid, error, attempts FROM figures WHERE status = 'failed' ORDER BY figid"
            )
        ]

    # -- articles
    def article_status(self, pmcid: str) -> str | None:
        row = self._conn.execute("SELECT status FROM articles WHERE pmcid = ?", (pmcid,)).fetchone()
        return None if row is None else str(row[0])

    def article_done(self, pmcid: str, status: str, figures: int, error: str = "") -> None:
        with self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO articles (pmcid, status, figures, error, updated_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (pmcid, status, figures, error, _now()),
            )

    # -- search paging
    def search_state(self, query: str) -> tuple[str, bool]:
        """(cursor to continue from, whether the search ran to its end)."""
        row = self._conn.execute(
            "SELECT cursor, done FROM searches WHERE query = ?", (query,)
        ).fetchone()
        return ("*", False) if row is None else (str(row[0]), bool(row[1]))

    def save_search(self, query: str, cursor: str, done: bool, hits: int, seen: int) -> None:
        with self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO searches (query, cursor, done, hits, seen, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (query, cursor, int(done), hits, seen, _now()),
            )

    def counts(self) -> dict[str, int]:
        one = lambda sql: int(self._conn.execute(sql).fetchone()[0])  # noqa: E731
        return {
            "figures_ok": one("SELECT count(*) FROM figures WHERE status = 'ok'"),
            "figures_failed": one("SELECT count(*) FROM figures WHERE status = 'failed'"),
            "articles": one("SELECT count(*) FROM articles"),
        }

    def close(self) -> None:
        self._conn.close()
