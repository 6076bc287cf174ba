"""Which organism a figure is about, and its genes in mouse and rat nomenclature.

PFOCR ran one human lexicon over every figure, so plant, yeast and fly figures were
published with human genes. Here the organism is called first, from what the caption and
titles say and from how the figure writes its genes, and the per-organism gene counts are
reported as PFOCR's 2024 records do (``organisms_ner``).

Decision rule of ``infer_organisms``:

1. Text: every entry of ``data/curated/organism_words.tsv`` found in the caption or the
   titles names its organism ("mice", "porcine", "S. cerevisiae", "A549", "PRRSV"). A
   species word inside a virus name names the virus's host, whose genes the figure shows.
   A ``generic`` entry ("plants", "mosquito") yields to a species of the same group
   ("Arabidopsis", "C6/36"); an ``animal`` entry ("mammalian", "animals") means human
   unless an animal species is named.
2. Casing: a figure that writes at least ``RODENT_CASED_MIN`` distinct genes as mouse or
   rat symbols ("Ifit3", "Cxcl9": capital then lower case, an exact MGI/RGD symbol) and
   no fewer such genes than human-cased ones ("IFIT3") is a rodent figure. The caption's
   words count with the figure's. Rat wins over mouse only when the text says rat or the
   rat lexicon explains strictly more of those words.
3. The call is the union of 1 and 2. Human genes recognised on the figure are not
   evidence on their own (the human lexicon matches plant and yeast labels too); with no
   evidence at all the call is Homo sapiens, as PFOCR's default.

``organisms_ner`` counts, per organism with a lexicon (human, mouse, rat), the distinct
genes matched: ``count_direct`` through a symbol, ``count_synonym`` through a synonym
only, ``count_match`` in all. Mouse and rat words match their symbols in any case, as
PFOCR's per-organism NER does, so a human figure has mouse and rat counts too; only the
casing rule above decides the call.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from pfocr.errors import LexiconError
from pfocr.models import Mention, OcrToken
from pfocr.recognise.tokenise import clean_word, is_skippable, words_from_lines
from pfocr.recognise.transforms import GREEK_TO_LATIN, RULES, expand

HUMAN = "Homo sapiens"
MOUSE = "Mus musculus"
RAT = "Rattus norvegicus"


@dataclass(frozen=True)
class OrganismInfo:
    """An organism as PFOCR's records name it: NCBI taxon, Latin name, NCBI division."""

    taxon_id: str
    name: str
    group: str


#: Organisms with a gene lexicon in ``data/lexicon``.
LEXICON_ORGANISMS: dict[str, OrganismInfo] = {
    HUMAN: OrganismInfo("9606", HUMAN, "Primates"),
    MOUSE: OrganismInfo("10090", MOUSE, "Rodents"),
    RAT: OrganismInfo("10116", RAT, "Rodents"),
}
_LEXICON_FILES = {MOUSE: "mouse_terms.tsv.gz", RAT: "rat_terms.tsv.gz"}
TERM_COLUMNS: tuple[str, ...] = (
    "term",
    "source",
    "symbol",
    "organism_gene_id",
    "entrez",
    "human_hgnc_symbol",
    "human_entrez",
)
#: Groups whose genes are drawn with human-style symbols in the figures PFOCR indexes.
ANIMAL_GROUPS = frozenset({"Primates", "Rodents", "Mammals", "Vertebrates", "Invertebrates"})
#: Distinct rodent-cased genes that make a figure a rodent figure without a word saying so.
RODENT_CASED_MIN = 3

#: Rodent casing: capital, lower-case letter, then lower case or digits ("Ifit3", "Cxcl9").
_RODENT_CASED = re.compile(r"^[A-Z][a-z][a-z0-9]*$")
_HUMAN_CASED = re.compile(r"^[A-Z0-9][A-Z0-9\-]*[A-Z][A-Z0-9\-]*$")
_GREEK_LOWER_TABLE = str.maketrans({k: v.lower() for k, v in GREEK_TO_LATIN.items()})
_VIRUS_WORD = re.compile(r"virus|viral", re.I)
_CAPTION_WORD = re.compile(r"[^\s,;:()\[\]{}]+")


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True, slots=True)
class OrganismTerm:
    """One row of a mouse or rat lexicon: ``term`` names gene ``symbol`` via ``source``."""

    term: str
    source: str
    symbol: str
    organism_gene_id: str
    entrez: str
    human_hgnc_symbol: str
    human_entrez: str


class OrganismLexicon:
    """A model organism's gene terms, indexed by exact text and by upper case."""

    def __init__(self, organism: str, terms: Iterable[OrganismTerm], path: Path | None = None):
        if organism not in LEXICON_ORGANISMS:
            raise LexiconError(f"no gene lexicon for organism {organism!r}")
        self.organism = organism
        self.info = LEXICON_ORGANISMS[organism]
        self.path = path
        self.terms = tuple(terms)
        exact: dict[str, list[OrganismTerm]] = defaultdict(list)
        upper: dict[str, list[OrganismTerm]] = defaultdict(list)
        by_human: dict[str, set[str]] = defaultdict(set)
        for term in self.terms:
            exact[term.term].append(term)
            upper[term.term.upper()].append(term)
            if term.source == "symbol" and term.entrez:
                for human in filter(None, term.human_entrez.split("|")):
                    by_human[human].add(term.entrez)
        self._exact = {k: tuple(v) for k, v in exact.items()}
        self._upper = {k: tuple(v) for k, v in upper.items()}
        self._entrez_by_human = {k: tuple(sorted(v, key=int)) for k, v in by_human.items()}

    def __len__(self) -> int:
        return len(self.terms)

    def __repr__(self) -> str:
        return f"OrganismLexicon({self.organism!r}, {len(self.terms)} terms)"

    @classmethod
    def load(cls, organism: str, path: Path | None = None) -> OrganismLexicon:
        """Read a packaged lexicon (``mouse_terms.tsv.gz``, ``rat_terms.tsv.gz``) or ``path``."""
        if organism not in _LEXICON_FILES:
            raise LexiconError(f"no packaged gene lexicon for organism {organism!r}")
        source = path or Path(
            str(resources.files("pfocr") / "data" / "lexicon" / _LEXICON_FILES[organism])
        )
        try:
            with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                header = tuple(next(reader, ()))
                if header != TERM_COLUMNS:
                    raise LexiconError(f"{source}: columns {header}, expected {TERM_COLUMNS}")
                terms = [OrganismTerm(*row) for row in reader]
        except (OSError, EOFError, UnicodeDecodeError, TypeError) as error:
            raise LexiconError(
                f"{source}: unreadable organism lexicon ({error}); run `pfocr data build`"
            ) from None
        return cls(organism, terms, Path(source))

    def exact(self, text: str) -> tuple[OrganismTerm, ...]:
        return self._exact.get(text, ())

    def casefold(self, text: str) -> tuple[OrganismTerm, ...]:
        return self._upper.get(text.upper(), ())

    def entrez_for_human(self, human_entrez: str) -> tuple[str, ...]:
        """This organism's Entrez ids of the orthologues of one human gene (may be none)."""
        return self._entrez_by_human.get(human_entrez, ())


@cache
def default_organism_lexicon(organism: str) -> OrganismLexicon:
    """The packaged lexicon of ``organism`` (mouse or rat), loaded once per process."""
    return OrganismLexicon.load(organism)


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class OrganismMatch:
    """A word that names a gene of the lexicon's organism."""

    word: str
    variant: str
    term: OrganismTerm
    #: ``exact`` when the word is written as the organism writes the term, else ``casefold``.
    lookup: str

    @property
    def organism_cased(self) -> bool:
        """Written exactly as a rodent symbol and in rodent casing ("Ifit3", not "IFIT3")."""
        return (
            self.lookup == "exact"
            and self.term.source == "symbol"
            and bool(_RODENT_CASED.match(self.variant))
        )


@dataclass(frozen=True)
class OrganismMatches:
    """Every gene match of one organism in a figure, with PFOCR's per-organism counts."""

    organism: str
    matches: tuple[OrganismMatch, ...]

    def _genes(self, source: str | None = None) -> set[str]:
        return {
            m.term.organism_gene_id
            for m in self.matches
            if source is None or m.term.source == source
        }

    @property
    def count_direct(self) -> int:
        return len(self._genes("symbol"))

    @property
    def count_synonym(self) -> int:
        return len(self._genes("synonym") - self._genes("symbol"))

    @property
    def count_match(self) -> int:
        return len(self._genes())

    @property
    def cased_genes(self) -> frozenset[str]:
        """Symbols of the genes written in this organism's casing."""
        return frozenset(m.term.symbol for m in self.matches if m.organism_cased)


def _forms(part: str) -> list[str]:
    forms = [part, *RULES["root"](part)]
    for form in list(forms):
        greek = form.translate(_GREEK_LOWER_TABLE)
        forms.append(greek)
        forms.extend(RULES["alphanumeric"](greek))
    return [f for f in dict.fromkeys(forms) if f and not is_skippable(f)]


def word_variants(word: str) -> list[list[str]]:
    """The forms of one word to look up: the whole word, then each list item.

    The same transforms as the human cascade (``transforms.RULES``: normalisation,
    ``expand``, ``root``, ``alphanumeric``); Greek letters become lower-case Latin letters
    as MGI and RGD write them ("Ifnγ" -> "Ifng"). Each inner list is tried in order.
    """
    text = clean_word(word)
    for step in ("nfkc", "ocr_fixes", "homoglyphs", "deburr"):
        text = (RULES[step](text) or [text])[0]
    return [_forms(text), *(_forms(part) for part in expand(text))]


def _first_hits(
    word: str, variants: Sequence[str], lexicon: OrganismLexicon
) -> list[OrganismMatch]:
    for variant in variants:
        hits = [OrganismMatch(word, variant, t, "exact") for t in lexicon.exact(variant)]
        if not hits and len(variant) > 2:
            hits = [
                OrganismMatch(word, variant, t, "casefold")
                for t in lexicon.casefold(variant)
                if t.source == "symbol"
            ]
        if hits:
            return hits
    return []


def match_organism_genes(words: Iterable[str], lexicon: OrganismLexicon) -> OrganismMatches:
    """Genes of ``lexicon``'s organism named by ``words`` (OCR words or caption words).

    A symbol matches in any case; a synonym only as written, since MGI/RGD synonyms
    include human-style symbols and English-looking words. The whole word is tried
    first; when it names nothing, each list item ("Cxcl9/10") is tried on its own.
    """
    found: list[OrganismMatch] = []
    for word in words:
        whole, *parts = word_variants(word)
        hits = _first_hits(word, whole, lexicon)
        if not hits:
            hits = [h for part in parts for h in _first_hits(word, part, lexicon)]
        found.extend(hits)
    return OrganismMatches(lexicon.organism, tuple(found))


# --------------------------------------------------------------------------- organism words


@dataclass(frozen=True)
class OrganismWord:
    """A curated word that names an organism (``data/curated/organism_words.tsv``)."""

    pattern: re.Pattern[str]
    organism: OrganismInfo
    kind: str
    reason: str


def _curated_words_path() -> Path:
    return Path(str(resources.files("pfocr") / "data" / "curated" / "organism_words.tsv"))


def load_organism_words(path: Path | None = None) -> tuple[OrganismWord, ...]:
    """Read the curated organism-word table; a bad row is an error naming the file and line."""
    source = path or _curated_words_path()
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise LexiconError(f"{source}: cannot read organism words ({error})") from None
    rows = [(n, line) for n, line in enumerate(lines, 1) if line.strip() and line[0] != "#"]
    if not rows:
        raise LexiconError(f"{source}: no header")
    header = rows[0][1].split("\t")
    expected = ["pattern", "case", "taxon_id", "organism_name", "organism_group", "kind", "reason"]
    if header != expected:
        raise LexiconError(f"{source}: columns {header}, expected {expected}")
    words: list[OrganismWord] = []
    for number, line in rows[1:]:
        cells = line.split("\t")
        if len(cells) != len(expected) or cells[1] not in ("i", "s"):
            raise LexiconError(f"{source} line {number}: expected {len(expected)} cells")
        if cells[5] not in ("species", "generic", "animal", "host") or not cells[2].isdigit():
            raise LexiconError(f"{source} line {number}: bad kind or taxon id")
        flags = re.IGNORECASE if cells[1] == "i" else 0
        try:
            pattern = re.compile(rf"(?<![\w-])(?:{cells[0]})(?![\w])", flags)
        except re.error as error:
            raise LexiconError(f"{source} line {number}: bad pattern ({error})") from None
        info = OrganismInfo(cells[2], cells[3], cells[4])
        words.append(OrganismWord(pattern, info, cells[5], cells[6]))
    return tuple(words)


@cache
def default_organism_words() -> tuple[OrganismWord, ...]:
    return load_organism_words()


@dataclass(frozen=True)
class NamedOrganism:
    """An organism the caption or titles name, with the strings that named it."""

    organism: OrganismInfo
    kinds: frozenset[str]
    strings: tuple[str, ...]


def organisms_in_text(
    texts: Iterable[str], words: Sequence[OrganismWord] | None = None
) -> dict[str, NamedOrganism]:
    """Organisms named in ``texts`` by the curated words, generic and animal entries resolved
    as the module docstring says; in order of first appearance in the table."""
    table = default_organism_words() if words is None else words
    texts = [t for t in texts if t]
    infos: dict[str, OrganismInfo] = {}
    kinds: dict[str, set[str]] = defaultdict(set)
    strings: dict[str, list[str]] = defaultdict(list)
    for entry in table:
        hits = [m.group(0) for text in texts for m in entry.pattern.finditer(text)]
        if hits:
            name = entry.organism.name
            infos.setdefault(name, entry.organism)
            kinds[name].add(entry.kind)
            strings[name].extend(hits)
    species_groups = {infos[n].group for n in infos if "species" in kinds[n]}
    animal_species = species_groups & ANIMAL_GROUPS

    others = {n for n in infos if kinds[n] - {"host"}}

    def kept(name: str) -> bool:
        if "species" in kinds[name]:
            return True
        if kinds[name] == {"host"}:
            return not others  # a virus named in passing yields to any organism word
        if "generic" in kinds[name]:
            return infos[name].group not in species_groups
        return not animal_species

    return {
        name: NamedOrganism(info, frozenset(kinds[name]), tuple(dict.fromkeys(strings[name])))
        for name, info in infos.items()
        if kept(name)
    }


# --------------------------------------------------------------------------- the call


@dataclass(frozen=True)
class OrganismCall:
    """The organisms a figure is about, with PFOCR-style per-organism gene counts."""

    organisms: tuple[str, ...]
    organisms_ner: list[dict[str, object]] = field(default_factory=list)
    #: Why each organism was called ("text: mice", "casing: Ifit3, Irf7, Oas1", "default").
    evidence: dict[str, str] = field(default_factory=dict)
    #: Taxon id, name and NCBI division of each called organism.
    info: dict[str, OrganismInfo] = field(default_factory=dict)

    @property
    def gene_set_organisms(self) -> tuple[str, ...]:
        """Organisms whose gene-set files (GMT) should list this figure's genes.

        Human, mouse and rat figures go to their own organism's set. Other animals (pig,
        cow, chicken...) are drawn with human-style symbols that the human lexicon reads,
        so they go to the human set; plants, fungi and bacteria to none.
        """
        out: list[str] = []
        for name in self.organisms:
            if name in LEXICON_ORGANISMS:
                out.append(name)
            elif name in self.info and self.info[name].group in ANIMAL_GROUPS:
                out.append(HUMAN)
        return tuple(dict.fromkeys(out))


def _human_counts(mentions: Sequence[Mention]) -> dict[str, int]:
    direct = {m.entrez for m in mentions if m.source == "hgnc_symbol"}
    every = {m.entrez for m in mentions}
    synonym = {
        m.entrez for m in mentions if m.source in ("hgnc_alias_symbol", "hgnc_prev_symbol")
    } - direct
    return {"count_direct": len(direct), "count_synonym": len(synonym), "count_match": len(every)}


def _ner_row(info: OrganismInfo, counts: Mapping[str, int]) -> dict[str, object]:
    return {
        "organism_id": info.taxon_id,
        "organism_name": info.name,
        "organism_group": info.group,
        "count_direct": counts["count_direct"],
        "count_synonym": counts["count_synonym"],
        "count_match": counts["count_match"],
    }


def _rodent_cased_mentions(mentions: Sequence[Mention]) -> frozenset[str]:
    """Human genes and families reached from a rodent-cased word by case folding ("Ifnar")."""
    out = set()
    for m in mentions:
        word = clean_word(m.word)
        if _RODENT_CASED.match(word) and word != m.symbol and word.upper() == m.symbol.upper():
            out.add(word)
    return frozenset(out)


def figure_words(caption: str, tokens: Sequence[OcrToken]) -> list[str]:
    """The words gene casing is judged on: the figure's OCR words and the caption's."""
    words = [w.text for w in words_from_lines(tokens)]
    words.extend(_CAPTION_WORD.findall(caption))
    return words


def infer_organisms(
    caption: str,
    titles: Sequence[str],
    human_mentions: Sequence[Mention],
    tokens: Sequence[OcrToken],
    *,
    lexicons: Mapping[str, OrganismLexicon] | None = None,
) -> OrganismCall:
    """Call the organisms of one figure (see the module docstring for the rule).

    ``titles`` are the figure and paper titles; ``human_mentions`` the human genes the
    recogniser found (counted for ``organisms_ner``, not used as evidence).
    """
    named = organisms_in_text([caption, *titles])
    info = {name: found.organism for name, found in named.items()}
    rodent_lexicons = lexicons or {o: default_organism_lexicon(o) for o in (MOUSE, RAT)}
    words = figure_words(caption, tokens)
    rodent = {o: match_organism_genes(words, lex) for o, lex in rodent_lexicons.items()}

    human_cased = {
        m.hgnc_symbol
        for m in human_mentions
        if m.source == "hgnc_symbol" and _HUMAN_CASED.match(m.word.strip())
    }
    evidence = {name: "text: " + ", ".join(found.strings) for name, found in named.items()}
    organisms = list(named)

    cased = {o: m.cased_genes | _rodent_cased_mentions(human_mentions) for o, m in rodent.items()}
    best = max(cased, key=lambda o: (len(cased[o]), o == MOUSE)) if cased else None
    animal_named = any(found.organism.group in ANIMAL_GROUPS for found in named.values())
    if best is not None and not animal_named:
        n_cased = len(cased[best])
        if n_cased >= RODENT_CASED_MIN and n_cased >= len(human_cased):
            organisms.append(best)
            evidence[best] = "casing: " + ", ".join(sorted(cased[best])[:8])
    if not organisms:
        organisms = [HUMAN]
        evidence[HUMAN] = "default"
    for name in organisms:
        info.setdefault(name, LEXICON_ORGANISMS.get(name, OrganismInfo("", name, "")))

    ner: list[dict[str, object]] = []
    human_counts = _human_counts(human_mentions)
    if human_counts["count_match"]:
        ner.append(_ner_row(LEXICON_ORGANISMS[HUMAN], human_counts))
    for organism, matches in rodent.items():
        if matches.count_match:
            counts = {
                "count_direct": matches.count_direct,
                "count_synonym": matches.count_synonym,
                "count_match": matches.count_match,
            }
            ner.append(_ner_row(LEXICON_ORGANISMS[organism], counts))
    order = {name: i for i, name in enumerate(organisms)}
    ner.sort(
        key=lambda row: (
            order.get(str(row["organism_name"]), len(order)),
            -int(str(row["count_match"])),
        )
    )
    return OrganismCall(tuple(organisms), ner, evidence, info)


# --------------------------------------------------------------------------- gene sets


def human_to_organism(
    entrez_ids: Iterable[str],
    organism: str,
    *,
    lexicon: OrganismLexicon | None = None,
) -> list[str]:
    """A human gene set in another organism's NCBI Gene ids, through HGNC orthologues.

    PFOCR writes its mouse GMT the same way (human -> mouse by homology). Human ids pass
    through for Homo sapiens. Genes without an orthologue, or whose orthologue has no
    Entrez id offline (every rat gene, mouse genes named after 2016), are left out.
    Order follows the input; duplicates are dropped.
    """
    ids = [str(i) for i in entrez_ids]
    if organism == HUMAN:
        return list(dict.fromkeys(ids))
    lex = lexicon or default_organism_lexicon(organism)
    return list(dict.fromkeys(e for i in ids for e in lex.entrez_for_human(i)))


def organism_entrez_for(mentions: Iterable[Mention], organism: str) -> list[str]:
    """The genes of a figure's human mentions, as ``organism``'s Entrez ids (sorted)."""
    mapped = human_to_organism((m.entrez for m in mentions if m.entrez), organism)
    return sorted(set(mapped), key=int)


def mouse_entrez_for(mentions: Iterable[Mention]) -> list[str]:
    """``organism_entrez_for(mentions, "Mus musculus")``: the figure's genes as a mouse set."""
    return organism_entrez_for(mentions, MOUSE)
