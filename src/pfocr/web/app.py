"""The web application: ``create_app(store)`` builds a FastAPI app over one pfocr store.

Pages are rendered on the server with Jinja2 (autoescaping on, so caption and OCR text can
never become markup); every asset is served from the package, so the site works offline.
Errors raised on purpose become one JSON envelope under ``/api/`` and ``error.html``
elsewhere.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from pfocr.enrich.library import EnrichError, GeneSetLibrary
from pfocr.errors import PfocrError
from pfocr.export.release import DEFAULT_SITE_URL
from pfocr.store.db import STORE_FILENAME, connect
from pfocr.web import queries

logger = logging.getLogger(__name__)

#: Seconds a cached count or library is trusted before the store is checked for changes.
REFRESH_SECONDS = 30.0
#: Figure documents kept serialised in memory (about 2 kB each).
DOCUMENT_CACHE_SIZE = 50_000


class WebError(PfocrError):
    """A request that cannot be answered: bad input (400) or an unknown item (404)."""

    def __init__(self, message: str, status: int = 400, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors or [message]


def resolve_store(path: Path) -> Path:
    """The store file for a folder (``DIR/pfocr.sqlite``) or a file path given directly."""
    path = Path(path)
    candidate = path / STORE_FILENAME if path.is_dir() else path
    if not candidate.exists():
        raise PfocrError(f"No store at {candidate}: run `pfocr run INPUTS --out {path}` first.")
    return candidate


@dataclass
class _Cached:
    value: Any
    fingerprint: str
    checked: float


class WebStore:
    """One store as the web app reads it: a connection per thread plus cached aggregates."""

    def __init__(self, path: Path, *, site_url: str = DEFAULT_SITE_URL) -> None:
        self.path = resolve_store(path)
        self.site_url = site_url.rstrip("/")
        setup = connect(self.path)  # creates/migrates the schema, refuses newer stores
        try:
            started = time.perf_counter()
            if queries.prepare_store(setup):
                logger.info("full-text index built in %.1fs", time.perf_counter() - started)
        finally:
            setup.close()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._counts: _Cached | None = None
        self._library: _Cached | None = None
        self._documents: _Cached | None = None
        self._checked: tuple[str, float] = ("", -REFRESH_SECONDS)

    def conn(self) -> sqlite3.Connection:
        """This thread's read connection (SQLite connections must stay on one thread)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA query_only = 1")
            conn.execute("PRAGMA cache_size = -32000")
            self._local.conn = conn
        return conn

    def conn_for_stream(self) -> sqlite3.Connection:
        """A private connection for a streamed response (its chunks may run on any thread)."""
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA query_only = 1")
        return conn

    def _fingerprint(self) -> str:
        """The store's fingerprint, looked up at most every ``REFRESH_SECONDS``."""
        now = time.monotonic()
        if now - self._checked[1] >= REFRESH_SECONDS:
            self._checked = (queries.fingerprint(self.conn()), now)
        return self._checked[0]

    def _fresh(self, cached: _Cached | None) -> tuple[bool, str]:
        current = self._fingerprint()
        return cached is not None and cached.fingerprint == current, current

    def counts(self) -> dict[str, int]:
        ok, current = self._fresh(self._counts)
        if not ok or self._counts is None:
            self._counts = _Cached(queries.store_counts(self.conn()), current, time.monotonic())
        return self._counts.value

    def documents(self) -> dict[str, str]:
        """Serialised figure documents by figid (bounded; emptied when the store changes).

        Popular genes send every client to the same figures, so their JSON is made once.
        """
        ok, current = self._fresh(self._documents)
        if not ok or self._documents is None:
            self._documents = _Cached({}, current, time.monotonic())
        cache: dict[str, str] = self._documents.value
        if len(cache) > DOCUMENT_CACHE_SIZE:
            for figid in list(itertools.islice(cache, DOCUMENT_CACHE_SIZE // 4)):
                cache.pop(figid, None)
        return cache

    def library(self) -> GeneSetLibrary:
        """Every figure's gene sets, loaded once and reloaded when the store changes."""
        ok, current = self._fresh(self._library)
        if ok and self._library is not None:
            return self._library.value
        with self._lock:
            if self._library is not None and self._library.fingerprint == current:
                return self._library.value
            library = load_library(self.path, self.conn(), current)
            self._library = _Cached(library, current, time.monotonic())
            return library

    def library_if_ready(self) -> GeneSetLibrary | None:
        """The library when it is loaded and current, else None (never waits for a load)."""
        ok, _ = self._fresh(self._library)
        return self._library.value if ok and self._library is not None else None

    def fill_documents_in_background(self) -> threading.Event:
        """Store every figure's API document from a background thread; set the event to stop."""
        stop = threading.Event()
        threading.Thread(
            target=_fill_documents,
            args=(self.path, self.site_url, stop),
            name="pfocr-documents",
            daemon=True,
        ).start()
        return stop

    def warm(self) -> None:
        """Load the enrichment library in the background so the first query is fast."""
        threading.Thread(target=self._warm, name="pfocr-library", daemon=True).start()

    def _warm(self) -> None:
        try:
            self.library()
            self.counts()
        except Exception:  # pragma: no cover - logged; the request path retries
            logger.exception("could not preload the gene-set library")


def _fill_documents(path: Path, site_url: str, stop: threading.Event) -> None:
    try:
        conn = sqlite3.connect(path, timeout=60)
        try:
            started = time.perf_counter()
            made = queries.fill_documents(conn, site_url, stop=stop)
            logger.info("stored %d figure documents in %.1fs", made, time.perf_counter() - started)
        finally:
            conn.close()
    except sqlite3.Error as exc:  # a read-only store: documents are built per request
        logger.warning("cannot store figure documents in %s: %s", path, exc)


def library_cache_path(store: Path) -> Path:
    """Where the gene-set library of a store is cached: beside the store file."""
    return store.with_name(store.name + ".genesets.npz")


def load_library(store: Path, conn: sqlite3.Connection, fingerprint: str) -> GeneSetLibrary:
    """The store's gene-set library: from the cache file when current, else built and cached.

    A store of 100k figures takes seconds to read; the cache loads in well under one, so
    every server process starts quickly.
    """
    cache = library_cache_path(store)
    started = time.perf_counter()
    library = GeneSetLibrary.load(cache, fingerprint) if cache.exists() else None
    if library is None:
        library = GeneSetLibrary.from_store(conn)
        try:
            library.save(cache, fingerprint)
        except OSError as exc:  # a read-only folder: keep it in memory only
            logger.warning("cannot cache the gene-set library at %s: %s", cache, exc)
    logger.info("gene-set library ready in %.1fs", time.perf_counter() - started)
    return library


def _package_dir(name: str) -> str:
    return str(resources.files("pfocr.web") / name)


def templates() -> Jinja2Templates:
    """The page templates (autoescaped) with the helpers they use."""
    from pfocr.web import render

    engine = Jinja2Templates(directory=_package_dir("templates"))
    engine.env.globals.update(render.TEMPLATE_GLOBALS)
    engine.env.filters.update(render.TEMPLATE_FILTERS)
    return engine


def error_envelope(message: str, status: int, errors: list[str] | None = None) -> dict[str, Any]:
    """The one shape of every API error."""
    return {"ok": False, "error": message, "errors": errors or [message], "status": status}


def create_app(store: Path, *, site_url: str = DEFAULT_SITE_URL, preload: bool = True) -> FastAPI:
    """The app serving ``store`` (a store folder or its ``pfocr.sqlite``)."""
    from pfocr import __version__
    from pfocr.web import api, pages

    web_store = WebStore(store, site_url=site_url)
    app = FastAPI(
        title="pfocr",
        version=__version__,
        description="Genes, chemicals and diseases read from published pathway figures.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    # The hot read routes (figure documents, gene queries, figure pages) are ``async``: each
    # answers from SQLite in about a millisecond, faster than a hop to the thread pool, and
    # the event-loop thread keeps one warm connection.
    app.state.store = web_store
    app.state.templates = templates()
    app.mount("/static", StaticFiles(directory=_package_dir("static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    def respond_error(request: Request, message: str, status: int, errors: list[str]) -> Any:
        if request.url.path.startswith("/api/") or request.url.path == "/api":
            return JSONResponse(error_envelope(message, status, errors), status_code=status)
        return app.state.templates.TemplateResponse(
            request,
            "error.html",
            {"message": message, "status": status, "errors": errors},
            status_code=status,
        )

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Any:
        return respond_error(request, str(exc), exc.status, exc.errors)

    @app.exception_handler(EnrichError)
    async def _enrich_error(request: Request, exc: EnrichError) -> Any:
        return respond_error(request, str(exc), 400, [str(exc)])

    @app.exception_handler(PfocrError)
    async def _pfocr_error(request: Request, exc: PfocrError) -> Any:
        return respond_error(request, str(exc), 400, [str(exc)])

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Any:
        errors = [
            f"{'.'.join(str(p) for p in err.get('loc', ()) if p != 'body') or 'body'}: "
            f"{err.get('msg', 'invalid')}"
            for err in exc.errors()
        ]
        return respond_error(request, "Invalid request: " + "; ".join(errors), 400, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Any:
        message = str(exc.detail) if exc.detail else "Error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"Nothing at {request.url.path}."
        return respond_error(request, message, exc.status_code, [message])

    if preload:
        web_store.warm()
    return app
