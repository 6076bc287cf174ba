"""Disease recognition: MeSH diseases, DOID and MONDO names, curated abbreviations.

The offline counterpart of PFOCR's PubTator disease annotation. Abbreviations ("AD",
"T2D", "HCC") are accepted only when the figure's context (caption, titles, other words)
contains one of the words listed for them in ``curated/disease_abbreviations.tsv``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from pfocr.models import DiseaseMention, OcrToken
from pfocr.recognise import terms
from pfocr.recognise.chemicals import STOPWORDS_FILE, load_stopwords
from pfocr.recognise.terms import SOURCE_CURATED, Entry, Hit, TermMatcher
from pfocr.sources.build import DATA_DIR, iter_tsv_gz
from pfocr.sources.chemical_disease import DISEASE_TERMS_FILE

ABBREVIATIONS_FILE = "curated/disease_abbreviations.tsv"
ABBREVIATION_COLUMNS = ("abbreviation", "mesh", "name", "doid", "context", "reason")
SOURCE_CONFIDENCE = {
    SOURCE_CURATED: 0.9,
    "mesh_label": 0.9,
    "mesh_entry": 0.85,
    "doid": 0.85,
    "mondo": 0.8,
}

__all__ = ["STOPWORDS_FILE", "DiseaseRecogniser", "load_disease_entries"]


def load_disease_entries(data_dir: Path | None = None) -> list[Entry]:
    """Curated abbreviations (with context words) and lexicon terms (ids: mesh, doid)."""
    root = data_dir or DATA_DIR
    entries = []
    for row in terms.read_curated(root / ABBREVIATIONS_FILE, ABBREVIATION_COLUMNS):
        context = terms.split_context(row["context"])
        if not context:
            # a disease short form without context words would fire on any figure
            continue
        entries.append(
            Entry(
                row["abbreviation"],
                row["name"],
                (row["mesh"], row["doid"]),
                SOURCE_CURATED,
                context,
            )
        )
    for row in iter_tsv_gz(root / DISEASE_TERMS_FILE):
        entries.append(Entry(row["term"], row["name"], (row["mesh"], row["doid"]), row["source"]))
    return entries


class DiseaseRecogniser:
    """Finds diseases in OCR tokens or text; build once, reuse for every figure."""

    def __init__(
        self,
        entries: Iterable[Entry] | None = None,
        stopwords: Iterable[str] | None = None,
        *,
        data_dir: Path | None = None,
    ) -> None:
        if entries is None:
            entries = load_disease_entries(data_dir)
        if stopwords is None:
            stopwords = load_stopwords("disease", data_dir)
        self._matcher = TermMatcher(entries, stopwords, kind="disease")

    def __len__(self) -> int:
        return len(self._matcher)

    def _mention(self, hit: Hit) -> DiseaseMention:
        mesh, doid = hit.entry.ids
        return DiseaseMention(mesh=mesh, doid=doid, **terms.mention_fields(hit, SOURCE_CONFIDENCE))

    def recognise(self, tokens: Sequence[OcrToken], context: str = "") -> list[DiseaseMention]:
        """Diseases named in a figure, from its OCR tokens and its caption/title context."""
        return [self._mention(hit) for hit in self._matcher.find_in_tokens(tokens, context)]

    def recognise_text(self, text: str, context: str = "") -> list[DiseaseMention]:
        """Diseases in plain text (a caption); boxes are character offsets into ``text``."""
        return [self._mention(hit) for hit in self._matcher.find_in_text(text, context)]
