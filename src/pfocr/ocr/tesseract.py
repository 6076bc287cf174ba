"""Tesseract 5 through tesserocr: a fast, less accurate second engine.

It reads a whole figure about 4x faster than PP-OCRv6 (0.4 s against 1.7 s on the
development figures), and a label crop in 3 ms against 12 ms, but misses more: it
needs clean, upright text of about 10 px or more, and loses labels that are small,
blurred, italic, Greek, or white on coloured nodes (measurements in docs/ocr.md).

The language data is not in the tesserocr wheel; Debian's ``tesseract-ocr-eng``
(the LSTM "fast" English model) is what was measured. Each engine keeps one
tesseract handle per page-segmentation mode; handles are not thread-safe, so
use one engine per thread or process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pfocr.errors import OcrEngineMissing, OcrError
from pfocr.models import OcrToken

if TYPE_CHECKING:
    from PIL import Image

#: What to install when tesserocr or the English model is missing.
INSTALL_HINT = (
    "Install them with: apt-get install -y --no-install-recommends tesseract-ocr-eng "
    "&& pip install 'tesserocr>=2.13,<3' (or pip install 'pfocr[tesseract]'); "
    "or point TESSDATA_PREFIX at a folder holding eng.traineddata."
)

#: Where distributions put eng.traineddata, searched after ``TESSDATA_PREFIX``.
TESSDATA_DIRS: tuple[str, ...] = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)

# Tesseract page segmentation modes used here (tesserocr.PSM values).
PSM_SINGLE_BLOCK = 6
PSM_SINGLE_LINE = 7
PSM_SPARSE_TEXT = 11

# Result iterator levels (tesserocr.RIL values).
_RIL_TEXTLINE = 2
_RIL_WORD = 3


@dataclass(frozen=True)
class TesseractSettings:
    """The preprocessing that makes Tesseract usable on figures; part of the settings hash."""

    #: Whole figures: upscale factor (cubic) before sparse-text reading; tesseract
    #: misses small labels at 1x (development figures: label recall 0.78 at 1x, 0.91 at 2x).
    figure_upscale: float = 2.0
    figure_psm: int = PSM_SPARSE_TEXT
    #: Resolution tesseract assumes for an image without one; an upscaled copy is
    #: declared at this times the factor. Tesseract's line finder only strips lines
    #: thinner than dpi/20 px: left at 70 dpi, 2 px box outlines upscaled to 4 px
    #: stay, swallow the labels inside, and label recall falls from 0.91 to 0.65.
    #: 0 declares nothing and lets tesseract guess.
    base_dpi: int = 70
    #: Crops: cubic upscale, Otsu binarisation, white pad, then single-block mode,
    #: which reads one-line labels as well as single-line mode and two-line labels
    #: too (0.94 vs 0.06 word_acc); single-line mode when the block mode reads nothing.
    crop_upscale: float = 3.0
    crop_pad: int = 30
    crop_psm: int = PSM_SINGLE_BLOCK
    crop_fallback_psm: int = PSM_SINGLE_LINE
    #: A crop taller than this times its width is also read rotated both ways.
    tall_ratio: float = 1.3


class TesseractEngine:
    """Tesseract LSTM (English) for whole figures (psm 11) and label crops (psm 6)."""

    name = "tesseract"

    def __init__(
        self,
        threads: int | None = None,
        tessdata: str | Path | None = None,
        config: TesseractSettings | None = None,
    ) -> None:
        # Tesseract's own OpenMP threads only slow many small images down; the
        # variable is read when the library loads, so it is set before the import.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        # Accepted like every engine's; tesseract reads on one thread, so parallelism
        # comes from worker processes.
        self.threads = threads or 1
        self.config = config or TesseractSettings()
        self.tessdata = _find_tessdata(tessdata)
        self._apis: dict[int, Any] = {}
        self._tesserocr: Any = _import_tesserocr()

    def settings(self) -> dict[str, object]:
        model = Path(self.tessdata) / "eng.traineddata"
        return {
            "engine": self.name,
            "tesserocr": _version("tesserocr"),
            "tesseract": self._tesserocr.tesseract_version().split()[1],
            "model": f"eng.traineddata ({model.stat().st_size} bytes)",
            "config": self.config.__dict__,
        }

    def close(self) -> None:
        """Free the tesseract handles (they are also freed when the engine is collected)."""
        for api in self._apis.values():
            api.End()
        self._apis.clear()

    def _api(self, psm: int) -> Any:
        api = self._apis.get(psm)
        if api is None:
            try:
                api = self._tesserocr.PyTessBaseAPI(path=self.tessdata, lang="eng", psm=psm)
            except RuntimeError as exc:
                raise OcrEngineMissing(
                    f"Tesseract could not load eng.traineddata from {self.tessdata}: {exc}. "
                    + INSTALL_HINT
                ) from None
            self._apis[psm] = api
        return api

    # -- whole figures -----------------------------------------------------------------------

    def read(self, image: Image.Image) -> list[OcrToken]:
        """Sparse-text reading of a 2x upscale; lines with boxes in image pixels."""
        import cv2
        from PIL import Image as PilImage

        scale = self.config.figure_upscale
        rgb = _pixels(image)
        if scale != 1.0:
            rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        dpi = round(self.config.base_dpi * scale)
        lines = self._recognise(PilImage.fromarray(rgb), self.config.figure_psm, dpi)
        tokens = [
            OcrToken(
                text,
                x0 / scale,
                y0 / scale,
                x1 / scale,
                y1 / scale,
                confidence,
            )
            for text, (x0, y0, x1, y1), confidence in lines
        ]
        return [
            OcrToken(t.text, t.x0, t.y0, t.x1, t.y1, t.confidence, "line", index)
            for index, t in enumerate(_reading_order(tokens))
        ]

    # -- label crops -------------------------------------------------------------------------

    def read_crop(self, image: Image.Image) -> OcrToken:
        """Read one tight label crop; lines of a multi-line label are joined by a space.

        Tesseract reads upright text only, so a tall crop (a vertical label) is also
        read turned both ways and the most confident reading is kept.
        """
        import cv2

        rgb = _pixels(image)
        height, width = rgb.shape[:2]
        prepared = prepare_crop(rgb, self.config.crop_upscale, self.config.crop_pad)
        views = [prepared]
        if height > self.config.tall_ratio * width:
            views += [
                cv2.rotate(prepared, cv2.ROTATE_90_CLOCKWISE),
                cv2.rotate(prepared, cv2.ROTATE_90_COUNTERCLOCKWISE),
            ]
        text, confidence = max((self._read_prepared(view) for view in views), key=lambda r: r[1])
        return OcrToken(text, 0.0, 0.0, float(width), float(height), confidence)

    def _read_prepared(self, binary: np.ndarray) -> tuple[str, float]:
        from PIL import Image as PilImage

        picture = PilImage.fromarray(binary)
        # Binarised, padded crops have no outlines: the declared resolution changes nothing.
        lines = self._recognise(picture, self.config.crop_psm)
        if not lines:
            lines = self._recognise(picture, self.config.crop_fallback_psm)
        if not lines:
            return "", 0.0
        text = " ".join(text for text, _, _ in lines)
        confidence = sum(conf for _, _, conf in lines) / len(lines)
        return text, confidence

    # -- shared ------------------------------------------------------------------------------

    def _recognise(
        self, picture: Image.Image, psm: int, dpi: int | None = None
    ) -> list[tuple[str, tuple[int, int, int, int], float]]:
        """Words grouped into tesseract's text lines: (text, box, mean confidence 0-1)."""
        api = self._api(psm)
        try:
            api.SetImage(picture)
            if dpi:
                api.SetSourceResolution(dpi)
            api.Recognize()
            iterator = api.GetIterator()
        except RuntimeError as exc:
            raise OcrError(f"tesseract failed on a {picture.size} image: {exc}") from exc
        lines: list[list[tuple[str, tuple[int, int, int, int], float]]] = []
        if iterator is None:
            return []
        new_line = True
        while True:
            if iterator.IsAtBeginningOf(_RIL_TEXTLINE):
                new_line = True
            word = _word(iterator)
            if word is not None:
                if new_line or not lines:
                    lines.append([])
                    new_line = False
                lines[-1].append(word)
            if not iterator.Next(_RIL_WORD):
                break
        return [_join_words(words) for words in lines]


def prepare_crop(rgb: np.ndarray, upscale: float, pad: int) -> np.ndarray:
    """Grey, cubic upscale, Otsu; dark text on white whatever the label colours; padded.

    The polarity comes from the border: a crop whose border binarises dark is a
    light label on a dark or coloured fill and is inverted.
    """
    import cv2

    gray = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    if upscale != 1.0:
        gray = cv2.resize(gray, None, fx=upscale, fy=upscale, interpolation=cv2.INTER_CUBIC)
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    border = np.concatenate([binary[0], binary[-1], binary[:, 0], binary[:, -1]])
    if border.mean() < 128:
        binary = 255 - binary
    return cv2.copyMakeBorder(binary, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def _pixels(image: Image.Image) -> np.ndarray:
    if image.width == 0 or image.height == 0:
        raise OcrError(f"Cannot read an empty image ({image.width}x{image.height} px).")
    return np.asarray(image.convert("RGB"))


def _word(iterator: Any) -> tuple[str, tuple[int, int, int, int], float] | None:
    """One word from the iterator, or None when tesseract has no text for it."""
    try:
        text = iterator.GetUTF8Text(_RIL_WORD).strip()
    except RuntimeError:  # "No text returned" for an empty element
        return None
    box = iterator.BoundingBox(_RIL_WORD)
    if not text or box is None:
        return None
    confidence = min(1.0, max(0.0, iterator.Confidence(_RIL_WORD) / 100.0))
    return text, tuple(box), confidence


def _join_words(
    words: list[tuple[str, tuple[int, int, int, int], float]],
) -> tuple[str, tuple[int, int, int, int], float]:
    text = " ".join(word for word, _, _ in words)
    box = (
        min(b[0] for _, b, _ in words),
        min(b[1] for _, b, _ in words),
        max(b[2] for _, b, _ in words),
        max(b[3] for _, b, _ in words),
    )
    return text, box, sum(conf for _, _, conf in words) / len(words)


def _reading_order(tokens: list[OcrToken]) -> list[OcrToken]:
    """Top to bottom in 10 px bands of line centres, then left to right."""
    return sorted(tokens, key=lambda t: (round((t.y0 + t.y1) / 20), t.x0))


def _import_tesserocr() -> Any:
    try:
        import tesserocr
    except ImportError as exc:
        raise OcrEngineMissing(
            f"The tesseract engine needs the 'tesserocr' package ({exc}). " + INSTALL_HINT
        ) from None
    return tesserocr


def _find_tessdata(explicit: str | Path | None) -> str:
    """The folder holding eng.traineddata: the argument, TESSDATA_PREFIX, then the usual places."""
    candidates = [str(explicit)] if explicit else []
    if not explicit and os.environ.get("TESSDATA_PREFIX"):
        candidates.append(os.environ["TESSDATA_PREFIX"])
    if not explicit:
        candidates += TESSDATA_DIRS
    for folder in candidates:
        if (Path(folder) / "eng.traineddata").is_file():
            return str(Path(folder)) + os.sep
    raise OcrEngineMissing(
        f"No eng.traineddata for tesseract in {', '.join(candidates)}. " + INSTALL_HINT
    )


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"
