"""HTML pages: home, browse/search, figure, gene and enrichment, plus per-figure downloads."""

from __future__ import annotations

import io
import math
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from pfocr.enrich import BACKGROUNDS, TIERS
from pfocr.enrich.library import DEFAULT_ORGANISM, DEFAULT_TIER, split_gene_list
from pfocr.export._common import figure_file_stem
from pfocr.models import FigureRecord
from pfocr.store.db import load_record
from pfocr.web import queries, render
from pfocr.web.app import WebError

router = APIRouter(include_in_schema=False)
PER_PAGE = 25


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    context.setdefault("root", "")
    context.setdefault("static_site", False)
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def _store(request: Request) -> Any:
    return request.app.state.store


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    store = _store(request)
    return _page(request, "home.html", {"counts": store.counts()})


@router.get("/figures", response_class=HTMLResponse)
def browse(
    request: Request,
    q: str = "",
    gene: str = "",
    chemical: str = "",
    disease: str = "",
    organism: str = "",
    year: Annotated[str, Query(pattern=r"^(\d{4})?$")] = "",
    tier: str = TIERS[-1],
    sort: str = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if tier not in TIERS:
        raise WebError(f"Unknown tier {tier!r}. Choices: {', '.join(TIERS)}.")
    if sort and sort not in queries.SORTS:
        raise WebError(f"Unknown sort {sort!r}. Choices: {', '.join(queries.SORTS)}.")
    params = queries.SearchParams(
        q=q,
        gene=gene,
        chemical=chemical,
        disease=disease,
        organism=organism,
        year=year,
        tier=tier,
        sort=sort,
        page=page,
        per_page=PER_PAGE,
    )
    result = queries.search(_store(request).conn(), params)
    suggestion = ""
    if q and not gene and len(q.split()) == 1:
        entrez = queries.gene_entrez(q)
        if entrez:
            suggestion = q.strip()
    pages = max(1, math.ceil(result.total / PER_PAGE))
    filters = dict(params.active())
    if tier != TIERS[-1]:
        filters["tier"] = tier
    return _page(
        request,
        "browse.html",
        {
            "params": params,
            "filters": filters,
            "result": result,
            "page": page,
            "pages": pages,
            "sorts": queries.SORTS,
            "suggestion": suggestion,
        },
    )


def _record(request: Request, figid: str) -> FigureRecord:
    record = load_record(_store(request).conn(), figid)
    if record is None:
        raise WebError(f"No figure {figid!r} in this store.", status=404)
    return record


def figure_context(record: Any, highlight: list[str], site_url: str) -> dict[str, Any]:
    """Everything the figure template needs (also used by the static site export)."""
    marks = render.figure_marks(record)
    wanted = {h.upper() for h in highlight}
    for mark in marks:
        mark["highlight"] = any(
            item["label"].upper() in wanted or item["id"] in wanted for item in mark["items"]
        )
    figure = record.figure
    genes = []
    seen: set[tuple[str, str, str]] = set()
    for m in record.mentions:
        key = (m.word, m.hgnc_symbol, m.source)
        if key in seen:
            continue
        seen.add(key)
        genes.append(
            {
                "word": m.word,
                "symbol": m.symbol,
                "source": m.source,
                "tier": render.tier_of(m.source),
                "hgnc_symbol": m.hgnc_symbol,
                "entrez": m.entrez,
                "family": m.family,
                "highlight": m.hgnc_symbol.upper() in wanted or m.entrez in wanted,
            }
        )
    return {
        "record": record,
        "figure": figure,
        "stem": figure_file_stem(figure.figid),
        "marks": marks,
        "edges": render.edge_lines(record),
        "genes": genes,
        "highlight": sorted(wanted),
        "pmc_link": render.pmc_url(figure.pmcid),
        "doi_link": render.doi_url(figure.doi),
        "site_url": site_url,
        "has_image": bool(figure.image_path) and record.width > 0,
    }


@router.get("/figure/{figid}", response_class=HTMLResponse)
async def figure_page(request: Request, figid: str, highlight: str = "") -> Response:
    record = _record(request, figid)
    context = figure_context(record, split_gene_list(highlight), _store(request).site_url)
    return _page(request, "figure.html", context)


_MAGIC = (
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"BM", "image/bmp"),
)


def _media_type(data: bytes) -> str | None:
    for magic, media in _MAGIC:
        if data.startswith(magic):
            return media
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@router.get("/figure/{figid}/image")
def figure_image(request: Request, figid: str) -> Response:
    """The stored image (read from its file or its .tar.gz member; TIFF sent as PNG)."""
    from pfocr.ingest.images import read_image_bytes
    from pfocr.models import Figure

    row = queries.figure_image_source(_store(request).conn(), figid)
    if row is None:
        raise WebError(f"No figure {figid!r} in this store.", status=404)
    figure = Figure(
        figid=row["figid"],
        image_path=row["image_path"],
        source=row["source"],
        archive_member=row["archive_member"],
    )
    try:
        data = read_image_bytes(figure)
    except Exception as exc:  # the image moved or its archive is gone
        raise WebError(f"The image of {figid!r} cannot be read: {exc}", status=404) from None
    media = _media_type(data)
    if media is None:
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                out = io.BytesIO()
                image.convert("RGB").save(out, format="PNG")
        except Exception:
            raise WebError(f"The image of {figid!r} is not a readable image.", 404) from None
        data, media = out.getvalue(), "image/png"
    return Response(
        data,
        media_type=media,
        headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


def _download(text: str, media: str, filename: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/figure/{figid}/genes.tsv")
def figure_tsv(request: Request, figid: str) -> Response:
    from pfocr.export.tables import write_figure_genes

    record = _record(request, figid)
    buffer = io.StringIO()
    write_figure_genes(buffer, record.mentions)
    stem = figure_file_stem(figid)
    return _download(buffer.getvalue(), "text/tab-separated-values", f"{stem}-genes.tsv")


@router.get("/figure/{figid}/record.md")
def figure_record(request: Request, figid: str) -> Response:
    from pfocr.export.records import render_record

    record = _record(request, figid)
    text = render_record(record, _store(request).site_url)
    return _download(text, "text/markdown; charset=utf-8", f"{figure_file_stem(figid)}.md")


@router.get("/figure/{figid}/pathway.gpml")
def figure_gpml(request: Request, figid: str) -> Response:
    from pfocr.export.gpml import render_gpml

    record = _record(request, figid)
    return _download(render_gpml(record), "application/xml", f"{figure_file_stem(figid)}.gpml")


@router.get("/figure/{figid}/network.cx2")
def figure_cx2(request: Request, figid: str) -> Response:
    from pfocr.export.cx2 import render_cx2

    record = _record(request, figid)
    text = render_cx2(record, _store(request).site_url)
    return _download(text, "application/json", f"{figure_file_stem(figid)}.cx2")


@router.get("/figure/{figid}/network.sif")
def figure_sif(request: Request, figid: str) -> Response:
    from pfocr.network.export import sif_text

    record = _record(request, figid)
    return _download(sif_text(record.edges), "text/plain", f"{figure_file_stem(figid)}.sif")


@router.get("/gene/{gene}", response_class=HTMLResponse)
def gene_page(
    request: Request, gene: str, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> Response:
    store = _store(request)
    summary = queries.gene_summary(
        store.conn(), gene, page=page, per_page=50, library=store.library_if_ready()
    )
    if summary is None:
        raise WebError(f"No gene {gene!r} in this store.", status=404)
    pages = max(1, math.ceil(summary.figures / 50))
    return _page(request, "gene.html", {"gene": summary, "page": page, "pages": pages})


def _enrich_form(request: Request, values: dict[str, str]) -> dict[str, Any]:
    from pfocr.web.api import EnrichRequest, run_enrichment

    store = _store(request)
    library = store.library()
    context: dict[str, Any] = {
        "values": values,
        "organisms": library.organism_names or [DEFAULT_ORGANISM],
        "tiers": TIERS,
        "default_tier": DEFAULT_TIER,
        "backgrounds": (*BACKGROUNDS, "custom"),
        "result": None,
    }
    if values.get("genes", "").strip():
        background: str | list[str] = values.get("background", "library")
        if background == "custom":
            background = split_gene_list(values.get("custom_background", ""))
            if not background:
                raise WebError("Paste the background genes, or choose another background.")
        try:
            min_size = int(values.get("min_size", "3") or 3)
        except ValueError:
            raise WebError("Minimum set size must be a whole number.") from None
        body = EnrichRequest(
            genes=values["genes"],
            organism=values.get("organism") or DEFAULT_ORGANISM,
            tier=values.get("tier") or DEFAULT_TIER,
            background=background,
            min_size=max(1, min_size),
            limit=100,
        )
        context["result"] = run_enrichment(request, body)
    return context


_ENRICH_FIELDS = ("genes", "organism", "tier", "background", "custom_background", "min_size")


@router.get("/enrich", response_class=HTMLResponse)
def enrich_page(request: Request) -> Response:
    values = {k: v for k, v in request.query_params.items() if k in _ENRICH_FIELDS}
    return _page(request, "enrich.html", _enrich_form(request, values))


@router.post("/enrich", response_class=HTMLResponse)
async def enrich_post(request: Request) -> Response:
    """The form posts urlencoded fields; parsed here so no multipart library is needed."""
    from starlette.concurrency import run_in_threadpool

    body = (await request.body()).decode("utf-8", errors="replace")
    parsed = parse_qs(body, keep_blank_values=True)
    values = {k: v[0] for k, v in parsed.items() if k in _ENRICH_FIELDS and v}
    context = await run_in_threadpool(_enrich_form, request, values)
    return _page(request, "enrich.html", context)
