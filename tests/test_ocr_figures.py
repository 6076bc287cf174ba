"""The default engine on whole figures drawn the hard way: real OCR, rendered images."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from pfocr.ocr import create_engine
from pfocr.ocr.rapid import PassPlan, RapidOcrEngine, _decode
from rendering import render_pathway

pytestmark = pytest.mark.ocr


@pytest.fixture(scope="module")
def engine():
    return create_engine("rapidocr")


def _texts(tokens) -> set[str]:
    return {word for token in tokens for word in token.text.split()}


def test_light_text_on_dark_fills(engine):
    font = ImageFont.load_default(size=16)
    image = Image.new("RGB", (560, 120), "white")
    draw = ImageDraw.Draw(image)
    for i, (gene, fill, ink) in enumerate(
        [("EGFR", "#1f3b73", "white"), ("KRAS", "#7a0000", "white"), ("TP53", "#333", "#ff6")]
    ):
        draw.rectangle((40 + i * 160, 40, 170 + i * 160, 80), fill=fill)
        draw.text((70 + i * 160, 50), gene, fill=ink, font=font)
    assert {"EGFR", "KRAS", "TP53"} <= _texts(engine.read(image))


def test_lone_vertical_label_reads_either_way(engine):
    font = ImageFont.load_default(size=16)
    image = Image.new("RGB", (400, 260), "white")
    ImageDraw.Draw(image).text((40, 20), "EGFR", fill="black", font=font)
    label = Image.new("RGB", (90, 24), "white")
    ImageDraw.Draw(label).text((4, 2), "BRCA1", fill="black", font=font)
    image.paste(label.rotate(90, expand=True), (200, 100))
    image.paste(label.rotate(270, expand=True), (300, 100))
    tokens = engine.read(image)
    assert [t.text for t in tokens].count("BRCA1") == 2, [t.text for t in tokens]
    vertical = [t for t in tokens if t.text == "BRCA1"]
    assert all(t.height > 2 * (t.x1 - t.x0) for t in vertical)


def test_figure_published_on_its_side(tmp_path, engine):
    genes = ("EGFR", "GRB2", "SOS1", "KRAS", "BRAF", "MAP2K1")
    path = render_pathway(tmp_path / "upright.png", genes, size=18)
    rotated = Image.open(path).rotate(90, expand=True)
    tokens = engine.read(rotated)
    assert set(genes) <= _texts(tokens)
    # boxes are in the rotated image's own pixels: tall and narrow
    egfr = next(t for t in tokens if t.text == "EGFR")
    assert egfr.height > egfr.x1 - egfr.x0 and egfr.y1 <= rotated.height


def test_small_text_gets_an_upscaled_pass():
    genes = ("SMAD3", "CDK4", "MYC", "JUN", "FOS", "STAT1", "IRF7", "TLR4")
    image = Image.new("RGB", (800, 800), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=6)
    for index, gene in enumerate(genes):
        x, y = 60 + (index % 4) * 180, 100 + (index // 4) * 400
        draw.rectangle((x - 8, y - 6, x + 50, y + 16), outline="black")
        draw.text((x, y), gene, fill="black", font=font)
    engine = RapidOcrEngine()
    passes = []
    original = engine._pass

    def spy(bgr, *, scale, rotation):
        tokens = original(bgr, scale=scale, rotation=rotation)
        passes.append((round(scale, 2), rotation, len(set(genes) & _texts(tokens))))
        return tokens

    engine._pass = spy  # type: ignore[method-assign]
    tokens = engine.read(image)
    assert len(passes) == 2 and passes[0][:2] == (1.0, 0) and passes[1][0] > 1.3, passes
    read_first = passes[0][2]
    assert len(set(genes) & _texts(tokens)) > read_first >= 4, (passes, _texts(tokens))


def test_large_figure_is_detected_downscaled(tmp_path):
    plan = PassPlan()
    engine = RapidOcrEngine(plan=plan)
    image = Image.new("RGB", (3200, 1000), "white")
    font = ImageFont.load_default(size=40)
    ImageDraw.Draw(image).text((200, 400), "EGFR   KRAS   TP53", fill="black", font=font)
    scales = []
    original = engine._pass

    def spy(bgr, *, scale, rotation):
        scales.append(scale)
        return original(bgr, scale=scale, rotation=rotation)

    engine._pass = spy  # type: ignore[method-assign]
    tokens = engine.read(image)
    assert scales == [plan.detect_side / 3200]
    assert {"EGFR", "KRAS", "TP53"} <= _texts(tokens)
    egfr = next(t for t in tokens if "EGFR" in t.text)
    assert 150 < egfr.x0 < 260 and 380 < egfr.y0 < 440  # boxes in full-size pixels


def test_decode_keeps_close_second_readings():
    import numpy as np

    characters = ["blank", "I", "L", "1", "0", "O"]
    probs = np.zeros((4, len(characters)), dtype=np.float32)
    probs[0, 1] = 0.9  # I
    probs[1, 2] = 0.95  # L
    probs[2, 3] = 0.55  # 1 ...
    probs[2, 2] = 0.40  # ... or L
    probs[3, 0] = 1.0  # blank
    text, confidence, alternatives = _decode(probs, characters, alternative_min=0.1)
    assert text == "IL1"
    assert confidence == pytest.approx((0.9 + 0.95 + 0.55) / 3, abs=1e-5)
    assert alternatives == ("ILL",)
