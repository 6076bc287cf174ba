"""Fit the pathway classifier from labelled figures, or regenerate the shipped model.

Two sources of labels:

* PFOCR's AutoML export (``filename,label`` with ``pathway``/``other``; a leading
  ``TRAIN``/``VALIDATION``/``TEST`` column and ``gs://`` paths are tolerated), with the
  images in one folder: ``train_from_labels``.
* The rendered corpus of ``pfocr.classify.corpus``: ``build_default_model``, which writes
  ``src/pfocr/data/models/pathway_classifier.json`` with its seed, sizes and held-out metrics.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pfocr.classify.corpus import KINDS, Example, iter_corpus
from pfocr.classify.features import FEATURE_NAMES, extract_features
from pfocr.classify.model import (
    DEFAULT_MODEL_PATH,
    IMAGE_MODEL_PATH,
    fit_logistic,
    precision_recall,
    roc_auc,
)
from pfocr.errors import ClassifierError, IngestError
from pfocr.models import OcrToken

log = logging.getLogger(__name__)

#: Labels of PFOCR's AutoML training file and their class.
LABELS: dict[str, int] = {"pathway": 1, "other": 0}
_SPLIT_NAMES = {"TRAIN", "VALIDATION", "VALIDATE", "TEST", "UNASSIGNED"}
#: Seeds and sizes of the shipped model; changing them changes the model.
DEFAULT_TRAIN_SEED = 1
DEFAULT_HELDOUT_SEED = 2
DEFAULT_TRAIN_PER_KIND = 60
DEFAULT_HELDOUT_PER_KIND = 30
MODEL_VERSION = "1"


@dataclass(frozen=True)
class LabelledImage:
    """One row of a label file: the image's file name and its class (1 = pathway)."""

    filename: str
    label: int
    line: int


@dataclass(frozen=True)
class Metrics:
    """How well scores separate the classes: ROC AUC, and precision/recall at 0.5."""

    figures: int
    pathways: int
    roc_auc: float
    precision: float
    recall: float

    @classmethod
    def of(cls, scores: np.ndarray, labels: np.ndarray) -> Metrics:
        precision, recall = precision_recall(scores, labels)
        return cls(
            figures=len(labels),
            pathways=int(np.sum(labels)),
            roc_auc=round(roc_auc(scores, labels), 4),
            precision=round(precision, 4),
            recall=round(recall, 4),
        )


@dataclass(frozen=True)
class TrainingReport:
    """What a training run read, skipped and achieved, and where the model went."""

    model_path: Path
    figures: int
    pathways: int
    skipped_rows: tuple[str, ...] = ()
    missing_images: tuple[str, ...] = ()
    unreadable_images: tuple[str, ...] = ()
    train_metrics: Metrics | None = None
    heldout_metrics: Metrics | None = None
    used_ocr: bool = True
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["model_path"] = str(self.model_path)
        return data


def read_automl_labels(path: Path) -> tuple[list[LabelledImage], list[str]]:
    """Rows of an AutoML label CSV, and a warning for every row that had to be skipped.

    A row is skipped (not fatal) when it lacks a file name or its label is neither
    ``pathway`` nor ``other``: PFOCR's public 15,405-row file has one such row.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ClassifierError(f"{path}: cannot read label file ({error.strerror})") from None
    rows: list[LabelledImage] = []
    skipped: list[str] = []
    for number, fields in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [cell.strip() for cell in fields]
        if not any(cells):
            continue
        if cells and cells[0].upper() in _SPLIT_NAMES:
            cells = cells[1:]
        if number == 1 and len(cells) >= 2 and cells[1].lower() == "label":
            continue
        if len(cells) != 2 or not cells[0] or cells[1].lower() not in LABELS:
            message = f"{path}:{number}: skipped malformed row {','.join(fields)!r}"
            log.warning(message)
            skipped.append(message)
            continue
        name = cells[0].rsplit("/", 1)[-1]
        rows.append(LabelledImage(name, LABELS[cells[1].lower()], number))
    if not rows:
        raise ClassifierError(f"{path}: no usable `filename,label` rows (labels pathway/other)")
    return rows, skipped


def _features_of_files(
    rows: Sequence[LabelledImage],
    images_dir: Path,
    read_tokens: Callable[[Any], Sequence[OcrToken]] | None,
    captions: dict[str, str],
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    from pfocr.ingest.images import decode_image

    vectors, labels, missing, unreadable = [], [], [], []
    for index, row in enumerate(rows, start=1):
        path = images_dir / row.filename
        if not path.is_file():
            missing.append(row.filename)
            continue
        try:
            image = decode_image(path.read_bytes(), str(path))
        except (IngestError, OSError) as error:
            log.warning("%s: skipped unreadable image (%s)", path, error)
            unreadable.append(row.filename)
            continue
        tokens = read_tokens(image) if read_tokens else ()
        vectors.append(extract_features(image, tokens, captions.get(row.filename, "")))
        labels.append(row.label)
        if index % 100 == 0:
            log.info("features of %d/%d figures", index, len(rows))
    if not vectors:
        raise ClassifierError(f"{images_dir}: none of the labelled images was found or readable")
    return np.array(vectors), np.array(labels), missing, unreadable


def _cross_validated(features: np.ndarray, labels: np.ndarray, folds: int = 5) -> Metrics | None:
    """Out-of-fold scores by k-fold cross-validation (None when a class is too small)."""
    if min(labels.sum(), len(labels) - labels.sum()) < folds:
        return None
    order = np.random.default_rng(0).permutation(len(labels))
    scores = np.zeros(len(labels))
    for fold in range(folds):
        test = order[fold::folds]
        train = np.setdiff1d(order, test)
        model = fit_logistic(features[train], labels[train])
        scores[test] = model.score_features(features[test])
    return Metrics.of(scores, labels)


def train_from_labels(
    labels_csv: Path,
    images_dir: Path,
    out: Path,
    *,
    ocr: bool = True,
    engine_name: str = "rapidocr",
    captions: dict[str, str] | None = None,
) -> TrainingReport:
    """Fit a classifier on labelled images and save it as JSON at ``out``.

    With ``ocr`` each image is read by the OCR engine (~0.5 s a figure) so the text-layout
    features are real; without it those features are zero, and the model learns to do
    without them (score figures the same way: without tokens). ``captions`` maps file
    names to caption text when known. ``heldout_metrics`` are 5-fold cross-validated.
    """
    started = time.perf_counter()
    rows, skipped = read_automl_labels(labels_csv)
    read_tokens = None
    if ocr:
        from pfocr.ocr import create_engine

        read_tokens = create_engine(engine_name).read
    features, labels, missing, unreadable = _features_of_files(
        rows, images_dir, read_tokens, captions or {}
    )
    heldout = _cross_validated(features, labels)
    summary = {
        "source": "labels",
        "labels_file": labels_csv.name,
        "figures": len(labels),
        "pathways": int(labels.sum()),
        "used_ocr": ocr,
        "cross_validated": asdict(heldout) if heldout else None,
    }
    model = fit_logistic(features, labels, version=MODEL_VERSION, training=summary)
    model.save(out)
    train = Metrics.of(model.score_features(features), labels)
    return TrainingReport(
        model_path=out,
        figures=len(labels),
        pathways=int(labels.sum()),
        skipped_rows=tuple(skipped),
        missing_images=tuple(missing),
        unreadable_images=tuple(unreadable),
        train_metrics=train,
        heldout_metrics=heldout,
        used_ocr=ocr,
        seconds=round(time.perf_counter() - started, 1),
    )


def corpus_features(
    examples: Iterable[Example], *, use_tokens: bool = True
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Feature matrix, labels and kinds of rendered examples."""
    vectors, labels, kinds = [], [], []
    for example in examples:
        tokens = example.tokens if use_tokens else ()
        vectors.append(extract_features(example.image, tokens, example.caption))
        labels.append(example.label)
        kinds.append(example.kind)
    return np.array(vectors), np.array(labels), kinds


def build_default_model(
    out: Path = DEFAULT_MODEL_PATH,
    *,
    seed: int = DEFAULT_TRAIN_SEED,
    heldout_seed: int = DEFAULT_HELDOUT_SEED,
    per_kind: int = DEFAULT_TRAIN_PER_KIND,
    heldout_per_kind: int = DEFAULT_HELDOUT_PER_KIND,
    use_tokens: bool = True,
) -> TrainingReport:
    """Regenerate a shipped model from the rendered corpus, deterministically.

    ``use_tokens=False`` fits the pre-reading model (image and caption features only).

    Trains on the corpus rendered with ``seed`` and measures on a separate corpus rendered
    with ``heldout_seed`` (same generators, different figures); both are recorded in the
    JSON. The held-out figures are synthetic too, so they measure fit to the generators,
    not accuracy on published figures.
    """
    if seed == heldout_seed:
        raise ClassifierError(
            "build_default_model: the held-out seed must differ from the training seed"
        )
    started = time.perf_counter()
    x_train, y_train, kinds_train = corpus_features(
        iter_corpus(seed, per_kind), use_tokens=use_tokens
    )
    x_test, y_test, kinds_test = corpus_features(
        iter_corpus(heldout_seed, heldout_per_kind), use_tokens=use_tokens
    )
    probe = fit_logistic(x_train, y_train)
    heldout_scores = probe.score_features(x_test)
    heldout = Metrics.of(heldout_scores, y_test)
    train = Metrics.of(probe.score_features(x_train), y_train)
    per_kind_scores = {
        kind: round(float(np.mean(heldout_scores[np.array(kinds_test) == kind])), 4)
        for kind in KINDS
    }
    summary = {
        "source": "rendered corpus (pfocr.classify.corpus)",
        "builder": "pfocr.classify.train.build_default_model"
        + ("" if use_tokens else "(use_tokens=False)"),
        "train_seed": seed,
        "train_per_kind": per_kind,
        "train_figures": len(y_train),
        "train_pathways": int(y_train.sum()),
        "heldout_seed": heldout_seed,
        "heldout_per_kind": heldout_per_kind,
        "heldout_figures": len(y_test),
        "heldout_pathways": int(y_test.sum()),
        "train_metrics": asdict(train),
        "heldout_metrics": asdict(heldout),
        "heldout_mean_score_by_kind": per_kind_scores,
        "kinds": dict(KINDS),
        "tokens": (
            "text boxes as drawn (an ideal OCR), small and 15% of boxes dropped"
            if use_tokens
            else "none: image and caption features only (scores a figure before OCR)"
        ),
        "features": list(FEATURE_NAMES),
        "used_ocr": use_tokens,
    }
    model = fit_logistic(x_train, y_train, version=MODEL_VERSION, training=summary)
    model.save(out)
    return TrainingReport(
        model_path=out,
        figures=len(y_train),
        pathways=int(y_train.sum()),
        train_metrics=train,
        heldout_metrics=heldout,
        used_ocr=use_tokens,
        seconds=round(time.perf_counter() - started, 1),
        extra={
            "kinds_train": sorted(set(kinds_train)),
            "heldout_mean_score_by_kind": per_kind_scores,
        },
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pfocr.classify [OUT.json]``: rebuild the shipped models, print their metrics."""
    import argparse
    import json
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m pfocr.classify",
        description="Rebuild the shipped pathway classifiers from the rendered corpus and "
        "print their training and held-out metrics.",
    )
    parser.add_argument(
        "out",
        nargs="?",
        type=Path,
        help="write only the full model here (default: both shipped models in place)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.out is not None:
        targets = [(args.out, True)]
    else:
        targets = [(DEFAULT_MODEL_PATH, True), (IMAGE_MODEL_PATH, False)]
    for out, use_tokens in targets:
        report = build_default_model(out, use_tokens=use_tokens)
        json.dump(report.to_json(), sys.stdout, indent=1)
        sys.stdout.write("\n")
    return 0
