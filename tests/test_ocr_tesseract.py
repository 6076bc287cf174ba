"""The Tesseract engine on images drawn here: whole figures and single label crops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pfocr.errors import OcrEngineMissing, OcrError
from pfocr.ocr import create_engine, engine_names
from pfocr.ocr.tesseract import TesseractEngine, prepare_crop
from rendering import FIGURE_GENES, render_pathway

pytestmark = pytest.mark.ocr


@pytest.fixture(scope="module")
def engine() -> TesseractEngine:
    try:
        return TesseractEngine()
    except OcrEngineMissing as exc:
        pytest.skip(f"Tesseract is not installed here: {exc}")


def label_crop(
    text: str, *, size: int = 20, ink: str = "black", paper: str = "white", margin: int = 2
) -> Image.Image:
    """A tight crop of ``text`` (lines separated by newlines), as cut from a figure."""
    font = ImageFont.load_default(size=size)
    canvas = Image.new("RGB", (400, 200), paper)
    draw = ImageDraw.Draw(canvas)
    draw.multiline_text((20, 20), text, font=font, fill=ink, spacing=4, align="center")
    x0, y0, x1, y1 = draw.multiline_textbbox((20, 20), text, font=font, spacing=4)
    return canvas.crop((x0 - margin, y0 - margin, x1 + margin, y1 + margin))


def test_registered_under_its_name(engine):
    assert "tesseract" in engine_names()
    created = create_engine("tesseract")
    assert isinstance(created, TesseractEngine)
    settings = created.settings()
    assert settings["engine"] == "tesseract"
    assert str(settings["tesseract"]).startswith("5.")
    assert settings["config"]["figure_psm"] == 11


def test_reads_figure_labels_with_boxes_in_image_pixels(engine, tmp_path):
    labels = FIGURE_GENES["egfr_pathway"]
    image = Image.open(render_pathway(tmp_path / "egfr.png", labels))
    tokens = engine.read(image)
    by_text = {token.text: token for token in tokens}
    assert set(labels) <= set(by_text)
    for index, label in enumerate(labels):
        # render_pathway draws label ``index`` at (180, 26 + 72 * index), 24 px font.
        token = by_text[label]
        assert 175 <= token.x0 <= 190 and 20 <= token.y0 - 72 * index <= 40
        assert token.x1 < 360 and token.height < 30
    assert [t.line for t in tokens] == list(range(len(tokens)))
    assert all(0.0 <= t.confidence <= 1.0 for t in tokens)
    tops = [by_text[label].y0 for label in labels]
    assert tops == sorted(tops)  # reading order


def test_blank_figure_gives_no_lines(engine):
    assert engine.read(Image.new("RGB", (300, 200), "white")) == []


def test_reads_an_upright_crop(engine):
    crop = label_crop("MAP2K1")
    token = engine.read_crop(crop)
    assert token.text == "MAP2K1"
    assert (token.x0, token.y0, token.x1, token.y1) == (0.0, 0.0, crop.width, crop.height)
    assert 0.5 < token.confidence <= 1.0


def test_reads_white_text_on_a_dark_fill(engine):
    assert engine.read_crop(label_crop("STAT3", ink="white", paper="navy")).text == "STAT3"


def test_joins_the_lines_of_a_two_line_label(engine):
    assert engine.read_crop(label_crop("Cell cycle\narrest")).text == "Cell cycle arrest"


@pytest.mark.parametrize("angle", [90, 270])
def test_reads_a_vertical_label(engine, angle):
    crop = label_crop("CDKN1A").rotate(angle, expand=True)
    assert crop.height > crop.width
    assert engine.read_crop(crop).text == "CDKN1A"


def test_prepare_crop_gives_dark_text_on_white_whatever_the_polarity():
    light_on_dark = np.asarray(label_crop("EGFR", ink="white", paper="darkgreen"))
    dark_on_light = np.asarray(label_crop("EGFR"))
    for rgb in (light_on_dark, dark_on_light):
        prepared = prepare_crop(rgb, 3.0, 30)
        assert prepared.shape == (rgb.shape[0] * 3 + 60, rgb.shape[1] * 3 + 60)
        assert set(np.unique(prepared)) <= {0, 255}
        assert (prepared[:30] == 255).all() and (prepared[:, -30:] == 255).all()
        ink_share = (prepared == 0).mean()
        assert 0.01 < ink_share < 0.3


def test_empty_image_is_refused_with_its_size(engine):
    with pytest.raises(OcrError, match="empty image \\(0x12 px\\)"):
        engine.read_crop(Image.new("RGB", (0, 12)))


def test_missing_language_data_names_what_to_install(tmp_path: Path):
    with pytest.raises(OcrEngineMissing) as caught:
        TesseractEngine(tessdata=tmp_path)
    message = str(caught.value)
    assert str(tmp_path) in message
    assert "apt-get install" in message and "tesseract-ocr-eng" in message
    assert "pip install" in message and "tesserocr" in message
