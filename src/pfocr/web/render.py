"""What the figure page draws: outline boxes, edges and links, computed from a record.

Kept apart from the routes so the static site export draws exactly the same page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from pfocr.export.documents import FLAVOUR_SOURCES
from pfocr.models import FigureRecord

TIERS: tuple[str, ...] = tuple(FLAVOUR_SOURCES)


def tier_of(source: str) -> str:
    """The most precise flavour whose sources include ``source``."""
    for name, sources in FLAVOUR_SOURCES.items():
        if sources is None or source in sources:
            return name
    return TIERS[-1]


def hgnc_url(symbol: str) -> str:
    return f"https://www.genenames.org/data/gene-symbol-report/#!/symbol/{quote(symbol)}"


def ncbi_gene_url(entrez: str) -> str:
    return f"https://www.ncbi.nlm.nih.gov/gene/{quote(entrez)}"


def mesh_url(mesh: str) -> str:
    return f"https://meshb.nlm.nih.gov/record/ui?ui={quote(mesh)}"


def chebi_url(chebi: str) -> str:
    return f"https://www.ebi.ac.uk/chebi/searchId.do?chebiId={quote(chebi)}"


def doid_url(doid: str) -> str:
    return f"https://disease-ontology.org/?id={quote(doid)}"


def pmc_url(pmcid: str) -> str:
    return f"https://pmc.ncbi.nlm.nih.gov/articles/{quote(pmcid)}/" if pmcid else ""


def doi_url(doi: str) -> str:
    return f"https://doi.org/{quote(doi, safe='/:;()')}" if doi else ""


def _has_box(item: Any) -> bool:
    return item.x1 > item.x0 and item.y1 > item.y0


def figure_marks(record: FigureRecord) -> list[dict[str, Any]]:
    """One outline per place something was read; genes read from one word share a box."""
    marks: dict[tuple[str, float, float, float, float], dict[str, Any]] = {}
    for mention in record.mentions:
        if not _has_box(mention):
            continue
        key = ("gene", mention.x0, mention.y0, mention.x1, mention.y1)
        mark = marks.setdefault(
            key,
            {
                "kind": "gene",
                "word": mention.word,
                "box": [mention.x0, mention.y0, mention.x1, mention.y1],
                "tier": tier_of(mention.source),
                "items": [],
            },
        )
        tier = tier_of(mention.source)
        if TIERS.index(tier) < TIERS.index(mark["tier"]):
            mark["tier"] = tier
        mark["items"].append(
            {
                "label": mention.hgnc_symbol,
                "match": mention.symbol,
                "source": mention.source,
                "tier": tier,
                "id": mention.entrez,
                "links": [
                    ["HGNC", hgnc_url(mention.hgnc_symbol)],
                    ["NCBI Gene", ncbi_gene_url(mention.entrez)],
                ],
            }
        )
    for kind, items in (("chemical", record.chemicals), ("disease", record.diseases)):
        for item in items:
            if not _has_box(item):
                continue
            links = [["MeSH", mesh_url(item.mesh)]] if item.mesh else []
            other = getattr(item, "chebi", "") or getattr(item, "doid", "")
            if other.startswith("CHEBI:"):
                links.append(["ChEBI", chebi_url(other)])
            elif other.startswith("DOID:"):
                links.append(["Disease Ontology", doid_url(other)])
            key = (kind, item.x0, item.y0, item.x1, item.y1)
            mark = marks.setdefault(
                key,
                {
                    "kind": kind,
                    "word": item.word,
                    "box": [item.x0, item.y0, item.x1, item.y1],
                    "tier": "",
                    "items": [],
                },
            )
            mark["items"].append(
                {
                    "label": item.name,
                    "match": item.match,
                    "source": item.source,
                    "tier": "",
                    "id": item.mesh or other,
                    "links": links,
                }
            )
    return list(marks.values())


def edge_lines(record: FigureRecord) -> list[dict[str, Any]]:
    """Edges with a drawable polyline, as SVG ``points`` strings."""
    lines = []
    for edge in record.edges:
        if len(edge.polyline) < 2:
            continue
        lines.append(
            {
                "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in edge.polyline),
                "kind": edge.kind if edge.kind else "other",
                "directed": edge.directed,
                "source": edge.source,
                "target": edge.target,
                "title": f"{edge.source_word or edge.source} → {edge.target_word or edge.target}"
                f" ({edge.kind})",
            }
        )
    return lines


def _num(value: float) -> str:
    return f"{value:g}"


def _hover_text(mark: dict[str, Any]) -> str:
    """What hovering an outline shows: the word as read, each match and its tier."""
    described = [
        f"{item['label']} (matched {item['match']}, {item['tier'] or item['source']})"
        for item in mark["items"]
    ]
    return f"“{mark['word']}” → " + "; ".join(described)


def marks_svg(marks: list[dict[str, Any]]) -> Markup:
    """The outline rectangles of a figure, as escaped SVG.

    Built here rather than in the template: a figure has dozens of outlines and the page is
    the most requested one, so the markup is joined in one pass.
    """
    parts = []
    for index, mark in enumerate(marks):
        x0, y0, x1, y1 = mark["box"]
        labels = [item["label"] for item in mark["items"]]
        classes = f"mark mark-{mark['kind']}" + (" hl" if mark.get("highlight") else "")
        parts.append(
            f'<rect class="{escape(classes)}" data-index="{index}" '
            f'data-kind="{escape(mark["kind"])}" data-tier="{escape(mark["tier"])}" '
            f'data-labels="{escape(" ".join(labels))}" x="{_num(x0)}" y="{_num(y0)}" '
            f'width="{_num(x1 - x0)}" height="{_num(y1 - y0)}" tabindex="0">'
            f"<title>{escape(_hover_text(mark))}</title></rect>"
        )
    return Markup("\n".join(parts))


def gene_rows(genes: list[dict[str, Any]], static_site: bool) -> Markup:
    """The rows of a figure's gene table, as escaped HTML (see :func:`marks_svg` for why)."""
    parts = []
    for gene in genes:
        symbol, entrez = gene["hgnc_symbol"], gene["entrez"]
        family = (
            f' <span class="family">({escape(gene["family"])})</span>' if gene["family"] else ""
        )
        if static_site:
            hgnc = f'<a href="{escape(hgnc_url(symbol))}">{escape(symbol)}</a>'
        else:
            hgnc = (
                f'<a href="/gene/{escape(quote(entrez))}">{escape(symbol)}</a> '
                f'<a class="ext" href="{escape(hgnc_url(symbol))}" title="HGNC">↗</a>'
            )
        parts.append(
            f'<tr data-tier="{escape(gene["tier"])}" class="{"hl" if gene["highlight"] else ""}">'
            f"<td>{escape(gene['word'])}</td><td>{escape(gene['symbol'])}{family}</td>"
            f"<td>{escape(gene['tier'])}</td><td>{escape(gene['source'])}</td><td>{hgnc}</td>"
            f'<td><a href="{escape(ncbi_gene_url(entrez))}">{escape(entrez)}</a></td></tr>'
        )
    return Markup("\n".join(parts))


def fmt_p(value: float) -> str:
    """A p-value for reading: 3 significant digits, scientific below 0.001."""
    if value == 0:
        return "0"
    return f"{value:.3g}" if value >= 1e-3 else f"{value:.2e}"


TEMPLATE_GLOBALS: dict[str, Any] = {
    "tiers": TIERS,
    "hgnc_url": hgnc_url,
    "ncbi_gene_url": ncbi_gene_url,
    "mesh_url": mesh_url,
    "chebi_url": chebi_url,
    "doid_url": doid_url,
    "pmc_url": pmc_url,
    "doi_url": doi_url,
    "tier_of": tier_of,
    "marks_svg": marks_svg,
    "gene_rows": gene_rows,
}
TEMPLATE_FILTERS: dict[str, Any] = {"fmt_p": fmt_p}
