"""The drawn course of a connector: a shortest walk along the thinned lines, simplified."""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np

from pfocr.network.skeleton import NEIGHBOURS

#: Give up a walk after visiting this many pixels (a polyline is then end to end).
MAX_VISITS = 60_000


Route = tuple[list[tuple[float, float]], list[tuple[int, int]]]


def trace(
    paths: np.ndarray, start: tuple[int, int], goals: list[tuple[int, int]], near: int = 3
) -> dict[tuple[int, int], Route]:
    """Routes from ``start`` to each goal (``(y, x)`` pixels) along ``paths``.

    A route is the simplified polyline ``(x, y)`` and the ``(y, x)`` pixels walked. A goal
    counts as reached within ``near`` pixels; unreached goals get a straight line.
    """
    h, w = paths.shape
    todo = {g: g for g in goals}
    found: dict[tuple[int, int], Route] = {}
    origin = _snap(paths, start, near)
    if origin is not None:
        parent = {origin: origin}
        queue = deque([origin])
        visits = 0
        while queue and todo and visits < MAX_VISITS:
            y, x = queue.popleft()
            visits += 1
            for goal in list(todo):
                if abs(goal[0] - y) <= near and abs(goal[1] - x) <= near:
                    walked = _back(parent, (y, x))
                    found[goal] = (_simplify(walked, start, goal), walked)
                    del todo[goal]
            for oy, ox in NEIGHBOURS:
                ny, nx = y + oy, x + ox
                if 0 <= ny < h and 0 <= nx < w and paths[ny, nx] and (ny, nx) not in parent:
                    parent[(ny, nx)] = (y, x)
                    queue.append((ny, nx))
    for goal in todo:
        line = [(float(start[1]), float(start[0])), (float(goal[1]), float(goal[0]))]
        found[goal] = (line, [])
    return found


def _snap(paths: np.ndarray, point: tuple[int, int], near: int) -> tuple[int, int] | None:
    y, x = point
    window = paths[max(0, y - near) : y + near + 1, max(0, x - near) : x + near + 1]
    ys, xs = np.nonzero(window)
    if ys.size == 0:
        return None
    k = int(np.argmin((ys + max(0, y - near) - y) ** 2 + (xs + max(0, x - near) - x) ** 2))
    return int(ys[k]) + max(0, y - near), int(xs[k]) + max(0, x - near)


def _back(parent: dict, node: tuple[int, int]) -> list[tuple[int, int]]:
    out = [node]
    while parent[node] != node:
        node = parent[node]
        out.append(node)
    out.reverse()
    return out


def _simplify(
    pixels: list[tuple[int, int]], start: tuple[int, int], goal: tuple[int, int]
) -> list[tuple[float, float]]:
    """Corner points of a pixel walk, with the exact ends."""
    points = np.array([[x, y] for y, x in pixels], dtype=np.int32).reshape(-1, 1, 2)
    corners = cv2.approxPolyDP(points, 1.5, False).reshape(-1, 2)
    out = [(float(x), float(y)) for x, y in corners]
    out[0] = (float(start[1]), float(start[0]))
    out.append((float(goal[1]), float(goal[0])))
    if len(out) >= 3 and out[-2] == out[-1]:
        out.pop()
    return out
