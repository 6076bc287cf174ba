"""The crop benchmark: metric definitions, crop building, and a tiny real run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pfocr.errors import OcrEngineMissing, PfocrError
from pfocr.models import OcrToken
from pfocr.ocr.cropbench import (
    FAMILIES,
    bench_dev_crops,
    levenshtein,
    rendered_crops,
    run_crop_benchmark,
    score_predictions,
    strip_for_symbol_match,
    tie_break,
)

# -- metrics -----------------------------------------------------------------------------------


def test_scores_of_hand_made_pairs():
    pairs = [
        ("EGFR", "EGFR"),  # exact
        ("egfr", "EGFR"),  # case only
        ("NF-KB", "NF-κB"),  # Greek is stripped from the truth: "nfkb" vs "nfb"
        ("TP5", "TP53"),  # one character missing
        ("Ca²⁺", "Ca2+"),  # NFKC folds the superscripts
    ]
    scores = score_predictions(pairs)
    assert scores.crops == 5
    assert scores.word_acc == 0.2
    assert scores.word_acc_nfkc == 0.4
    assert scores.word_acc_ignore_case == 0.4
    assert scores.word_acc_ignore_case_symbol == 0.4
    # normalised distances 0, 0, 1/4, 1/4, 1/3 ("ca" vs "ca2")
    assert scores.one_minus_ned == round(1 - (0.25 + 0.25 + 1 / 3) / 5, 4) == 0.8333
    # matched characters 4+4+3+3+2 of 4+4+3+4+3 true and 4+4+4+3+2 predicted
    assert scores.char_recall == round(16 / 18, 4)
    assert scores.char_precision == round(16 / 17, 4)


def test_symbol_stripping_and_edit_distance():
    assert strip_for_symbol_match("NF-κB 1^x/Ca2+") == "nfb1^xca2"
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("", "abc") == 3
    assert levenshtein("FOXO1", "FOXO1") == 0


def test_no_pairs_scores_zero_without_dividing_by_zero():
    scores = score_predictions([])
    assert scores.crops == 0 and scores.word_acc == 0.0 and scores.one_minus_ned == 1.0


def test_tie_break_asks_the_second_engine_only_when_unsure():
    calls: list[str] = []

    def tesseract_reading(confidence: float):
        def read() -> OcrToken:
            calls.append("asked")
            return OcrToken("TP53", 0, 0, 1, 1, confidence)

        return read

    sure = OcrToken("TP63", 0, 0, 1, 1, 0.95)
    assert tie_break(sure, tesseract_reading(0.99)) == (sure, False)
    assert calls == []
    unsure = OcrToken("TP63", 0, 0, 1, 1, 0.5)
    kept, asked = tie_break(unsure, tesseract_reading(0.7))
    assert (kept.text, asked) == ("TP53", True)
    kept, asked = tie_break(unsure, tesseract_reading(0.3))
    assert (kept.text, asked) == ("TP63", True)
    assert calls == ["asked", "asked"]


# -- crops -------------------------------------------------------------------------------------

LABELS = {"EGFR": (40, 30), "KRAS": (40, 110), "TP53": (220, 70)}


@pytest.fixture
def bench_dir(tmp_path: Path) -> Path:
    """A benchmark folder: one figure with three labels, their boxes in dev.tsv."""
    (tmp_path / "figures").mkdir()
    (tmp_path / "truth").mkdir()
    font = ImageFont.load_default(size=24)
    figure = Image.new("RGB", (360, 170), "white")
    draw = ImageDraw.Draw(figure)
    rows = ["figure_id\tlabel\thgnc_symbol\tbbox"]
    for label, (x, y) in LABELS.items():
        draw.text((x, y), label, font=font, fill="black")
        x0, y0, x1, y1 = draw.textbbox((x, y), label, font=font)
        rows.append(f"WP1\t{label}\t{label}\t{x0},{y0},{x1},{y1}")
    rows.append(rows[1].replace("EGFR\tEGFR", "ERBB1\tEGFR"))  # same box again
    rows.append("WP1\tBRAF\tBRAF\t")  # no box
    figure.save(tmp_path / "figures" / "WP1.png")
    (tmp_path / "truth" / "dev.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return tmp_path


def test_bench_dev_crops_one_per_box_with_margin(bench_dir):
    crops = bench_dev_crops(bench_dir, margin=2)
    assert sorted(crop.truth for crop in crops) == ["EGFR", "KRAS", "TP53"]
    assert {crop.crop_set for crop in crops} == {"bench-dev"}
    font = ImageFont.load_default(size=24)
    for crop in crops:
        x, y = LABELS[crop.truth]
        x0, y0, x1, y1 = font.getbbox(crop.truth)
        assert crop.key == f"WP1:{x + x0},{y + y0},{x + x1},{y + y1}"
        assert crop.image.size == (x1 - x0 + 4, y1 - y0 + 4)
        assert crop.image.convert("L").getextrema()[0] < 100  # the label's ink is inside
    assert len(bench_dev_crops(bench_dir, limit=2)) == 2


def test_bench_dev_errors_name_the_input(bench_dir, tmp_path_factory):
    empty = tmp_path_factory.mktemp("empty")
    with pytest.raises(PfocrError, match=r"dev\.tsv does not exist"):
        bench_dev_crops(empty)
    truth = bench_dir / "truth" / "dev.tsv"
    truth.write_text(truth.read_text() + "WP1\tMYC\tMYC\t1,2,three,4\n", encoding="utf-8")
    with pytest.raises(PfocrError, match=r"line 7: bad bbox '1,2,three,4'"):
        bench_dev_crops(bench_dir)
    truth.write_text("figure_id\tlabel\tbbox\nWP9\tMYC\t1,2,30,14\n", encoding="utf-8")
    with pytest.raises(PfocrError, match="Figure WP9"):
        bench_dev_crops(bench_dir)


def test_rendered_crops_are_deterministic_per_seed():
    first, fonts = rendered_crops(per_family=2)
    again, _ = rendered_crops(per_family=2)
    other, _ = rendered_crops(seed=7, per_family=2)
    assert len(first) == 2 * len(FAMILIES)
    assert [c.crop_set for c in first[::2]] == [f"rendered:{family}" for family in FAMILIES]
    assert [c.truth for c in first] == [c.truth for c in again]
    assert [c.image.tobytes() for c in first] == [c.image.tobytes() for c in again]
    assert [c.truth for c in first] != [c.truth for c in other]
    assert "DejaVu" in fonts or "Pillow" in fonts
    rotated = [c.image for c in first if c.crop_set == "rendered:rotated90"]
    assert all(image.height > image.width for image in rotated)
    two_line = [c.truth for c in first if c.crop_set == "rendered:two_line"]
    assert all(" " in truth for truth in two_line)


def test_unknown_setting_or_limit_is_refused():
    with pytest.raises(PfocrError, match=r"Unknown crop-benchmark setting.*easyocr.*rapidocr"):
        run_crop_benchmark(None, ["easyocr"])
    with pytest.raises(PfocrError, match="at least 1"):
        run_crop_benchmark(None, ["rapidocr"], limit=0)


# -- tiny real runs ----------------------------------------------------------------------------


@pytest.mark.ocr
def test_tiny_run_reports_every_set_and_setting(bench_dir):
    report = run_crop_benchmark(bench_dir, ["rapidocr", "rapidocr-rec"], limit=2)
    sets = ["bench-dev", *(f"rendered:{family}" for family in FAMILIES), "rendered:all"]
    assert list(report.crop_sets) == sets
    assert report.crop_sets["bench-dev"] == 2 and report.crop_sets["rendered:all"] == 18
    assert [(r.crop_set, r.setting) for r in report.results] == [
        (crop_set, setting) for crop_set in sets for setting in ("rapidocr", "rapidocr-rec")
    ]
    assert len(report.readings) == 20 * 2
    bench = {r.setting: r for r in report.results if r.crop_set == "bench-dev"}
    assert bench["rapidocr"].scores.word_acc == 1.0
    assert 0 < bench["rapidocr"].median_ms <= bench["rapidocr"].p90_ms
    text = report.render()
    assert all(crop_set in text for crop_set in sets)
    assert "word_acc" in text and "1-N.E.D" in text
    payload = json.loads(json.dumps(report.to_json()))
    assert payload["results"][0]["word_acc"] == report.results[0].scores.word_acc


@pytest.mark.ocr
def test_tiebreak_is_rapid_unless_unsure_then_the_more_confident():
    try:
        report = run_crop_benchmark(None, ["rapidocr", "tesseract", "tiebreak"], limit=1)
    except OcrEngineMissing as exc:
        pytest.skip(f"Tesseract is not installed here: {exc}")
    by_crop: dict[str, dict[str, dict]] = {}
    for reading in report.readings:
        by_crop.setdefault(str(reading["key"]), {})[str(reading["setting"])] = reading
    assert len(by_crop) == len(FAMILIES)
    for readings in by_crop.values():
        rapid, tesseract, kept = readings["rapidocr"], readings["tesseract"], readings["tiebreak"]
        if rapid["confidence"] >= 0.8:
            assert (kept["text"], kept["ms"]) == (rapid["text"], rapid["ms"])
        else:
            better = tesseract if tesseract["confidence"] > rapid["confidence"] else rapid
            assert kept["text"] == better["text"]
            assert kept["ms"] == pytest.approx(rapid["ms"] + tesseract["ms"], abs=0.02)
