"""GPML 2013a for PathVisio: a figure's genes and chemicals as DataNodes where they were read,
and its edges as Interactions with the arrowhead of their kind.

The figure becomes an editable pathway that keeps its layout: a DataNode is centred on the
word's box (several genes read from one word are stacked beneath it), Entrez Gene and ChEBI
Xrefs make it usable for analysis, and activation / inhibition / conversion / binding edges
get PathVisio's ``Arrow`` / ``TBar`` / ``mim-conversion`` / ``mim-binding`` heads. Nodes
without a box (text-only recognitions) are laid out 10 per column, 90x25 px, as the PFOCR site
does for "Copy DataNodes for PathVisio".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from pfocr.export._common import clean_text
from pfocr.models import Edge, FigureRecord

GPML_NAMESPACE = "http://pathvisio.org/GPML/2013a"
#: PathVisio arrowheads for each edge kind ("other": a plain line).
ARROWHEADS: dict[str, str] = {
    "activation": "Arrow",
    "inhibition": "TBar",
    "conversion": "mim-conversion",
    "binding": "mim-binding",
}
NODE_WIDTH = 90.0
NODE_HEIGHT = 25.0
_PER_COLUMN = 10


@dataclass
class GraphNode:
    """A node of the figure's network: what it is, its identifier and where it sits."""

    key: str
    label: str
    kind: str  # gene | chemical | other
    database: str
    identifier: str
    x: float
    y: float
    width: float = NODE_WIDTH
    height: float = NODE_HEIGHT
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class GraphEdge:
    source: int
    target: int
    edge: Edge


@dataclass
class FigureGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    width: float
    height: float


def _grid(index: int) -> tuple[float, float]:
    column, row = divmod(index, _PER_COLUMN)
    return 60.0 + column * (NODE_WIDTH + 20.0), 30.0 + row * (NODE_HEIGHT + 10.0)


def figure_graph(record: FigureRecord) -> FigureGraph:
    """Nodes (one per distinct gene and chemical; edge ends that match neither get a node of
    kind ``other``) and the edges between them, in image coordinates."""
    nodes: list[GraphNode] = []
    index: dict[str, int] = {}
    stacked: dict[tuple[float, float, float, float], int] = {}
    unplaced = 0

    def place(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        nonlocal unplaced
        x0, y0, x1, y1 = box
        if x1 > x0 and y1 > y0:
            depth = stacked.get(box, 0)
            stacked[box] = depth + 1
            height = max(y1 - y0, 12.0)
            return (x0 + x1) / 2, (y0 + y1) / 2 + depth * height, max(x1 - x0, 30.0), height
        x, y = _grid(unplaced)
        unplaced += 1
        return x, y, NODE_WIDTH, NODE_HEIGHT

    for mention in record.mentions:
        symbol = clean_text(mention.hgnc_symbol)
        if not symbol or symbol in index:
            continue
        x, y, w, h = place((mention.x0, mention.y0, mention.x1, mention.y1))
        index[symbol] = len(nodes)
        index.setdefault(f"entrez:{mention.entrez}", len(nodes))
        nodes.append(
            GraphNode(
                key=symbol,
                label=symbol,
                kind="gene",
                database="Entrez Gene",
                identifier=clean_text(mention.entrez),
                x=x,
                y=y,
                width=w,
                height=h,
                attributes={"word": clean_text(mention.word), "source": mention.source},
            )
        )
    for chemical in record.chemicals:
        key = chemical.chebi or chemical.name or chemical.word
        if not key or key in index:
            continue
        x, y, w, h = place((chemical.x0, chemical.y0, chemical.x1, chemical.y1))
        database, identifier = (
            ("ChEBI", chemical.chebi) if chemical.chebi else ("MeSH", chemical.mesh)
        )
        index[key] = len(nodes)
        index.setdefault(chemical.name, len(nodes))
        nodes.append(
            GraphNode(
                key=key,
                label=clean_text(chemical.name or chemical.word),
                kind="chemical",
                database=database if identifier else "",
                identifier=clean_text(identifier),
                x=x,
                y=y,
                width=w,
                height=h,
                attributes={"word": clean_text(chemical.word)},
            )
        )
    edges: list[GraphEdge] = []
    for edge in record.edges:
        ends = []
        for name, word, point in (
            (edge.source, edge.source_word, edge.polyline[0] if edge.polyline else None),
            (edge.target, edge.target_word, edge.polyline[-1] if edge.polyline else None),
        ):
            found = index.get(name)
            if found is None:
                x, y = point if point is not None else _grid(unplaced)
                if point is None:
                    unplaced += 1
                found = len(nodes)
                index[name] = found
                nodes.append(
                    GraphNode(
                        key=name,
                        label=clean_text(word or name),
                        kind="other",
                        database="",
                        identifier="",
                        x=x,
                        y=y,
                    )
                )
            ends.append(found)
        edges.append(GraphEdge(ends[0], ends[1], edge))
    width = float(record.width) or max((n.x + n.width for n in nodes), default=400.0)
    height = float(record.height) or max((n.y + n.height for n in nodes), default=300.0)
    return FigureGraph(nodes=nodes, edges=edges, width=width, height=height)


def _num(value: float) -> str:
    return f"{value:.1f}"


def _rel(point: float, centre: float, size: float) -> str:
    if size <= 0:
        return "0.0"
    return f"{max(-1.0, min(1.0, (point - centre) / (size / 2))):.3f}"


def render_gpml(record: FigureRecord) -> str:
    """The figure as a GPML 2013a document (UTF-8 XML text)."""
    ET.register_namespace("", GPML_NAMESPACE)
    ns = f"{{{GPML_NAMESPACE}}}"
    figure = record.figure
    organism = record.organisms[0] if record.organisms else "Homo sapiens"
    pathway = ET.Element(
        f"{ns}Pathway",
        {
            "Name": clean_text(figure.figtitle) or figure.figid,
            "Organism": clean_text(organism),
        },
    )
    if figure.caption:
        ET.SubElement(pathway, f"{ns}Comment", {"Source": "PFOCR"}).text = clean_text(
            figure.caption
        )
    for key, value in (
        ("pfocr_id", figure.figid),
        ("pmcid", figure.pmcid),
        ("doi", figure.doi),
        ("year", figure.year),
    ):
        if value:
            ET.SubElement(pathway, f"{ns}Attribute", {"Key": key, "Value": clean_text(value)})
    graph = figure_graph(record)
    ET.SubElement(
        pathway,
        f"{ns}Graphics",
        {"BoardWidth": _num(graph.width), "BoardHeight": _num(graph.height)},
    )
    node_types = {"gene": "GeneProduct", "chemical": "Metabolite", "other": "Unknown"}
    for i, node in enumerate(graph.nodes):
        element = ET.SubElement(
            pathway,
            f"{ns}DataNode",
            {"TextLabel": node.label, "GraphId": f"n{i}", "Type": node_types[node.kind]},
        )
        ET.SubElement(
            element,
            f"{ns}Graphics",
            {
                "CenterX": _num(node.x),
                "CenterY": _num(node.y),
                "Width": _num(node.width),
                "Height": _num(node.height),
                "ZOrder": "32768",
                "FontSize": "10",
                "Valign": "Middle",
                **({"Color": "0000ff"} if node.kind == "chemical" else {}),
            },
        )
        ET.SubElement(element, f"{ns}Xref", {"Database": node.database, "ID": node.identifier})
    for i, link in enumerate(graph.edges):
        source, target = graph.nodes[link.source], graph.nodes[link.target]
        edge = link.edge
        element = ET.SubElement(pathway, f"{ns}Interaction", {"GraphId": f"e{i}"})
        graphics = ET.SubElement(
            element, f"{ns}Graphics", {"ZOrder": "12288", "LineThickness": "1.0"}
        )
        start = edge.polyline[0] if edge.polyline else (source.x, source.y)
        end = edge.polyline[-1] if edge.polyline else (target.x, target.y)
        ET.SubElement(
            graphics,
            f"{ns}Point",
            {
                "X": _num(start[0]),
                "Y": _num(start[1]),
                "GraphRef": f"n{link.source}",
                "RelX": _rel(start[0], source.x, source.width),
                "RelY": _rel(start[1], source.y, source.height),
            },
        )
        end_attrs = {
            "X": _num(end[0]),
            "Y": _num(end[1]),
            "GraphRef": f"n{link.target}",
            "RelX": _rel(end[0], target.x, target.width),
            "RelY": _rel(end[1], target.y, target.height),
        }
        head = ARROWHEADS.get(edge.kind) if edge.directed else None
        if head:
            end_attrs["ArrowHead"] = head
        ET.SubElement(graphics, f"{ns}Point", end_attrs)
        ET.SubElement(element, f"{ns}Xref", {"Database": "", "ID": ""})
    ET.SubElement(pathway, f"{ns}InfoBox", {"CenterX": "0.0", "CenterY": "0.0"})
    ET.indent(pathway)
    body = ET.tostring(pathway, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
