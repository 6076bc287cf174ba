"""The ink-mass head test on small blurred line ends the tests draw."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from pfocr.network.connectors import End, ink_mask, mass_head

HEIGHT = 9.0  # label height of a small figure


def _ink(draw_head: str, gap: int = 0) -> np.ndarray:
    """A horizontal line from x=10 to x=70 at y=30, ending at x=70 in ``draw_head``."""
    image = Image.new("RGB", (100, 60), "white")
    draw = ImageDraw.Draw(image)
    stop = 70 - 6 - gap if draw_head == "arrow" else 70
    draw.line([(10, 30), (stop, 30)], fill="black", width=1)
    if draw_head == "arrow":
        draw.polygon([(70, 30), (64, 26), (64, 34)], fill="black")
    elif draw_head == "bar":
        draw.line([(70, 24), (70, 36)], fill="black", width=2)
    image = image.filter(ImageFilter.GaussianBlur(0.7))
    return ink_mask(np.asarray(image), HEIGHT)


def _end(ink: np.ndarray, x: int, facing: float) -> End:
    return End(30, x, 0.0, facing, net=1)


def test_blurred_arrowhead_reads_as_arrow_and_its_tail_as_plain() -> None:
    ink = _ink("arrow")
    assert mass_head(ink, _end(ink, 70, 1.0), 0.9 * HEIGHT) == "arrow"
    assert mass_head(ink, _end(ink, 10, -1.0), 0.9 * HEIGHT) == ""


def test_head_apart_from_its_line_still_reads_as_arrow() -> None:
    ink = _ink("arrow", gap=3)
    assert mass_head(ink, _end(ink, 70, 1.0), 0.9 * HEIGHT) == "arrow"


def test_blurred_t_bar_reads_as_bar() -> None:
    ink = _ink("bar")
    assert mass_head(ink, _end(ink, 70, 1.0), 0.9 * HEIGHT) == "bar"


def test_plain_line_end_has_no_head() -> None:
    ink = _ink("")
    assert mass_head(ink, _end(ink, 70, 1.0), 0.9 * HEIGHT) == ""
