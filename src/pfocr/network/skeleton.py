"""Thinning of a binary mask to one-pixel lines, and walking along them.

Zhang-Suen thinning with a 256-entry lookup table over the 8-neighbourhood code computed by
one ``cv2.filter2D`` per sub-iteration, so a whole figure thins in a few array passes.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Neighbour weights: bit 0 north, then clockwise (NE, E, SE, S, SW, W, NW).
_WEIGHTS = np.array([[128, 1, 2], [64, 0, 4], [32, 16, 8]], dtype=np.float32)
#: Offsets (dy, dx) of the eight neighbours, in the bit order above.
NEIGHBOURS: tuple[tuple[int, int], ...] = (
    (-1, 0),
    (-1, 1),
    (0, 1),
    (1, 1),
    (1, 0),
    (1, -1),
    (0, -1),
    (-1, -1),
)


def _tables() -> tuple[np.ndarray, np.ndarray]:
    first = np.zeros(256, dtype=bool)
    second = np.zeros(256, dtype=bool)
    for code in range(256):
        p = [(code >> k) & 1 for k in range(8)]  # p2..p9
        count = sum(p)
        turns = sum(1 for k in range(8) if p[k] == 0 and p[(k + 1) % 8] == 1)
        if not (2 <= count <= 6 and turns == 1):
            continue
        n, e, s, w = p[0], p[2], p[4], p[6]
        first[code] = n * e * s == 0 and e * s * w == 0
        second[code] = n * e * w == 0 and n * s * w == 0
    return first, second


_FIRST, _SECOND = _tables()


def thin(mask: np.ndarray, max_rounds: int = 40) -> np.ndarray:
    """One-pixel-wide skeleton of a boolean mask (Zhang-Suen)."""
    img = mask.astype(np.uint8)
    ys, xs = np.nonzero(img)
    if ys.size == 0:
        return img.astype(bool)
    y0, y1 = max(0, ys.min() - 1), ys.max() + 2
    x0, x1 = max(0, xs.min() - 1), xs.max() + 2
    work = img[y0:y1, x0:x1].copy()
    for _ in range(max_rounds):
        changed = False
        for table in (_FIRST, _SECOND):
            code = cv2.filter2D(work, cv2.CV_32F, _WEIGHTS, borderType=cv2.BORDER_CONSTANT)
            delete = table[code.astype(np.int32)] & (work == 1)
            if delete.any():
                work[delete] = 0
                changed = True
        if not changed:
            break
    out = np.zeros_like(img)
    out[y0:y1, x0:x1] = work
    return out.astype(bool)


def neighbour_count(skeleton: np.ndarray) -> np.ndarray:
    """How many of its eight neighbours each pixel has on the skeleton."""
    kernel = np.ones((3, 3), dtype=np.float32)
    kernel[1, 1] = 0
    count = cv2.filter2D(skeleton.astype(np.uint8), cv2.CV_16S, kernel, borderType=0)
    return np.where(skeleton, count, 0)


def walk(skeleton: np.ndarray, start: tuple[int, int], steps: int) -> list[tuple[int, int]]:
    """Pixels along the skeleton from an end, preferring to go straight at branches."""
    h, w = skeleton.shape
    path = [start]
    seen = {start}
    dy, dx = 0.0, 0.0
    y, x = start
    for _ in range(steps):
        best = None
        best_score = -9.0
        for oy, ox in NEIGHBOURS:
            ny, nx = y + oy, x + ox
            if not (0 <= ny < h and 0 <= nx < w) or not skeleton[ny, nx] or (ny, nx) in seen:
                continue
            norm = (oy * oy + ox * ox) ** 0.5
            score = (oy * dy + ox * dx) / norm if (dy or dx) else -norm
            if score > best_score:
                best, best_score = (ny, nx), score
        if best is None:
            break
        # Mark the other neighbours seen so the walk does not step back along a thick corner.
        for oy, ox in NEIGHBOURS:
            seen.add((y + oy, x + ox))
        y, x = best
        path.append(best)
        if len(path) >= 4:
            dy = (path[-1][0] - path[-4][0]) / 3.0
            dx = (path[-1][1] - path[-4][1]) / 3.0
        else:
            dy, dx = float(best[0] - start[0]), float(best[1] - start[1])
    return path
