"""Enrichment statistics, gene-list parsing and the gene-set library over a real store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.stats import fisher_exact

from pfocr.cli import main
from pfocr.enrich import (
    EnrichError,
    GeneSetLibrary,
    benjamini_hochberg,
    enrich,
    hypergeometric_sf,
    odds_ratios,
    resolve_genes,
    split_gene_list,
)
from pfocr.store.db import connect, store_path
from pfocr.web.sample import example_results, write_store


@pytest.mark.parametrize(
    ("overlap", "size", "query", "universe"),
    [
        (3, 10, 20, 1000),
        (1, 5, 5, 50),
        (7, 40, 12, 20000),
        (2, 2, 2, 10),
        (1, 300, 200, 15000),
        (12, 250, 200, 15000),
        (40, 60, 200, 15000),
    ],
)
def test_hypergeometric_tail_is_fishers_one_sided_test(
    overlap: int, size: int, query: int, universe: int
) -> None:
    table = [[overlap, size - overlap], [query - overlap, universe - size - query + overlap]]
    expected = fisher_exact(table, alternative="greater")[1]
    got = hypergeometric_sf(np.array([overlap]), np.array([size]), query, universe)[0]
    assert got == pytest.approx(expected, rel=1e-8)


def test_no_overlap_scores_one() -> None:
    p = hypergeometric_sf(np.array([0, 0]), np.array([5, 50]), 10, 100)
    assert list(p) == [1.0, 1.0]


def test_benjamini_hochberg_matches_r_p_adjust() -> None:
    # p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.5), "BH") in R
    adjusted = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.005, 0.5]))
    assert adjusted == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.5])


def test_odds_ratio_plain_and_corrected() -> None:
    ratios = odds_ratios(np.array([4, 2]), np.array([10, 2]), 8, 100)
    assert ratios[0] == pytest.approx((4 * 86) / (6 * 4))
    assert ratios[1] == pytest.approx((2.5 * 92.5) / (0.5 * 6.5))  # zero cell: +0.5 each


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TP53\nEGFR", ["TP53", "EGFR"]),
        (" tp53, egfr;BAX\t7157 | myc ", ["tp53", "egfr", "BAX", "7157", "myc"]),
        ("", []),
    ],
)
def test_split_gene_list(text: str, expected: list[str]) -> None:
    assert split_gene_list(text) == expected


def test_resolve_genes_any_case_ids_and_aliases() -> None:
    resolved = resolve_genes(["tp53", "NCBIGene:1956", "Her2", "672", "NOT_A_GENE", "TP53"])
    assert resolved.entrez == ("7157", "1956", "2064", "672")
    assert resolved.unmapped == ("NOT_A_GENE",)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> GeneSetLibrary:
    out = write_store(tmp_path_factory.mktemp("enrich"), example_results(None))
    conn = connect(out)
    try:
        return GeneSetLibrary.from_store(conn)
    finally:
        conn.close()


def test_library_tiers_and_organisms(library: GeneSetLibrary) -> None:
    fig = "PMC1000001__F1"
    assert set(library.set_genes(fig, "strict")) == {"1956", "7157", "581"}
    assert set(library.set_genes(fig, "synonyms")) == {"1956", "7157", "581", "2064"}
    assert set(library.set_genes(fig, "all")) == {"1956", "7157", "581", "2064", "5595", "5594"}
    assert library.organism_names[0] == "Homo sapiens"
    assert "Mus musculus" in library.organism_names


def test_enrich_ranks_the_figure_sharing_most_genes(library: GeneSetLibrary) -> None:
    result = enrich(library, "CTNNB1 apc Myc xyz", min_size=1)
    assert result.hits[0].figid == "PMC1000002__F2"
    assert result.hits[0].overlap_genes == ("APC", "CTNNB1", "MYC")
    assert result.unmapped == ("xyz",)
    assert result.universe == 9  # distinct genes in the human figures. sets
    assert result.sets_tested == 2
    assert result.hits[0].p_value < 0.05


def test_enrich_organism_background_and_errors(library: GeneSetLibrary) -> None:
    mouse = enrich(library, ["INSR", "AKT2"], organism="Mus musculus", min_size=1)
    assert [h.figid for h in mouse.hits] == ["PMC1000003__F1"]
    genome = enrich(library, ["CTNNB1", "APC"], background="genome", min_size=1)
    assert genome.universe > 19000
    assert genome.hits[0].p_value < enrich(library, ["CTNNB1", "APC"], min_size=1).hits[0].p_value
    custom = enrich(
        library, ["CTNNB1", "APC"], background=["CTNNB1", "APC", "MYC", "TP53", "BAX"], min_size=1
    )
    assert custom.universe == 5 and custom.background == "custom"
    assert custom.hits[0].set_size == 4  # FIG2 restricted to the background
    with pytest.raises(EnrichError, match="Unknown tier"):
        enrich(library, "TP53", tier="loose")
    with pytest.raises(EnrichError, match="empty"):
        enrich(library, " ,\n")
    with pytest.raises(EnrichError, match="organism"):
        enrich(library, "TP53", organism="Danio rerio")
    with pytest.raises(EnrichError, match="known symbol"):
        enrich(library, "nothing here")


def test_enrich_200_genes_against_100k_sets_is_fast() -> None:
    rng = np.random.default_rng(1)
    n_sets, n_genes = 100_000, 15_000
    sizes = np.clip(rng.lognormal(np.log(18), 0.75, n_sets).astype(int), 1, 300)
    fig_idx = np.repeat(np.arange(n_sets), sizes)
    popularity = 1.0 / (np.arange(n_genes) + 10)
    gene_idx = rng.choice(n_genes, size=fig_idx.size, p=popularity / popularity.sum())
    genes = [str(100_000 + i) for i in range(n_genes)]
    library = GeneSetLibrary(
        [f"F{i:06d}" for i in range(n_sets)],
        [""] * n_sets,
        (fig_idx, gene_idx, np.zeros(fig_idx.size, dtype=np.int8)),
        genes,
        genes,
        {"Homo sapiens": np.ones(n_sets, dtype=bool)},
    )
    query = genes[:200]
    enrich(library, query)  # builds the cached view once
    # (its speed is measured by scripts/bench_web.py, not asserted here)
    result = enrich(library, query)
    assert result.sets_tested > 90_000 and result.hits


def test_cli_enrich_tsv(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_store(out, example_results(None))
    genes = tmp_path / "genes.txt"
    genes.write_text("ctnnb1\nAPC, MYC\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["enrich", str(genes), "--store", str(out), "--format", "tsv", "--min-size", "1"],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split("\t") == [
        "figid",
        "title",
        "overlap",
        "set_size",
        "p_value",
        "fdr",
        "odds_ratio",
        "genes",
    ]
    assert lines[1].split("\t")[0] == "PMC1000002__F2"
    assert lines[1].split("\t")[-1] == "APC,CTNNB1,MYC"
    assert store_path(out).exists()
    bad = CliRunner().invoke(main, ["enrich", str(genes), "--store", str(out), "--tier", "x"])
    assert bad.exit_code == 1 and "Unknown tier" in bad.output


def test_library_cache_file_round_trip(library: GeneSetLibrary, tmp_path: Path) -> None:
    cache = tmp_path / "sets.npz"
    library.save(cache, "fp-1")
    assert GeneSetLibrary.load(cache, "fp-2") is None  # the store changed since
    loaded = GeneSetLibrary.load(cache, "fp-1")
    assert loaded is not None
    assert loaded.figids == library.figids and loaded.titles == library.titles
    assert loaded.organism_names == library.organism_names
    query = "CTNNB1 APC MYC TP53"
    assert (
        enrich(loaded, query, min_size=1).to_json() == enrich(library, query, min_size=1).to_json()
    )
