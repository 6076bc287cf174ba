"""Connectors between node shapes: the ink left when text and shapes are taken away.

The leftover ink is thinned to one-pixel lines. Line ends that touch a shape attach to
it; ends that stop in the open are joined to a matching end across a short gap (dashed
lines, a label or a group border drawn over the line). Each connected set of lines is a
"net"; its attached ends with a head (arrow, T-bar, open arrow) are targets and the plain
ends sources, which also resolves forks and lines ending on another line (anchors).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import cKDTree

from pfocr.network.nodes import BLURRED_HEIGHT, Group, NodeBox
from pfocr.network.skeleton import neighbour_count, thin, walk

#: How much darker than its surroundings a pixel must be to count as ink (labels at least
#: ``INK_FULL_HEIGHT`` pixels high; smaller figures blur their thin lines paler).
INK_CONTRAST = 80
INK_FULL_HEIGHT = 11

#: Label height (pixels) from which a T-bar flush on a shape's side is looked for in bands
#: four pixels wide; smaller figures use narrower ones.
FLUSH_HEIGHT = 14

#: Most dash-sized specks within reach of a dash: more is a speckled patch, not a line.
DASH_CROWD = 8

#: End markers and the edge kinds they stand for (see ``EDGE_KINDS``).
MARKER_KINDS = {
    "arrow": "activation",
    "open_arrow": "activation",
    "bar": "inhibition",
    "chevron": "binding",
    "circle": "other",
}


@dataclass
class End:
    """A line end at ``(y, x)``, attached to a shape (``box``) or a group border (``group``).

    ``(uy, ux)`` is the unit vector along the line towards the end; ``net`` the connected
    set of lines it belongs to; ``marker`` the head drawn there (see ``MARKER_KINDS``).
    """

    y: int
    x: int
    uy: float
    ux: float
    net: int
    box: int = -1
    group: int = -1
    marker: str = ""


def ink_mask(rgb: np.ndarray, height: float, text: Sequence[tuple[int, ...]] = ()) -> np.ndarray:
    """Pixels clearly darker, in any colour channel, than the background around them.

    The background is the brightest level within about one and a half label heights, so
    thin lines and arrowheads count as ink while filled compartments and shapes do not;
    taking the channels apart keeps light-coloured lines (green, cyan) once blurred.
    Glyph boxes in ``text`` are left out.
    """
    size = max(9, int(1.6 * height)) | 1
    kernel = np.ones((size, size), np.uint8)
    contrast = max(45.0, INK_CONTRAST - 5 * max(0.0, INK_FULL_HEIGHT - height))
    channels = rgb if rgb.ndim == 3 else rgb[..., None]
    ink = np.zeros(channels.shape[:2], dtype=bool)
    for c in range(channels.shape[2]):
        plane = np.ascontiguousarray(channels[..., c])
        background = cv2.dilate(plane, kernel)
        ink |= (background.astype(np.int16) - plane) > contrast
    for x0, y0, x1, y1 in text:
        ink[y0 : y1 + 1, x0 : x1 + 1] = False
    return ink


def _zones(shape: tuple[int, int], boxes: list[NodeBox], pad: int) -> np.ndarray:
    """Label map: 1 + index of the shape each pixel lies in (grown by ``pad``)."""
    zones = np.zeros(shape, dtype=np.int32)
    h, w = shape
    order = sorted(range(len(boxes)), key=lambda i: -_area(boxes[i].rect))
    for i in order:
        x0, y0, x1, y1 = boxes[i].rect
        zones[max(0, y0 - pad) : min(h, y1 + pad + 1), max(0, x0 - pad) : min(w, x1 + pad + 1)] = (
            i + 1
        )
    return zones


def _area(rect: tuple[int, int, int, int]) -> int:
    return (rect[2] - rect[0]) * (rect[3] - rect[1])


def _bands(shape: tuple[int, int], groups: list[Group], pad: int, corner: int) -> np.ndarray:
    """Label map of group borders: 1 + group index on a band around each group rect.

    The band also fills ``corner`` pixels into each corner, where bevelled and rounded
    group outlines cut across the rect.
    """
    bands = np.zeros(shape, dtype=np.int32)
    h, w = shape
    # Where nested groups share a border, a line ending there reaches the outer one.
    for i in sorted(range(len(groups)), key=lambda k: -_area(groups[k].rect)):
        g = groups[i]
        x0, y0, x1, y1 = g.rect
        ol, ot, orr, ob = g.outline
        ox0, oy0 = max(0, x0 - ol), max(0, y0 - ot)
        ox1, oy1 = min(w - 1, x1 + orr), min(h - 1, y1 + ob)
        sub = bands[oy0 : oy1 + 1, ox0 : ox1 + 1]
        ring = np.ones(sub.shape, dtype=bool)
        ring[y0 + pad + 1 - oy0 : y1 - pad - oy0, x0 + pad + 1 - ox0 : x1 - pad - ox0] = False
        c = corner + max(g.outline)
        for rows in (slice(0, c), slice(max(0, sub.shape[0] - c), None)):
            for cols in (slice(0, c), slice(max(0, sub.shape[1] - c), None)):
                ring[rows, cols] = True
        sub[ring & (sub == 0)] = i + 1
    return bands


def stroke_width(mask: np.ndarray, skeleton: np.ndarray) -> int:
    """Typical width of the lines in pixels (at least 3), from their distance transform."""
    if not skeleton.any():
        return 3
    distance = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    return max(3, round(2 * float(np.median(distance[skeleton]))))


def _direction(skeleton: np.ndarray, y: int, x: int, steps: int) -> tuple[float, float, int]:
    """Unit vector pointing out of the line at an end, and how far the walk went."""
    path = walk(skeleton, (y, x), steps)
    far = path[-1]
    dy, dx = y - far[0], x - far[1]
    norm = math.hypot(dy, dx)
    if norm == 0:
        return 0.0, 0.0, 0
    return dy / norm, dx / norm, len(path)


def _side_normal(rect: tuple[int, int, int, int], y: int, x: int) -> tuple[float, float]:
    """Direction into a shape from a point outside it, across the nearest side."""
    x0, y0, x1, y1 = rect
    gaps = {(1.0, 0.0): y0 - y, (-1.0, 0.0): y - y1, (0.0, 1.0): x0 - x, (0.0, -1.0): x - x1}
    return max(gaps, key=lambda k: gaps[k])


def _runs(values: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of the runs of True in a 1-D array."""
    padded = np.concatenate([[False], values, [False]]).astype(np.int8)
    diff = np.diff(padded)
    starts = np.flatnonzero(diff == 1)
    stops = np.flatnonzero(diff == -1)
    return [(int(a), int(b - a)) for a, b in zip(starts, stops, strict=True)]


def classify_end(ink: np.ndarray, end: End, size: float, line: int = 3) -> str:
    """The head drawn at a line end: ``arrow``, ``open_arrow``, ``chevron``, ``bar`` or ``""``.

    Looks across the line at steps back from the end: a filled head is one wide run, an
    open triangle two runs closed by a wide base, an open arrow two runs without a base,
    a T-bar one wide thin run right at the end with only the line behind it. ``size`` is
    about a head's length, ``line`` the width of a plain line, in pixels.
    """
    h, w = ink.shape
    reach = max(5, round(size))
    uy, ux = end.uy, end.ux
    ny, nx = -ux, uy
    offsets = np.arange(-reach, reach + 1)
    widths: list[list[tuple[int, int]]] = []
    for t in range(-2, int(1.6 * reach)):
        cy = end.y - t * uy
        cx = end.x - t * ux
        py = np.clip(np.round(cy + offsets * ny).astype(int), 0, h - 1)
        px = np.clip(np.round(cx + offsets * nx).astype(int), 0, w - 1)
        widths.append(_runs(ink[py, px]))
    wide = max(line + 1, int(0.35 * reach))
    # Keep only runs near the centre line's neighbourhood (ignore other connectors).
    profile = []
    for runs in widths:
        near = [
            (a - reach, n)
            for a, n in runs
            if a - reach <= reach * 0.8 and a + n - reach >= -reach * 0.8
        ]
        profile.append(near)
    two = [i for i, r in enumerate(profile) if len(r) >= 2 and max(n for _, n in r) <= line + 1]
    one_wide = [i for i, r in enumerate(profile) if len(r) == 1 and r[0][1] >= wide]
    widest = [max((n for _, n in r), default=0) for r in profile]
    tail = profile[int(1.1 * reach) :]
    tail_single = sum(1 for r in tail if len(r) == 1)
    if len(two) >= 3 and tail_single * 2 >= len(tail):
        # Two strokes that close into one line behind the head (not two lines parting).
        base = [i for i in one_wide if i > min(two)]
        return "open_arrow" if base else "chevron"
    if not one_wide:
        return ""
    first, last = one_wide[0], one_wide[-1]
    # An arrowhead widens from its tip to its base; a T-bar is widest right at the end.
    grows = widest[last] >= widest[first] + 2
    after = profile[last + 1 : last + 1 + max(3, reach // 2)]
    thin_after = bool(after) and all(r and max(n for _, n in r) <= line + 1 for r in after)
    # A bar is also clearly longer than the line is thick: a line leaving a shape at a
    # slant, cut off along the shape's side, makes a short wide run there too.
    long_bar = max(widest[first : last + 1]) >= 2 * line + 1
    if first <= reach // 2 + 2 and not grows and last - first <= line and thin_after and long_bar:
        return "bar"
    tail_split = sum(1 for r in tail if len(r) >= 2)
    if (len(one_wide) >= 3 or (grows and len(one_wide) >= 2)) and tail_split * 2 < len(tail):
        # One line leaves the head; lines fanning out from a shape look wide there too.
        return "arrow"
    return ""


def mass_head(ink: np.ndarray, end: End, size: float, line: int = 3) -> str:
    """``arrow``, ``bar`` or ``""`` from how the ink's width across the line changes near an end.

    Blur rounds a small head's corners and splits or merges its runs, which the run-shape
    test in ``classify_end`` needs; the width of the ink mass around the line survives it.
    An arrowhead widens going back from the end and then narrows to the line; a T-bar is
    wide for only a few rows right at the end; a plain end keeps the line's width.
    """
    h, w = ink.shape
    reach = max(5, round(size))
    uy, ux = end.uy, end.ux
    ny, nx = -ux, uy
    offsets = np.arange(-reach, reach + 1)
    widths: list[int] = []
    for t in range(-2, 2 * reach + 1):
        cy, cx = end.y - t * uy, end.x - t * ux
        py = np.round(cy + offsets * ny).astype(int)
        px = np.round(cx + offsets * nx).astype(int)
        inside = (py >= 0) & (py < h) & (px >= 0) & (px < w)
        row = np.zeros(offsets.size, dtype=bool)
        row[inside] = ink[py[inside], px[inside]]
        # The run through the line's centre (a pixel either side), not other lines nearby.
        runs = [n for a, n in _runs(row) if a - 2 <= reach <= a + n + 1]
        widths.append(max(runs, default=0))
    profile = np.array(widths)
    tail = profile[reach + 3 :]
    if tail.size < 3 or (tail == 0).sum() > tail.size // 2:
        return ""  # no line behind the end to compare with
    base = max(1.0, float(np.median(tail[tail > 0])))
    if base > line + 2 or (tail > base + 2).sum() > tail.size // 4:
        return ""  # a thick or uneven stretch: a shape's edge or lines running together
    head = profile[: reach + 3]
    peak = int(np.argmax(head))
    wide = max(base + 3, 2.2 * base, 0.45 * reach)
    if head[peak] < wide or head[peak] > 2.6 * size:
        return ""
    if not head[peak + 1 :].all():
        # A head set apart from its line (blurred away between them, or a dashed line):
        # a wide mass alone ahead of the line.
        return "arrow"
    above = head >= 0.5 * (head[peak] + base)
    extent = int(above.sum())
    if peak <= 4 and extent <= max(2, line):
        return "bar"
    # A head tapers: narrower ink between the end and the widest row, and a few rows wide.
    if peak >= 2 and extent >= 3 and head[: max(1, peak - 1)].min() < 0.7 * head[peak]:
        return "arrow"
    return ""


def read_nets(
    ink: np.ndarray, boxes: list[NodeBox], groups: list[Group], height: float
) -> tuple[list[End], np.ndarray, list[tuple[float, float, float]]]:
    """Attached line ends (with heads) of every net, the drawn paths (skeleton and bridges)
    and the small rings on the lines (``x, y, radius``)."""
    shape = ink.shape
    zones = _zones(shape, boxes, 2)
    bands = _bands(shape, groups, 2, round(0.5 * height))
    conn = ink & (zones == 0) & (bands == 0)
    if height < BLURRED_HEIGHT:
        conn = _chain_dashes(conn, height) & (zones == 0) & (bands == 0)
    conn = _drop_specks(conn, min(8, max(3, round(8 * (height / 14) ** 2))))
    # The head test also sees the ink just off a shape's side, where a blurred head's tip
    # lies, but not the side itself.
    mass_ink = (
        ink & (_zones(shape, boxes, 1) == 0) & (bands == 0) if height < BLURRED_HEIGHT else conn
    )
    skeleton = thin(conn)
    line = stroke_width(conn, skeleton)
    count = neighbour_count(skeleton)
    ys, xs = np.nonzero((count == 1) & skeleton)
    steps = max(6, round(1.2 * height))
    directions = [
        _direction(skeleton, y, x, steps) for y, x in zip(ys.tolist(), xs.tolist(), strict=True)
    ]
    paths = skeleton.astype(np.uint8)
    crossings = _split_crossings(skeleton, count, height)
    n_nets, nets = cv2.connectedComponents(skeleton.astype(np.uint8), connectivity=8)
    parent = list(range(n_nets))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (ay, ax), (by, bx) in crossings:
        a, b = root(int(nets[ay, ax])), root(int(nets[by, bx]))
        if a and b and a != b:
            parent[a] = b
    tol = max(3, round(0.25 * height))
    near_zone = _near_zones(zones, boxes, tol)
    # A line's end stopping short of a shape (an arrowhead's tip lost to blur, a gap left
    # by the drawing) still reaches it within about a label height and a half.
    far = max(tol, round(1.5 * height))
    far_zone = _near_zones(zones, boxes, far)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * far + 1, 2 * far + 1))
    near_band = cv2.dilate(bands.astype(np.uint16), kernel).astype(np.int32)
    attached: list[End] = []
    free: list[End] = []
    dashes: list[End] = []
    for y, x, (uy, ux, length) in zip(ys.tolist(), xs.tolist(), directions, strict=True):
        if not skeleton[y, x]:
            continue
        end = End(y, x, uy, ux, int(nets[y, x]))
        if near_zone[y, x]:
            end.box = int(near_zone[y, x]) - 1
            if length < 0.6 * steps:
                end.uy, end.ux = _side_normal(boxes[end.box].rect, y, x)
            attached.append(end)
        else:
            free.append(end)
            if length < 0.6 * steps:
                dashes.append(end)
    # An end pointing at a shape close by (an arrowhead stopping short of it) is joined
    # across a gap only to an end in line with it, not to any ink a few pixels away.
    aimed = set()
    for i, end in enumerate(free):
        box = int(far_zone[end.y, end.x]) - 1
        if box >= 0:
            ny, nx = _side_normal(boxes[box].rect, end.y, end.x)
            if end.uy * ny + end.ux * nx > 0.7:
                aimed.add(i)
    _bridge(free, parent, root, gap=1.2 * height, paths=paths, aimed=aimed)
    if height >= BLURRED_HEIGHT:
        # The last dash of a dashed line ending on another line (an anchor) stops a dash
        # gap short of it, wherever the other line's ink has no end to pair with.
        _run_on(dashes, skeleton, nets, parent, root, max(5, round(0.4 * height)), paths)
    # A line stopping short of its head (or of the line it ends on): resampled, softened
    # figures lose the ink between them, and drawings leave such gaps too.
    _run_on(free, skeleton, nets, parent, root, round(0.8 * height), paths)
    tips: dict[int, End | None] = {}
    border_tips: dict[int, End] = {}
    attached += _loop_contacts(conn, skeleton, nets, near_zone, attached, height)
    attached += _touches(skeleton, nets, near_zone, attached, boxes)
    for end in free:
        if end.net < 0:
            continue
        if near_band[end.y, end.x]:
            end.group = int(near_band[end.y, end.x]) - 1
            end.box, tip = _through_band(ink, end, groups[end.group], boxes, height)
            if end.box >= 0:
                end.group = -1
                tips[id(end)] = tip
            else:
                border_tips[id(end)] = _border_tip(end, groups[end.group])
            attached.append(end)
        elif far_zone[end.y, end.x]:
            end.box = int(far_zone[end.y, end.x]) - 1
            tip = _ahead(conn, zones, end, round(1.5 * height))
            if tip is not None:
                tips[id(end)] = tip
            attached.append(end)
    for end in attached:
        end.marker = classify_end(conn, tips.get(id(end)) or end, 0.9 * height, line)
        if id(end) in border_tips and end.marker not in ("arrow", "bar"):
            # The head seen across the border beats a reading at one of its corners; a
            # bar there is more likely the border's own ink.
            marker = classify_end(conn, border_tips[id(end)], 0.9 * height, line)
            if marker in ("arrow", "open_arrow"):
                end.marker = marker
            elif _border_bar(ink, groups[end.group], end, height, line):
                end.marker = "bar"
        if not end.marker and end.box >= 0 and _flush_bar(ink, boxes[end.box].rect, end, height):
            end.marker = "bar"
        if not end.marker and height < BLURRED_HEIGHT and end.group < 0:
            end.marker = mass_head(mass_ink, tips.get(id(end)) or end, 0.9 * height, line)
    attached = _slanted_bars(attached, skeleton, conn, root, 0.9 * height)
    attached = _rejoin_passing(attached, parent, root, height, paths)
    attached = _rejoin_along_borders(attached, groups, parent, root, paths)
    for end in attached:
        end.net = root(end.net)
    # A circle ending a line touches the shape, whose margin would cut it open in ``conn``.
    _circle_heads(attached, find_rings(ink & (bands == 0), height), height)
    return attached, paths.astype(bool), find_rings(conn, height)


def _touches(
    skeleton: np.ndarray,
    nets: np.ndarray,
    near_zone: np.ndarray,
    attached: list[End],
    boxes: list[NodeBox],
) -> list[End]:
    """Ends where a line meets a shape at a branch point rather than an end pixel.

    The point of an open arrow (or a fork drawn against a shape) thins to a junction; the
    line pixel nearest the shape stands in for the end, facing the shape's side.
    """
    ys, xs = np.nonzero(skeleton & (near_zone > 0))
    taken = {(e.net, e.box) for e in attached}
    best: dict[tuple[int, int], tuple[float, int, int]] = {}
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        key = (int(nets[y, x]), int(near_zone[y, x]) - 1)
        if key in taken:
            continue
        x0, y0, x1, y1 = boxes[key[1]].rect
        gap = math.hypot(max(x0 - x, 0, x - x1), max(y0 - y, 0, y - y1))
        if key not in best or gap < best[key][0]:
            best[key] = (gap, y, x)
    out: list[End] = []
    for (net, box), (_, y, x) in best.items():
        uy, ux = _side_normal(boxes[box].rect, y, x)
        out.append(End(y, x, uy, ux, net, box=box))
    return out


def _loop_contacts(
    conn: np.ndarray,
    skeleton: np.ndarray,
    nets: np.ndarray,
    near_zone: np.ndarray,
    attached: list[End],
    height: float,
) -> list[End]:
    """Ends where a closed head (open triangle, circle) touches a shape.

    A closed outline thins to a loop, which has no end pixel to attach by; the loop pixel
    nearest the shape stands in for it, pointing from the loop's middle to the shape.
    """
    contours, hierarchy = cv2.findContours(
        conn.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE
    )
    if hierarchy is None:
        return []
    h, w = conn.shape
    reach = max(3, round(0.6 * height))
    taken = {(e.net, e.box) for e in attached}
    out: list[End] = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True):
        if parent < 0:
            continue
        x, y, cw, ch = cv2.boundingRect(contour)
        if max(cw, ch) > 1.5 * height or cv2.contourArea(contour) < 3:
            continue
        cx, cy = x + cw / 2, y + ch / 2
        y0, y1 = max(0, y - reach), min(h, y + ch + reach)
        x0, x1 = max(0, x - reach), min(w, x + cw + reach)
        window = skeleton[y0:y1, x0:x1] & (near_zone[y0:y1, x0:x1] > 0)
        ys, xs = np.nonzero(window)
        if ys.size == 0:
            continue
        ys, xs = ys + y0, xs + x0
        far = int(np.argmax((ys - cy) ** 2 + (xs - cx) ** 2))
        py, px = int(ys[far]), int(xs[far])
        box = int(near_zone[py, px]) - 1
        net = int(nets[py, px])
        if (net, box) in taken:
            continue
        norm = math.hypot(py - cy, px - cx) or 1.0
        taken.add((net, box))
        out.append(End(py, px, (py - cy) / norm, (px - cx) / norm, net, box=box))
    return out


def find_rings(conn: np.ndarray, height: float) -> list[tuple[float, float, float]]:
    """Small open circles drawn on lines (catalysis marks): round holes in the line ink.

    Returns ``(x, y, radius)`` of each; open triangles and shapes are not round enough
    (a hole filling less than 70% of its enclosing circle: an open arrowhead's hole fills
    57-64%, blurred or not).
    """
    contours, hierarchy = cv2.findContours(
        conn.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE
    )
    rings: list[tuple[float, float, float]] = []
    if hierarchy is None:
        return rings
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True):
        if parent < 0:
            continue
        (x, y), radius = cv2.minEnclosingCircle(contour)
        if not 0.12 * height <= radius <= 0.5 * height:
            continue
        if cv2.contourArea(contour) >= 0.7 * math.pi * radius * radius:
            rings.append((float(x), float(y), float(radius)))
    return rings


def _circle_heads(ends: list[End], rings: list[tuple[float, float, float]], height: float) -> None:
    """Mark ends that finish in a small open circle (catalysis, in SBGN and MIM notation).

    The circle sits between the line and the shape it touches, so the end lies on it or
    just beyond it; the head reading there (a ring looks like an arrowhead from outside)
    gives way.
    """
    for end in ends:
        for x, y, radius in rings:
            if math.hypot(end.x - x, end.y - y) <= radius + max(2.0, 0.25 * height):
                end.marker = "circle"
                break


def _slanted_bars(
    ends: list[End],
    skeleton: np.ndarray,
    conn: np.ndarray,
    root: Callable[[int], int],
    size: float,
) -> list[End]:
    """One inhibition end for the two tips of a T-bar standing free of a shape's side.

    A bar flush on a shape's side is cut out with it, leaving the line's own end; a bar
    meeting the shape at a slant (onto a bevelled corner, a line arriving at an angle)
    stays, and the line's end vanishes into the bar's middle: what the skeleton shows
    are the bar's two tips, which read like a head each. Two tips of one net on one
    shape, joined by a straight stroke with the line leaving its middle on one side and
    nothing ahead of it on the other, are that bar.
    """
    near = cv2.dilate(skeleton.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    out = list(ends)
    used: set[int] = set()
    for i, a in enumerate(ends):
        for b in ends[i + 1 :]:
            if id(a) in used or id(b) in used or root(a.net) != root(b.net):
                continue
            if (a.box, a.group) != (b.box, b.group):
                continue
            bar = _bar_between(a, b, near, conn, size)
            if bar is not None:
                used.update((id(a), id(b)))
                out.append(bar)
    return [e for e in out if id(e) not in used]


def _bar_between(a: End, b: End, near: np.ndarray, conn: np.ndarray, size: float) -> End | None:
    """The T-bar whose tips are ``a`` and ``b`` (see ``_slanted_bars``), if they are one."""
    dy, dx = b.y - a.y, b.x - a.x
    length = math.hypot(dy, dx)
    if not 0.7 * size <= length <= 3 * size:
        return None
    vy, vx = dy / length, dx / length
    if a.uy * vy + a.ux * vx > -0.8 or b.uy * vy + b.ux * vx < 0.8:
        return None  # the tips do not point away from each other along one stroke
    if not all(_on(near, a.y + f * dy, a.x + f * dx) for f in (0.25, 0.5, 0.75)):
        return None
    ny, nx = -vx, vy
    steps = range(3, max(4, round(0.8 * size)))

    def leaving(f: float) -> list[int]:
        y, x = a.y + f * dy, a.x + f * dx
        return [sum(_on(near, y + k * s * ny, x + k * s * nx) for k in steps) for s in (1, -1)]

    # Where the line meets the stroke: its middle, unless a shape's margin cut a tip.
    f = max(np.linspace(0.2, 0.8, 7).tolist(), key=lambda f: max(leaving(f)))
    sides = leaving(f)
    line_side = 0 if sides[0] >= sides[1] else 1
    if sides[line_side] < 0.7 * len(steps) or sides[1 - line_side] >= 0.5 * len(steps):
        return None  # no line leaving the stroke's middle, or one crossing it
    toward = 1 if line_side else -1
    my, mx = a.y + f * dy, a.x + f * dx
    fy, fx = toward * ny, toward * nx
    ahead = range(2, max(3, round(0.5 * size)))
    if sum(_on(conn, my + k * fy, mx + k * fx) for k in ahead) > len(ahead) // 3:
        return None  # a filled head ahead of the stroke: an arrow's base
    return End(round(my), round(mx), fy, fx, a.net, box=a.box, group=a.group, marker="bar")


def _on(mask: np.ndarray, y: float, x: float) -> bool:
    iy, ix = round(y), round(x)
    return 0 <= iy < mask.shape[0] and 0 <= ix < mask.shape[1] and bool(mask[iy, ix])


def _rejoin_passing(
    ends: list[End], parent: list[int], root: Callable[[int], int], height: float, paths: np.ndarray
) -> list[End]:
    """Rejoin a line cut where it runs past a shape's corner or edge.

    Two plain ends on one shape that face each other across a short gap are one line
    going by, not two lines ending there.
    """
    by_box: dict[int, list[End]] = {}
    for end in ends:
        if end.box >= 0 and end.group < 0 and not end.marker:
            by_box.setdefault(end.box, []).append(end)

    def passing_by(a: End, b: End) -> bool:
        return math.hypot(a.y - b.y, a.x - b.x) <= 1.3 * height and _facing(a, b) >= 0.8

    dropped = _join_pairs(by_box.values(), passing_by, parent, root, paths)
    return [e for e in ends if id(e) not in dropped]


def _join_pairs(
    buckets: Iterable[list[End]],
    same_line: Callable[[End, End], bool],
    parent: list[int],
    root: Callable[[int], int],
    paths: np.ndarray,
) -> set[int]:
    """Join the nets of two ends of one bucket that ``same_line`` says are one line cut
    in two; each end joins once. Returns the ids of the joined ends."""
    joined: set[int] = set()
    for bucket in buckets:
        for i, a in enumerate(bucket):
            for b in bucket[i + 1 :]:
                if id(a) in joined or id(b) in joined or root(a.net) == root(b.net):
                    continue
                if not same_line(a, b):
                    continue
                parent[root(a.net)] = root(b.net)
                joined.update((id(a), id(b)))
                cv2.line(paths, (a.x, a.y), (b.x, b.y), 1, 1)
    return joined


def _rejoin_along_borders(
    ends: list[End],
    groups: list[Group],
    parent: list[int],
    root: Callable[[int], int],
    paths: np.ndarray,
) -> list[End]:
    """Rejoin a line cut where it runs along a group's border.

    A line ending on a group arrives across its border; two plain ends at the two corners
    of one side, both running along it, in line and facing each other, are one line drawn
    along the border (the border hides the stretch between them), not two lines ending
    there.
    """
    by_group: dict[int, list[End]] = {}
    for end in ends:
        if end.group >= 0 and not end.marker:
            x0, y0, x1, y1 = groups[end.group].rect
            reach = 2 + max(groups[end.group].outline)
            on_row = min(abs(end.y - y0), abs(end.y - y1)) <= reach and abs(end.uy) < 0.35
            on_column = min(abs(end.x - x0), abs(end.x - x1)) <= reach and abs(end.ux) < 0.35
            if on_row or on_column:
                by_group.setdefault(end.group, []).append(end)

    def along_side(a: End, b: End) -> bool:
        return _facing(a, b) >= 0.95 and _spans_side(a, b, groups[a.group])

    dropped = _join_pairs(by_group.values(), along_side, parent, root, paths)
    # A line known to run along borders that reaches another group's corner runs on along
    # that one too, out of sight: where it ends there is not known.
    passing = {root(e.net) for e in ends if id(e) in dropped}
    dropped.update(id(e) for group in by_group.values() for e in group if root(e.net) in passing)
    return [e for e in ends if id(e) not in dropped]


def _spans_side(a: End, b: End, group: Group) -> bool:
    """Whether two ends sit at the two corners of one side of a group: a line along the
    whole side, not one that ends on it and another that leaves it further on."""
    x0, y0, x1, y1 = group.rect
    reach = 2 + max(group.outline)
    if abs(a.y - b.y) <= reach:
        return min(a.x, b.x) <= x0 + reach and max(a.x, b.x) >= x1 - reach
    return min(a.y, b.y) <= y0 + reach and max(a.y, b.y) >= y1 - reach


def _near_zones(zones: np.ndarray, boxes: list[NodeBox], tol: int) -> np.ndarray:
    """Zones grown by ``tol``; gene and chemical shapes win over plain labels' shapes."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * tol + 1, 2 * tol + 1))
    dtype = np.uint16 if len(boxes) < 65_535 else np.float32
    scored = np.array([0] + [1 if b.scored else 0 for b in boxes], dtype=bool)[zones]
    near = cv2.dilate(np.where(scored, zones, 0).astype(dtype), kernel)
    label = cv2.dilate(np.where(scored, 0, zones).astype(dtype), kernel)
    return np.where(near > 0, near, label).astype(np.int32)


def _split_crossings(
    skeleton: np.ndarray, count: np.ndarray, height: float
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Cut the skeleton where two lines cross; return the pairs of pixels to rejoin.

    A branch point with four arms that pair up into two straight lines is a crossing, not
    a fork: each line goes on across it, so each pair is rejoined, not all four arms.
    """
    junction = ((count >= 3) & skeleton).astype(np.uint8)
    if not junction.any():
        return []
    grown = cv2.dilate(junction, np.ones((5, 5), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    h, w = skeleton.shape
    steps = max(6, round(0.8 * height))
    joins: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for i in range(1, n):
        x, y, cw, ch, _ = stats[i].tolist()
        if cw > 3 * height or ch > 3 * height:
            continue
        core = (labels[y : y + ch, x : x + cw] == i) & skeleton[y : y + ch, x : x + cw]
        # Arms: skeleton pixels just outside the grown junction that touch it.
        y0, x0 = max(0, y - 1), max(0, x - 1)
        y1, x1 = min(h, y + ch + 1), min(w, x + cw + 1)
        area = labels[y0:y1, x0:x1] == i
        ring = cv2.dilate(area.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & ~area
        arm_y, arm_x = np.nonzero(ring & skeleton[y0:y1, x0:x1])
        if arm_y.size != 4:
            continue
        arms = [(int(ay + y0), int(ax + x0)) for ay, ax in zip(arm_y, arm_x, strict=True)]
        cut = skeleton.copy()
        cut[y : y + ch, x : x + cw][core] = False
        vecs = []
        for ay, ax in arms:
            uy, ux, length = _direction(cut, ay, ax, steps)
            if length < 0.7 * steps:
                break  # a short arm: the corners and tip of an arrowhead, not a line
            vecs.append((-uy, -ux))  # pointing away from the junction
        if len(vecs) < 4:
            continue
        best = None
        for a, b, c, d in ((0, 1, 2, 3), (0, 2, 1, 3), (0, 3, 1, 2)):
            score = -(vecs[a][0] * vecs[b][0] + vecs[a][1] * vecs[b][1])
            score = min(score, -(vecs[c][0] * vecs[d][0] + vecs[c][1] * vecs[d][1]))
            if best is None or score > best[0]:
                best = (score, a, b, c, d)
        if best is None or best[0] < 0.8:
            continue
        skeleton[y : y + ch, x : x + cw][core] = False
        _, a, b, c, d = best
        joins += [(arms[a], arms[b]), (arms[c], arms[d])]
    return joins


def _flush_bar(ink: np.ndarray, rect: tuple[int, int, int, int], end: End, height: float) -> bool:
    """A T-bar drawn against the shape's border (lost with the border when shapes are cut out).

    Just outside the side the line meets, ink runs along the border for about a label
    height around the line's end, while a little further out only the line itself is left.
    """
    h, w = ink.shape
    ny, nx = _side_normal(rect, end.y, end.x)
    reach = round(1.6 * height)
    if ny:
        edge = rect[1] if ny > 0 else rect[3]
        out = -int(ny)
        lo, hi = max(rect[0], end.x - reach), min(rect[2], end.x + reach)
        if hi - lo < 4:
            return False

        def band(k0: int, k1: int) -> np.ndarray:
            rows = [edge + out * k for k in range(k0, k1) if 0 <= edge + out * k < h]
            return ink[rows, lo:hi].any(axis=0) if rows else np.zeros(hi - lo, bool)

    else:
        edge = rect[0] if nx > 0 else rect[2]
        out = -int(nx)
        lo, hi = max(rect[1], end.y - reach), min(rect[3], end.y + reach)
        if hi - lo < 4:
            return False

        def band(k0: int, k1: int) -> np.ndarray:
            cols = [edge + out * k for k in range(k0, k1) if 0 <= edge + out * k < w]
            return ink[lo:hi, cols].any(axis=1) if cols else np.zeros(hi - lo, bool)

    # Bands a third of a label height wide (on small figures narrower than that, a line
    # meeting the side at a slant crosses them over a bar's length).
    step = max(2, round(4 * min(1.0, height / FLUSH_HEIGHT)))
    near = band(3, 3 + step)
    beyond = band(3 + 3 * step // 2, 3 + 5 * step // 2)
    at = (end.x if ny else end.y) - lo
    # The bar is centred on the line, not something else along the border (a marker).
    runs = [n for a, n in _runs(near) if a - 3 <= at <= a + n + 3]
    if not runs:
        return False
    longest = max(runs)
    return 0.7 * height <= longest <= 2.5 * height and int(beyond.sum()) <= 4


def _border_bar(ink: np.ndarray, group: Group, end: End, height: float, line: int) -> bool:
    """A T-bar drawn against a group's border (lost in the band cut out around the border).

    Coming from the line towards the border, a bar is a few rows of ink across the line,
    about a label height long and centred on the line, with nothing else along the border
    on those rows; after it only the border (or the gap inside it). An arrowhead pointing
    at the border also has a wide row (its base), but narrows row by row from there to its
    tip; a line running along the border is not centred on a line leading up to it.
    """
    h, w = ink.shape
    ny, nx = _side_normal(group.rect, end.y, end.x)
    x0, y0, x1, y1 = group.rect
    ol, ot, orr, ob = group.outline
    if ny:
        edge, outline = (y0, ot) if ny > 0 else (y1, ob)
        lo, hi, at, step, size = x0, x1, end.x, -int(ny), h
    else:
        edge, outline = (x0, ol) if nx > 0 else (x1, orr)
        lo, hi, at, step, size = y0, y1, end.y, -int(nx), w
    lo, hi = max(0, lo), min(w if ny else h, hi + 1)
    if hi - lo < 2 * height:
        return False
    rows: list[np.ndarray] = []  # from the line inwards
    for k in range(outline + 2 + round(0.8 * height), -round(0.5 * height), -1):
        c = edge + step * k
        if 0 <= c < size:
            rows.append(ink[c, lo:hi] if ny else ink[lo:hi, c])

    def across(row: np.ndarray, where: int, slack: int) -> tuple[int, int, bool]:
        """Start and width of the run at ``where``, and whether the row is the border."""
        runs = [(a, n) for a, n in _runs(row) if a - slack <= where <= a + n + slack]
        a, n = max(runs, key=lambda r: r[1], default=(where, 0))
        return a, n, int(row.sum()) - n > 0.25 * (row.size - n)

    wide, narrow = 0.6 * height, line + 2
    bar: list[int] = []
    centre = 0
    for i, row in enumerate(rows):
        a, n, border = across(row, at - lo, 2)
        if not border and wide <= n <= 2.5 * height:
            if not bar:
                centre = a + n // 2
            bar.append(i)
    if not bar or bar[-1] - bar[0] + 1 > max(3, line + 2):
        return False
    before = [
        across(r, centre, line)[1] for r in rows[max(0, bar[0] - round(0.6 * height)) : bar[0]]
    ]
    after = [across(r, centre, 1) for r in rows[bar[-1] + 1 : bar[-1] + 1 + round(0.4 * height)]]
    # The line leads up to the middle of the bar; after it comes the border or nothing.
    if len(before) < 3 or not all(0 < n <= narrow for n in before):
        return False
    return all(border or n <= narrow for _, n, border in after)


def _chain_dashes(mask: np.ndarray, height: float) -> np.ndarray:
    """Dashes of a dashed line joined into one stroke.

    On a small figure dashes shrink to a few pixels, too short for the skeleton to give
    them ends or directions. Three dash-sized specks in a row, evenly spaced, are a
    dashed line: the middle one is joined to both neighbours.
    """
    n, _labels, stats, centres = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    longest = max(4.0, 0.8 * height)
    small = [
        i
        for i in range(1, n)
        if 2 <= stats[i, cv2.CC_STAT_AREA] <= 0.3 * height * height
        and max(stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT]) <= longest
    ]
    if len(small) < 3:
        return mask
    points = centres[small]
    out = mask.astype(np.uint8)
    reach = 1.2 * height
    neighbours = cKDTree(points).query_ball_point(points, reach)
    for a, found in enumerate(neighbours):
        if len(found) > DASH_CROWD:
            continue  # a speckled patch (noise, hatching), not a row of dashes
        d = points - points[a]
        dist = np.hypot(d[:, 0], d[:, 1])
        near = [b for b in found if dist[b] > 1.5]
        for i, b in enumerate(near):
            for c in near[i + 1 :]:
                u, v = d[b] / dist[b], d[c] / dist[c]
                if float(u @ v) > -0.97 or abs(dist[b] - dist[c]) > 0.35 * max(dist[b], dist[c]):
                    continue
                for other in (b, c):
                    start = tuple(points[a].round().astype(int).tolist())
                    stop = tuple(points[other].round().astype(int).tolist())
                    cv2.line(out, start, stop, 1, 1)
    return out.astype(bool)


def _drop_specks(mask: np.ndarray, size: int) -> np.ndarray:
    _n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= size
    keep[0] = False
    return keep[labels]


def _bridge(
    free: list[End],
    parent: list[int],
    root: Callable[[int], int],
    gap: float,
    paths: np.ndarray | None = None,
    aimed: set[int] | frozenset[int] = frozenset(),
) -> None:
    """Join free ends that face each other across a short gap; mark them used (net -1).

    Ends a few pixels apart are joined whichever way they face, except the ``aimed`` ones.
    """
    if len(free) < 2:
        return
    pts = np.array([(e.y, e.x) for e in free], dtype=np.float32)
    dirs = np.array([(e.uy, e.ux) for e in free], dtype=np.float32)
    pairs: list[tuple[float, int, int]] = []
    for i in range(len(free)):
        d = pts - pts[i]
        dist = np.hypot(d[:, 0], d[:, 1])
        cand = np.flatnonzero((dist > 0) & (dist <= gap))
        for j in cand.tolist():
            if j <= i or free[i].net == free[j].net:
                continue
            v = d[j] / dist[j]
            ai = float(dirs[i] @ v)
            aj = float(-(dirs[j] @ v))
            short = dist[j] <= 4 and i not in aimed and j not in aimed
            if short or (ai > 0.85 and aj > 0.85):
                pairs.append((float(dist[j]) * (2 - ai - aj + 1), i, j))
    pairs.sort()
    uses = [0] * len(free)
    for _, i, j in pairs:
        # An end joins one partner, or two where a dashed line forks right at it.
        if uses[i] >= 2 or uses[j] >= 2:
            continue
        if (uses[i] or uses[j]) and _facing(free[i], free[j]) < 0.95:
            continue
        uses[i] += 1
        if paths is not None:
            cv2.line(paths, (free[i].x, free[i].y), (free[j].x, free[j].y), 1, 1)
        uses[j] += 1
        a, b = root(free[i].net), root(free[j].net)
        if a != b:
            parent[a] = b
    for i, n in enumerate(uses):
        if n:
            free[i].net = -1


def _run_on(
    free: list[End],
    skeleton: np.ndarray,
    nets: np.ndarray,
    parent: list[int],
    root: Callable[[int], int],
    reach: int,
    paths: np.ndarray,
) -> None:
    """Join a free end to another net's line straight ahead within ``reach`` pixels.

    A dashed line stopping a gap short of its arrowhead meets the head's base side-on (a
    filled head thins to its base and tip), and a line stopping just short of another line
    ends on it; neither meets an end facing it. The end stays, to attach to a shape close
    by (a head that thinned to a dot has no end of its own).
    """
    h, w = skeleton.shape
    for end in free:
        if end.net < 0:
            continue
        for t in range(2, reach + 1):
            y, x = round(end.y + t * end.uy), round(end.x + t * end.ux)
            if not (0 <= y < h and 0 <= x < w):
                break
            window = nets[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2]
            hits = window[(window > 0) & skeleton[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2]]
            other = [int(n) for n in hits.tolist() if root(int(n)) != root(end.net)]
            if other:
                parent[root(end.net)] = root(other[0])
                cv2.line(paths, (end.x, end.y), (x, y), 1, 1)
                break
            if hits.size:
                break  # its own line again (a curve or a loop)


def _facing(a: End, b: End) -> float:
    """How squarely two ends face each other (1: on one straight line, pointing together)."""
    dy, dx = b.y - a.y, b.x - a.x
    norm = math.hypot(dy, dx) or 1.0
    return min((a.uy * dy + a.ux * dx) / norm, -(b.uy * dy + b.ux * dx) / norm)


def _ahead(conn: np.ndarray, zones: np.ndarray, end: End, reach: int) -> End | None:
    """Where ink ahead of a line's end stops short of the shape it points at, if it does.

    On a small blurred figure an arrowhead drawn apart from its (dashed) line thins to a
    dot, not a line with an end: the head is read at the last ink met going on from the
    line's end towards the shape.
    """
    h, w = conn.shape
    last = None
    for t in range(3, reach + 1):
        y, x = round(end.y + t * end.uy), round(end.x + t * end.ux)
        if not (0 <= y < h and 0 <= x < w) or zones[y, x]:
            break
        if conn[y, x]:
            last = (y, x)
    if last is None:
        return None
    return End(last[0], last[1], end.uy, end.ux, end.net, box=end.box)


def _border_tip(end: End, group: Group) -> End:
    """Where a line ending on a group's border meets it, facing into the group.

    The border is cut out with the band around it, and an arrowhead with it loses its
    tip; the rest of the head thins to a fork whose ends are the head's corners, which
    face sideways. The head is read from the border's outer edge, across the side the
    line meets.
    """
    ny, nx = _side_normal(group.rect, end.y, end.x)
    x0, y0, x1, y1 = group.rect
    ol, ot, orr, ob = group.outline
    if ny > 0:
        y, x = y0 - ot - 1, end.x
    elif ny < 0:
        y, x = y1 + ob + 1, end.x
    elif nx > 0:
        y, x = end.y, x0 - ol - 1
    else:
        y, x = end.y, x1 + orr + 1
    return End(y, x, ny, nx, end.net, group=end.group)


def _through_band(
    ink: np.ndarray, end: End, group: Group, boxes: list[NodeBox], height: float
) -> tuple[int, End | None]:
    """The member shape a line reaches by going on through a group border (else -1), and
    where it meets the member, facing it (the place to read its head).

    The line's end near the border may be a corner of its arrowhead, so rather than follow
    the end's direction, look for unbroken ink across the gap between the border and a
    member, a little to either side of the end.
    """
    h, w = ink.shape
    ny, nx = _side_normal(group.rect, end.y, end.x)
    x0, y0, x1, y1 = group.rect
    span = range(-int(0.6 * height), int(0.6 * height) + 1)
    if ny:
        starts = [((y0 if ny > 0 else y1) + int(ny), end.x + k) for k in span]
    else:
        starts = [(end.y + k, (x0 if nx > 0 else x1) + int(nx)) for k in span]
    rects = {i: boxes[i].rect for i in group.boxes}
    reach = int(1.5 * height) + 6
    for sy, sx in starts:
        misses = hits = 0
        for t in range(reach):
            y, x = int(sy + t * ny), int(sx + t * nx)
            if not (0 <= y < h and 0 <= x < w):
                break
            inside = [
                i
                for i, r in rects.items()
                if r[0] - 1 <= x <= r[2] + 1 and r[1] - 1 <= y <= r[3] + 1
            ]
            if inside:
                if hits >= 2:
                    return inside[0], End(y, x, ny, nx, end.net, box=inside[0])
                break
            hits += int(ink[y, x])
            if not ink[y, x]:
                misses += 1
                if misses > 1:
                    break
    return -1, None
