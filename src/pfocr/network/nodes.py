"""Node boxes: the shapes drawn around gene, chemical and other labels, and their groups.

A connector ends on the border of the shape that encloses a label, not on the text, so
each label's box is grown to that shape: the region of the label's background colour
around the text, up to the shape's border. Shapes side by side inside a common border form
a group (a complex); a connector ending on the group's border stands for every member.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from pfocr.models import ChemicalMention, Mention, OcrToken

#: Grey levels further than this from a shape's inside colour count as its border.
EDGE_CONTRAST = 60

#: Labels smaller than this (pixels) come with lines blurred across pixels and paler.
BLURRED_HEIGHT = 11

#: How far from the usual grey level (the page or the group's fill) a complex's border is.
GROUP_CONTRAST = 22

#: How much darker than its surroundings a group frame's (often light grey) ink is at least.
FRAME_CONTRAST = 35


@dataclass(frozen=True)
class Member:
    """One node a shape stands for: exported id, label as read, and type."""

    id: str
    word: str
    type: str
    #: The gene family the word names, when the word names a family rather than one gene.
    family: str = ""


@dataclass
class NodeBox:
    """A label's text box, the shape around it (``rect``) and the nodes it stands for."""

    text: tuple[int, int, int, int]
    rect: tuple[int, int, int, int]
    members: list[Member]
    #: True when a closed border was found around the text; else ``rect`` is a margin.
    bordered: bool
    group: int = -1

    @property
    def scored(self) -> list[Member]:
        return [m for m in self.members if m.type in ("gene", "chemical")]


@dataclass
class Group:
    """Shapes inside a common border (a complex): the border's rect and the member shapes."""

    rect: tuple[int, int, int, int]
    boxes: list[int] = field(default_factory=list)
    #: How far the border's ink reaches beyond ``rect`` on each side (left, top, right, bottom).
    outline: tuple[int, int, int, int] = (2, 2, 2, 2)


def _int_box(x0: float, y0: float, x1: float, y1: float, w: int, h: int) -> tuple[int, ...]:
    return (
        max(0, round(x0)),
        max(0, round(y0)),
        min(w - 1, round(x1)),
        min(h - 1, round(y1)),
    )


def tight_box(grey: np.ndarray, box: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The glyphs' own box inside an OCR box, which often reaches over the shape's border.

    Ink that runs along most of the box's width or height (a border, a line) is not text.
    """
    x0, y0, x1, y1 = box
    crop = grey[y0 : y1 + 1, x0 : x1 + 1]
    if crop.size == 0:
        return x0, y0, x1, y1
    inside = int(np.median(crop))
    ink = (np.abs(crop.astype(np.int16) - inside) > EDGE_CONTRAST).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    bh, bw = ink.shape
    parts = []
    for i in range(1, n):
        cx, cy, cw, ch, _area = stats[i].tolist()
        if cw >= 0.9 * bw or ch >= 0.95 * bh or (cw > 0.6 * bw and ch <= 3):
            continue
        edge = cx == 0 or cy == 0 or cx + cw == bw or cy + ch == bh
        parts.append((cx, cy, cw, ch, edge))
    inner = [ch for _, _, _, ch, edge in parts if not edge and ch >= 3]
    glyph = float(np.median(inner)) if inner else float(bh)
    xs: list[int] = []
    ys: list[int] = []
    for cx, cy, cw, ch, edge in parts:
        # Something cut by the OCR box: a shape's edge or a marker, unless it is all there is.
        if edge and (len(inner) >= 2 or ch > 1.25 * glyph or cw > 1.6 * glyph):
            continue
        xs += [cx, cx + cw - 1]
        ys += [cy, cy + ch - 1]
    if not xs:
        return x0, y0, x1, y1
    return x0 + min(xs), y0 + min(ys), x0 + max(xs), y0 + max(ys)


def label_height(boxes: Sequence[tuple[int, ...]]) -> float:
    """Typical label height in pixels: the scale of arrowheads, gaps and margins."""
    heights = [b[3] - b[1] + 1 for b in boxes if b[3] > b[1]]
    return float(np.median(heights)) if heights else 14.0


def is_text(token: OcrToken) -> bool:
    """Whether a token is a word: OCR also reads arrowheads and markers as one-letter text."""
    return sum(ch.isalnum() for ch in token.text) >= 2


def text_boxes(
    grey: np.ndarray, tokens: Sequence[OcrToken]
) -> dict[tuple[int, ...], tuple[int, ...]]:
    """Tight glyph box of every word's OCR box (keyed by the rounded OCR box)."""
    h, w = grey.shape
    out: dict[tuple[int, ...], tuple[int, ...]] = {}
    for t in tokens:
        if not is_text(t):
            continue
        box = _int_box(t.x0, t.y0, t.x1, t.y1, w, h)
        if box[2] > box[0] and box[3] > box[1] and box not in out:
            out[box] = tight_box(grey, box)
    return out


def clean_grey(grey: np.ndarray, tight: Sequence[tuple[int, ...]]) -> np.ndarray:
    """The grey image with every glyph box painted over in the colour around it."""
    out = grey.copy()
    for box in tight:
        x0, y0, x1, y1 = box
        out[y0 : y1 + 1, x0 : x1 + 1] = _ring_median(grey, box)
    return out


def _ring_median(grey: np.ndarray, box: tuple[int, ...]) -> int:
    h, w = grey.shape
    x0, y0, x1, y1 = box
    a0, b0 = max(0, x0 - 2), max(0, y0 - 2)
    a1, b1 = min(w - 1, x1 + 2), min(h - 1, y1 + 2)
    ring = np.concatenate(
        [grey[b0, a0 : a1 + 1], grey[b1, a0 : a1 + 1], grey[b0 : b1 + 1, a0], grey[b0 : b1 + 1, a1]]
    )
    return int(np.median(ring)) if ring.size else 255


def _find_shape(
    grey: np.ndarray, text: tuple[int, ...], height: float
) -> tuple[tuple[int, int, int, int], bool]:
    """Grow a text box to the border around it; ``(rect, bordered)``.

    A node box drawn with a wide margin above and below its label is looked for again in
    a taller window; it must still be a box (at least twice as wide as high), not a
    compartment or a column of space between lines.
    """
    rect, bordered = _shape_in_window(grey, text, height, 1.5)
    if not bordered:
        tall, found = _shape_in_window(grey, text, height, 3.0)
        if found and tall[2] - tall[0] >= 2 * (tall[3] - tall[1]):
            return tall, True
    return rect, bordered


def _shape_in_window(
    grey: np.ndarray, text: tuple[int, ...], height: float, rise: float
) -> tuple[tuple[int, int, int, int], bool]:
    """The shape around a text box, looked for in a window ``rise`` label heights above and
    below it (and eight to either side).

    The shape's inside is the region of the label's background colour around the text; if
    it spreads to the edge of a window a few label heights around the text, there is no
    closed border (free text) and a margin around the text stands in for the shape.
    """
    h, w = grey.shape
    x0, y0, x1, y1 = text
    pad = round(0.3 * height)
    fallback = (max(0, x0 - pad), max(0, y0 - pad), min(w - 1, x1 + pad), min(h - 1, y1 + pad))
    reach_x = int(max(8 * height, x1 - x0)) + 3
    reach_y = int(rise * height) + 3
    wx0, wy0 = max(0, x0 - reach_x), max(0, y0 - reach_y)
    wx1, wy1 = min(w, x1 + reach_x + 1), min(h, y1 + reach_y + 1)
    window = grey[wy0:wy1, wx0:wx1]
    inside = _ring_median(grey, text)
    similar = (np.abs(window.astype(np.int16) - inside) <= EDGE_CONTRAST // 2).astype(np.uint8)
    _n, labels = cv2.connectedComponents(similar, connectivity=4)
    core = labels[max(0, y0 - wy0 - 2) : y1 - wy0 + 3, max(0, x0 - wx0 - 2) : x1 - wx0 + 3]
    ids = np.unique(core)
    ids = ids[ids > 0]
    if ids.size == 0:
        return fallback, False
    region = np.isin(labels, ids)
    ys, xs = np.nonzero(region)
    ry0, ry1, rx0, rx1 = ys.min(), ys.max(), xs.min(), xs.max()
    wh, ww = region.shape
    leaks = (ry0 == 0 and wy0 > 0) or (rx0 == 0 and wx0 > 0)
    leaks = leaks or (ry1 == wh - 1 and wy1 < h) or (rx1 == ww - 1 and wx1 < w)
    if leaks or ry0 == 0 or rx0 == 0 or ry1 == wh - 1 or rx1 == ww - 1:
        return fallback, False
    rect = (wx0 + int(rx0) - 1, wy0 + int(ry0) - 1, wx0 + int(rx1) + 1, wy0 + int(ry1) + 1)
    return rect, True


def _overlap(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    area = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / area if area > 0 else 0.0


def build_boxes(
    grey: np.ndarray,
    raw: np.ndarray,
    mentions: Sequence[Mention],
    chemicals: Sequence[ChemicalMention],
    tokens: Sequence[OcrToken],
    height: float,
) -> list[NodeBox]:
    """One box per drawn shape, holding every gene/chemical (or plain label) read in it.

    ``grey`` has the text painted over, ``raw`` has not (glyph boxes are measured on it).
    """
    h, w = grey.shape
    labelled: list[tuple[tuple[int, ...], Member]] = []

    def tight(x0: float, y0: float, x1: float, y1: float) -> tuple[int, ...]:
        box = _int_box(x0, y0, x1, y1, w, h)
        glyphs = tight_box(raw, box)
        # Glyphs run together with a marker drawn over them (a state circle on a blurred
        # figure) are left out as one big part: a speck is not the word.
        if glyphs[2] - glyphs[0] + 1 < 0.3 * (box[2] - box[0] + 1):
            return box
        return glyphs

    for m in mentions:
        labelled.append(
            (tight(m.x0, m.y0, m.x1, m.y1), Member(m.hgnc_symbol, m.word, "gene", m.family))
        )
    for c in chemicals:
        member = Member(c.chebi or c.name, c.word, "chemical")
        labelled.append((tight(c.x0, c.y0, c.x1, c.y1), member))
    known = [box for box, _ in labelled]
    for t in tokens:
        if t.kind != "line" or not is_text(t):
            continue
        box = tight(t.x0, t.y0, t.x1, t.y1)
        if any(_overlap(box, k) > 0.3 for k in known):
            continue
        labelled.append((box, Member(t.text.strip(), t.text.strip(), "label")))
    boxes: list[NodeBox] = []
    for text, member in labelled:
        if text[2] <= text[0] or text[3] <= text[1]:
            continue
        rect, bordered = _find_shape(grey, text, height)
        for box in boxes:
            same_shape = box.bordered and bordered and _overlap(box.rect, rect) > 0.85
            if same_shape or _overlap(box.text, text) > 0.6:
                if member not in box.members:
                    box.members.append(member)
                if bordered and not box.bordered:
                    box.rect, box.bordered = rect, True
                break
        else:
            boxes.append(NodeBox(text, rect, [member], bordered))
    # Labels that read as plain text inside a gene's shape belong to that shape.
    scored = [b for b in boxes if b.scored]
    kept = [b for b in boxes if b.scored or not any(_overlap(b.text, s.rect) > 0.8 for s in scored)]
    return kept


def _clusters(boxes: list[NodeBox], tol: float) -> list[list[int]]:
    """Bordered shapes side by side (overlapping along one axis) within ``tol`` pixels."""
    parent = list(range(len(boxes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    bordered = [i for i, b in enumerate(boxes) if b.bordered]
    for n, i in enumerate(bordered):
        a = boxes[i].rect
        for j in bordered[n + 1 :]:
            b = boxes[j].rect
            ox = min(a[2], b[2]) - max(a[0], b[0])
            oy = min(a[3], b[3]) - max(a[1], b[1])
            touch_v = ox > 0.3 * min(a[2] - a[0], b[2] - b[0]) and oy > -tol
            touch_h = oy > 0.3 * min(a[3] - a[1], b[3] - b[1]) and ox > -tol
            if touch_v or touch_h:
                parent[root(i)] = root(j)
    clusters: dict[int, list[int]] = {}
    for i in bordered:
        clusters.setdefault(root(i), []).append(i)
    return [c for c in clusters.values() if len(c) >= 2]


def _group_border(
    grey: np.ndarray,
    boxes: list[NodeBox],
    members: list[int],
    height: float,
    sides: int,
    reach: float,
    level: float = GROUP_CONTRAST,
) -> Group | None:
    """The common border around a cluster, if one is drawn within ``reach`` pixels of it on
    at least ``sides`` sides (grey levels more than ``level`` from the usual one)."""
    h, w = grey.shape
    reach = int(reach) + 2
    x0 = min(boxes[i].rect[0] for i in members)
    y0 = min(boxes[i].rect[1] for i in members)
    x1 = max(boxes[i].rect[2] for i in members)
    y1 = max(boxes[i].rect[3] for i in members)

    def scan(lines: list[np.ndarray]) -> int | None:
        # The group's fill (or the page) is the usual level across the scanned lines.
        if not lines or not all(v.size for v in lines):
            return None
        ref = int(np.median(np.concatenate(lines)))
        marked = [np.mean(np.abs(v.astype(np.int16) - ref) > level) >= 0.3 for v in lines]
        first = next((d for d, hit in enumerate(marked, start=2) if hit), None)
        if first == 2:
            # The members' own borders blurred outwards; a border drawn apart from them
            # lies past a gap of background.
            gap = next((i for i, hit in enumerate(marked) if not hit), None)
            if gap is not None:
                later = next((i for i, hit in enumerate(marked) if hit and i > gap), None)
                if later is not None:
                    return later + 2
        return first

    # A complex is drawn as a block: its members fill most of their bounding box.
    filled = sum(
        (boxes[i].rect[2] - boxes[i].rect[0]) * (boxes[i].rect[3] - boxes[i].rect[1])
        for i in members
    )
    if filled < 0.5 * (x1 - x0) * (y1 - y0):
        return None
    top = scan([grey[y0 - d, x0:x1] for d in range(2, reach) if y0 - d >= 0])
    bottom = scan([grey[y1 + d, x0:x1] for d in range(2, reach) if y1 + d < h])
    left = scan([grey[y0:y1, x0 - d] for d in range(2, reach) if x0 - d >= 0])
    right = scan([grey[y0:y1, x1 + d] for d in range(2, reach) if x1 + d < w])
    found = [d for d in (top, bottom, left, right) if d is not None]
    if len(found) < sides:
        return None
    gap = int(np.median(found))
    rect = (max(0, x0 - gap), max(0, y0 - gap), min(w - 1, x1 + gap), min(h - 1, y1 + gap))
    return Group(rect, list(members))


def find_groups(grey: np.ndarray, boxes: list[NodeBox], height: float) -> list[Group]:
    """Groups (complexes): bordered shapes with a common border drawn around them.

    Touching shapes need the border on three sides; shapes set a little apart (a loose
    group) on all four, since neighbours with lines around them are common.
    """
    # Small figures blur thin (dashed) borders paler: where no border shows at the usual
    # level, a fainter one is looked for (only then, so found borders keep their place).
    levels = [GROUP_CONTRAST]
    if height < BLURRED_HEIGHT:
        levels.append(max(GROUP_CONTRAST - 8, GROUP_CONTRAST - 3 * (BLURRED_HEIGHT - height)))

    def border(members: list[int], sides: int) -> Group | None:
        for level in levels:
            group = _group_border(grey, boxes, members, height, sides, 1.2 * height, level)
            if group is not None:
                return group
        return None

    groups: list[Group] = []
    for members in _clusters(boxes, 4):
        group = border(members, 3)
        if group is not None:
            groups.append(group)
    grouped = [set(g.boxes) for g in groups]
    for members in _clusters(boxes, max(4, 0.8 * height)):
        if any(set(members) <= g for g in grouped):
            continue
        group = border(members, 4)
        if group is not None:
            groups.append(group)
    groups = _merge_overlapping(groups, boxes, max(2, int(0.5 * height)))
    for index, group in enumerate(groups):
        group.boxes = sorted(set(group.boxes))
        group.outline = _outline(grey, group.rect, height)
        for i in group.boxes:
            boxes[i].group = index
    return groups


def _merge_overlapping(groups: list[Group], boxes: list[NodeBox], gap: int) -> list[Group]:
    """One group for clusters whose borders meet and that fill a block together (columns of
    one complex drawn apart)."""
    merged = True
    while merged:
        merged = False
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                ra, rb = groups[a].rect, groups[b].rect
                near = (
                    ra[0] <= rb[2] + gap
                    and rb[0] <= ra[2] + gap
                    and ra[1] <= rb[3] + gap
                    and rb[1] <= ra[3] + gap
                )
                if not near:
                    continue
                rect = (min(ra[0], rb[0]), min(ra[1], rb[1]), max(ra[2], rb[2]), max(ra[3], rb[3]))
                members = set(groups[a].boxes) | set(groups[b].boxes)
                filled = sum(
                    (boxes[i].rect[2] - boxes[i].rect[0]) * (boxes[i].rect[3] - boxes[i].rect[1])
                    for i in members
                )
                if filled >= 0.6 * (rect[2] - rect[0]) * (rect[3] - rect[1]):
                    groups[a] = Group(rect, groups[a].boxes + groups[b].boxes)
                    del groups[b]
                    merged = True
                    break
            if merged:
                break
    return groups


def _outline(grey: np.ndarray, rect: tuple[int, int, int, int], height: float) -> tuple[int, ...]:
    """How far a group's border ink (thick, doubled or bevelled outlines) reaches outward."""
    h, w = grey.shape
    x0, y0, x1, y1 = rect
    reach = int(0.8 * height) + 2
    ink = grey < 200

    def side(rays: list[np.ndarray]) -> int:
        outs = []
        for ray in rays:
            hits = np.flatnonzero(ray[:reach])
            outs.append(int(hits[-1]) + 1 if hits.size else 0)
        return max(2, int(np.median(outs)))

    # Five rays a side, so that arrowheads touching the border (local) do not count as
    # its ink while a thick or bevelled outline (all along) does.
    spots = (0.2, 0.35, 0.5, 0.65, 0.8)
    xs = [int(x0 + f * (x1 - x0)) for f in spots]
    ys = [int(y0 + f * (y1 - y0)) for f in spots]
    left = side([ink[y, max(0, x0 - reach) : x0][::-1] for y in ys])
    right = side([ink[y, x1 + 1 : min(w, x1 + 1 + reach)] for y in ys])
    top = side([ink[max(0, y0 - reach) : y0, x][::-1] for x in xs])
    bottom = side([ink[y1 + 1 : min(h, y1 + 1 + reach), x] for x in xs])
    return left, top, right, bottom


def find_frames(
    grey: np.ndarray, boxes: list[NodeBox], groups: list[Group], height: float
) -> list[Group]:
    """Groups drawn as a rectangle (solid or dashed) around their members, however loosely.

    Diagram editors draw a group as a square-cornered frame around member shapes and their
    captions; a connector ending on the frame stands for every member inside. A frame is a
    region enclosed by long straight rows and columns of (often faint, dashed) ink that
    fills its bounding box into all four corners and holds at least two shapes, one of them
    a gene or chemical. Compartments are told apart by their size and emptiness. Returns
    the new groups only (frames holding the same shapes as a group in ``groups`` are left
    out).
    """
    # Frames are often thin light-grey dashes: any pixel clearly darker than its neighbourhood.
    size = max(9, int(1.6 * height)) | 1
    background = cv2.dilate(grey, np.ones((size, size), np.uint8))
    # Small figures blur thin dashes paler (as ``ink_mask`` allows for lines), and
    # moderately small ones (most published figures) soften them too; a fainter level is
    # tried as well there, not instead, since it also joins frames to what is near.
    levels = [FRAME_CONTRAST]
    if height < 15:
        levels.append(FRAME_CONTRAST - min(12, max(6, 3 * (BLURRED_HEIGHT - height))))
    found: list[Group] = []
    diff = background.astype(np.int16) - grey
    # The members' own borders are not the frame: left in, closing the dash gaps can join
    # a member's side to a dash of the frame just beyond it and cut the frame's inside.
    sides = np.zeros(grey.shape, dtype=bool)
    for box in boxes:
        if box.bordered:
            x0, y0, x1, y1 = box.rect
            sides[max(0, y0 - 2) : y1 + 3, max(0, x0 - 2) : x1 + 3] = True
            sides[y0 + 3 : max(y0 + 3, y1 - 2), x0 + 3 : max(x0 + 3, x1 - 2)] = False
    for contrast in levels:
        ink = diff > contrast
        mask = (ink & ~sides).astype(np.uint8)
        walls = (ink & sides).astype(np.uint8)
        for lengthen in (False, True):
            _frames_at(grey, mask, walls, boxes, groups, height, found, lengthen)
    return found


def _frames_at(
    grey: np.ndarray,
    mask: np.ndarray,
    walls: np.ndarray,
    boxes: list[NodeBox],
    known: list[Group],
    height: float,
    found: list[Group],
    lengthen: bool,
) -> None:
    """Frames in one ink ``mask`` (see ``find_frames``), appended to ``found``; ``walls``
    (the members' borders, kept out of ``mask``) still divide the inside as drawn.

    ``lengthen`` draws the straight lines on past their ends: that closes the corners of
    a blurred dashed frame, but can also cut a narrow frame's inside apart where a
    member's border comes close, so both are tried.
    """
    h, w = grey.shape
    k = max(5, round(0.8 * height)) | 1
    # Only long straight rows and columns of ink: curves (compartments) and slanted lines
    # crossing a frame must not cut its inside apart.
    span = max(2 * k, round(3 * height))
    rows = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, k), np.uint8))
    rows = cv2.morphologyEx(rows, cv2.MORPH_OPEN, np.ones((1, span), np.uint8))
    cols = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k, 1), np.uint8))
    cols = cv2.morphologyEx(cols, cv2.MORPH_OPEN, np.ones((span, 1), np.uint8))
    # Dashes stop short of the corners: thicken the lines (and lengthen them, for blurred
    # dash patterns whose corner gap is wider than one dash gap) to close them there too.
    if lengthen:
        rows = cv2.dilate(rows, np.ones((1, k), np.uint8))
        cols = cv2.dilate(cols, np.ones((k, 1), np.uint8))
    square = np.ones(((k // 2) | 1, (k // 2) | 1), np.uint8)
    closed = cv2.dilate(rows | cols, square) | walls
    n, labels, stats, _ = cv2.connectedComponentsWithStats(1 - closed, connectivity=4)
    tol = max(3, k // 2)
    for label in range(1, n):
        x, y, cw, ch, _area_px = stats[label].tolist()
        if min(cw, ch) < 2 * height or cw * ch > 0.25 * h * w:
            continue
        if x == 0 or y == 0 or x + cw == w or y + ch == h:
            continue
        # Square corners: the enclosed region reaches into all four corners of its box.
        region = labels[y : y + ch, x : x + cw] == label
        if not (
            region[:tol, :tol].any()
            and region[:tol, -tol:].any()
            and region[-tol:, :tol].any()
            and region[-tol:, -tol:].any()
        ):
            continue
        grow = square.shape[0] // 2 + 1
        rect = (x - grow, y - grow, x + cw - 1 + grow, y + ch - 1 + grow)
        inside = [
            i
            for i, b in enumerate(boxes)
            if b.rect[0] >= rect[0] - 1
            and b.rect[1] >= rect[1] - 1
            and b.rect[2] <= rect[2] + 1
            and b.rect[3] <= rect[3] + 1
        ]
        if len(inside) < 2 or not any(boxes[i].scored for i in inside):
            continue
        if any(
            _overlap(boxes[i].rect, rect) > 0.8 and _area(rect) < 2 * _area(boxes[i].rect)
            for i in inside
        ):
            continue
        filled = sum(_area(boxes[i].rect) for i in inside)
        if filled < _area(rect) / 6:
            continue
        if any(set(inside) == set(g.boxes) for g in (*known, *found)):
            continue
        found.append(Group(rect, inside, _outline(grey, rect, height)))


def _area(rect: tuple[int, ...]) -> int:
    return max(0, rect[2] - rect[0]) * max(0, rect[3] - rect[1])
