"""CX2 (the NDEx network exchange format, version 2) for one figure, and an optional upload.

Written as plain JSON following the CX2 specification (a list of aspects: ``CXVersion``,
``metaData``, ``attributeDeclarations``, ``networkAttributes``, ``nodes``, ``edges``,
``status``), which avoids the ``ndex2`` client and its pandas/networkx dependency chain.
Nodes carry ``represents`` as a CURIE (``ncbigene:7157``, ``CHEBI:15422``) and sit where
the figure shows them, so Cytoscape and NDEx open the network in the figure's layout.
"""

from __future__ import annotations

import json
from typing import Any

from pfocr.errors import ExportError
from pfocr.export._common import clean_text, figure_page_url
from pfocr.export.gpml import figure_graph
from pfocr.models import FigureRecord

DEFAULT_NDEX_SERVER = "https://www.ndexbio.org"

_NODE_ATTRIBUTES = {
    "name": "string",
    "represents": "string",
    "type": "string",
    "word": "string",
}
_EDGE_ATTRIBUTES = {
    "interaction": "string",
    "directed": "boolean",
    "confidence": "double",
}
_NETWORK_ATTRIBUTES = {
    "name": "string",
    "description": "string",
    "pfocr_id": "string",
    "pmcid": "string",
    "reference": "string",
    "organism": "string",
    "year": "string",
    "url": "string",
}


def _represents(database: str, identifier: str) -> str:
    if not identifier:
        return ""
    if database == "Entrez Gene":
        return f"ncbigene:{identifier}"
    if database == "MeSH":
        return f"mesh:{identifier}"
    return identifier  # ChEBI ids already read CHEBI:n


def figure_cx2(record: FigureRecord, site_url: str) -> list[dict[str, Any]]:
    """The figure's network as a CX2 aspect list (serialise with ``json.dumps``)."""
    figure = record.figure
    graph = figure_graph(record)
    network = {
        "name": clean_text(figure.figtitle) or figure.figid,
        "description": clean_text(figure.caption),
        "pfocr_id": figure.figid,
        "pmcid": clean_text(figure.pmcid),
        "reference": f"https://doi.org/{clean_text(figure.doi)}" if figure.doi else "",
        "organism": ", ".join(record.organisms),
        "year": clean_text(figure.year),
        "url": figure_page_url(site_url, figure.figid),
    }
    nodes = [
        {
            "id": i,
            "x": round(node.x, 1),
            "y": round(node.y, 1),
            "v": {
                "name": node.label,
                "represents": _represents(node.database, node.identifier),
                "type": node.kind,
                "word": node.attributes.get("word", node.label),
            },
        }
        for i, node in enumerate(graph.nodes)
    ]
    edges = [
        {
            "id": i,
            "s": link.source,
            "t": link.target,
            "v": {
                "interaction": link.edge.kind,
                "directed": bool(link.edge.directed),
                "confidence": float(link.edge.confidence),
            },
        }
        for i, link in enumerate(graph.edges)
    ]
    declarations = {
        "networkAttributes": {k: {"d": v} for k, v in _NETWORK_ATTRIBUTES.items()},
        "nodes": {k: {"d": v} for k, v in _NODE_ATTRIBUTES.items()},
        "edges": {k: {"d": v} for k, v in _EDGE_ATTRIBUTES.items()},
    }
    return [
        {"CXVersion": "2.0", "hasFragments": False},
        {
            "metaData": [
                {"name": "attributeDeclarations", "elementCount": 1},
                {"name": "networkAttributes", "elementCount": 1},
                {"name": "nodes", "elementCount": len(nodes)},
                {"name": "edges", "elementCount": len(edges)},
            ]
        },
        {"attributeDeclarations": [declarations]},
        {"networkAttributes": [network]},
        {"nodes": nodes},
        {"edges": edges},
        {"status": [{"error": "", "success": True}]},
    ]


def render_cx2(record: FigureRecord, site_url: str) -> str:
    """:func:`figure_cx2` as compact JSON text."""
    return json.dumps(figure_cx2(record, site_url), ensure_ascii=False, separators=(",", ":"))


def upload_cx2(
    cx2: list[dict[str, Any]],
    *,
    username: str,
    password: str,
    server: str = DEFAULT_NDEX_SERVER,
    timeout: float = 60.0,
) -> str:
    """Create a network on an NDEx server (``POST /v3/networks``) and return its URL.

    Off unless asked for: nothing in pfocr uploads by default. Raises :class:`ExportError`
    with the server's answer when the upload is refused or the server cannot be reached.
    """
    import httpx

    url = f"{server.rstrip('/')}/v3/networks"
    try:
        response = httpx.post(
            url,
            content=json.dumps(cx2, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            auth=(username, password),
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        raise ExportError(f"Cannot reach NDEx at {url}: {exc}") from None
    if response.status_code >= 400:
        raise ExportError(
            f"NDEx at {url} refused the network ({response.status_code}): {response.text[:300]}"
        )
    location = response.headers.get("Location") or response.text.strip().strip('"')
    if not location:
        raise ExportError(f"NDEx at {url} accepted the network but returned no URL.")
    return location
