"""Writers for the edges of a figure: ``_data/<figid>-edges.tsv`` rows and SIF lines."""

from __future__ import annotations

from collections.abc import Sequence

from pfocr.models import Edge

#: Columns of ``_data/<figid>-edges.tsv``, in order.
EDGE_COLUMNS: tuple[str, ...] = (
    "source",
    "target",
    "kind",
    "directed",
    "confidence",
    "source_word",
    "target_word",
    "source_type",
    "target_type",
    "points",
)


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def format_points(polyline: Sequence[tuple[float, float]]) -> str:
    """``x,y;x,y`` in image pixels, the way the benchmark truth writes a line."""
    return ";".join(f"{_number(x)},{_number(y)}" for x, y in polyline)


def edge_rows(figid: str, edges: Sequence[Edge]) -> list[dict[str, str]]:
    """One TSV row per edge, columns ``EDGE_COLUMNS``; ``figid`` is kept for callers' checks."""
    del figid  # one file per figure: the id is in the file name, not in the rows
    return [
        {
            "source": e.source,
            "target": e.target,
            "kind": e.kind,
            "directed": "true" if e.directed else "false",
            "confidence": f"{e.confidence:.3f}",
            "source_word": e.source_word,
            "target_word": e.target_word,
            "source_type": e.source_type,
            "target_type": e.target_type,
            "points": format_points(e.polyline),
        }
        for e in edges
    ]


def sif_lines(edges: Sequence[Edge]) -> list[str]:
    """Simple Interaction Format: ``source<TAB>kind<TAB>target``, one line per distinct edge."""
    lines: list[str] = []
    seen: set[str] = set()
    for e in edges:
        line = f"{e.source}\t{e.kind}\t{e.target}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines


def sif_text(edges: Sequence[Edge]) -> str:
    """The SIF file of a figure's edges (``sif_lines``, each ending in a newline)."""
    return "".join(line + "\n" for line in sif_lines(edges))
