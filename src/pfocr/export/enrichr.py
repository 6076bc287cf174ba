"""The Enrichr gene-set library format: one figure per line, HGNC symbols.

Enrichr (and tools reading its libraries) take ``term<TAB><TAB>SYMBOL<TAB>SYMBOL...``: a term
name, an empty description and gene symbols rather than Entrez IDs. The term is the figure
title followed by its page name, so every term is unique and leads back to the figure; the
title is made GMT-safe as in the GMT export. Figures need ``min_genes`` distinct symbols
and a gene set in the organism's file (human by default).
"""

from __future__ import annotations

from typing import TextIO

from pfocr.export._common import clean_text, distinct, figure_file_stem
from pfocr.export.gmt import SPECIES, gmt_title
from pfocr.models import FigureRecord


def enrichr_file_name(date: str, species: str = SPECIES) -> str:
    """``pfocr-<YYYYMMDD>-enrichr-<Genus_species>.txt``."""
    return f"pfocr-{date}-enrichr-{species.replace(' ', '_')}.txt"


def enrichr_line(record: FigureRecord, *, min_genes: int = 3, species: str = SPECIES) -> str | None:
    """The figure's library line (ending in a newline), or None when it gets no set."""
    if species not in record.set_organisms():
        return None
    symbols = distinct(
        clean_text(m.hgnc_symbol) for m in record.mentions if clean_text(m.entrez).isdigit()
    )
    if len(symbols) < min_genes:
        return None
    stem = figure_file_stem(record.figure.figid)
    term = f"{gmt_title(record.figure.figtitle, stem)} {stem}"
    return "\t".join([term, "", *symbols]) + "\n"


class EnrichrWriter:
    """Streams library lines to an open file, one per qualifying figure."""

    def __init__(self, handle: TextIO, *, min_genes: int = 3, species: str = SPECIES) -> None:
        self._handle = handle
        self._min_genes = min_genes
        self._species = species
        self.gene_sets = 0

    def write(self, record: FigureRecord) -> None:
        line = enrichr_line(record, min_genes=self._min_genes, species=self._species)
        if line is not None:
            self._handle.write(line)
            self.gene_sets += 1
