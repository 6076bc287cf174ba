"""The JSON API under ``/api/``: BioThings-shaped figure documents, queries, enrichment, GMT.

Documents are exactly what ``figures.jsonl`` holds (``export.documents.figure_document``).
Lists come back as ``{"ok": true, "total": n, "hits": [...]}``; every error as
``{"ok": false, "error": ..., "errors": [...], "status": n}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from pfocr.enrich import BACKGROUNDS, TIERS, enrich
from pfocr.enrich.library import DEFAULT_TIER
from pfocr.export.documents import figure_document
from pfocr.store.db import load_records
from pfocr.web import queries
from pfocr.web.app import WebError

router = APIRouter(prefix="/api", tags=["api"])

MAX_SIZE = 1000
_FIELD_QUERY = re.compile(r"^(?P<field>[\w.]+):(?P<value>.+)$")
#: BioThings field paths accepted in ``q=field:value`` and what they filter on.
FIELD_SCOPES: dict[str, str] = {
    "_id": "id",
    "associatedWith.mentions.genes.ncbigene": "gene",
    "associatedWith.mentions.genes.symbol": "gene",
    "associatedWith.mentions.chemicals.mesh": "chemical",
    "associatedWith.mentions.chemicals.chebi": "chemical",
    "associatedWith.mentions.diseases.mesh": "disease",
    "associatedWith.mentions.diseases.doid": "disease",
    "associatedWith.title": "text",
    "associatedWith.pmc": "pmc",
}
Scope = Literal["gene", "chemical", "disease", "text", "id"]


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json")


def _store(request: Request) -> Any:
    return request.app.state.store


def _documents(request: Request, figids: list[str]) -> dict[str, str]:
    """Serialised documents of the figures that exist, by figid (cached per store)."""
    store = _store(request)
    cache = store.documents()
    missing = [figid for figid in figids if figid not in cache]
    if missing:
        cache.update(queries.stored_documents(store.conn(), missing, store.site_url))
        missing = [figid for figid in missing if figid not in cache]
    if missing:
        records = load_records(store.conn(), missing)
        for figid, record in records.items():
            document = figure_document(record, store.site_url)
            cache[figid] = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return {figid: cache[figid] for figid in figids if figid in cache}


def _list_json(head: dict[str, Any], key: str, items: list[str]) -> Response:
    """A JSON object whose ``key`` holds already-serialised items (no re-encoding)."""
    prefix = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    separator = "," if head else ""
    body = f'{prefix}{separator}"{key}":[{",".join(items)}]}}'
    return Response(body.encode("utf-8"), media_type="application/json")


def _scoped(scope: str, value: str) -> queries.SearchParams:
    params = queries.SearchParams()
    if scope == "text":
        params.q = value
    elif scope in ("gene", "chemical", "disease"):
        setattr(params, scope, value)
    else:
        raise WebError(f"Unknown scope {scope!r}. Choices: gene, chemical, disease, text, id.")
    return params


def _parse_q(q: str) -> tuple[str, str]:
    """(scope, value) from BioThings ``field:value`` syntax; plain text searches titles."""
    match = _FIELD_QUERY.match(q.strip())
    if match and match["field"] in FIELD_SCOPES:
        return FIELD_SCOPES[match["field"]], match["value"].strip().strip('"')
    if match and "." in match["field"]:
        known = ", ".join(FIELD_SCOPES)
        raise WebError(f"Unknown field {match['field']!r} in q. Known fields: {known}.")
    return "text", q


def _run_query(
    request: Request, params: queries.SearchParams, size: int, offset: int
) -> dict[str, Any]:
    store = _store(request)
    if set(params.active()) == {"gene"} and params.sort == "figid":
        # A gene alone: answered from the in-memory posting lists once they are loaded.
        library = store.library_if_ready()
        entrez = queries.gene_entrez(params.gene)
        if library is not None and entrez:
            rows = library.figures_with(entrez, params.tier)
            total = 0 if rows is None else len(rows)
            window = [] if rows is None else rows[offset : offset + size]
            figids = [library.figids[row] for row in window]
            documents = _documents(request, figids)
            return {
                "ok": True,
                "total": total,
                "from": offset,
                "size": size,
                "hits": [documents[figid] for figid in figids if figid in documents],
            }
    conn = store.conn()
    # Offsets need not be page-aligned: ask for the rows up to the end of the window.
    params.page = 1
    params.per_page = size + offset
    result = queries.search(conn, params, facets=False, genes=False)
    figids = [row["figid"] for row in result.rows[offset : offset + size]]
    documents = _documents(request, figids)
    return {
        "ok": True,
        "total": result.total,
        "from": offset,
        "size": size,
        "hits": [documents[figid] for figid in figids if figid in documents],
    }


@router.get("/", summary="What this API serves")
def api_index(request: Request) -> Response:
    """Counts and the routes of this API (the OpenAPI description is at /api/openapi.json)."""
    return _json(
        {
            "ok": True,
            "counts": _store(request).counts(),
            "openapi": "/api/openapi.json",
            "routes": sorted(request.app.openapi().get("paths", {})),
        }
    )


@router.get("/figures/{figid}", summary="One figure document")
async def get_figure(request: Request, figid: str) -> Response:
    """The figure's BioThings document (as one line of figures.jsonl)."""
    documents = _documents(request, [figid])
    if figid not in documents:
        raise WebError(f"No figure {figid!r} in this store.", status=404)
    return Response(documents[figid].encode("utf-8"), media_type="application/json")


class FigureBatch(BaseModel):
    ids: list[str] = Field(..., min_length=1, max_length=MAX_SIZE, description="Figure ids")


@router.post("/figures", summary="Several figure documents")
def post_figures(request: Request, body: FigureBatch) -> Response:
    """Documents for up to 1000 ids, in request order; unknown ids give ``notfound``."""
    documents = _documents(request, list(dict.fromkeys(body.ids)))
    hits = [
        '{"query":' + json.dumps(figid, ensure_ascii=False) + "," + documents[figid][1:]
        if figid in documents
        else json.dumps({"query": figid, "notfound": True}, ensure_ascii=False)
        for figid in body.ids
    ]
    found = sum(1 for figid in body.ids if figid in documents)
    return _list_json({"ok": True, "total": found}, "hits", hits)


@router.get("/query", summary="Find figures")
async def query(
    request: Request,
    q: Annotated[
        str,
        Query(
            description="Text, or field:value (e.g. associatedWith.mentions.genes.ncbigene:7157)"
        ),
    ] = "",
    gene: Annotated[str, Query(description="HGNC symbol (any case) or Entrez ID")] = "",
    chemical: Annotated[str, Query(description="Name, MeSH id or CHEBI:n")] = "",
    disease: Annotated[str, Query(description="Name, MeSH id or DOID:n")] = "",
    organism: Annotated[str, Query(description="Latin name, e.g. Homo sapiens")] = "",
    year: Annotated[str, Query(pattern=r"^(\d{4})?$")] = "",
    tier: Annotated[str, Query(description="Gene tier: " + ", ".join(TIERS))] = TIERS[-1],
    sort: Annotated[str, Query(description="relevance, year, title or figid")] = "",
    size: Annotated[int, Query(ge=0, le=MAX_SIZE)] = 10,
    offset: Annotated[int, Query(alias="from", ge=0, le=100_000)] = 0,
) -> Response:
    """Figures matching every given filter, as documents, with the total count."""
    if tier not in TIERS:
        raise WebError(f"Unknown tier {tier!r}. Choices: {', '.join(TIERS)}.")
    if sort and sort not in queries.SORTS:
        raise WebError(f"Unknown sort {sort!r}. Choices: {', '.join(queries.SORTS)}.")
    params = queries.SearchParams(
        gene=gene, chemical=chemical, disease=disease, organism=organism, year=year, tier=tier
    )
    if q:
        scope, value = _parse_q(q)
        if scope == "id":
            hits = list(_documents(request, [value]).values())
            head = {"ok": True, "total": len(hits), "from": 0, "size": size}
            return _list_json(head, "hits", hits)
        if scope == "pmc":
            params.pmcid = value
        elif scope == "text":
            params.q = value
        else:
            setattr(params, scope, value)
    if not params.active():
        raise WebError("Give q, gene, chemical, disease, organism or year to query figures.")
    # Text is ranked by relevance; anything else comes in figid order, as BioThings does.
    params.sort = sort or ("" if params.q else "figid")
    found = _run_query(request, params, size, offset)
    hits = found.pop("hits")
    return _list_json(found, "hits", hits)


class BatchQuery(BaseModel):
    q: list[str] = Field(..., min_length=1, max_length=MAX_SIZE)
    scopes: Scope = "gene"
    size: int = Field(10, ge=0, le=MAX_SIZE)
    tier: str = TIERS[-1]


@router.post("/query", summary="Batch query")
def batch_query(request: Request, body: BatchQuery) -> Response:
    """One result per query term, in order (BioThings-style batch: ``q`` list + ``scopes``)."""
    results = []
    for term in body.q:
        if body.scopes == "id":
            hits = list(_documents(request, [term]).values())
            total = len(hits)
        else:
            params = _scoped(body.scopes, term)
            params.tier = body.tier
            params.sort = "figid"
            found = _run_query(request, params, body.size, 0)
            hits, total = found["hits"], found["total"]
        head = json.dumps({"query": term, "total": total}, ensure_ascii=False)[:-1]
        results.append(f'{head},"hits":[{",".join(hits)}]}}')
    return _list_json({"ok": True}, "results", results)


class EnrichRequest(BaseModel):
    genes: str | list[str] = Field(..., description="Symbols or Entrez IDs, list or pasted text")
    organism: str = "Homo sapiens"
    tier: str = DEFAULT_TIER
    background: str | list[str] = Field(
        "library", description="library, genome, or a list of genes"
    )
    min_size: int = Field(3, ge=1, le=10_000)
    limit: int = Field(100, ge=1, le=10_000)
    max_fdr: float = Field(1.0, ge=0.0, le=1.0)


def run_enrichment(request: Request, body: EnrichRequest) -> dict[str, Any]:
    """Shared by the API and the enrichment page."""
    if isinstance(body.background, str) and body.background not in BACKGROUNDS:
        raise WebError(
            f"Unknown background {body.background!r}. Choices: {', '.join(BACKGROUNDS)}, "
            "or a list of genes."
        )
    library = _store(request).library()
    result = enrich(
        library,
        body.genes,
        organism=body.organism,
        tier=body.tier,
        background=body.background,
        min_size=body.min_size,
        limit=body.limit,
        max_fdr=body.max_fdr,
    )
    return {"ok": True, **result.to_json()}


@router.post("/enrich", summary="Gene-set enrichment")
def api_enrich(request: Request, body: EnrichRequest) -> Response:
    """Figures ranked by hypergeometric p-value of their overlap with ``genes`` (BH FDR)."""
    return _json(run_enrichment(request, body))


@router.get("/genes/{gene}", summary="One gene's figures")
def api_gene(
    request: Request,
    gene: str,
    size: Annotated[int, Query(ge=1, le=MAX_SIZE)] = 50,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """The figures showing a gene and the genes most often drawn with it."""
    store = _store(request)
    summary = queries.gene_summary(
        store.conn(), gene, page=page, per_page=size, library=store.library_if_ready()
    )
    if summary is None:
        raise WebError(f"No gene {gene!r} in this store.", status=404)
    return _json(
        {
            "ok": True,
            "entrez": summary.entrez,
            "symbol": summary.symbol,
            "total": summary.figures,
            "figures": summary.rows,
            "cooccurring": [
                {"symbol": s, "entrez": e, "figures": n} for s, e, n in summary.cooccurring
            ],
        }
    )


@router.get("/gmt/{organism}", summary="The gene-set library as GMT")
def api_gmt(
    request: Request,
    organism: str,
    min_genes: Annotated[int, Query(ge=1, le=10_000)] = 3,
    release: Annotated[str, Query(pattern=r"^(\d{8})?$", description="YYYYMMDD")] = "",
    tier: Annotated[
        str, Query(description="Gene tier: strict, synonyms, all or names (every source)")
    ] = "names",
) -> StreamingResponse:
    """Every figure set of an organism (``Homo sapiens`` or ``Homo_sapiens``), streamed."""
    from pfocr.export.gmt import gene_set_line, gmt_file_name

    if tier not in TIERS:
        raise WebError(f"Unknown tier {tier!r}. Choices: {', '.join(TIERS)}.", status=400)

    store = _store(request)
    species = organism.replace("_", " ")
    if species not in store.library().organisms:
        known = ", ".join(store.library().organism_names)
        raise WebError(f"No gene sets for organism {species!r}. Known: {known}.", status=404)
    stamp = release or date.today().strftime("%Y%m%d")

    def lines() -> Iterator[str]:
        conn = store.conn_for_stream()
        try:
            cursor = conn.execute("SELECT figid FROM figures WHERE skipped = 0 ORDER BY figid")
            while batch := [row[0] for row in cursor.fetchmany(200)]:
                records = load_records(conn, batch)
                for figid in batch:
                    line = gene_set_line(
                        records[figid],
                        date=stamp,
                        site_url=store.site_url,
                        min_genes=min_genes,
                        species=species,
                        tier=tier,
                    )
                    if line:
                        yield line
        finally:
            conn.close()

    name = gmt_file_name(stamp, species, tier=tier)
    return StreamingResponse(
        lines(),
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
