"""Gene-mention tables: ``genes.tsv`` over all figures and ``_data/<figid>-genes.tsv`` per figure.

One row per mention (not deduplicated), so the boxes and transforms of every hit are kept.
Values never contain tabs or newlines; a value holding a double quote is quoted the CSV way,
which keeps the files readable by Python's ``csv``, pandas, R and Ruby's strict CSV parser
(Jekyll reads ``_data``).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from typing import TextIO

from pfocr.export._common import clean_text
from pfocr.models import AmbiguousMention, ChemicalMention, DiseaseMention, FigureRecord, Mention

#: Columns of the per-figure table (``_data/<figid>-genes.tsv``).
FIGURE_GENE_COLUMNS: tuple[str, ...] = (
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
    "transforms",
    "family",
)
#: Columns of ``genes.tsv``: the figure id, then the per-figure columns.
GENE_COLUMNS: tuple[str, ...] = ("figid", *FIGURE_GENE_COLUMNS)


def _pixel(value: float) -> str:
    """Nearest whole pixel, halves rounded up (not to even), or "" for a missing value."""
    return str(math.floor(value + 0.5)) if math.isfinite(value) else ""


def mention_row(mention: Mention) -> list[str]:
    """A mention as the values of :data:`FIGURE_GENE_COLUMNS`."""
    confidence = mention.confidence
    return [
        clean_text(mention.word),
        clean_text(mention.symbol),
        clean_text(mention.source),
        clean_text(mention.hgnc_symbol),
        clean_text(mention.entrez),
        _pixel(mention.x0),
        _pixel(mention.y0),
        _pixel(mention.x1),
        _pixel(mention.y1),
        f"{confidence:.3f}" if math.isfinite(confidence) else "",
        ";".join(clean_text(name) for name in mention.transforms),
        clean_text(mention.family),
    ]


class GeneTableWriter:
    """Streams ``genes.tsv``: the header at creation, then the rows of each record."""

    def __init__(self, handle: TextIO) -> None:
        self._csv = csv.writer(handle, delimiter="\t", lineterminator="\n")
        self._csv.writerow(GENE_COLUMNS)
        self.rows = 0

    def write(self, record: FigureRecord) -> None:
        figid = clean_text(record.figure.figid)
        for mention in record.mentions:
            self._csv.writerow([figid, *mention_row(mention)])
        self.rows += len(record.mentions)


#: Columns of ``ambiguous.tsv``: words that are synonyms of several genes the figure gave no
#: reason to choose between, with every candidate (``;``-separated, symbols and Entrez IDs in
#: the same order). No gene table, GMT or flavour counts them.
AMBIGUOUS_COLUMNS: tuple[str, ...] = (
    "figid",
    "word",
    "symbol",
    "source",
    "candidates",
    "candidate_entrez",
    "x0",
    "y0",
    "x1",
    "y1",
    "confidence",
    "transforms",
)


def ambiguous_row(figid: str, item: AmbiguousMention) -> list[str]:
    """An ambiguous word as the values of :data:`AMBIGUOUS_COLUMNS`."""
    return [
        clean_text(figid),
        clean_text(item.word),
        clean_text(item.symbol),
        clean_text(item.source),
        ";".join(clean_text(c) for c in item.candidates),
        ";".join(clean_text(e) for e in item.entrez),
        _pixel(item.x0),
        _pixel(item.y0),
        _pixel(item.x1),
        _pixel(item.y1),
        f"{item.confidence:.3f}" if math.isfinite(item.confidence) else "",
        ";".join(clean_text(name) for name in item.transforms),
    ]


class AmbiguousTableWriter:
    """Streams ``ambiguous.tsv``: the header at creation, then each record's ambiguous words."""

    def __init__(self, handle: TextIO) -> None:
        self._csv = csv.writer(handle, delimiter="\t", lineterminator="\n")
        self._csv.writerow(AMBIGUOUS_COLUMNS)
        self.rows = 0

    def write(self, record: FigureRecord) -> None:
        for item in record.ambiguous:
            self._csv.writerow(ambiguous_row(record.figure.figid, item))
        self.rows += len(record.ambiguous)


def write_figure_genes(handle: TextIO, mentions: Iterable[Mention]) -> None:
    """Write one figure's mention table (``_data/<figid>-genes.tsv``) to ``handle``."""
    writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
    writer.writerow(FIGURE_GENE_COLUMNS)
    writer.writerows(mention_row(mention) for mention in mentions)


#: Columns of ``_data/<figid>-chemicals.tsv``: PFOCR's five, then where and how it was read.
FIGURE_CHEMICAL_COLUMNS: tuple[str, ...] = (
    "word",
    "mesh",
    "match",
    "name",
    "chebi",
    "x0",
    "y0",
    "x1",
    "y1",
    "confidence",
    "source",
)
#: Columns of ``_data/<figid>-diseases.tsv`` (``doid`` in place of ``chebi``).
FIGURE_DISEASE_COLUMNS: tuple[str, ...] = tuple(
    "doid" if name == "chebi" else name for name in FIGURE_CHEMICAL_COLUMNS
)


def term_row(item: ChemicalMention | DiseaseMention) -> list[str]:
    """A chemical or disease as the values of its per-figure table."""
    ident = item.chebi if isinstance(item, ChemicalMention) else item.doid
    return [
        clean_text(item.word),
        clean_text(item.mesh),
        clean_text(item.match),
        clean_text(item.name),
        clean_text(ident),
        _pixel(item.x0),
        _pixel(item.y0),
        _pixel(item.x1),
        _pixel(item.y1),
        f"{item.confidence:.3f}" if math.isfinite(item.confidence) else "",
        clean_text(item.source),
    ]


def write_figure_terms(
    handle: TextIO, items: Iterable[ChemicalMention] | Iterable[DiseaseMention], kind: str
) -> None:
    """Write a figure's ``-chemicals.tsv`` or ``-diseases.tsv`` (``kind``) to ``handle``."""
    writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
    writer.writerow(FIGURE_CHEMICAL_COLUMNS if kind == "chemicals" else FIGURE_DISEASE_COLUMNS)
    writer.writerows(term_row(item) for item in items)
