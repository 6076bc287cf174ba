"""The per-figure work: image bytes in; pathway score, OCR tokens, genes, chemicals,
diseases, organisms and interactions out.

``process_figure`` is a pure function of its arguments plus a per-process cache of
the loaded OCR engine and lexicon, so the same code runs in-process, in a process
pool and on remote workers.
"""

from __future__ import annotations

import gc
import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pfocr.errors import ImageReadError, OcrError, PfocrError
from pfocr.models import (
    Edge,
    Figure,
    FigureResult,
    Mention,
    OcrToken,
    OrganismCount,
    OrganismRow,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PIL import Image

    from pfocr.classify import PathwayClassifier
    from pfocr.models import AmbiguousMention, ChemicalMention, DiseaseMention
    from pfocr.ocr.base import OcrEngine
    from pfocr.recognise import Recogniser
    from pfocr.recognise.chemicals import ChemicalRecogniser
    from pfocr.recognise.diseases import DiseaseRecogniser

DEFAULT_MAX_PIXELS = 100_000_000


@dataclass(frozen=True)
class PipelineSettings:
    """Everything that decides what a figure's result is; hashed into the store keys."""

    engine: str = "rapidocr"
    threads: int | None = None
    max_pixels: int = DEFAULT_MAX_PIXELS
    #: Figures whose pre-reading pathway score is below this are stored but not read
    #: (PFOCR reads figures its classifier scores >= 0.5). 0 reads every figure.
    min_score: float = 0.0
    #: Read interactions (connectors and their ends) off the figure.
    edges: bool = True
    #: A pathway classifier fitted with ``pfocr classify train`` (None: the shipped model).
    classifier: str | None = None

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
    chemicals: ChemicalRecogniser
    diseases: DiseaseRecogniser
    classifier: PathwayClassifier
    timings: dict[str, float] = field(default_factory=dict)


@cache
def _engine(engine_name: str, threads: int | None) -> OcrEngine:
    """The OCR engine alone: what the main process needs for the store keys."""
    from pfocr.ocr import create_engine

    options: dict[str, object] = {"threads": threads} if threads else {}
    return create_engine(engine_name, **options)


@cache
def _worker(engine_name: str, threads: int | None, classifier: str | None = None) -> _Worker:
    from pfocr.classify import PathwayClassifier
    from pfocr.recognise import Recogniser
    from pfocr.recognise.chemicals import ChemicalRecogniser
    from pfocr.recognise.diseases import DiseaseRecogniser

    worker = _Worker(
        engine=_engine(engine_name, threads),
        recogniser=Recogniser(),
        chemicals=ChemicalRecogniser(),
        diseases=DiseaseRecogniser(),
        classifier=PathwayClassifier.load(Path(classifier) if classifier else None),
    )
    worker.recogniser.names  # noqa: B018 - load the name index now, not on the first figure
    freeze_loaded_data()
    return worker


def freeze_loaded_data() -> None:
    """Exclude everything loaded so far (lexicons, indexes, models) from garbage collection.

    Those millions of long-lived objects never become garbage, yet every full collection
    would walk them again while figures are processed; frozen, they are left alone (and,
    in forked workers, their memory pages stay shared).
    """
    gc.collect()
    gc.freeze()


@cache
def _reading_gate() -> PathwayClassifier:
    """The image-and-caption model that decides, before OCR, whether to read a figure."""
    from pfocr.classify import IMAGE_MODEL_PATH, PathwayClassifier

    return PathwayClassifier.load(IMAGE_MODEL_PATH)


def ocr_settings(settings: PipelineSettings) -> dict[str, object]:
    """The OCR engine's own settings plus a hash of the OCR code: the OCR part of the key."""
    engine = _engine(settings.engine, settings.threads)
    return {"engine": engine.settings(), "code": _package_digest("pfocr.ocr")}


def ocr_key(image_sha256: str, settings: PipelineSettings) -> str:
    """Same image + same OCR settings and code -> same tokens, so OCR can be skipped."""
    payload = json.dumps(
        {"image": image_sha256, "ocr": ocr_settings(settings), "max_pixels": settings.max_pixels},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def recognise_key(settings: PipelineSettings | None = None) -> str:
    """Identity of everything after OCR: code, lexicons, curated rules, models, switches."""
    settings = settings or PipelineSettings()
    return _recognise_key(settings.edges, settings.classifier)


@cache
def _recognise_key(edges: bool, classifier: str | None) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps({"edges": edges}).encode())
    if classifier:
        digest.update(Path(classifier).read_bytes())
    for package in ("pfocr.recognise", "pfocr.classify", "pfocr.network"):
        digest.update(_package_digest(package).encode())
    data = resources.files("pfocr").joinpath("data")
    for folder in ("lexicon", "curated", "models"):
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
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        return ""
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
    """Decode, score, OCR (unless ``tokens`` are given from the store) and recognise a figure.

    With ``settings.min_score`` set, a figure whose pathway score from its image and caption
    alone is below it is returned unread (``skipped``), so no OCR time is spent on it.
    """
    from pfocr.ingest import decode_image

    started = time.perf_counter()
    timings: dict[str, float] = {}
    try:
        image = decode_image(data, figure.image_path or figure.figid, settings.max_pixels)
    except ImageReadError as exc:
        return _failure(figure, "decode", exc)
    width, height = image.size
    worker = _worker(settings.engine, settings.threads, settings.classifier)
    if tokens is None and settings.min_score > 0:
        t0 = time.perf_counter()
        try:
            pre_score = _reading_gate().score(image, (), figure.caption)
        except PfocrError as exc:
            return _failure(figure, "classify", exc)
        timings["classify"] = time.perf_counter() - t0
        if pre_score < settings.min_score:
            return FigureResult(
                figure=figure,
                image_sha256=image_sha256,
                width=width,
                height=height,
                tokens=(),
                mentions=(),
                seconds=time.perf_counter() - started,
                timings=timings,
                pathway_score=round(pre_score, 4),
                skipped=True,
            )
    if tokens is None:
        t0 = time.perf_counter()
        try:
            tokens = worker.engine.read(image)
        except OcrError as exc:
            return _failure(figure, "ocr", exc)
        timings["ocr"] = time.perf_counter() - t0
    try:
        return _recognise(figure, image, image_sha256, tokens, worker, settings, started, timings)
    except PfocrError as exc:
        return _failure(figure, "recognise", exc)


def _recognise(
    figure: Figure,
    image: Image.Image,
    image_sha256: str,
    tokens: list[OcrToken],
    worker: _Worker,
    settings: PipelineSettings,
    started: float,
    timings: dict[str, float],
) -> FigureResult:
    from pfocr.recognise.organisms import infer_organisms

    t0 = time.perf_counter()
    score = worker.classifier.score(image, tokens, figure.caption)
    timings["classify"] = timings.get("classify", 0.0) + time.perf_counter() - t0

    t0 = time.perf_counter()
    context = "\n".join((figure.figtitle, figure.caption, figure.papertitle))
    chemicals = worker.chemicals.recognise(tokens, context)
    reading = worker.recogniser.read(tokens)
    mentions = worker.chemicals.drop_gene_clashes(reading.mentions, chemicals)
    diseases = worker.diseases.recognise(tokens, context)
    ambiguous = _unclaimed(reading.ambiguous, (*chemicals, *diseases))
    call = infer_organisms(figure.caption, (figure.figtitle, figure.papertitle), mentions, tokens)
    timings["recognise"] = time.perf_counter() - t0

    edges: list[Edge] = []
    if settings.edges:
        t0 = time.perf_counter()
        edges = _read_edges(image, mentions, chemicals, tokens)
        timings["edges"] = time.perf_counter() - t0

    gene_sets = set(call.gene_set_organisms)
    organisms = tuple(
        OrganismRow(
            name=name,
            taxon_id=call.info[name].taxon_id if name in call.info else "",
            group=call.info[name].group if name in call.info else "",
            evidence=call.evidence.get(name, ""),
            gene_set=name in gene_sets,
        )
        for name in call.organisms
    )
    ner = tuple(
        OrganismCount(
            organism_id=str(row["organism_id"]),
            organism_name=str(row["organism_name"]),
            organism_group=str(row["organism_group"]),
            count_direct=int(str(row["count_direct"])),
            count_synonym=int(str(row["count_synonym"])),
            count_match=int(str(row["count_match"])),
        )
        for row in call.organisms_ner
    )
    return FigureResult(
        figure=figure,
        image_sha256=image_sha256,
        width=image.width,
        height=image.height,
        tokens=tuple(tokens),
        mentions=tuple(mentions),
        seconds=time.perf_counter() - started,
        timings=timings,
        chemicals=tuple(chemicals),
        diseases=tuple(diseases),
        organisms=organisms,
        organisms_ner=ner,
        edges=tuple(edges),
        ambiguous=tuple(ambiguous),
        pathway_score=round(score, 4),
    )


def _unclaimed(
    ambiguous: Sequence[AmbiguousMention], others: Sequence[ChemicalMention | DiseaseMention]
) -> list[AmbiguousMention]:
    """Ambiguous gene synonyms minus words read as a chemical or disease (then not in doubt)."""
    boxes = [(o.x0, o.y0, o.x1, o.y1) for o in others]
    return [
        a
        for a in ambiguous
        if not any(a.x0 < x1 and x0 < a.x1 and a.y0 < y1 and y0 < a.y1 for x0, y0, x1, y1 in boxes)
    ]


def _read_edges(
    image: Image.Image,
    mentions: list[Mention],
    chemicals: list[ChemicalMention],
    tokens: list[OcrToken],
) -> list[Edge]:
    """Interactions from the connectors drawn between recognised labels."""
    from pfocr.network import read_edges

    return list(read_edges(image, mentions, chemicals, tokens))


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
    _worker(settings.engine, settings.threads, settings.classifier)
