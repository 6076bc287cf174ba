"""The per-figure work: image bytes in, OCR tokens and gene mentions out.

``process_figure`` is a pure function of its arguments plus a per-process cache of
the loaded OCR engine and lexicon, so the same code runs in-process, in a process
pool and on remote workers.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from pfocr.errors import ImageReadError, OcrError, PfocrError
from pfocr.models import Figure, FigureResult, OcrToken

if TYPE_CHECKING:
    from pfocr.ocr.base import OcrEngine
    from pfocr.recognise import Recogniser

DEFAULT_MAX_PIXELS = 100_000_000


@dataclass(frozen=True)
class PipelineSettings:
    """Everything that decides what a figure's result is; hashed into the store keys."""

    engine: str = "rapidocr"
    threads: int | None = None
    max_pixels: int = DEFAULT_MAX_PIXELS

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class StageFailure:
    """A figure that failed at one stage; recorded in the store, the run goes on."""

    figid: str
    source: str
    stage: str
    error_class: str
    message: str

    def describe(self) -> str:
        """One line naming the input; messages usually name it already."""
        if self.source and self.source not in self.message:
            return f"{self.source}: {self.message}"
        return self.message


@dataclass
class _Worker:
    engine: OcrEngine
    recogniser: Recogniser
    timings: dict[str, float] = field(default_factory=dict)


@cache
def _worker(engine_name: str, threads: int | None) -> _Worker:
    from pfocr.ocr import create_engine
    from pfocr.recognise import Recogniser

    options: dict[str, object] = {"threads": threads} if threads else {}
    return _Worker(engine=create_engine(engine_name, **options), recogniser=Recogniser())


def ocr_settings(settings: PipelineSettings) -> dict[str, object]:
    """The OCR engine's own settings plus a hash of the OCR code: the OCR part of the key."""
    engine = _worker(settings.engine, settings.threads).engine
    return {"engine": engine.settings(), "code": _package_digest("pfocr.ocr")}


def ocr_key(image_sha256: str, settings: PipelineSettings) -> str:
    """Same image + same OCR settings and code -> same tokens, so OCR can be skipped."""
    payload = json.dumps(
        {"image": image_sha256, "ocr": ocr_settings(settings), "max_pixels": settings.max_pixels},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@cache
def recognise_key() -> str:
    """Identity of the recognition step: its code, lexicon and curated rules."""
    digest = hashlib.sha256()
    digest.update(_package_digest("pfocr.recognise").encode())
    data = resources.files("pfocr").joinpath("data")
    for folder in ("lexicon", "curated"):
        entry = data.joinpath(folder)
        if not entry.is_dir():
            continue
        for item in sorted(entry.iterdir(), key=lambda p: p.name):
            if item.is_file():
                digest.update(item.name.encode())
                digest.update(item.read_bytes())
    return digest.hexdigest()


@cache
def _package_digest(package: str) -> str:
    digest = hashlib.sha256()
    root = resources.files(package)
    for item in sorted(root.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".py"):
            digest.update(item.name.encode())
            digest.update(item.read_bytes())
    return digest.hexdigest()


def process_figure(
    figure: Figure,
    data: bytes,
    image_sha256: str,
    settings: PipelineSettings,
    tokens: list[OcrToken] | None = None,
) -> FigureResult | StageFailure:
    """Decode, OCR (unless ``tokens`` are given from the store) and recognise one figure."""
    from pfocr.ingest import decode_image

    started = time.perf_counter()
    timings: dict[str, float] = {}
    try:
        image = decode_image(data, figure.image_path or figure.figid, settings.max_pixels)
    except ImageReadError as exc:
        return _failure(figure, "decode", exc)
    width, height = image.size
    worker = _worker(settings.engine, settings.threads)
    if tokens is None:
        t0 = time.perf_counter()
        try:
            tokens = worker.engine.read(image)
        except OcrError as exc:
            return _failure(figure, "ocr", exc)
        timings["ocr"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    try:
        mentions = worker.recogniser.recognise(tokens)
    except PfocrError as exc:
        return _failure(figure, "recognise", exc)
    timings["recognise"] = time.perf_counter() - t0
    return FigureResult(
        figure=figure,
        image_sha256=image_sha256,
        width=width,
        height=height,
        tokens=tuple(tokens),
        mentions=tuple(mentions),
        seconds=time.perf_counter() - started,
        timings=timings,
    )


def _failure(figure: Figure, stage: str, exc: Exception) -> StageFailure:
    return StageFailure(
        figid=figure.figid,
        source=figure.source,
        stage=stage,
        error_class=type(exc).__name__,
        message=str(exc),
    )


def warm_up(settings: PipelineSettings) -> None:
    """Load the engine and lexicon now (worker initialiser), not on the first figure."""
    _worker(settings.engine, settings.threads)
