"""Pathway figure classifier: is a figure a pathway diagram? (``pathway_score`` in [0, 1]).

An open, offline replacement for PFOCR's Google AutoML step: explainable image, OCR-layout
and caption features (``features``) and a logistic regression stored as JSON (``model``),
fitted on labelled figures or on a rendered corpus (``train``, ``corpus``).
"""

from pfocr.classify.features import FEATURE_NAMES, extract_features, feature_dict
from pfocr.classify.model import (
    DEFAULT_MODEL_PATH,
    DEFAULT_THRESHOLD,
    IMAGE_MODEL_PATH,
    PathwayClassifier,
)
from pfocr.classify.train import (
    TrainingReport,
    build_default_model,
    read_automl_labels,
    train_from_labels,
)

__all__ = [
    "DEFAULT_MODEL_PATH",
    "DEFAULT_THRESHOLD",
    "FEATURE_NAMES",
    "IMAGE_MODEL_PATH",
    "PathwayClassifier",
    "TrainingReport",
    "build_default_model",
    "extract_features",
    "feature_dict",
    "read_automl_labels",
    "train_from_labels",
]
