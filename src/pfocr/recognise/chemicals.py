"""Chemical recognition: MeSH/ChEBI names and curated figure abbreviations, offline.

PFOCR sends a figure's OCR text to the PubTator web service for chemicals; here the same
MeSH-grounded answer comes from the vendored lexicon (``lexicon/chemical_terms.tsv.gz``,
and ``lexicon/chemical_terms_chebi.tsv.gz`` for the metabolite names only ChEBI knows)
plus ``curated/chemical_abbreviations.tsv`` for the short forms figures use (cAMP, Ca2+,
PIP3, ROS...), with every decision traceable to a table row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from pfocr.models import ChemicalMention, Mention, OcrToken
from pfocr.recognise import terms
from pfocr.recognise.terms import SOURCE_CURATED, Entry, Hit, TermMatcher
from pfocr.sources.build import DATA_DIR, iter_tsv_gz
from pfocr.sources.chemical_disease import (
    CHEBI_TERMS_FILE,
    CHEMICAL_TERMS_FILE,
    SOURCE_CHEBI,
    SOURCE_CHEBI_VARIANT,
    SOURCE_MESH_SUPPLEMENTARY,
)

ABBREVIATIONS_FILE = "curated/chemical_abbreviations.tsv"
STOPWORDS_FILE = "curated/recognition_stopwords.tsv"
ABBREVIATION_COLUMNS = ("abbreviation", "mesh", "name", "chebi", "context", "over_gene", "reason")
STOPWORD_COLUMNS = ("word", "kind", "reason")
#: How much each table is trusted, multiplied by the OCR confidence.
SOURCE_CONFIDENCE = {
    SOURCE_CURATED: 0.95,
    "mesh_label": 0.9,
    "mesh_entry": 0.85,
    "chebi_name": 0.85,
    SOURCE_MESH_SUPPLEMENTARY: 0.75,
    SOURCE_CHEBI: 0.75,
    SOURCE_CHEBI_VARIANT: 0.7,
}


def load_chemical_entries(
    data_dir: Path | None = None, *, include_supplementary: bool = True
) -> list[Entry]:
    """Curated abbreviations and lexicon terms as matcher entries (ids: mesh, chebi)."""
    root = data_dir or DATA_DIR
    entries = [
        Entry(
            term=row["abbreviation"],
            name=row["name"],
            ids=(row["mesh"], row["chebi"]),
            source=SOURCE_CURATED,
            context=terms.split_context(row["context"]),
            over_gene=row["over_gene"].strip().lower() == "yes",
        )
        for row in terms.read_curated(root / ABBREVIATIONS_FILE, ABBREVIATION_COLUMNS)
    ]
    for name in (CHEMICAL_TERMS_FILE, CHEBI_TERMS_FILE):
        for row in iter_tsv_gz(root / name):
            if not include_supplementary and row["source"] == SOURCE_MESH_SUPPLEMENTARY:
                continue
            entries.append(
                Entry(row["term"], row["name"], (row["mesh"], row["chebi"]), row["source"])
            )
    return entries


def load_stopwords(kind: str, data_dir: Path | None = None) -> set[str]:
    """English words that vocabularies list as entry terms, never accepted as ``kind``."""
    rows = terms.read_curated((data_dir or DATA_DIR) / STOPWORDS_FILE, STOPWORD_COLUMNS)
    return terms.stopwords_for(rows, kind)


class ChemicalRecogniser:
    """Finds chemicals in OCR tokens or text; build once, reuse for every figure."""

    def __init__(
        self,
        entries: Iterable[Entry] | None = None,
        stopwords: Iterable[str] | None = None,
        *,
        data_dir: Path | None = None,
        include_supplementary: bool = True,
    ) -> None:
        if entries is None:
            entries = load_chemical_entries(data_dir, include_supplementary=include_supplementary)
        if stopwords is None:
            stopwords = load_stopwords("chemical", data_dir)
        entries = list(entries)
        self._matcher = TermMatcher(entries, stopwords, kind="chemical")
        self._over_gene = frozenset(e.term for e in entries if e.over_gene)

    def __len__(self) -> int:
        return len(self._matcher)

    def _mention(self, hit: Hit) -> ChemicalMention:
        mesh, chebi = hit.entry.ids
        return ChemicalMention(
            mesh=mesh, chebi=chebi, **terms.mention_fields(hit, SOURCE_CONFIDENCE)
        )

    def recognise(self, tokens: Sequence[OcrToken], context: str = "") -> list[ChemicalMention]:
        """Chemicals drawn in a figure, from its OCR tokens (lines or words).

        ``context`` (caption, figure and article titles) decides ambiguous short forms
        together with the figure's other words.
        """
        return [self._mention(hit) for hit in self._matcher.find_in_tokens(tokens, context)]

    def recognise_text(self, text: str, context: str = "") -> list[ChemicalMention]:
        """Chemicals in plain text (a caption); boxes are character offsets into ``text``."""
        return [self._mention(hit) for hit in self._matcher.find_in_text(text, context)]

    def drop_gene_clashes(
        self, genes: Sequence[Mention], chemicals: Sequence[ChemicalMention]
    ) -> list[Mention]:
        """Gene mentions minus those read in the box of a chemical that claims the word.

        Curated abbreviations marked ``over_gene`` ("ATP", "LPS", "ROS", "DAG") drawn as
        chemicals are not the genes whose aliases they also are (ATP8A2, ROS1, ...).
        """
        boxes = [
            (c.x0, c.y0, c.x1, c.y1)
            for c in chemicals
            if c.source == SOURCE_CURATED and c.match in self._over_gene
        ]

        def overlaps(m: Mention) -> bool:
            return any(
                m.x0 < x1 and x0 < m.x1 and m.y0 < y1 and y0 < m.y1 for x0, y0, x1, y1 in boxes
            )

        return [m for m in genes if not overlaps(m)]
