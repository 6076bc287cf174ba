"""Search Europe PMC for pathway figures and download them with their metadata.

PFOCR's figure bot searched PMC captions a month at a time and lost figures on the way:
no paging past 3,000 hits, unstable ordering, failed downloads neither recorded nor retried,
and error pages saved as ``.jpg``. Here the search pages with Europe PMC's ``cursorMark``
until the end, in a fixed sort order; every article and figure goes into a ledger; a figure
is written only after its bytes decode as an image, atomically, next to a figure-bot YAML
sidecar, so the harvest folder is a ready input of ``pfocr run``.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from pfocr.errors import IngestError
from pfocr.harvest.http import HarvestError, HttpSettings, RetryingClient
from pfocr.harvest.ledger import Ledger
from pfocr.ingest.images import decode_image, sha256_bytes
from pfocr.ingest.jats import JatsArticle, JatsFigure, figure_title, parse_article

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://www.ebi.ac.uk/europepmc/webservices/rest"
#: Figure images of PMC articles as Europe PMC serves them (``{base}/{pmcid}/bin/{href}.jpg``).
DEFAULT_IMAGE_BASE_URL = "https://europepmc.org/articles"
#: PFOCR's caption query terms (pfocr-pmcfigurebot query_config.yml).
PFOCR_TERMS: tuple[str, ...] = (
    "signaling pathway",
    "signalling pathway",
    "regulatory pathway",
    "disease pathway",
    "drug pathway",
    "metabolic pathway",
    "biosynthetic pathway",
    "synthesis pathway",
    "cancer pathway",
    "response pathway",
    "cycle pathway",
)
#: Europe PMC search field of figure captions.
CAPTION_FIELD = "FIG"
#: A fixed order, so paging never skips or repeats a hit while the index is stable.
SORT = "P_PDATE_D asc"
MAX_PAGE_SIZE = 1000
_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "TIFF": ".tif", "WEBP": ".webp"}


@dataclass
class HarvestSummary:
    """What one harvest did; ``failed`` lists (figid or article, reason)."""

    query: str
    hits: int = 0
    pages: int = 0
    articles: int = 0
    articles_skipped: int = 0
    figures_written: int = 0
    figures_skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def build_query(terms: str | Sequence[str], start: date, end: date) -> str:
    """A Europe PMC query: caption phrases OR-ed, in the publication window, Open Access.

    ``terms`` is ``"pfocr"`` for PFOCR's terms, phrases separated by ``,`` or ``|``, or a
    query of its own in Europe PMC syntax (anything with a ``:``), which is kept as given.
    """
    if end < start:
        raise HarvestError(f"the window ends ({end}) before it starts ({start})")
    if isinstance(terms, str):
        text = terms.strip()
        if ":" in text:
            caption = f"({text})"
        else:
            phrases = PFOCR_TERMS if text.lower() == "pfocr" else re.split(r"[,|]", text)
            caption = _or_captions([p for p in phrases if p.strip()])
    else:
        caption = _or_captions(terms)
    if caption in ("", "()"):
        raise HarvestError("give at least one caption term to search for")
    window = f"FIRST_PDATE:[{start.isoformat()} TO {end.isoformat()}]"
    return f"{caption} AND ({window}) AND (OPEN_ACCESS:y) AND (IN_EPMC:y)"


def _or_captions(phrases: Sequence[str]) -> str:
    cleaned = [" ".join(p.replace('"', " ").split()) for p in phrases]
    return "(" + " OR ".join(f'{CAPTION_FIELD}:"{p}"' for p in cleaned if p) + ")"


def harvest(
    terms: str | Sequence[str],
    start: date,
    end: date,
    out_dir: Path,
    *,
    base_url: str = DEFAULT_BASE_URL,
    image_base_url: str = DEFAULT_IMAGE_BASE_URL,
    keep_words: Sequence[str] = ("pathway",),
    page_size: int = MAX_PAGE_SIZE,
    http: HttpSettings | None = None,
    max_pixels: int = 100_000_000,
    progress: Callable[[str], None] | None = None,
) -> HarvestSummary:
    """Search, then fetch every new figure whose caption or title has one of ``keep_words``.

    Figures already in the ledger are not fetched again; failed ones are tried again.
    """
    query = build_query(terms, start, end)
    out_dir.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(out_dir)
    summary = HarvestSummary(query=query)
    say = progress or (lambda message: None)
    base = base_url.rstrip("/")
    try:
        with RetryingClient(http) as client:
            for pmcid in _search(client, ledger, base, query, page_size, summary):
                if ledger.article_status(pmcid) == "ok":
                    summary.articles_skipped += 1
                    continue
                summary.articles += 1
                say(pmcid)
                _article(
                    client,
                    ledger,
                    pmcid,
                    out_dir,
                    base,
                    image_base_url.rstrip("/"),
                    tuple(w.lower() for w in keep_words),
                    max_pixels,
                    summary,
                )
    finally:
        ledger.close()
    return summary


def _search(
    client: RetryingClient,
    ledger: Ledger,
    base: str,
    query: str,
    page_size: int,
    summary: HarvestSummary,
) -> Iterator[str]:
    """PMCIDs of every hit, page by page; the cursor is saved after each page."""
    cursor, done = ledger.search_state(query)
    if done:
        cursor = "*"  # a finished window is searched again: late (embargoed) articles appear
    seen: set[str] = set()
    while True:
        response = client.get(
            f"{base}/search",
            params={
                "query": query,
                "format": "json",
                "resultType": "lite",
                "pageSize": str(min(page_size, MAX_PAGE_SIZE)),
                "cursorMark": cursor,
                "sort": SORT,
            },
        )
        try:
            page = response.json()
            results = page.get("resultList", {}).get("result", [])
            hits = int(page.get("hitCount", 0))
        except (ValueError, AttributeError, TypeError) as exc:
            raise HarvestError(f"{base}/search: the answer is not search JSON ({exc})") from None
        summary.pages += 1
        summary.hits = hits
        for result in results:
            pmcid = str(result.get("pmcid") or "") if isinstance(result, dict) else ""
            if re.fullmatch(r"PMC\d+", pmcid) and pmcid not in seen:
                seen.add(pmcid)
                yield pmcid
        following = str(page.get("nextCursorMark") or "")
        finished = not results or not following or following == cursor
        ledger.save_search(query, following or cursor, finished, hits, len(seen))
        if finished:
            return
        cursor = following


def _article(
    client: RetryingClient,
    ledger: Ledger,
    pmcid: str,
    out_dir: Path,
    base: str,
    image_base: str,
    keep_words: tuple[str, ...],
    max_pixels: int,
    summary: HarvestSummary,
) -> None:
    url = f"{base}/{pmcid}/fullTextXML"
    try:
        article = parse_article(client.get(url).content, url)
    except (HarvestError, IngestError) as exc:
        summary.failed.append((pmcid, str(exc)))
        ledger.article_done(pmcid, "failed", 0, str(exc))
        return
    kept = [fig for fig in article.figures if fig.graphic and _wanted(fig, keep_words)]
    failures = 0
    for fig in kept:
        figid = f"{pmcid}__{fig.graphic}"
        if ledger.figure_status(figid) == "ok":
            summary.figures_skipped += 1
            continue
        image_url = f"{image_base}/{pmcid}/bin/{fig.graphic}.jpg"
        try:
            name, sha = _download(
                client, image_url, figid, article, pmcid, fig, out_dir, max_pixels
            )
        except (HarvestError, IngestError) as exc:
            failures += 1
            summary.failed.append((figid, str(exc)))
            ledger.figure_failed(figid, pmcid, image_url, str(exc))
            continue
        summary.figures_written += 1
        ledger.figure_ok(figid, pmcid, image_url, name, sha)
    ledger.article_done(pmcid, "partial" if failures else "ok", len(kept))


def _wanted(fig: JatsFigure, keep_words: tuple[str, ...]) -> bool:
    text = f"{fig.title} {fig.caption}".lower()
    return not keep_words or any(word in text for word in keep_words)


def _download(
    client: RetryingClient,
    url: str,
    figid: str,
    article: JatsArticle,
    pmcid: str,
    fig: JatsFigure,
    out_dir: Path,
    max_pixels: int,
) -> tuple[str, str]:
    """Fetch, check and write one figure and its sidecar; returns (file name, sha256)."""
    response = client.get(url)
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    data = response.content
    if not kind.startswith("image/"):
        raise HarvestError(f"{url}: served {kind or 'no content type'}, not an image")
    decode_image(data, url, max_pixels)  # raises ImageReadError on empty, cut or bogus data
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        suffix = _FORMATS.get(image.format or "", ".jpg")
    name = f"{figid}{suffix}"
    _write_atomically(out_dir / f"{figid}.yml", _sidecar(figid, name, article, pmcid, fig))
    _write_atomically(out_dir / name, data)
    return name, sha256_bytes(data)


def _sidecar(figid: str, name: str, article: JatsArticle, pmcid: str, fig: JatsFigure) -> bytes:
    """Figure-bot YAML, as ``pfocr run`` reads beside an image."""
    fields = {
        "figid": figid,
        "pmcid": pmcid,
        "image_filename": name,
        "figure_link": f"/pmc/articles/{pmcid}/figure/{fig.fig_id}/" if fig.fig_id else "",
        "number": fig.label,
        "figure_title": figure_title(fig.title, fig.label, fig.caption, article.papertitle),
        "caption": fig.caption,
        "article_title": article.papertitle,
        "citation": article.reftext,
        "year": article.year,
        "doi": article.doi,
        "journal_title": article.journal_title,
        "journal_nlm_ta": article.journal_nlm_ta,
        "publisher_name": article.publisher_name,
        "keywords": article.keywords,
    }
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False).encode("utf-8")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a hidden temporary file, then rename: readers see all of it or nothing."""
    partial = path.with_name(f".{path.name}.part")
    try:
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise HarvestError(f"{path}: cannot write ({exc.strerror or exc})") from None
