"""Everything a figure yields beyond genes: chemicals, diseases, organisms, interactions,
the pathway score, and the ``--min-score`` gate, through the real pipeline and store."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw, ImageFont

from pfocr.cli import main
from pfocr.export import export_all
from pfocr.models import (
    ChemicalMention,
    DiseaseMention,
    Edge,
    Figure,
    FigureResult,
    Mention,
    OcrToken,
    OrganismCount,
    OrganismRow,
)
from pfocr.pipeline import PipelineSettings, run_pipeline
from pfocr.store import connect, iter_records, store_path
from pfocr.store.db import load_record, migrate, save_result, start_run

LABELS = ("EGFR", "cAMP", "PRKACA", "Ca2+", "CREB1")
CAPTION = "Signalling in mouse hepatocytes in Alzheimer's disease. cAMP activates PKA."


def _render(path: Path) -> Path:
    font = ImageFont.load_default(size=26)
    image = Image.new("RGB", (560, 90 * len(LABELS) + 40), "white")
    draw = ImageDraw.Draw(image)
    for index, label in enumerate(LABELS):
        x0, y0 = 170, 20 + index * 90
        draw.rectangle((x0, y0, x0 + 210, y0 + 46), outline="black", width=2)
        draw.text((x0 + 24, y0 + 8), label, fill="black", font=font)
        if index:
            draw.line((x0 + 105, y0 - 44, x0 + 105, y0), fill="black", width=2)
    image.save(path)
    return path


@pytest.fixture(scope="module")
def figure_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("figures")
    _render(folder / "signalling.png")
    (folder / "signalling.yml").write_text(
        "figid: signalling\nfigure_title: cAMP signalling\n"
        f'caption: "{CAPTION}"\npmcid: PMC1000009\n',
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def processed(figure_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    summary = run_pipeline([figure_folder], out)
    assert summary.ok, summary.failures
    export_all(iter_records(connect(store_path(out))), out, date="20261127")
    return out


@pytest.mark.ocr
def test_chemicals_diseases_organisms_and_score_are_stored(processed: Path) -> None:
    conn = connect(store_path(processed))
    record = load_record(conn, "signalling")
    assert record is not None
    chemicals = {c.match: c for c in record.chemicals}
    assert chemicals["cAMP"].chebi == "CHEBI:17489" and chemicals["cAMP"].mesh == "D000242"
    assert any(c.mesh == "D002118" for c in record.chemicals), chemicals  # Ca2+ -> Calcium
    # The chemical's box is where it was drawn (second row of the figure).
    assert 100 < chemicals["cAMP"].y0 < 160
    assert "Mus musculus" in record.organisms
    assert record.pathway_score is not None and 0.0 <= record.pathway_score <= 1.0
    assert {m.hgnc_symbol for m in record.mentions} >= {"EGFR", "PRKACA", "CREB1"}
    ner = {row.organism_name: row for row in record.organisms_ner}
    assert ner["Homo sapiens"].count_match >= 3


@pytest.mark.ocr
def test_chemical_and_disease_tables_and_gmts_are_written(processed: Path) -> None:
    with (processed / "_data" / "signalling-chemicals.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert rows and list(rows[0])[:5] == ["word", "mesh", "match", "name", "chebi"]
    assert "CHEBI:17489" in {row["chebi"] for row in rows}
    header = (processed / "_data" / "signalling-diseases.tsv").read_text().split("\n")[0]
    assert header.split("\t")[:5] == ["word", "mesh", "match", "name", "doid"]
    mouse = processed / "pfocr-20261127-gmt-Mus_musculus.gmt"
    assert mouse.exists(), sorted(p.name for p in processed.iterdir())
    line = mouse.read_text().strip().split("\t")
    assert line[0].endswith("%signalling%Mus musculus") and len(line) >= 5
    record = (processed / "figures" / "signalling.md").read_text(encoding="utf-8")
    assert "chebi: CHEBI:17489" in record and "organisms_ner:" in record


def _result(figid: str) -> FigureResult:
    return FigureResult(
        figure=Figure(figid=figid, image_path=None, source="test"),
        image_sha256="ab" * 32,
        width=100,
        height=80,
        tokens=(OcrToken("EGFR", 1, 2, 30, 12, 0.99),),
        mentions=(Mention("EGFR", "EGFR", "hgnc_symbol", "EGFR", "1956", 1, 2, 30, 12),),
        chemicals=(ChemicalMention("cAMP", "cAMP", "Cyclic AMP", "D000242", "CHEBI:17489"),),
        diseases=(DiseaseMention("AD", "AD", "Alzheimer Disease", "D000544", "DOID:10652"),),
        organisms=(OrganismRow("Mus musculus", "10090", "rodents", "text: mouse"),),
        organisms_ner=(OrganismCount("9606", "Homo sapiens", "primates", 1, 0, 1),),
        edges=(
            Edge(
                "EGFR",
                "CHEBI:17489",
                "inhibition",
                0.8,
                ((1.0, 2.0), (3.5, 4.5)),  # polylines are stored to 0.1 px
                source_word="EGFR",
                target_word="cAMP",
                target_type="chemical",
            ),
        ),
        pathway_score=0.75,
    )


def test_store_round_trips_every_result_kind(tmp_path: Path) -> None:
    conn = connect(tmp_path / "pfocr.sqlite")
    run_id = start_run(conn, {}, "test")
    result = _result("fig1")
    save_result(conn, result, ocr_key="k", recognise_key="r", run_id=run_id)
    record = load_record(conn, "fig1")
    assert record is not None
    assert record.chemicals == result.chemicals
    assert record.diseases == result.diseases
    assert record.organisms == ("Mus musculus",)
    assert record.set_organisms() == ("Mus musculus",)
    assert record.organisms_ner == result.organisms_ner
    assert record.edges == result.edges
    assert record.pathway_score == 0.75
    # Writing the figure again replaces every row instead of adding to them.
    save_result(conn, result, ocr_key="k", recognise_key="r", run_id=run_id)
    for table in ("chemicals", "diseases", "organisms", "organisms_ner", "edges"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 1, table


def test_schema_is_created_on_an_empty_file(tmp_path: Path) -> None:
    raw = sqlite3.connect(tmp_path / "s.sqlite")
    migrate(raw)
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"chemicals", "diseases", "organisms", "organisms_ner", "edges"} <= tables


@pytest.mark.ocr
def test_min_score_skips_reading_then_a_later_run_reads(figure_folder: Path, tmp_path: Path):
    gate = PipelineSettings(min_score=0.999)
    summary = run_pipeline([figure_folder], tmp_path, settings=gate)
    assert summary.ok
    conn = connect(store_path(tmp_path))
    row = conn.execute(
        "SELECT skipped, ocr_key, pathway_score FROM figures WHERE figid = 'signalling'"
    ).fetchone()
    assert row["skipped"] == 1 and row["ocr_key"] == "" and row["pathway_score"] < 0.999
    assert conn.execute("SELECT count(*) FROM ocr_tokens").fetchone()[0] == 0
    assert list(iter_records(conn)) == []  # unread figures are not published
    assert len(list(iter_records(conn, include_skipped=True))) == 1
    conn.close()

    summary = run_pipeline([figure_folder], tmp_path)
    assert summary.processed == 1
    conn = connect(store_path(tmp_path))
    assert conn.execute("SELECT skipped FROM figures").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM mentions").fetchone()[0] >= 3


def test_classify_score_without_ocr(figure_folder: Path) -> None:
    result = CliRunner().invoke(
        main, ["classify", "score", str(figure_folder), "--no-ocr", "--format", "tsv"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().split("\n")
    assert lines[0].split("\t") == ["image", "pathway_score", "class"]
    image, score, label = lines[1].split("\t")
    assert image.endswith("signalling.png") and 0 <= float(score) <= 1
    assert label == ("pathway" if float(score) >= 0.5 else "other")


def test_classify_train_fits_a_model_from_automl_labels(tmp_path: Path) -> None:
    from pfocr.classify.corpus import render_example

    images = tmp_path / "images"
    images.mkdir()
    rows = ["filename,label"]
    for index, kind in enumerate(["pathway", "bar_chart", "gel", "pathway_cartoon"] * 3):
        example = render_example(kind, seed=index)
        name = f"img{index}.png"
        example.image.save(images / name)
        rows.append(f"gs://bucket/{name},{'pathway' if example.label else 'other'}")
    labels = tmp_path / "labels.csv"
    labels.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "model.json"
    result = CliRunner().invoke(
        main, ["classify", "train", str(labels), str(images), "--out", str(out), "--no-ocr"]
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and '"figures": 12' in result.output
    scored = CliRunner().invoke(
        main, ["classify", "score", str(images), "--model", str(out), "--format", "json"]
    )
    assert scored.exit_code == 0, scored.output
    assert scored.output.count("pathway_score") == 12


def test_every_new_command_has_help() -> None:
    commands = (["classify", "--help"], ["classify", "train", "--help"], ["bench-crops", "--help"])
    for args in commands:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0 and "Usage:" in result.output, args
    run_help = CliRunner().invoke(main, ["run", "--help"]).output
    assert "--min-score" in run_help and "--no-edges" in run_help


@pytest.mark.ocr
def test_bench_scores_genes_and_chemicals_with_the_folder_scorers(
    figure_folder: Path, tmp_path: Path
) -> None:
    from pfocr.bench import run_benchmark

    bench = tmp_path / "bench"
    (bench / "figures").mkdir(parents=True)
    (bench / "truth").mkdir()
    _render(bench / "figures" / "signalling.png")
    (bench / "truth" / "dev.tsv").write_text("figure_id\thgnc_symbol\nsignalling\tEGFR\n")
    (bench / "truth" / "dev-chemicals.tsv").write_text("figure_id\tchebi\nsignalling\tCHEBI:1\n")
    # Scorers that report what they were given: the rows of the prediction file.
    scorer = (
        "import sys\n"
        "rows = open(sys.argv[-2] if sys.argv[-1].startswith('--') else sys.argv[-1]).read()\n"
        "print('rows', len(rows.strip().splitlines()) - 1, 'CHEBI:17489' in rows)\n"
    )
    (bench / "score.py").write_text(scorer)
    (bench / "score_extra.py").write_text(scorer)
    report = run_benchmark(bench, tmp_path / "out")
    assert report.figures == 1 and report.failed == 0
    assert "rows" in report.scorer_output["strict"]
    assert report.extra_output["chemicals"].strip().endswith("True")
    assert "edges" not in report.extra_output  # no interaction truth in this folder
    assert "-- chemicals" in report.render()
