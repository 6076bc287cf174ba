"""The whole pipeline on rendered figures with the real OCR engine and a real store."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from pfocr.pipeline import run_pipeline
from pfocr.store import connect, iter_records, store_path
from rendering import FIGURE_GENES, render_pathway

pytestmark = pytest.mark.ocr


def _genes_by_figure(out: Path) -> dict[str, set[str]]:
    conn = connect(store_path(out))
    try:
        return {r.figure.figid: {m.hgnc_symbol for m in r.mentions} for r in iter_records(conn)}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def first_run(figure_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    summary = run_pipeline([figure_dir], out)
    return out, summary


def test_every_drawn_gene_is_found(first_run):
    out, summary = first_run
    assert summary.ok and summary.processed == len(FIGURE_GENES)
    found = _genes_by_figure(out)
    for figid, labels in FIGURE_GENES.items():
        assert set(labels) <= found[figid], (figid, found[figid])


def test_mentions_keep_boxes_and_confidence(first_run):
    out, _ = first_run
    conn = connect(store_path(out))
    row = conn.execute(
        "SELECT x0, y0, x1, y1, confidence, source, entrez FROM mentions "
        "WHERE figid = 'p53_pathway' AND hgnc_symbol = 'TP53'"
    ).fetchone()
    conn.close()
    x0, y0, x1, y1, confidence, source, entrez = row
    assert 160 <= x0 < x1 <= 380 and 0 <= y0 < y1 <= 120
    assert 0.5 < confidence <= 1.0
    assert (source, entrez) == ("hgnc_symbol", "7157")


def test_sidecar_metadata_is_stored(first_run):
    out, _ = first_run
    conn = connect(store_path(out))
    title, pmcid, number = conn.execute(
        "SELECT figtitle, pmcid, number FROM figures WHERE figid = 'egfr_pathway'"
    ).fetchone()
    conn.close()
    assert (title, pmcid, number) == ("EGFR signalling", "PMC1234567", "Figure 2")


def test_second_run_does_no_repeated_work(figure_dir, first_run, tmp_path):
    out, _ = first_run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = _genes_by_figure(copy)
    summary = run_pipeline([figure_dir], copy)
    assert (summary.processed, summary.rerecognised, summary.unchanged) == (0, 0, 3)
    assert _genes_by_figure(copy) == before


def test_changed_image_is_reprocessed(figure_dir, first_run, tmp_path):
    out, _ = first_run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    inputs = tmp_path / "figs"
    shutil.copytree(figure_dir, inputs)
    render_pathway(inputs / "p53_pathway.png", ("TP53", "BRCA1"))
    summary = run_pipeline([inputs], copy)
    assert (summary.processed, summary.unchanged) == (1, 2)
    assert {"TP53", "BRCA1"} <= _genes_by_figure(copy)["p53_pathway"]


def test_stale_recognition_is_redone_from_stored_tokens(figure_dir, first_run, tmp_path):
    out, _ = first_run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    raw = sqlite3.connect(store_path(copy))
    with raw:
        raw.execute("UPDATE figures SET recognise_key = 'older lexicon'")
        raw.execute("DELETE FROM mentions")
    raw.close()
    summary = run_pipeline([figure_dir], copy)
    assert (summary.processed, summary.rerecognised) == (0, 3)
    assert _genes_by_figure(copy) == _genes_by_figure(out)


def test_ambiguous_label_is_stored_with_its_candidates_not_as_genes(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    render_pathway(inputs / "rip.png", ("RIP1", "TP53"))
    out = tmp_path / "out"
    assert run_pipeline([inputs], out).ok
    conn = connect(store_path(out))
    try:
        (record,) = list(iter_records(conn))
    finally:
        conn.close()
    assert {m.hgnc_symbol for m in record.mentions} == {"TP53"}
    (word,) = record.ambiguous
    assert word.word == "RIP1" and "RIPK1" in word.candidates and len(word.candidates) > 1
    assert len(word.entrez) == len(word.candidates) and all(word.entrez)
