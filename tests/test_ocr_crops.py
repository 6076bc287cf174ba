"""PP-OCRv6 ``read_crop`` on small label crops drawn here: upright, vertical, two lines."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from pfocr.ocr.rapid import RapidOcrEngine

pytestmark = pytest.mark.ocr


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return RapidOcrEngine(threads=1)


def label_crop(text: str, *, size: int = 18, margin: int = 2) -> Image.Image:
    font = ImageFont.load_default(size=size)
    canvas = Image.new("RGB", (400, 200), "white")
    draw = ImageDraw.Draw(canvas)
    draw.multiline_text((20, 20), text, font=font, fill="black", spacing=4, align="center")
    x0, y0, x1, y1 = draw.multiline_textbbox((20, 20), text, font=font, spacing=4)
    return canvas.crop((x0 - margin, y0 - margin, x1 + margin, y1 + margin))


def test_upright_label(engine):
    crop = label_crop("PIK3CA")
    token = engine.read_crop(crop)
    assert token.text == "PIK3CA"
    assert token.confidence > 0.9
    assert (token.x0, token.y0, token.x1, token.y1) == (0.0, 0.0, crop.width, crop.height)


@pytest.mark.parametrize("transpose", [Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270])
def test_label_rotated_90_degrees(engine, transpose):
    crop = label_crop("SMAD4").transpose(transpose)
    assert crop.height > 1.3 * crop.width
    assert engine.read_crop(crop).text == "SMAD4"


def test_two_line_label_is_joined_in_reading_order(engine):
    token = engine.read_crop(label_crop("Neural\ndifferentiation"))
    assert token.text == "Neural differentiation"
