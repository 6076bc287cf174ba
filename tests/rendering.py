"""Pathway-like figures drawn by the tests themselves, with known gene labels."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

#: Gene labels of the rendered figures; all are approved HGNC symbols.
FIGURE_GENES: dict[str, tuple[str, ...]] = {
    "egfr_pathway": ("EGFR", "GRB2", "SOS1", "KRAS", "BRAF", "MAP2K1"),
    "p53_pathway": ("TP53", "MDM2", "CDKN1A", "ATM"),
    "mtor_pathway": ("PTEN", "AKT1", "MTOR", "RPTOR"),
}


def render_pathway(path: Path, labels: tuple[str, ...], *, size: int = 24) -> Path:
    """Draw labelled gene boxes joined by arrows, like a simple pathway diagram."""
    font = ImageFont.load_default(size=size)
    width, row = 520, size * 3
    image = Image.new("RGB", (width, row * len(labels) + 40), "white")
    draw = ImageDraw.Draw(image)
    for index, label in enumerate(labels):
        x0, y0 = 160, 20 + index * row
        draw.rectangle((x0, y0, x0 + 200, y0 + size + 16), outline="black", width=2)
        draw.text((x0 + 20, y0 + 6), label, fill="black", font=font)
        if index:
            draw.line((x0 + 100, y0 - row + size + 16, x0 + 100, y0), fill="black", width=2)
    image.save(path)
    return path
