"""The pathway classifier: features, the shipped model, training and label files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pfocr.classify.corpus import KINDS, iter_corpus, render_example
from pfocr.classify.features import (
    CAPTION_FEATURES,
    FEATURE_NAMES,
    component_sizes,
    extract_features,
    feature_dict,
)
from pfocr.classify.model import PathwayClassifier, fit_logistic, precision_recall, roc_auc
from pfocr.classify.train import (
    build_default_model,
    main,
    read_automl_labels,
    train_from_labels,
)
from pfocr.errors import ClassifierError
from rendering import FIGURE_GENES, render_pathway


@pytest.fixture(scope="module")
def model() -> PathwayClassifier:
    return PathwayClassifier.load()


def _score(model: PathwayClassifier, kind: str, seed: int) -> float:
    example = render_example(kind, seed)
    return model.score(example.image, example.tokens, example.caption)


# --- features -------------------------------------------------------------------------------


def test_feature_vector_has_one_finite_value_per_name() -> None:
    example = render_example("pathway", 5)
    assert example.caption
    vector = extract_features(example.image, example.tokens, example.caption)
    assert vector.shape == (len(FEATURE_NAMES),)
    assert np.isfinite(vector).all()


def test_caption_word_counts_are_unknown_without_a_caption(model: PathwayClassifier) -> None:
    """A bare image file is not a figure whose caption lacks pathway words."""
    example = render_example("pathway", 5)
    values = feature_dict(example.image, example.tokens, "")
    unknown = {name for name, value in values.items() if np.isnan(value)}
    assert unknown == {name for name in CAPTION_FEATURES if name != "has_caption"}
    vector = extract_features(example.image, example.tokens, "")
    # unknown counts weigh as the training average: the score is that of average counts
    average = vector.copy()
    for index, name in enumerate(FEATURE_NAMES):
        if name in unknown:
            average[index] = model.means[index]
    assert model.score_features(vector)[0] == pytest.approx(model.score_features(average)[0])
    assert all(np.isfinite(value) for _, value in model.explain(vector))


def test_fit_leaves_unknown_values_out_of_means_and_spreads() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, len(FEATURE_NAMES)))
    y = (x[:, 0] > 0).astype(float)
    x[::2, 1] = np.nan  # half unknown
    x[:, 2] = np.nan  # never known
    fitted = fit_logistic(x, y)
    assert fitted.means[1] == pytest.approx(np.nanmean(x[:, 1]))
    assert fitted.means[2] == 0.0 and fitted.scales[2] == 1.0
    assert np.isfinite(fitted.coefficients).all()
    assert np.isfinite(fitted.score_features(x)).all()


def test_features_tell_diagram_text_from_gel_texture() -> None:
    diagram = render_example("pathway", 7)
    gel = render_example("gel", 7)
    d = feature_dict(diagram.image, diagram.tokens)
    g = feature_dict(gel.image, gel.tokens)
    assert d["white_share"] > g["white_share"]
    assert d["short_capitalised_share"] > 0.3
    assert d["tokens_log"] > g["tokens_log"]


def test_caption_words_are_counted() -> None:
    blank = Image.new("RGB", (64, 64), "white")
    signaling = feature_dict(blank, caption="Proposed model of EGFR signaling pathway activation.")
    blot = feature_dict(blank, caption="Western blot of AKT; GAPDH loading control.")
    assert signaling["caption_pathway_words"] > 0 and signaling["caption_model_words"] > 0
    assert blot["caption_imaging_words"] > 0 and blot["caption_pathway_words"] == 0
    assert feature_dict(blank)["has_caption"] == 0.0


def test_dark_background_is_measured_as_if_printed_on_white() -> None:
    white = Image.new("RGB", (200, 200), "white")
    black = Image.new("RGB", (200, 200), "black")
    assert feature_dict(black)["dark_background"] == 1.0
    assert feature_dict(black)["white_share"] == feature_dict(white)["white_share"] == 1.0


def test_component_sizes_are_eight_connected() -> None:
    mask = np.zeros((6, 8), dtype=bool)
    mask[0:2, 0:2] = True  # 4 pixels
    mask[2, 2] = True  # touches the square only at a corner: same component
    mask[4:6, 4:8] = True  # 8 pixels, separate
    assert component_sizes(mask).tolist() == [5, 8]
    assert component_sizes(np.zeros((3, 3), dtype=bool)).size == 0


# --- the shipped model ----------------------------------------------------------------------


@pytest.mark.parametrize("other", ["bar_chart", "gel", "micrograph", "table", "flowchart"])
def test_diagram_scores_above_other_figure_types(model: PathwayClassifier, other: str) -> None:
    assert _score(model, "pathway", 11) > _score(model, other, 11)


def test_scores_are_probabilities_and_split_at_one_half(model: PathwayClassifier) -> None:
    assert 0.5 < _score(model, "pathway", 12) <= 1.0
    assert 0.0 <= _score(model, "bar_chart", 12) < 0.5
    assert _score(model, "gel", 12) < 0.5


def test_test_suite_pathway_figure_scores_as_pathway(
    model: PathwayClassifier, tmp_path: Path
) -> None:
    """A figure the model never saw, read by the real OCR engine as the pipeline reads it."""
    from pfocr.ocr import create_engine

    path = render_pathway(tmp_path / "egfr.png", FIGURE_GENES["egfr_pathway"])
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    tokens = create_engine("rapidocr").read(image)
    assert {"EGFR", "KRAS"} <= {token.text for token in tokens}
    assert model.score(image, tokens, "EGFR signaling pathway") > 0.5


def test_shipped_model_records_how_it_was_made(model: PathwayClassifier) -> None:
    assert model.feature_names == FEATURE_NAMES, "features changed: rebuild the default model"
    training = model.training
    assert training["train_seed"] != training["heldout_seed"]
    assert training["heldout_metrics"]["roc_auc"] >= 0.95
    assert set(training["kinds"]) == set(KINDS)


def test_explain_lists_every_feature_by_effect(model: PathwayClassifier) -> None:
    example = render_example("pathway", 3)
    contributions = model.explain(extract_features(example.image, example.tokens))
    assert {name for name, _ in contributions} == set(FEATURE_NAMES)
    effects = [abs(value) for _, value in contributions]
    assert effects == sorted(effects, reverse=True)


# --- fitting, saving, metrics ---------------------------------------------------------------


def test_fit_save_load_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(80, len(FEATURE_NAMES)))
    labels = (features[:, 0] + 0.3 * rng.normal(size=80) > 0).astype(int)
    features[:, 5] = 1.0  # a constant feature must not break standardisation
    fitted = fit_logistic(features, labels, training={"note": "round trip"})
    loaded = PathwayClassifier.load(fitted.save(tmp_path / "model.json"))
    assert loaded == fitted
    assert np.allclose(loaded.score_features(features), fitted.score_features(features))
    assert roc_auc(fitted.score_features(features), labels) > 0.9
    assert loaded.coefficients[5] == 0.0


def test_load_rejects_missing_and_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(ClassifierError, match="no classifier model file"):
        PathwayClassifier.load(tmp_path / "absent.json")
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps({"weights": [1, 2]}))
    with pytest.raises(ClassifierError, match="not a pfocr pathway classifier"):
        PathwayClassifier.load(foreign)


def test_fit_needs_both_classes() -> None:
    with pytest.raises(ClassifierError, match="both"):
        fit_logistic(np.zeros((4, len(FEATURE_NAMES))), np.ones(4))


def test_roc_auc_and_precision_recall() -> None:
    labels = np.array([0, 0, 1, 1])
    assert roc_auc(np.array([0.1, 0.2, 0.8, 0.9]), labels) == 1.0
    assert roc_auc(np.array([0.9, 0.8, 0.2, 0.1]), labels) == 0.0
    assert roc_auc(np.array([0.5, 0.5, 0.5, 0.5]), labels) == 0.5
    assert precision_recall(np.array([0.1, 0.6, 0.7, 0.4]), labels) == (0.5, 0.5)


# --- label files and training ---------------------------------------------------------------


def test_read_automl_labels_skips_the_malformed_row(tmp_path: Path) -> None:
    labels = tmp_path / "automl.csv"
    labels.write_text(
        "filename,label\n"
        "PMC1__gr1.jpg,pathway\n"
        "TRAIN,gs://bucket/figures/PMC2__gr2.jpg,other\n"
        "\n"
        "PMC3__gr3.jpg\n"
        "PMC4__gr4.jpg,Pathway\n"
        "PMC5__gr5.jpg,maybe\n",
        encoding="utf-8",
    )
    rows, skipped = read_automl_labels(labels)
    assert [(r.filename, r.label) for r in rows] == [
        ("PMC1__gr1.jpg", 1),
        ("PMC2__gr2.jpg", 0),
        ("PMC4__gr4.jpg", 1),
    ]
    assert len(skipped) == 2
    assert "automl.csv:5" in skipped[0] and "PMC3__gr3.jpg" in skipped[0]


def test_read_automl_labels_without_usable_rows(tmp_path: Path) -> None:
    labels = tmp_path / "empty.csv"
    labels.write_text("filename,label\nx.jpg,unknown\n", encoding="utf-8")
    with pytest.raises(ClassifierError, match=r"empty\.csv"):
        read_automl_labels(labels)
    with pytest.raises(ClassifierError, match="cannot read"):
        read_automl_labels(tmp_path / "absent.csv")


def test_train_from_labels_on_rendered_figures(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    lines = ["filename,label"]
    kinds = ("pathway", "bar_chart", "gel", "table")
    for index, example in enumerate(iter_corpus(9, 4, kinds)):
        name = f"fig{index:03d}.png"
        example.image.save(images / name)
        lines.append(f"{name},{'pathway' if example.label else 'other'}")
    lines += ["missing.png,other", "broken-row-without-label"]
    labels = tmp_path / "labels.csv"
    labels.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = train_from_labels(labels, images, tmp_path / "model.json", ocr=False)
    assert report.missing_images == ("missing.png",)
    assert len(report.skipped_rows) == 1
    assert report.figures == len(lines) - 3 and not report.used_ocr
    assert report.train_metrics is not None and report.train_metrics.roc_auc >= 0.9
    trained = PathwayClassifier.load(tmp_path / "model.json")
    assert trained.training["labels_file"] == "labels.csv"


def test_build_default_model_is_deterministic_and_records_its_corpus(tmp_path: Path) -> None:
    first = build_default_model(tmp_path / "a.json", per_kind=2, heldout_per_kind=1)
    second = build_default_model(tmp_path / "b.json", per_kind=2, heldout_per_kind=1)
    assert (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()
    saved = json.loads((tmp_path / "a.json").read_text())
    assert saved["training"]["train_per_kind"] == 2
    assert saved["training"]["heldout_figures"] == first.heldout_metrics.figures
    assert second.figures == first.figures > 0
    with pytest.raises(ClassifierError, match="seed"):
        build_default_model(tmp_path / "c.json", seed=4, heldout_seed=4)


def test_rebuild_command_has_help_and_writes_nothing_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    assert "Rebuild the shipped pathway classifiers" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
