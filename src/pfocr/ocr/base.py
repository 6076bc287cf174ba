"""The OCR engine interface: an image in, text lines with boxes out.

Engines are looked up by name so others (Tesseract, ...) can be added without
touching the pipeline. Heavy engine libraries are imported only when an engine is
created, so ``import pfocr`` stays light.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pfocr.errors import OcrEngineMissing

if TYPE_CHECKING:
    from PIL import Image

    from pfocr.models import OcrToken


@runtime_checkable
class OcrEngine(Protocol):
    """What the pipeline needs from an OCR engine."""

    #: Short stable name, part of the settings hash of every stored result.
    name: str

    def settings(self) -> dict[str, object]:
        """Everything that changes the engine's output (versions, parameters)."""
        ...

    def read(self, image: Image.Image) -> list[OcrToken]:
        """Read an RGB image; return text lines in reading order with pixel boxes."""
        ...

    def read_crop(self, image: Image.Image) -> OcrToken:
        """Read one tight label crop (no layout analysis); the box is the whole crop."""
        ...


_FACTORIES: dict[str, Callable[..., OcrEngine]] = {}


def register_engine(name: str, factory: Callable[..., OcrEngine]) -> None:
    """Make an engine available to ``create_engine`` and the ``--engine`` option."""
    _FACTORIES[name] = factory


def engine_names() -> list[str]:
    _register_builtin()
    return sorted(_FACTORIES)


def create_engine(name: str = "rapidocr", **options: object) -> OcrEngine:
    """Create an engine by name; unknown names get a did-you-mean message."""
    _register_builtin()
    try:
        factory = _FACTORIES[name]
    except KeyError:
        close = difflib.get_close_matches(name, _FACTORIES, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise OcrEngineMissing(
            f"Unknown OCR engine '{name}'.{hint} Choices: {', '.join(sorted(_FACTORIES))}."
        ) from None
    return factory(**options)


def _register_builtin() -> None:
    if "rapidocr" not in _FACTORIES:
        from pfocr.ocr.rapid import RapidOcrEngine

        register_engine("rapidocr", RapidOcrEngine)
    if "tesseract" not in _FACTORIES:
        # Registered even without tesserocr installed: creating it then raises
        # OcrEngineMissing with the install lines, instead of "unknown engine".
        from pfocr.ocr.tesseract import TesseractEngine

        register_engine("tesseract", TesseractEngine)
