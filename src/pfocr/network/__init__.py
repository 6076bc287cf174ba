"""Directed interactions read off a pathway figure: which node's line points to which.

``read_edges`` takes the figure and what recognition found on it (gene mentions, chemical
mentions, OCR tokens) and returns one ``Edge`` per connector and (source, target) pair of
gene/chemical nodes. Everything is computed from the pixels; nothing is learned.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image

from pfocr.models import ChemicalMention, Edge, Mention, OcrToken
from pfocr.network.connectors import MARKER_KINDS, End, ink_mask, read_nets
from pfocr.network.nodes import (
    Group,
    Member,
    NodeBox,
    build_boxes,
    clean_grey,
    find_frames,
    find_groups,
    label_height,
    text_boxes,
)
from pfocr.network.paths import Route, trace

__all__ = ["read_edges"]

#: Kind given to a line whose ends show no head. Most connectors in pathway diagrams end in
#: an arrow, and a head is easily lost (against a border, blurred, drawn over a shape),
#: while truly plain lines are rare: a headless reading is most likely a missed arrow.
PLAIN_KIND = "activation"

#: How much less a headless reading is trusted than one with a head: on the rendered
#: benchmark, pairs read from headless lines are right 65-71% of the time either way round
#: (and about half the time in the direction given), against 83-87% for lines with a head.
PLAIN_TRUST = 0.6

#: How far apart in colour (RGB distance, grey level taken out) two stretches of line are at
#: most to be one line.
COLOUR_STEP = 60.0

#: A plain line between two shapes is at least this many label heights long: shorter
#: headless strokes between shapes are mostly their borders meeting, brackets, or stubs of
#: lines cut by a shape, not connectors.
SHORTEST_PLAIN = 3.0

#: Most shapes one net (connected lines) may join to be read as forks and joins.
BUSIEST_NET = 4

#: How sure a head reading is, surest first: filled arrows are hard to mistake, an open
#: "arrow" can be two lines parting.
HEAD_RANK = {"arrow": 0, "bar": 1, "circle": 1, "open_arrow": 2, "chevron": 3}


def read_edges(
    image: Image.Image,
    mentions: Sequence[Mention],
    chemicals: Sequence[ChemicalMention],
    tokens: Sequence[OcrToken],
) -> list[Edge]:
    """The edges between genes and chemicals drawn on ``image``, source end first.

    Nodes are the shapes around gene mentions (id: HGNC symbol), chemical mentions (id: ChEBI
    id, else the name) and other text labels; edges with a plain-label end are left out.
    """
    if not mentions and not chemicals:
        return []
    rgb = np.asarray(image.convert("RGB"))
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    tight = text_boxes(grey, tokens)
    height = label_height(list(tight.values()))
    clean = clean_grey(grey, list(tight.values()))
    boxes = build_boxes(clean, grey, mentions, chemicals, tokens, height)
    if not any(b.scored for b in boxes):
        return []
    groups = find_groups(clean, boxes, height)
    groups += find_frames(clean, boxes, groups, height)
    ink = ink_mask(rgb, height, list(tight.values()))
    ends, paths, rings = read_nets(ink, boxes, groups, height)
    by_net: dict[int, list[End]] = {}
    for end in ends:
        by_net.setdefault(end.net, []).append(end)
    edges: list[Edge] = []
    for net_ends in by_net.values():
        edges.extend(_net_edges(net_ends, boxes, groups, paths, rings, rgb, ink, height))
    return _best_edges(edges)


def _best_edges(edges: list[Edge]) -> list[Edge]:
    """One edge per pair of nodes.

    A line with a head beats a plain line between the same two nodes, then the more
    confident reading wins; a plain line is kept once, not once per direction.
    """
    best: dict[tuple[str, str], Edge] = {}
    for edge in edges:
        key = (edge.source, edge.target)
        old = best.get(key)
        if old is None or (edge.directed, edge.confidence) > (old.directed, old.confidence):
            best[key] = edge
    kept: list[Edge] = []
    for (source, target), edge in best.items():
        reverse = best.get((target, source))
        if (
            not edge.directed
            and reverse is not None
            and (reverse.directed or (target, source) < (source, target))
        ):
            continue
        kept.append(edge)
    return kept


def _through_ring(walked: list[tuple[int, int]], rings: list[tuple[float, float, float]]) -> bool:
    """Whether a route goes round a small circle drawn on a line (catalysis).

    The enzyme's line reaches the circle on one side and leaves it on the other; the
    reaction line it sits on only grazes it.
    """
    for x, y, radius in rings:
        inside = [(py, px) for py, px in walked if math.hypot(px - x, py - y) <= radius + 2]
        if len(inside) < radius:
            continue
        (ay, ax), (by, bx) = inside[0], inside[-1]
        turn = abs(math.atan2(ay - y, ax - x) - math.atan2(by - y, bx - x))
        if min(turn, 2 * math.pi - turn) > math.radians(130):
            return True
    return False


def _line_colour(
    rgb: np.ndarray, ink: np.ndarray, pixels: list[tuple[int, int]]
) -> np.ndarray | None:
    """Median colour of a stretch of line: the darkest ink pixel around each of its pixels
    (gaps of dashed lines and bridges have none)."""
    h, w = rgb.shape[:2]
    samples = []
    for y, x in pixels:
        ys, xs = slice(max(0, y - 1), min(h, y + 2)), slice(max(0, x - 1), min(w, x + 2))
        window = rgb[ys, xs].reshape(-1, 3)[ink[ys, xs].reshape(-1)]
        if window.size:
            samples.append(window[int(np.argmin(window.astype(np.int32).sum(axis=1)))])
    if len(samples) < max(3, len(pixels) // 4):
        return None
    return np.median(np.array(samples, dtype=np.float32), axis=0)


def _one_colour(
    rgb: np.ndarray, ink: np.ndarray, walked: list[tuple[int, int]], height: float
) -> bool:
    """Whether a route is drawn in one colour from end to end.

    Diagrams draw each connector in one colour, so where lines of clearly different
    colours meet (a coloured line crossing or touching a black one), a walk from one to
    the other joins two connectors. Stretches next to the ends are compared, past the
    heads.
    """
    skip, span = round(0.8 * height), round(2 * height)
    if len(walked) < 2 * (skip + span):
        return True
    first = _line_colour(rgb, ink, walked[skip : skip + span])
    last = _line_colour(rgb, ink, walked[-skip - span : -skip])
    if first is None or last is None:
        return True
    # Hue, not lightness: thin or dashed black lines come out grey where anti-aliased.
    first, last = first - first.mean(), last - last.mean()
    return float(np.linalg.norm(first - last)) <= COLOUR_STEP


def _reading_order(boxes: list[NodeBox], indices: tuple[int, ...]) -> tuple[int, int]:
    """Where a node sits for reading: its row (about a shape's height) and its left edge."""
    top = min(boxes[i].rect[1] for i in indices)
    left = min(boxes[i].rect[0] for i in indices)
    height = max(1, min(boxes[i].rect[3] - boxes[i].rect[1] for i in indices))
    return top // height, left


def _members(
    end: End, boxes: list[NodeBox], groups: list[Group]
) -> tuple[tuple[int, ...], list[Member]]:
    indices = tuple(groups[end.group].boxes) if end.group >= 0 else (end.box,)
    members: list[Member] = []
    for i in indices:
        members.extend(_representatives(boxes[i].members))
    return indices, members


def _representatives(members: list[Member]) -> list[Member]:
    """The nodes a shape stands for as an interaction end: a family word counts once.

    A word naming a gene family (``PI3K``, ``Calmodulin``) is one drawn node, so one drawn
    arrow gives one edge: the family's lowest-numbered member (AKT1 for AKT, MAPK8 for JNK,
    CALM1 for Calmodulin; also how WikiPathways annotates a family box) stands for it, and
    the edge's word keeps the label as drawn. Giving every member its own copy of the edge
    would turn one arrow between two families into dozens of interactions nobody drew.
    """
    chosen: dict[tuple[str, str], Member] = {}
    for m in members:
        if m.family:
            key = (m.family, m.word)
            if key not in chosen or _numbered(m.id) < _numbered(chosen[key].id):
                chosen[key] = m
    out: list[Member] = []
    for m in members:
        if not m.family or chosen.get((m.family, m.word)) is m:
            out.append(m)
    return out


def _same_complex(first: list[Member], second: list[Member]) -> bool:
    """Whether two ends are drawings of one complex (mostly the same members).

    An arrow between two copies of a complex shows it changing state or place; a headless
    line between them (often the stretch of another connector running past both) says
    nothing, and pairing the members of one copy with those of the other gives
    interactions nobody drew.
    """
    a = {m.id for m in first if m.type != "label"}
    b = {m.id for m in second if m.type != "label"}
    if len(a) < 2 or len(b) < 2:
        return False
    return len(a & b) * 2 >= min(len(a), len(b))


def _numbered(symbol: str) -> tuple[object, ...]:
    """Sort key reading digit runs as numbers: MAPK8 < MAPK9 < MAPK10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", symbol))


def _net_edges(
    ends: list[End],
    boxes: list[NodeBox],
    groups: list[Group],
    paths: np.ndarray,
    rings: list[tuple[float, float, float]],
    rgb: np.ndarray,
    ink: np.ndarray,
    height: float,
) -> list[Edge]:
    """Edges of one net (connected lines): every plain end to every headed end whose route
    keeps one colour, unless the net joins more than ``BUSIEST_NET`` shapes.

    A net with two plain ends is an undirected line; with two headed ends and nothing else,
    a double-headed one (an edge each way). The confidence falls as the net gets busier,
    and is lower for a line without a head.
    """
    nodes: dict[tuple[int, ...], tuple[str, End, list[Member], tuple[int, ...]]] = {}
    for end in ends:
        key, members = _members(end, boxes, groups)
        old = nodes.get(key)
        if old is None or (end.marker and not old[0]):
            nodes[key] = (end.marker, end, members, key)
    if len(nodes) < 2:
        return []
    if any(v[0] and v[0] != "chevron" for v in nodes.values()):
        # Two lines parting at a shape look like an open arrow; a real head elsewhere on
        # the net says which end is the target.
        nodes = {k: ("" if v[0] == "chevron" else v[0], *v[1:]) for k, v in nodes.items()}
    sources = [v for v in nodes.values() if not v[0]]
    targets = [v for v in nodes.values() if v[0]]
    size = len(nodes)
    confidence = round(0.9 / (1 + 0.15 * (size - 2)), 3)
    out: list[Edge] = []
    if targets and sources and size > BUSIEST_NET:
        # Lines crossing and running together that could not be told apart: pairing every
        # source with every target there gives mostly connections nobody drew.
        pairs = []
    elif targets and sources:
        pairs = [(s, t, True) for s in sources for t in targets]
    elif len(nodes) == 2 and not targets:
        # A plain line: its ends in reading order (top to bottom, then left to right).
        first, second = sorted(sources, key=lambda v: _reading_order(boxes, v[3]))
        gap = math.hypot(first[1].y - second[1].y, first[1].x - second[1].x)
        # A short headless stroke between two shapes is rarely a connector.
        pairs = [(first, second, False)] if gap >= SHORTEST_PLAIN * height else []
    elif len(nodes) == 2:
        # Heads at both ends: trust the surer head, or read both ways when alike.
        a, b = sorted(targets, key=lambda v: HEAD_RANK[v[0]])
        if HEAD_RANK[a[0]] < HEAD_RANK[b[0]]:
            pairs = [(("", *b[1:]), a, True)]
        else:
            pairs = [(a, b, True), (b, a, True)]
    else:
        pairs = []
    routes: dict[tuple[int, int], dict[tuple[int, int], Route]] = {}
    for (_, s_end, _, _), _, _ in pairs:
        start = (s_end.y, s_end.x)
        if start not in routes:
            goals = [(t[1].y, t[1].x) for s, t, _ in pairs if s[1] is s_end]
            routes[start] = trace(paths, start, goals)
    for (_, s_end, s_members, s_key), (marker, t_end, t_members, t_key), directed in pairs:
        if set(s_key) & set(t_key):
            continue  # a group and one of its own members: a line along the border
        if not directed and _same_complex(s_members, t_members):
            continue
        points, walked = routes[(s_end.y, s_end.x)][(t_end.y, t_end.x)]
        if not _one_colour(rgb, ink, walked, height):
            continue  # lines of two colours touching: two connectors, not one
        kind = MARKER_KINDS.get(marker, "other") if directed else PLAIN_KIND
        if directed and _through_ring(walked, rings):
            kind = "other"  # an enzyme's line onto a reaction: catalysis
        polyline = tuple(points)
        for s in s_members:
            for t in t_members:
                if s.type == "label" or t.type == "label" or s.id == t.id:
                    continue
                out.append(
                    Edge(
                        source=s.id,
                        target=t.id,
                        kind=kind,
                        confidence=confidence if directed else round(PLAIN_TRUST * confidence, 3),
                        polyline=polyline,
                        directed=directed,
                        source_word=s.word,
                        target_word=t.word,
                        source_type=s.type,
                        target_type=t.type,
                    )
                )
    return out
