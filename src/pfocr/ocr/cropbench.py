"""Crop benchmark: how well each OCR setting reads single label crops, and how fast.

Two kinds of crops with known text:

* label boxes of the development benchmark (``truth/dev.tsv`` ``bbox`` column),
  cut from the rendered WikiPathways figures: clean, 10-20 px text;
* hard cases rendered here, deterministically from a seed, one family each for
  what breaks OCR on published figures: tiny text, italic/serif/condensed fonts,
  white text on coloured fills, vertical labels, two-line labels, Greek letters,
  superscript charges, JPEG artefacts and blur.

Scores follow the OCR-for-gene-names assessment (mmocr 0.6 ``eval_ocr_metric``),
re-implemented from its definitions so that the numbers compare with it.
"""

from __future__ import annotations

import csv
import io
import random
import re
import statistics
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from pfocr.errors import PfocrError
from pfocr.models import OcrToken

#: The crop readers this benchmark knows, with what each one is.
SETTINGS: dict[str, str] = {
    "rapidocr": "PP-OCRv6 read_crop (rec-only, rotations for tall crops, det+rec below 0.9)",
    "rapidocr-rec": "PP-OCRv6 recognition only, on the raw crop",
    "tesseract": "Tesseract read_crop (3x cubic, Otsu, 30 px pad, psm 6, psm 7 fallback)",
    "tiebreak": "rapidocr read_crop; below 0.8 confidence also tesseract, the more confident wins",
}

#: Below this rapidocr confidence the tie-breaker asks tesseract too.
TIEBREAK_BELOW = 0.8

#: Margin (px) added around a ``dev.tsv`` label box; see docs/ocr.md for the measurement.
DEFAULT_MARGIN = 1

#: Crops per rendered family when no limit is given.
RENDERED_PER_FAMILY = 35

DEFAULT_SEED = 20261126

FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/Library/Fonts",
)

#: Approved HGNC symbols, and the spellings figures commonly use for some of them.
GENE_LABELS: tuple[str, ...] = (
    "EGFR", "ERBB2", "ERBB3", "KRAS", "HRAS", "NRAS", "BRAF", "RAF1", "MAP2K1", "MAP2K2",
    "MAPK1", "MAPK3", "MAPK8", "MAPK14", "PIK3CA", "PIK3R1", "AKT1", "AKT2", "MTOR",
    "RPTOR", "RICTOR", "TSC1", "TSC2", "PTEN", "PDK1", "GSK3B", "CTNNB1", "APC", "AXIN1",
    "TP53", "MDM2", "CDKN1A", "CDKN2A", "CDK4", "CDK6", "CCND1", "CCNE1", "RB1", "E2F1",
    "ATM", "ATR", "CHEK1", "CHEK2", "BRCA1", "BRCA2", "BAX", "BAK1", "BCL2", "BCL2L1",
    "CASP3", "CASP8", "CASP9", "CYCS", "APAF1", "FADD", "TNF", "TNFRSF1A", "TRAF2",
    "RIPK1", "NFKB1", "RELA", "IKBKB", "CHUK", "NFKBIA", "IL1B", "IL6", "IL6R", "JAK1",
    "JAK2", "STAT3", "STAT5A", "SOCS3", "IFNG", "IRF3", "TLR4", "MYD88", "IRAK4", "TRAF6",
    "TGFB1", "TGFBR1", "SMAD2", "SMAD3", "SMAD4", "NOTCH1", "HES1", "WNT3A", "FZD7",
    "LRP6", "SHH", "PTCH1", "SMO", "GLI1", "VEGFA", "KDR", "HIF1A", "VHL", "MYC", "FOS",
    "JUN", "CREB1", "PRKACA", "PRKCA", "PLCG1", "CAMK2A", "CALM1", "NOS3", "SRC", "FYN",
    "LCK", "ZAP70", "CD4", "CD8A", "CD28", "CTLA4", "PDCD1", "CD274", "INS", "INSR",
    "IRS1", "GRB2", "SOS1", "SHC1", "PTPN11", "FOXO1", "FOXO3", "SIRT1", "PPARG",
    "ESR1", "AR", "NR3C1", "HDAC1", "EP300", "ULK1", "BECN1", "ATG5", "MAP1LC3B",
    "SQSTM1", "KEAP1", "NFE2L2", "HMOX1", "CYP1A1", "ABCB1", "SLC2A1", "HK2", "LDHA",
    "mTOR", "Akt", "Bcl-2", "c-Myc", "p53", "p21", "Erk1/2", "Ras", "Raf", "JNK",
)  # fmt: skip

#: Labels of two stacked lines (truth: the lines joined by a space).
TWO_LINE_LABELS: tuple[tuple[str, str], ...] = (
    ("Cell", "survival"), ("DNA", "repair"), ("Cell cycle", "arrest"), ("Neural",
    "differentiation"), ("Protein", "synthesis"), ("Glucose", "uptake"), ("Cyclin D1",
    "CDK4"), ("mTORC1", "complex"), ("Gene", "transcription"), ("Insulin", "receptor"),
)  # fmt: skip

GREEK_LABELS: tuple[str, ...] = (
    "NF-κB", "IKKα", "IKKβ", "TNF-α", "IFN-γ", "β-catenin", "IκBα", "TGF-β", "IL-1β",
    "HIF-1α", "GSK3β", "PPARγ", "PKCδ", "PLCγ1", "ERα", "C/EBPβ", "RXRα", "PI3Kγ",
)  # fmt: skip

#: (base, superscript) of charged ions and marker-positive cells.
SUPERSCRIPT_LABELS: tuple[tuple[str, str], ...] = (
    ("Ca", "2+"), ("Mg", "2+"), ("Zn", "2+"), ("Fe", "3+"), ("Fe", "2+"), ("Na", "+"),
    ("K", "+"), ("H", "+"), ("Cl", "-"), ("CD4", "+"), ("CD8", "+"), ("CD34", "+"),
)  # fmt: skip

#: Node fills of pathway diagrams that carry white text.
FILL_COLOURS: tuple[tuple[int, int, int], ...] = (
    (31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (140, 86, 75),
    (90, 90, 90), (230, 120, 20), (0, 128, 128), (20, 40, 120), (180, 30, 110),
    (240, 160, 60), (110, 190, 110), (100, 160, 220), (160, 160, 160),
)  # fmt: skip

#: Rendered families, in report order.
FAMILIES: tuple[str, ...] = (
    "small",
    "fonts",
    "white_on_fill",
    "rotated90",
    "two_line",
    "greek",
    "superscript",
    "jpeg60",
    "blur",
)


# -- metrics -----------------------------------------------------------------------------------

_NOT_KEPT = re.compile("[^A-Z^a-z^0-9^\u4e00-\u9fa5]")


@dataclass(frozen=True)
class CropScores:
    """Accuracy of predicted label texts against the truth, as mmocr 0.6 defines it."""

    crops: int
    word_acc: float
    #: Not in mmocr: exact after NFKC, which the gene recogniser applies anyway
    #: (PP-OCRv6 writes superscript charges as "Ca²⁺", NFKC makes that "Ca2+").
    word_acc_nfkc: float
    word_acc_ignore_case: float
    word_acc_ignore_case_symbol: float
    one_minus_ned: float
    char_recall: float
    char_precision: float


def strip_for_symbol_match(text: str) -> str:
    """Lowercase and keep only ASCII letters, digits, ``^`` and CJK (Greek is dropped)."""
    return _NOT_KEPT.sub("", text.lower())


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def score_predictions(pairs: Sequence[tuple[str, str]]) -> CropScores:
    """Score ``(prediction, truth)`` pairs; values rounded to 4 decimals like the paper."""
    exact = exact_nfkc = ignore_case = ignore_symbol = 0
    ned_sum = 0.0
    truth_chars = predicted_chars = matched_chars = 0
    for predicted, truth in pairs:
        exact += predicted == truth
        exact_nfkc += unicodedata.normalize("NFKC", predicted) == unicodedata.normalize(
            "NFKC", truth
        )
        ignore_case += predicted.lower() == truth.lower()
        predicted_kept, truth_kept = (
            strip_for_symbol_match(predicted),
            strip_for_symbol_match(truth),
        )
        ignore_symbol += predicted_kept == truth_kept
        longest = max(1, len(predicted_kept), len(truth_kept))
        ned_sum += levenshtein(predicted_kept, truth_kept) / longest
        truth_chars += len(truth_kept)
        predicted_chars += len(predicted_kept)
        matched_chars += sum(
            block.size
            for block in SequenceMatcher(None, predicted_kept, truth_kept).get_matching_blocks()
        )
    count = len(pairs)
    eps = 1e-8

    def rounded(value: float) -> float:
        return round(value, 4)

    return CropScores(
        crops=count,
        word_acc=rounded(exact / (eps + count)),
        word_acc_nfkc=rounded(exact_nfkc / (eps + count)),
        word_acc_ignore_case=rounded(ignore_case / (eps + count)),
        word_acc_ignore_case_symbol=rounded(ignore_symbol / (eps + count)),
        one_minus_ned=rounded(1.0 - ned_sum / max(1, count)),
        char_recall=rounded(matched_chars / (eps + truth_chars)),
        char_precision=rounded(matched_chars / (eps + predicted_chars)),
    )


# -- crops -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Crop:
    """One label image with the text it shows."""

    crop_set: str
    key: str
    truth: str
    image: Image.Image = field(repr=False, compare=False)


def bench_dev_crops(
    bench_dir: Path, *, margin: int = DEFAULT_MARGIN, limit: int | None = None
) -> list[Crop]:
    """Label crops of every ``dev.tsv`` row with a box (identical boxes once)."""
    bench_dir = Path(bench_dir)
    truth_path = bench_dir / "truth" / "dev.tsv"
    if not truth_path.is_file():
        raise PfocrError(f"{bench_dir} is not a benchmark folder: {truth_path} does not exist.")
    with truth_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    if rows and not {"figure_id", "label", "bbox"} <= rows[0].keys():
        raise PfocrError(f"{truth_path} needs the columns figure_id, label and bbox.")
    boxes: dict[tuple[str, tuple[int, int, int, int]], str] = {}
    for line, row in enumerate(rows, start=2):
        if not row["bbox"].strip():
            continue
        try:
            x0, y0, x1, y1 = (round(float(v)) for v in row["bbox"].split(","))
        except ValueError:
            raise PfocrError(f"{truth_path} line {line}: bad bbox {row['bbox']!r}.") from None
        boxes.setdefault((row["figure_id"], (x0, y0, x1, y1)), row["label"])
    selected = sorted(boxes.items())
    if limit is not None and len(selected) > limit:
        step = len(selected) / limit  # spread over the figures, not the first few
        selected = [selected[int(i * step)] for i in range(limit)]
    crops: list[Crop] = []
    figures: dict[str, Image.Image] = {}
    for (figure_id, (x0, y0, x1, y1)), label in selected:
        figure = figures.get(figure_id)
        if figure is None:
            figure = figures[figure_id] = _open_figure(bench_dir, figure_id)
        box = (
            max(0, x0 - margin),
            max(0, y0 - margin),
            min(figure.width, x1 + margin),
            min(figure.height, y1 + margin),
        )
        key = f"{figure_id}:{x0},{y0},{x1},{y1}"
        crops.append(Crop("bench-dev", key, label, figure.crop(box)))
    return crops


def _open_figure(bench_dir: Path, figure_id: str) -> Image.Image:
    for suffix in (".png", ".jpg", ".jpeg", ".tif", ".tiff"):
        path = bench_dir / "figures" / f"{figure_id}{suffix}"
        if path.is_file():
            with Image.open(path) as image:
                return image.convert("RGB")
    raise PfocrError(f"Figure {figure_id} of {bench_dir}/truth/dev.tsv is not in figures/.")


class _Fonts:
    """DejaVu faces by style, or Pillow's bundled font for all of them when DejaVu is absent."""

    FILES: ClassVar[dict[str, str]] = {
        "sans": "DejaVuSans.ttf",
        "sans-bold": "DejaVuSans-Bold.ttf",
        "sans-oblique": "DejaVuSans-Oblique.ttf",
        "sans-condensed": "DejaVuSansCondensed.ttf",
        "sans-condensed-oblique": "DejaVuSansCondensed-Oblique.ttf",
        "serif": "DejaVuSerif.ttf",
        "serif-italic": "DejaVuSerif-Italic.ttf",
        "serif-condensed": "DejaVuSerifCondensed.ttf",
        "serif-bold": "DejaVuSerif-Bold.ttf",
    }

    def __init__(self) -> None:
        self.folder = next(
            (
                Path(folder)
                for folder in FONT_DIRS
                if all((Path(folder) / name).is_file() for name in self.FILES.values())
            ),
            None,
        )
        self.source = (
            f"DejaVu ({self.folder})"
            if self.folder
            else "Pillow's bundled font (DejaVu not found: every style is the same face)"
        )

    def get(self, style: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        if self.folder is None:
            return ImageFont.load_default(size=size)
        return ImageFont.truetype(str(self.folder / self.FILES[style]), size)


Run = tuple[str, Any, int]  # text, font, baseline shift (px, negative is up)


def _render_lines(
    lines: Sequence[Sequence[Run]],
    *,
    ink: tuple[int, int, int],
    paper: tuple[int, int, int],
    spacing: int,
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """Draw centred lines of text runs on a canvas; return it and the ink's bounding box."""
    widths = [sum(round(font.getlength(text)) for text, font, _ in line) for line in lines]
    line_height = max(
        font.getbbox("Hg")[3] for line in lines for _, font, _ in line
    )  # ascent + descent of the largest run
    pad = 12
    canvas_width = max(widths) + 2 * pad
    canvas_height = len(lines) * line_height + (len(lines) - 1) * spacing + 2 * pad
    canvas = Image.new("RGB", (canvas_width, canvas_height), paper)
    draw = ImageDraw.Draw(canvas)
    top = pad
    for line, width in zip(lines, widths, strict=True):
        x = pad + (max(widths) - width) / 2
        for text, font, shift in line:
            draw.text((x, top + shift), text, font=font, fill=ink)
            x += font.getlength(text)
        top += line_height + spacing
    box = ImageChops.difference(canvas, Image.new("RGB", canvas.size, paper)).getbbox()
    return canvas, box or (0, 0, canvas_width, canvas_height)


def _cut(canvas: Image.Image, box: tuple[int, int, int, int], margin: int) -> Image.Image:
    x0, y0, x1, y1 = box
    return canvas.crop(
        (
            max(0, x0 - margin),
            max(0, y0 - margin),
            min(canvas.width, x1 + margin),
            min(canvas.height, y1 + margin),
        )
    )


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def rendered_crops(
    *, seed: int = DEFAULT_SEED, per_family: int = RENDERED_PER_FAMILY
) -> tuple[list[Crop], str]:
    """Hard-case crops, the same for the same seed; also says which fonts drew them."""
    fonts = _Fonts()
    crops: list[Crop] = []
    for family in FAMILIES:
        rng = random.Random(f"{seed}:{family}")
        for index in range(per_family):
            truth, image = _RENDERERS[family](rng, fonts)
            crops.append(Crop(f"rendered:{family}", f"{family}-{index:03d}", truth, image))
    return crops, fonts.source


black, white = (0, 0, 0), (255, 255, 255)


def _plain(rng: random.Random, fonts: _Fonts, style: str, size: int) -> tuple[str, Image.Image]:
    text = rng.choice(GENE_LABELS)
    canvas, box = _render_lines(
        [[(text, fonts.get(style, size), 0)]], ink=black, paper=white, spacing=0
    )
    return text, _cut(canvas, box, 1)


def _small(rng: random.Random, fonts: _Fonts) -> tuple[str, Image.Image]:
    # DejaVu capitals are 0.73 em high: sizes 8-12 give 6-9 px letters.
    return _plain(rng, fonts, rng.choice(("sans", "sans", "sans-bold")), rng.randint(8, 12))


def _styled(rng: random.Random, fonts: _Fonts) -> tuple[str, Image.Image]:
    style = rng.choice(
        (
            "sans-oblique",
            "sans-condensed",
            "sans-condensed-oblique",
            "serif",
            "serif-italic",
            "serif-condensed",
            "serif-bold",
        )
    )
    return _plain(rng, fonts, style, rng.randint(10, 15))


def _white_on_fill(rng: random.Random, fonts: _Fonts) -> tuple[str, Image.Image]:
    text = rng.choice(GENE_LABELS)
    font = fonts.get(rng.choice(("sans", "sans-bold")), rng.randint(10, 15))
    fill = rng.choice(FILL_COLOURS)
    canvas, box = _render_lines([[(text, font, 0)]], ink=white, paper=fill, spacing=0)
    return text, _cut(canvas, box, 3)


def _rotated(rng: random.Random, fonts: _Fonts) -> tuple[str, Image.Image]:
    text, upright = _plain(rng, fonts, rng.choice(("sans", "serif")), rng.randint(10, 15))
    turn = rng.choice((Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_270))
    return text, upright.transpose(turn)


def _two_line(rng: random.Random, fonts: _Fonts) -> tuple[str, Image.Image]:
    if rng.random() < 0.5:
        first, second = rng.choice(TWO_LINE_LABELS)
    else:
        first, second = rng.sample(GENE_LABELS, 2)
    font = fonts.get(rng.choice(("sans", "sans-condensed")), rng.randint(10, 15))
    canvas, box = _render_lines(
        [[(first, font, 0)], [(second, font, 0)]], ink=black, paper=white, spacing=2
    )
    return f"{first} {second}", _cut(canvas, box, 2)


def _greek(rng: random.Random, fonts: _Fonts) -> tuple[str, Image.Image]:
    text = rng.choice(GREEK_LABELS)
    style = rng.choice(("sans", "sans", "sans-bold", "serif"))
    canvas, box = _render_lines(
        [[(text, fonts.get(style, rng.randint(10, 15)), 0)]], ink=black, paper=white, spacing=0
    )
    return text, _cut(canvas, box, 2)


def _superscript(rng: random.Random, fonts: _Fonts) -> tuple[str, Image.Image]:
    base, superscript = rng.choice(SUPERSCRIPT_LABELS)
    size = rng.randint(10, 15)
    style = rng.choice(("sans", "sans-bold", "serif"))
    runs = [
        (base, fonts.get(style, size), 0),
        (superscript, fonts.get(style, round(size * 0.6)), -round(size * 0.1)),
    ]
    canvas, box = _render_lines([runs], ink=black, paper=white, spacing=0)
    return base + superscript, _cut(canvas, box, 2)


def _degraded(
    rng: random.Random, fonts: _Fonts, spoil: Callable[[Image.Image], Image.Image]
) -> tuple[str, Image.Image]:
    """A label on a light node fill, degraded as a whole figure would be, then cut out."""
    text = rng.choice(GENE_LABELS)
    paper = rng.choice((white, (255, 255, 204), (230, 240, 255), (235, 235, 235)))
    style = rng.choice(("sans", "serif", "sans-condensed", "sans-oblique"))
    font = fonts.get(style, rng.randint(10, 14))
    canvas, box = _render_lines([[(text, font, 0)]], ink=black, paper=paper, spacing=0)
    return text, _cut(spoil(canvas), box, 2)


def _jpeg60(rng: random.Random, fonts: _Fonts) -> tuple[str, Image.Image]:
    return _degraded(rng, fonts, lambda image: _jpeg(image, 60))


def _blur(rng: random.Random, fonts: _Fonts) -> tuple[str, Image.Image]:
    radius = rng.uniform(0.6, 1.0)
    return _degraded(rng, fonts, lambda image: image.filter(ImageFilter.GaussianBlur(radius)))


_RENDERERS: dict[str, Callable[[random.Random, _Fonts], tuple[str, Image.Image]]] = {
    "small": _small,
    "fonts": _styled,
    "white_on_fill": _white_on_fill,
    "rotated90": _rotated,
    "two_line": _two_line,
    "greek": _greek,
    "superscript": _superscript,
    "jpeg60": _jpeg60,
    "blur": _blur,
}


# -- readers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: float
    ms: float


CropReader = Callable[[Image.Image], tuple[str, float]]


def tie_break(primary: OcrToken, secondary: Callable[[], OcrToken]) -> tuple[OcrToken, bool]:
    """The primary reading unless it is unsure and the secondary engine is surer.

    Returns the kept reading and whether the secondary engine was asked.
    """
    if primary.confidence >= TIEBREAK_BELOW:
        return primary, False
    other = secondary()
    return (other if other.confidence > primary.confidence else primary), True


class _Readers:
    """Creates each engine once and reads crops with it, remembering readings per crop.

    The tie-breaker reuses the two engines' readings of the same crop, and its time
    is the time of the readings it needed.
    """

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._engines: dict[str, Any] = {}
        self._readers: dict[str, CropReader] = {}
        self._memo: dict[tuple[str, str, str], Reading] = {}

    def engine(self, name: str) -> Any:
        if name not in self._engines:
            from pfocr.ocr.base import create_engine

            self._engines[name] = create_engine(name, threads=self.threads)
        return self._engines[name]

    def engine_names(self) -> list[str]:
        return list(self._engines)

    def _reader(self, setting: str) -> CropReader:
        if setting not in self._readers:
            if setting == "rapidocr-rec":
                self._readers[setting] = _rec_only(self.engine("rapidocr"))
            else:
                self._readers[setting] = _read_crop(self.engine(setting))
        return self._readers[setting]

    def warm_up(self, settings: Sequence[str], image: Image.Image) -> None:
        """Load the models (not part of the time per crop)."""
        for setting in settings:
            for base in ("rapidocr", "tesseract") if setting == "tiebreak" else (setting,):
                self._reader(base)(image)

    def read(self, setting: str, crop: Crop) -> Reading:
        memo_key = (setting, crop.crop_set, crop.key)
        if memo_key in self._memo:
            return self._memo[memo_key]
        if setting == "tiebreak":
            primary = self.read("rapidocr", crop)
            spent = [primary.ms]

            def secondary() -> OcrToken:
                reading = self.read("tesseract", crop)
                spent.append(reading.ms)
                return _token(reading)

            kept, _ = tie_break(_token(primary), secondary)
            reading = Reading(kept.text, kept.confidence, sum(spent))
        else:
            reader = self._reader(setting)
            started = time.perf_counter()
            text, confidence = reader(crop.image)
            reading = Reading(text, confidence, (time.perf_counter() - started) * 1000)
        self._memo[memo_key] = reading
        return reading


def _token(reading: Reading) -> OcrToken:
    return OcrToken(reading.text, 0.0, 0.0, 0.0, 0.0, reading.confidence)


def _read_crop(engine: Any) -> CropReader:
    def read(image: Image.Image) -> tuple[str, float]:
        token = engine.read_crop(image)
        return token.text, token.confidence

    return read


def _rec_only(engine: Any) -> CropReader:
    """PP-OCRv6 recognition on the crop as given: no rotation, no detection fallback."""
    import numpy as np
    from rapidocr.ch_ppocr_rec import TextRecInput

    recogniser = engine._load()._load_rec_model()

    def read(image: Image.Image) -> tuple[str, float]:
        bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
        result = recogniser(TextRecInput(img=[bgr], return_word_box=False))
        return str(result.txts[0]).strip(), float(result.scores[0])

    return read


# -- the run -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingResult:
    setting: str
    crop_set: str
    scores: CropScores
    median_ms: float
    p90_ms: float


@dataclass
class CropBenchReport:
    """Scores and times per (setting, crop set), with every reading for error analysis."""

    settings: list[str]
    crop_sets: dict[str, int]
    results: list[SettingResult]
    readings: list[dict[str, object]]
    notes: dict[str, object]
    #: ``settings()`` of every engine used, so a stored report says what was measured.
    engines: dict[str, object] = field(default_factory=dict)

    def render(self) -> str:
        header = (
            f"{'crop set':<24} {'setting':<13} {'crops':>5} {'word_acc':>8} {'nfkc':>6} "
            f"{'ign_case':>8} {'ign_c+sym':>9} {'1-N.E.D':>7} {'ms med':>7} {'ms p90':>7}"
        )
        lines = [f"{key}: {value}" for key, value in self.notes.items()]
        lines += ["", header, "-" * len(header)]
        previous = ""
        for result in self.results:
            if previous and result.crop_set != previous:
                lines.append("")
            previous = result.crop_set
            scores = result.scores
            lines.append(
                f"{result.crop_set:<24} {result.setting:<13} {scores.crops:>5} "
                f"{scores.word_acc:>8.4f} {scores.word_acc_nfkc:>6.4f} "
                f"{scores.word_acc_ignore_case:>8.4f} "
                f"{scores.word_acc_ignore_case_symbol:>9.4f} {scores.one_minus_ned:>7.4f} "
                f"{result.median_ms:>7.1f} {result.p90_ms:>7.1f}"
            )
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        return {
            "settings": self.settings,
            "crop_sets": self.crop_sets,
            "notes": self.notes,
            "engines": self.engines,
            "results": [
                {
                    "setting": r.setting,
                    "crop_set": r.crop_set,
                    **asdict(r.scores),
                    "median_ms": r.median_ms,
                    "p90_ms": r.p90_ms,
                }
                for r in self.results
            ],
            "readings": self.readings,
        }


def run_crop_benchmark(
    bench_dir: Path | None,
    settings: Sequence[str],
    *,
    limit: int | None = None,
    margin: int = DEFAULT_MARGIN,
    rendered: bool = True,
    seed: int = DEFAULT_SEED,
    threads: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> CropBenchReport:
    """Read every crop with every setting and score each crop set.

    ``bench_dir`` is a benchmark folder with ``truth/dev.tsv`` and ``figures/`` (None:
    rendered crops only); ``limit`` caps the crops of each set. Engines run on
    ``threads`` threads each; crops are read one after another, every setting on a
    crop before the next crop, so load from elsewhere on the machine hits all alike.
    """
    settings = list(dict.fromkeys(settings))
    unknown = [name for name in settings if name not in SETTINGS]
    if unknown or not settings:
        raise PfocrError(
            f"Unknown crop-benchmark setting(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(SETTINGS)}."
        )
    if limit is not None and limit < 1:
        raise PfocrError(f"The crop limit must be at least 1, not {limit}.")
    crops: list[Crop] = []
    notes: dict[str, object] = {"threads per engine": threads}
    if bench_dir is not None:
        crops += bench_dev_crops(Path(bench_dir), margin=margin, limit=limit)
        notes["bench-dev"] = f"{bench_dir} (label box + {margin} px)"
    if rendered:
        hard, font_source = rendered_crops(
            seed=seed, per_family=min(limit or RENDERED_PER_FAMILY, RENDERED_PER_FAMILY)
        )
        crops += hard
        notes["rendered"] = f"seed {seed}, fonts: {font_source}"
    if not crops:
        raise PfocrError("No crops to read: give a benchmark folder or keep the rendered crops.")
    notes["tiebreak"] = SETTINGS["tiebreak"].replace("0.8", str(TIEBREAK_BELOW))

    readers = _Readers(threads)
    warm, _ = _render_lines(
        [[("EGFR", ImageFont.load_default(size=16), 0)]], ink=black, paper=white, spacing=0
    )
    readers.warm_up(settings, warm)
    readings: list[dict[str, object]] = []
    for done, crop in enumerate(crops, start=1):
        for setting in settings:
            reading = readers.read(setting, crop)
            readings.append(
                {
                    "crop_set": crop.crop_set,
                    "key": crop.key,
                    "truth": crop.truth,
                    "setting": setting,
                    "text": reading.text,
                    "confidence": round(reading.confidence, 4),
                    "ms": round(reading.ms, 2),
                }
            )
        if progress:
            progress(done, len(crops))
    crop_sets = _count_sets(crops)
    results = list(_summarise(readings, settings, crop_sets))
    engines = {name: readers.engine(name).settings() for name in readers.engine_names()}
    return CropBenchReport(settings, crop_sets, results, readings, notes, engines)


def _count_sets(crops: Sequence[Crop]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for crop in crops:
        counts[crop.crop_set] = counts.get(crop.crop_set, 0) + 1
    if sum(1 for name in counts if name.startswith("rendered:")) > 1:
        counts["rendered:all"] = sum(
            n for name, n in counts.items() if name.startswith("rendered:")
        )
    return counts


def _summarise(
    readings: Sequence[dict[str, object]], settings: Sequence[str], crop_sets: dict[str, int]
) -> Iterator[SettingResult]:
    for crop_set in crop_sets:
        for setting in settings:
            chosen = [
                r
                for r in readings
                if r["setting"] == setting
                and (
                    r["crop_set"] == crop_set
                    or (crop_set == "rendered:all" and str(r["crop_set"]).startswith("rendered:"))
                )
            ]
            times = sorted(float(r["ms"]) for r in chosen)  # type: ignore[arg-type]
            yield SettingResult(
                setting,
                crop_set,
                score_predictions([(str(r["text"]), str(r["truth"])) for r in chosen]),
                round(statistics.median(times), 1),
                round(times[min(len(times) - 1, round(0.9 * (len(times) - 1)))], 1),
            )
