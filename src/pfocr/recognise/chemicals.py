"""Chemical recognition: MeSH/ChEBI names and curated figure abbreviations, offline.

PFOCR sends a figure's OCR text to the PubTator web service for chemicals; here the same
MeSH-grounded answer comes from the vendored lexicon (``lexicon/chemical_terms.tsv.gz``,
and ``lexicon/chemical_terms_chebi.tsv.gz`` for the metabolite names only ChEBI knows)
plus ``curated/chemical_abbreviations.tsv`` for the short forms figures use (cAMP, Ca2+,
PIP3, ROS...), with every decision traceable to a table row. A short form the figure's
caption or legend defines for a chemical the lexicon knows ("SeMet = selenomethionine")
is grounded through its definition.
"""

from __future__ import annotations

import re
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
    SOURCE_MESH_VARIANT,
)

#: Source of a short form that the figure's caption or legend defines ("SeMet =
#: selenomethionine", "S-adenosylmethionine (SAM)").
SOURCE_DEFINED = "defined_abbreviation"
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
    SOURCE_MESH_VARIANT: 0.7,
    SOURCE_DEFINED: 0.8,
}
#: A short form in brackets after its long form: "S-adenosylmethionine (SAM)".
_BRACKETED_SHORT = re.compile(r"\(([^\s()\[\],;]{2,12})\)")
#: A legend or caption entry "SF = long form" / "SF: long form".
_EQUATED_SHORT = re.compile(
    r"(?:^|(?<=[\s,;(]))([^\s,;=:()]{3,12})\s*[=:]\s*(?=([^,;=:()\n]{3,80}))"
)
#: Three characters or more (two-letter forms are element symbols and panel labels), with
#: an upper-case letter and two letters in all.
_SHORT_FORM = re.compile(r"^(?=.*[A-Z])(?=(?:.*[A-Za-z]){2})[A-Za-z0-9+\-']{3,}$")
_LONG_FORM_WINDOW = 100


def abbreviates(short: str, long: str) -> bool:
    """Schwartz and Hearst's test: the short form's letters and digits occur in the long
    form in order, the first one at the start of a word ("SeMet" in "selenomethionine")."""
    s, text = short.casefold(), long.casefold()
    j = len(text) - 1
    for i in range(len(s) - 1, -1, -1):
        c = s[i]
        if not c.isalnum():
            continue
        while j >= 0 and (text[j] != c or (i == 0 and j > 0 and text[j - 1].isalnum())):
            j -= 1
        if j < 0:
            return False
        j -= 1
    return True


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
    chebi_of_mesh = curated_chebi_links(entries)
    for name in (CHEMICAL_TERMS_FILE, CHEBI_TERMS_FILE):
        for row in iter_tsv_gz(root / name):
            if not include_supplementary and row["source"] == SOURCE_MESH_SUPPLEMENTARY:
                continue
            chebi = row["chebi"] or chebi_of_mesh.get(row["mesh"], "")
            entries.append(Entry(row["term"], row["name"], (row["mesh"], chebi), row["source"]))
    return entries


#: A charge written on a term ("Ca2+", "O2-", "NH₄⁺", "Cl−"), or an element symbol that
#: stands for its ion ("Ca").
_CHARGED = re.compile(r"[+⁺−⁻]|(?<=[A-Za-z0-9])-$|^[A-Z][a-z]?$")


def curated_chebi_links(entries: Iterable[Entry]) -> dict[str, str]:
    """MeSH id -> the one ChEBI id the curated rows give it.

    The curated table grounds "DAG" to Diglycerides and diglyceride; the MeSH rows of the
    same descriptor ("Diacylglycerol") then carry that ChEBI id too, where no automatic link
    gave them one. A MeSH id the curated rows give two ChEBI ids ("NAD", "NADH") gets none,
    and an ion's charge ("Na+", or "Ca" for Ca2+) is not passed on to its element ("Sodium").
    """
    found: dict[str, set[str]] = {}
    for entry in entries:
        mesh, chebi = entry.ids
        if mesh and chebi and not _CHARGED.search(entry.term):
            found.setdefault(mesh, set()).add(chebi)
    return {mesh: next(iter(ids)) for mesh, ids in found.items() if len(ids) == 1}


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
        together with the figure's other words, and defines short forms of its own.
        """
        lines = terms.lines_from_tokens(self._matcher.better_readings(tokens))
        full_context = terms.figure_context(lines, context)
        hits = self._matcher.find(lines, full_context, figure=True)
        legends = "\n".join(t.text for t in tokens if t.kind != "word") or " ".join(
            t.text for t in tokens
        )
        defined = self.defined_abbreviations(context + "\n" + legends)
        if defined:
            extra = TermMatcher(defined, kind="chemical").find(lines, full_context, figure=True)
            hits = _with_defined(hits, extra)
        return [self._mention(hit) for hit in hits]

    def recognise_text(self, text: str, context: str = "") -> list[ChemicalMention]:
        """Chemicals in plain text (a caption); boxes are character offsets into ``text``."""
        hits = self._matcher.find_in_text(text, context)
        defined = self.defined_abbreviations(text + "\n" + context)
        if defined:
            extra = TermMatcher(defined, kind="chemical").find_in_text(text, context)
            hits = _with_defined(hits, extra)
        return [self._mention(hit) for hit in hits]

    def defined_abbreviations(self, text: str) -> list[Entry]:
        """Short forms that ``text`` defines as a chemical the lexicon knows.

        A caption's "S-adenosylmethionine (SAM)" or a legend's "SeMet = SelenoMethionine"
        grounds the short form for that figure, as PubTator resolves abbreviations; the
        long form must be a lexicon match ending at the bracket (or starting after the
        "="), and the short form must abbreviate it. Short forms the lexicon already
        grounds the same way are left to it.
        """
        found: dict[str, Entry] = {}
        for short, hit in self._definitions(text):
            if not _SHORT_FORM.match(short) or not abbreviates(short, hit.text):
                continue
            if terms.folded_key(short) == terms.folded_key(hit.text):
                continue
            ids = {i for i in hit.entry.ids if i}
            if any(ids & set(e.ids) for e in self._matcher.lookup(short)):
                continue
            found.setdefault(
                short,
                Entry(short, hit.entry.name, hit.entry.ids, SOURCE_DEFINED),
            )
        return list(found.values())

    def _definitions(self, text: str) -> Iterable[tuple[str, Hit]]:
        for m in _BRACKETED_SHORT.finditer(text):
            before = text[max(0, m.start() - _LONG_FORM_WINDOW) : m.start()].rstrip()
            hits = self._matcher.find_in_text(before)
            if hits and int(hits[-1].words[-1].x1) == len(before):
                yield m.group(1), hits[-1]
        for m in _EQUATED_SHORT.finditer(text):
            after = m.group(2).strip()
            hits = self._matcher.find_in_text(after)
            if hits and int(hits[0].words[0].x0) == 0:
                yield m.group(1), hits[0]

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


def _with_defined(hits: list[Hit], defined: list[Hit]) -> list[Hit]:
    """Lexicon hits plus the defined short forms; a definition wins over the lexicon's
    reading of the same words (a caption's "alpha-linolenic acid (ALA)")."""
    taken = {w.index for hit in defined for w in hit.words}
    kept = [hit for hit in hits if not taken & {w.index for w in hit.words}]
    return sorted((*kept, *defined), key=lambda hit: hit.words[0].index)
