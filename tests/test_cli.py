"""The command line end to end: real OCR, real store, real files, bad inputs."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pfocr.cli import main
from rendering import FIGURE_GENES, render_pathway

JATS = Path(__file__).parent / "fixtures" / "jats"


def invoke(*args: str, input: str | None = None):
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["run"],
        ["export"],
        ["genes"],
        ["ocr"],
        ["status"],
        ["data"],
        ["data", "build"],
        ["data", "info"],
        ["bench"],
    ],
)
def test_every_command_has_help(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_genes_from_argument_and_stdin():
    result = invoke("genes", "--format", "tsv", "c-Myc activates TP53")
    rows = list(csv.DictReader(io.StringIO(result.output), delimiter="\t"))
    assert {r["hgnc_symbol"] for r in rows} >= {"MYC", "TP53"}
    piped = invoke("genes", "--format", "tsv", input="ERK2\nAKT1\n")
    assert {
        r["hgnc_symbol"] for r in csv.DictReader(io.StringIO(piped.output), delimiter="\t")
    } >= {
        "MAPK1",
        "AKT1",
    }


@pytest.mark.ocr
def test_run_writes_every_output(figure_dir, tmp_path):
    out = tmp_path / "out"
    result = invoke("run", str(figure_dir), "--out", str(out), "--date", "20260101")
    assert result.exit_code == 0, result.output
    assert "egfr_pathway" in result.output and "EGFR" in result.output
    rows = list(csv.DictReader((out / "genes.tsv").open(encoding="utf-8"), delimiter="\t"))
    assert list(rows[0])[:11] == [
        "figid",
        "word",
        "symbol",
        "source",
        "hgnc_symbol",
        "entrez",
        "x0",
        "y0",
        "x1",
        "y1",
        "confidence",
    ]
    assert {r["hgnc_symbol"] for r in rows if r["figid"] == "mtor_pathway"} >= set(
        FIGURE_GENES["mtor_pathway"]
    )
    record = (out / "figures" / "egfr_pathway.md").read_text(encoding="utf-8")
    front = yaml.safe_load(record.split("---")[1])
    assert front["figtitle"] == "EGFR signalling"
    assert front["figid_alias"] == "PMC1234567__F2"
    assert {g["hgnc_symbol"] for g in front["genes"]} >= set(FIGURE_GENES["egfr_pathway"])
    assert (out / "_data" / "egfr_pathway-genes.tsv").exists()
    gmt = (out / "pfocr-20260101-gmt-Homo_sapiens.gmt").read_text(encoding="utf-8")
    assert len(gmt.splitlines()) == 3 and "%PFOCR_20260101%p53_pathway%Homo sapiens" in gmt
    assert len((out / "figures.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    again = invoke("run", str(figure_dir), "--out", str(out), "--quiet")
    assert again.exit_code == 0
    runs = (
        sqlite3.connect(out / "pfocr.sqlite")
        .execute("SELECT n_figures, n_processed, n_reused FROM runs ORDER BY run_id")
        .fetchall()
    )
    assert runs == [(3, 3, 0), (3, 0, 3)]


def _bad_inputs(folder: Path) -> dict[str, str]:
    """Broken inputs of every kind, with the stage each must fail at."""
    folder.mkdir()
    good = render_pathway(folder / "good.png", ("EGFR", "KRAS"))
    (folder / "empty.png").write_bytes(b"")
    (folder / "truncated.png").write_bytes(good.read_bytes()[:300])
    (folder / "not_an_image.jpg").write_text("hello, I am text", encoding="utf-8")
    render_pathway(folder / "huge.png", ("TP53",) * 12)  # over the pixel limit set below
    (folder / "articles").mkdir()
    (folder / "articles" / "broken.nxml").write_text("<article><fig id='f1'>", encoding="utf-8")
    package = folder / "package"
    package.mkdir()
    shutil.copy(JATS / "pone.0000217.nxml", package)
    render_pathway(package / "pone.0000217.g001.jpg", ("AKT1",))
    return {
        "empty.png": "decode",
        "truncated.png": "decode",
        "not_an_image.jpg": "decode",
        "huge.png": "decode",
        "broken.nxml": "ingest",
        "pone.0000217": "ingest",
    }


@pytest.mark.ocr
def test_bad_inputs_are_recorded_and_the_run_goes_on(tmp_path):
    out = tmp_path / "out"
    first = invoke("run", str(render_pathway(tmp_path / "kept.png", ("MTOR",))), "--out", str(out))
    assert first.exit_code == 0
    expected = _bad_inputs(tmp_path / "bad")
    result = invoke("run", str(tmp_path / "bad"), "--out", str(out), "--max-pixels", "150000")
    assert result.exit_code == 1
    conn = sqlite3.connect(out / "pfocr.sqlite")
    failures = conn.execute(
        "SELECT source, stage, message FROM failures WHERE run_id = 2"
    ).fetchall()
    for name, stage in expected.items():
        matching = [f for f in failures if name in f[0] or name in f[2]]
        assert matching, (name, failures)
        assert {f[1] for f in matching} <= {stage, "read"}, (name, matching)
        assert any(name in line for line in result.output.splitlines()), name
    figures = {row[0] for row in conn.execute("SELECT figid FROM figures")}
    # the earlier figure is kept; the good inputs of the bad folder are processed
    assert {"kept", "good", "PMC1790863__pone.0000217.g001"} <= figures
    assert not figures & {"empty", "truncated", "not_an_image", "huge"}
    kept = conn.execute("SELECT count(*) FROM mentions WHERE figid = 'kept'").fetchone()[0]
    assert kept >= 1


def test_export_without_store_says_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["export", str(tmp_path)])
    assert result.exit_code == 1
    assert "pfocr run" in result.output


def test_unknown_engine_suggests_a_name(tmp_path):
    result = CliRunner().invoke(
        main, ["run", str(tmp_path), "--out", str(tmp_path / "o"), "--engine", "rapidoc"]
    )
    assert result.exit_code == 1
    assert "Did you mean 'rapidocr'" in result.output
