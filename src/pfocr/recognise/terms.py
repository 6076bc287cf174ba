"""Dictionary matching of multi-word names in OCR lines and plain text.

Shared by the chemical and disease recognisers. A name is looked up by a key that ignores
what OCR and authors vary freely: spaces and hyphens (``Acetyl-CoA`` = ``acetyl CoA``),
superscripts and charge spellings (``Ca²⁺`` = ``Ca(2+)`` = ``Ca++`` = ``Ca2+``), Greek letters
versus their names (``α-KG`` = ``alpha-KG``) and lookalike dashes. Case matters for
abbreviation-like terms (``cAMP``, ``NO``, ``PC``), not for ordinary names (``GLUCOSE``).
Spans of up to ``MAX_SPAN_WORDS`` words are tried on each line and across a line break when
the next line sits right below; the longest match wins and each word is used once.

Decisions that depend on the figure are data: a term with context words is accepted only if
one of them occurs in the context (caption, titles, the figure's other words), and stop
words (English words that vocabularies list as entry terms) are never accepted.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pfocr.errors import LexiconError
from pfocr.models import OcrToken
from pfocr.recognise.transforms import GREEK_TO_NAME, HOMOGLYPHS

MAX_SPAN_WORDS = 6
#: Compact keys at most this long (``cAMP``, ``ATP``) must match with their exact case.
SHORT_KEY = 5
SOURCE_CURATED = "curated"

_HOMOGLYPH_TABLE = str.maketrans(HOMOGLYPHS)
_RADICAL_DOTS = str.maketrans({"·": "•", "∙": "•", "⋅": "•", "●": "•"})
_GREEK_TABLE = str.maketrans(GREEK_TO_NAME)
#: A metal ion whose superscript sign OCR dropped ("Ca²" for "Ca²⁺"): a superscript digit
#: after an element symbol is a charge, never an index (indices are subscripts).
_SUPERSCRIPT_ION = re.compile(r"^(Ca|Mg|Zn|Fe|Cu|Mn|Co|Ni|Cd|Hg|Ba|Sr|Pb)([²³])$")
#: A subscript digit read twice, once full size ("HCO₃3⁻"): formulas never put a full-size
#: digit right after a subscript one.
_DOUBLED_SUBSCRIPT = re.compile("|".join(f"(?<={chr(0x2080 + d)}){d}" for d in range(10)))
#: Capital delta (and the increment sign that fonts substitute) names a double bond's
#: position ("Δ12-PGJ2", "trans-Δ2-enoyl-CoA"); written out, with the locants unbracketed,
#: so "Delta(12,14)", "delta-12,14" and "Δ12,14" share a key.
_CAPITAL_DELTA = str.maketrans({"Δ": "Delta", "∆": "Delta"})
_DELTA_LOCANTS = re.compile(r"(?<![A-Za-z])([Dd]elta)\((\d+(?:,\d+)*)\)")
#: A comma between locants read as a full stop ("13.14-dihydro-"): locant lists before a
#: hyphenated name part use commas, and no chemical name has a decimal number there.
_DOTTED_LOCANTS = re.compile(r"(?<![\d.,])(\d{1,2})\.(\d{1,2})(?=-[A-Za-z])")
#: Two or more locants before "di-"/"bi-"/"tri-phosphate" mean separate phosphate groups,
#: which IUPAC names "bis-"/"tris-" ("fructose 1,6-diphosphate" = "1,6-bisphosphate").
_LOCANT_PHOSPHATES = re.compile(
    r"(\d'?(?:,\s?\d+'?)+[\s\-]*)(?:(bi|di|bis)|(tri|tris))(?=phosphate)"
)
_SCRIPT_MARKS = re.compile("[\u00b2\u00b3\u00b9\u2070-\u209f]")
_PAREN_CHARGE = re.compile(r"\((\d*)([+-])\)")
_DOUBLE_CHARGE = re.compile(r"(?<=[A-Za-z\])])([+-])\1$")
_SIGN_FIRST = re.compile(r"(?<=[A-Za-z\])])([+-])(\d)$")
_SPACED_CHARGE = re.compile(r"(?<=[A-Za-z0-9])\s+(\d?[+-])$")
_FINAL_MINUS = re.compile(r"(?<=[A-Za-z0-9\]\)•])-$")
_SEPARATORS = re.compile(r"[\s\-_]+")
_WORD = re.compile(r"[^\s\u2190-\u21ff\u27f5\u27f6\u22a3]+")
_LEAD_JUNK = re.compile(r"^[\"'“”‘’`*,;:.!?\[\]{}<>|~]+")
_TRAIL_JUNK = re.compile(r"[\"'“”‘’`*,;:.!?\[\]{}<>|~]+$")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_TITLE_WORD = re.compile(r"^[A-Z][a-z]{3,}$")
_LOWER_WORD = re.compile(r"^[a-z]{4,}$")
#: An L/D descriptor before a word part ("3-L-Hydroxyacyl-CoA", "D-2-hydroxyglutarate"):
#: the lexicons list names without the descriptors authors add or leave out, so a name not
#: found with it is looked up without it.
_STEREO_IN_TEXT = re.compile(r"(?:^|(?<=\d-))[LD]-(?=[A-Za-z][a-z]{3}|\d+-[A-Za-z][a-z]{3})")
#: Words after a chemical that make the whole label a protein or a process
#: ("Cystathionine g-lyase", "ATP synthase", "Glucose transporter", "Insulin receptor",
#: "citric acid cycle", "pentose phosphate shunt"), a gene ("Gonadotropins gene
#: expression"), a nucleic acid ("Uracil DNA glycosylase", "Methyl-guanine DNA
#: methyltransferase"), or the word an adjective of a tissue or cell type ("Retinal pigment
#: epithelium", "retinal ganglion cells", "Retinal pericytes", "retinal endothelial cells").
_NOT_A_SUBSTANCE_NEXT = re.compile(
    r"^(?![Rr]elease$|[Ii]ncrease$|[Dd]ecrease$|[Pp]hase$|[Dd]isease$|[Cc]ase$)"
    r"(?:[A-Za-z0-9\-]*[A-Za-z]{2}ase|receptors?|transporters?|channels?|carriers?|sensors?"
    r"|binding|pump|uptake|exchangers?|rafts?|droplets?|requiring|inducible|responsive"
    r"|cycle|shunt|genes?|pigment|epitheli(?:um|al)|ganglion|cells?|neurons?|degeneration"
    r"|detachment|[a-z]*cytes?|[a-z]*blasts?|endotheli(?:um|al)|tissues?"
    r"|(?:m|t|r|ds|ss)?[DR]NA)s?$",
    re.IGNORECASE,
)
#: An ion written as a word ("K+", "Ca2+", "Cl-"), as in lists before a pump's name.
_ION_WORD = re.compile(r"^[A-Z][a-z]?\d?(?:\+\+?|-)$")
_ION_PREFIX = re.compile(r"^[A-Z][a-z]?\d?\+\+?-(?=[A-Za-z])")
#: Words after a chemical that make a figure label the name of a pathway or process
#: ("Pyrimidine metabolism", "Fatty Acid Oxidation", "Sphingolipid pathway", "Calcium
#: signaling", "Calcium homeostasis", "Glucose transport", "Nucleotide excision repair"): a
#: pathway or process node, not the metabolite. Only for figures: a caption's "tryptophan
#: metabolism" still mentions tryptophan.
_PROCESS_NEXT = re.compile(
    r"^(?:metabolism|pathways?|biosynthesis|synthesis|oxidation|catabolism|signall?ing"
    r"|homeostasis|transport|excision|repair)$",
    re.IGNORECASE,
)
#: A chain-length qualifier before a lipid class ("Long chain acyl-carnitine", "short-chain
#: acyl-CoA"): part of the drawn name, which is grounded to the class when the lexicon has no
#: entry for the qualified class itself.
_CHAIN = re.compile(r"^chain$", re.IGNORECASE)
_CHAIN_LENGTH = re.compile(r"^(?:long|short|medium|branched|very-long)$", re.IGNORECASE)
#: Words after a disease name that make it the name of a pathogen or a gene ("dengue
#: virus", "influenza viral RNA", "melanoma differentiation-associated gene 5", "tumor
#: necrosis factor", "tumor suppressor").
_PATHOGEN_NEXT = re.compile(
    r"^(?:[a-z]*virus|[a-z]*viruses|viral|virions?|vaccines?|bacteri(?:um|a)"
    r"|(?:[a-z]+-)?associated|suppressors?|necrosis)$",
    re.IGNORECASE,
)
#: An abbreviated genus before a name makes it a species ("M. tuberculosis"; the dot is
#: stripped with the other punctuation around words).
_GENUS_BEFORE = re.compile(r"^[A-Z]\.?$")


@lru_cache(maxsize=1 << 16)
def normalise_surface(text: str) -> str:
    """NFKC, lookalike dashes, Greek letters spelled out and charges written ``X2+``;
    "Δ(12)" written "Delta12" and locant phosphates written "1,6-bisphosphate"."""
    text = _SUPERSCRIPT_ION.sub(r"\1\2⁺", text)
    text = _DOUBLED_SUBSCRIPT.sub("", text).translate(_CAPITAL_DELTA)
    text = unicodedata.normalize("NFKC", text).translate(_HOMOGLYPH_TABLE)
    text = text.translate(_RADICAL_DOTS).translate(_GREEK_TABLE)
    text = _DELTA_LOCANTS.sub(r"\1\2", text)
    text = _DOTTED_LOCANTS.sub(r"\1,\2", text)
    text = _LOCANT_PHOSPHATES.sub(lambda m: m.group(1) + ("bis" if m.group(2) else "tris"), text)
    text = _PAREN_CHARGE.sub(r"\1\2", text)
    text = _SPACED_CHARGE.sub(r"\1", text)
    text = _DOUBLE_CHARGE.sub(r"2\1", text)
    return _SIGN_FIRST.sub(r"\2\1", text)


@lru_cache(maxsize=1 << 16)
def exact_key(text: str) -> str:
    """Case-preserving key: spaces and hyphens dropped, a short trailing charge kept."""
    text = normalise_surface(text.strip())
    if len(text) <= 8 and _FINAL_MINUS.search(text):
        text = text[:-1] + "⁻"  # "Cl-", "HCO3-": a charge, not a hyphen
    return _SEPARATORS.sub("", text)


def folded_key(text: str) -> str:
    """Case-insensitive key."""
    return exact_key(text).casefold()


#: A run of lower-case letters, capitalised or not, standing alone inside a term: an
#: ordinary word part ("Tetranor", "hydroxy", "Chain") rather than an abbreviation.
_PLAIN_WORD = re.compile(r"(?<![A-Za-z])[A-Z]?[a-z]{3,}(?![a-z])")


@lru_cache(maxsize=1 << 16)
def loose_key(text: str) -> str:
    """Like ``exact_key``, with the case of its ordinary word parts ignored.

    Abbreviation-like names keep their case for the abbreviation ("PGD2", "CoA") but not for
    the words around it: "20-hydroxy-PGD2" = "20-Hydroxy-PGD2", "Long chain Acyl-CoA" =
    "Long-Chain Acyl CoA".
    """
    text = _PLAIN_WORD.sub(lambda m: m.group(0).lower(), normalise_surface(text.strip()))
    return exact_key(text)


def is_case_sensitive(term: str) -> bool:
    """Abbreviation-like terms match case-exactly: short ones, and mixed-case words.

    ``ATP``, ``cAMP``, ``PtdIns(4,5)P2`` and ``LY294002`` keep their case; ``Glucose``,
    ``Nitric Oxide`` and ``Acetyl Coenzyme A`` match in any case.
    """
    key = exact_key(term)
    if len(key) <= SHORT_KEY:
        return True
    for word in re.split(r"[\s\-]+", normalise_surface(term)):
        if sum(c.isupper() for c in word) >= 2 or re.search(r"[a-z][A-Z]", word):
            return True
    return False


@dataclass(frozen=True)
class Entry:
    """One lexicon term and what it grounds to (``ids`` in the recogniser's column order)."""

    term: str
    name: str
    ids: tuple[str, ...]
    source: str
    context: tuple[str, ...] = ()
    over_gene: bool = False


@dataclass(frozen=True)
class Word:
    """One cleaned OCR word (or text word) with its box and place in the figure."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    line: int
    index: int
    #: What joined this word to the next one in the source: a space, or "-" / "/" when one
    #: written word was split ("GTP-bound" -> "GTP", "bound"; "ROS/NOS").
    glue: str = " "


@dataclass(frozen=True)
class Hit:
    """A lexicon entry matched by a run of words."""

    entry: Entry
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return join_words(self.words)


def join_words(words: Sequence[Word]) -> str:
    """The words as one string, rejoined as written; a line ending in a hyphen joins the next."""
    out = words[0].text
    for previous, word in itertools.pairwise(words):
        glue = "" if previous.text.endswith("-") else previous.glue
        out += glue + word.text
    return out


def clean_word(text: str) -> tuple[str, int]:
    """The word without surrounding punctuation (charges and balanced brackets kept).

    Returns the cleaned word and its offset inside ``text``.
    """
    stripped = _LEAD_JUNK.sub("", text)
    start = len(text) - len(stripped)
    stripped = _TRAIL_JUNK.sub("", stripped)
    while stripped.startswith("(") and stripped.count("(") > stripped.count(")"):
        stripped, start = stripped[1:], start + 1
    while stripped.endswith(")") and stripped.count(")") > stripped.count("("):
        stripped = stripped[:-1]
    if stripped.startswith("(") and stripped.endswith(")") and stripped.count("(") == 1:
        stripped, start = stripped[1:-1], start + 1
    return stripped, start


_SPLIT_HYPHEN = re.compile(r"(?<=[^\W_])-(?=[A-Za-z][a-z]{3,}(?:$|[-/]))")


def split_parts(word: str) -> list[tuple[int, int, str]]:
    """Pieces of a written word worth looking up alone, as (start, end, glue to next).

    Split at "/" ("ROS/NOS", "Ca2+/calmodulin") and at a hyphen before a word
    ("GTP-bound", "LPS-induced", "arthritis-susceptible"); the glue lets a longer span
    rejoin the pieces exactly as written ("I/R", "alpha-Ketoglutarate").
    """
    cuts = [(m.start(), "/") for m in re.finditer(r"(?<=.)/(?=.)", word)]
    cuts += [(m.start(), "-") for m in _SPLIT_HYPHEN.finditer(word)]
    parts, start = [], 0
    for position, glue in sorted(cuts):
        if position > start:
            parts.append((start, position, glue))
        start = position + 1
    parts.append((start, len(word), " "))
    return [p for p in parts if p[1] > p[0]]


def _words_of(
    text: str, x0: float, x1: float, y0: float, y1: float, conf: float, line: int, first: int
) -> list[Word]:
    n = len(text)
    width = (x1 - x0) / n if n else 0.0
    words = []
    for m in _WORD.finditer(text):
        cleaned, offset = clean_word(m.group(0))
        if not cleaned:
            continue
        for part_start, part_end, glue in split_parts(cleaned):
            start = m.start() + offset + part_start
            end = m.start() + offset + part_end
            words.append(
                Word(
                    cleaned[part_start:part_end],
                    x0 + width * start,
                    y0,
                    x0 + width * end,
                    y1,
                    conf,
                    line,
                    first + len(words),
                    glue,
                )
            )
    return words


def _letter_for_symbol(reading: str, alternative: str) -> bool:
    """Whether ``alternative`` only puts letters where ``reading`` has non-ASCII symbols
    ("€arbamoyl-phosphate" / "Carbamoyl-phosphate"): no label writes a currency sign or a
    trademark inside a word, so the letter is the better reading."""
    if len(reading) != len(alternative) or reading == alternative:
        return False
    return all(
        a == b or (ord(a) > 127 and unicodedata.category(a).startswith("S") and b.isalpha())
        for a, b in zip(reading, alternative, strict=True)
    )


def token_text(token: OcrToken) -> str:
    """The token's reading, or an alternative that only adds sub- or superscripts to it or
    puts letters for stray symbols.

    Engines often rank "Ca2" above "Ca²" although the two differ only in what makes the
    label an ion; the reading with the super- or subscript says more and contradicts nothing.
    """
    plain = unicodedata.normalize("NFKC", token.text)
    marks = len(_SCRIPT_MARKS.findall(token.text))
    for alternative in token.alternatives:
        if (
            unicodedata.normalize("NFKC", alternative) == plain
            and len(_SCRIPT_MARKS.findall(alternative)) > marks
        ) or _letter_for_symbol(token.text, alternative):
            return alternative
    return token.text


def lines_from_tokens(tokens: Sequence[OcrToken]) -> list[list[Word]]:
    """OCR tokens as lines of words; line tokens are split with proportional boxes.

    When the engine gave both lines and words, the lines are used.
    """
    line_tokens = [t for t in tokens if t.kind != "word"]
    lines: list[list[Word]] = []
    count = 0
    if line_tokens:
        for number, token in enumerate(line_tokens):
            words = _words_of(
                token_text(token),
                token.x0,
                token.x1,
                token.y0,
                token.y1,
                token.confidence,
                number,
                count,
            )
            count += len(words)
            lines.append(words)
        return lines
    by_line: dict[int, list[OcrToken]] = {}
    for token in tokens:
        by_line.setdefault(token.line, []).append(token)
    for number, line in enumerate(by_line.values()):
        words = []
        for token in sorted(line, key=lambda t: t.x0):
            cleaned, _ = clean_word(token_text(token))
            if cleaned:
                words.append(
                    Word(
                        cleaned,
                        token.x0,
                        token.y0,
                        token.x1,
                        token.y1,
                        token.confidence,
                        number,
                        count,
                    )
                )
                count += 1
        lines.append(words)
    return lines


def lines_from_text(text: str) -> list[list[Word]]:
    """Plain text as one line of words whose boxes are character offsets."""
    return [_words_of(text, 0.0, float(len(text)), 0.0, 1.0, 1.0, 0, 0)] if text else []


#: How far (in line heights) the OCR box of a label's second line may reach up into its
#: first: the boxes of small or blurred labels overlap by up to half a height.
_LINE_OVERLAP = 0.6


def _below(upper: Sequence[Word], lower: Sequence[Word]) -> bool:
    """``lower`` starts right under ``upper`` and overlaps it horizontally."""
    if not upper or not lower:
        return False
    top = min(w.y0 for w in upper)
    bottom = max(w.y1 for w in upper)
    height = max(bottom - top, 1.0)
    gap = min(w.y0 for w in lower) - bottom
    if not (-_LINE_OVERLAP * height <= gap <= 0.9 * height):
        return False
    left, right = min(w.x0 for w in upper), max(w.x1 for w in upper)
    return min(w.x0 for w in lower) < right + height and max(w.x1 for w in lower) > left - height


class _TokensByTop:
    """Tokens sorted by their top edge, for finding the lines just above or below one."""

    def __init__(self, tokens: Sequence[OcrToken]) -> None:
        self._tokens = sorted(tokens, key=lambda t: t.y0)
        self._tops = [t.y0 for t in self._tokens]

    def stacked_on(self, token: OcrToken) -> list[OcrToken]:
        """Tokens that could continue ``token``'s label on the line above or below (same
        kind, overlapping horizontally, at most a line height apart; lines of a like size)."""
        height = max(token.y1 - token.y0, 1.0)
        start = bisect.bisect_left(self._tops, token.y0 - 2.5 * height)
        end = bisect.bisect_right(self._tops, token.y1 + 0.9 * height)
        return [
            other
            for other in self._tokens[start:end]
            if other is not token
            and other.kind == token.kind
            and other.x0 < token.x1 + height
            and other.x1 > token.x0 - height
            and (
                -_LINE_OVERLAP * height <= other.y0 - token.y1 <= 0.9 * height
                or -_LINE_OVERLAP * height <= token.y0 - other.y1 <= 0.9 * height
            )
        ]


def _stacked_lines(
    lines: Sequence[Sequence[Word]],
) -> list[tuple[Sequence[Word], Sequence[Word]]]:
    """Pairs (upper, lower) of lines where ``lower`` sits right under ``upper``.

    OCR engines list lines in reading order across the whole figure, so the second line of
    a wrapped label ("Glyceraldehyde-" / "3-phosphate") is often not the next line: a label
    further right on the same row comes between them. Lines are compared by position.
    """
    placed = sorted((min(w.y0 for w in line), number) for number, line in enumerate(lines) if line)
    tops = [top for top, _ in placed]
    pairs = []
    for upper in lines:
        if not upper:
            continue
        top, bottom = min(w.y0 for w in upper), max(w.y1 for w in upper)
        height = max(bottom - top, 1.0)
        start = bisect.bisect_left(tops, bottom - _LINE_OVERLAP * height)
        end = bisect.bisect_right(tops, bottom + 0.9 * height)
        for _, number in placed[start:end]:
            lower = lines[number]
            if lower is not upper and _below(upper, lower):
                pairs.append((upper, lower))
    return pairs


#: Shortest key of a name that lets an engine's alternative reading replace its first one.
ALTERNATIVE_MIN_KEY = 5
#: Shortest key of a name matched with the letters OCR confuses (l, I, i, 1) taken as one.
CONFUSABLE_MIN_KEY = 8
_CONFUSABLE = str.maketrans({"i": "l", "1": "l", "|": "l", "!": "l"})


def confusable_key(text: str) -> str:
    """Folded key with l, I, i and 1 made one letter: "Diacyiglycerol" = "Diacylglycerol"."""
    return exact_key(text).casefold().translate(_CONFUSABLE)


#: Lower wins among entries matched by the same words (see ``_preference``).
SOURCE_ORDER = (
    SOURCE_CURATED,
    "mesh_label",
    "mesh_entry",
    "chebi_name",
    "doid",
    "mondo",
    "mesh_scr",
    "chebi",
    "chebi_variant",
    "mesh_variant",
)


def _preference(entry: Entry, text: str) -> tuple[bool, bool, int, bool]:
    """Curated rows first, then a term that is the heading itself, then by table, then case."""
    rank = SOURCE_ORDER.index(entry.source) if entry.source in SOURCE_ORDER else len(SOURCE_ORDER)
    return (
        entry.source != SOURCE_CURATED,
        folded_key(entry.term) != folded_key(entry.name),
        rank,
        entry.term != text,
    )


def _spans_ok(term: str, span: Sequence[Word]) -> bool:
    """Words may only be joined where the term has a space or hyphen, or the line broke
    after a hyphen: "T 4" is not "T4", "form. In" is not "Formin"."""
    breaks = len(re.findall(r"[\s\-]+", normalise_surface(term).strip()))
    joins = sum(1 for w in span[:-1] if w.glue == " " and not w.text.endswith("-"))
    return joins <= breaks


def context_pattern(word: str) -> re.Pattern[str]:
    """Lower-case context words match as word prefixes in any case ("diabet" in "Diabetes");
    others match whole words with their case ("PKC", "NOS")."""
    if word == word.lower():
        return re.compile(rf"(?<![^\W_]){re.escape(word)}", re.IGNORECASE)
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])")


class TermMatcher:
    """Finds lexicon entries in lines of words; knows nothing about what they denote."""

    def __init__(
        self, entries: Iterable[Entry], stopwords: Iterable[str] = (), *, kind: str = "chemical"
    ) -> None:
        self._next_rule = _NOT_A_SUBSTANCE_NEXT if kind == "chemical" else _PATHOGEN_NEXT
        self._genus_rule = kind != "chemical"  # "(A) pristane" is a panel letter, not a genus
        self._process_rule = _PROCESS_NEXT if kind == "chemical" else None
        self._chain_qualifier = kind == "chemical"
        self._exact: dict[str, list[Entry]] = {}
        self._folded: dict[str, list[Entry]] = {}
        self._loose: dict[str, list[Entry]] = {}
        self._confusable: dict[str, list[Entry]] = {}
        self._stop = {folded_key(w) for w in stopwords}
        for entry in entries:
            key = exact_key(entry.term)
            if not key or folded_key(entry.term) in self._stop:
                continue
            if is_case_sensitive(entry.term):
                self._exact.setdefault(key, []).append(entry)
                if _TITLE_WORD.match(entry.term):  # "Tumor" is also written "tumor"
                    self._exact.setdefault(key.lower(), []).append(entry)
                elif _LOWER_WORD.match(entry.term):  # "urate" starts a label as "Urate"
                    self._exact.setdefault(key.capitalize(), []).append(entry)
                loose = loose_key(entry.term)
                if len(loose) > SHORT_KEY and loose != key:
                    self._loose.setdefault(loose, []).append(entry)
            else:
                self._folded.setdefault(key.casefold(), []).append(entry)
                if len(key) >= CONFUSABLE_MIN_KEY:
                    self._confusable.setdefault(confusable_key(entry.term), []).append(entry)
        self._patterns: dict[str, re.Pattern[str]] = {}

    def __len__(self) -> int:
        return sum(map(len, self._exact.values())) + sum(map(len, self._folded.values()))

    def lookup(self, text: str) -> list[Entry]:
        """Entries whose term matches ``text`` (case-exact ones first)."""
        key = exact_key(text)
        if not key or not _HAS_LETTER.search(key):
            return []
        found = list(self._exact.get(key, ()))
        found += self._folded.get(key.casefold(), ())
        if not found and len(key) > SHORT_KEY:
            loose = loose_key(text)
            found = list(self._loose.get(loose, ()))
            if loose != key:
                found += self._exact.get(loose, ())
        if not found and len(key) >= 5 and key.endswith("s") and key[-2].islower():
            found = list(self._folded.get(key[:-1].casefold(), ()))  # "ceramides", "tumors"
        if not found:
            bare = _STEREO_IN_TEXT.sub("", text)
            if bare != text:
                found = self.lookup(bare)
        if not found and len(key) >= CONFUSABLE_MIN_KEY:
            # one name only: "Chiorides" may not choose between two compounds
            confused = self._confusable.get(confusable_key(text), [])
            if len({(e.name, e.ids) for e in confused}) == 1:
                found = list(confused)
        return found

    def _context_ok(self, entry: Entry, context: str) -> bool:
        """No context words, or one of them (or the heading the term stands for) in context."""
        if not entry.context:
            return True
        heading = re.sub(r"(?<=[a-z]{3})s$", "", entry.name.lower())
        for word in (*entry.context, heading):
            pattern = self._patterns.get(word)
            if pattern is None:
                pattern = self._patterns[word] = context_pattern(word)
            if pattern.search(context):
                return True
        return False

    def _candidates(
        self, lines: Sequence[Sequence[Word]], cross_lines: bool
    ) -> list[tuple[Word, ...]]:
        spans: list[tuple[Word, ...]] = []
        for line in lines:
            for i in range(len(line)):
                for n in range(1, min(MAX_SPAN_WORDS, len(line) - i) + 1):
                    spans.append(tuple(line[i : i + n]))
        if cross_lines:
            for upper, lower in _stacked_lines(lines):
                for a in range(1, min(MAX_SPAN_WORDS - 1, len(upper)) + 1):
                    for b in range(1, min(MAX_SPAN_WORDS - a, len(lower)) + 1):
                        spans.append((*upper[len(upper) - a :], *lower[:b]))
        return spans

    def find_in_tokens(self, tokens: Sequence[OcrToken], context: str = "") -> list[Hit]:
        """Hits in a figure's OCR tokens; ``context`` is its caption and titles."""
        lines = lines_from_tokens(self.better_readings(tokens))
        return self.find(lines, figure_context(lines, context), figure=True)

    def better_readings(self, tokens: Sequence[OcrToken]) -> list[OcrToken]:
        """The tokens, each with the reading that names the most (see ``_better_reading``)."""
        if not any(token.alternatives for token in tokens):
            return list(tokens)
        by_top = _TokensByTop(tokens)
        return [
            self._better_reading(token, by_top.stacked_on(token)) if token.alternatives else token
            for token in tokens
        ]

    def _covered(
        self, tokens: Sequence[OcrToken], shortest: int = 1, changed_from: str | None = None
    ) -> int:
        """Key characters of the names, ``shortest`` long or more, that read words of the
        first token (alone, or wrapped onto the others); with ``changed_from``, only names
        that read a word this reading of the token has and ``changed_from`` has not."""
        lines = lines_from_tokens(tokens)
        if not lines:
            return 0
        own = {w.index for w in lines[0]}
        if changed_from is not None:
            before = [w.text for w in lines_from_tokens([replace(tokens[0], text=changed_from)])[0]]
            now = [w.text for w in lines[0]]
            if len(before) == len(now):
                own = {w.index for w, old in zip(lines[0], before, strict=True) if w.text != old}
        hits = self.find(lines, "", figure=True)
        keys = [exact_key(join_words(h.words)) for h in hits if own & {w.index for w in h.words}]
        return sum(len(key) for key in keys if len(key) >= shortest)

    def _better_reading(self, token: OcrToken, neighbours: Sequence[OcrToken]) -> OcrToken:
        """The token, or the engine's alternative reading of it when that names more.

        "MethyISelenol" / "MethylSelenol", "Omnithine" / "Ornithine", "Glyceral-3-" /
        "Glycerol-3-" over "phosphate": when the first reading misses a letter, the engine
        often has the right word second. The lines right above and below count, for labels
        wrapped onto them. Only names that read a word the alternative changes count ("Calcium
        channef" does not make "Calcium channel" calcium), and only names of
        ``ALTERNATIVE_MIN_KEY`` characters or more, which one misread letter does not make by
        chance ("Cat" / "Cal" is not calcium).
        """
        first = self._covered([token, *neighbours])
        for alternative in token.alternatives:
            candidate = replace(token, text=alternative, alternatives=())
            gained = self._covered([candidate, *neighbours], ALTERNATIVE_MIN_KEY, token.text)
            if gained > first:
                return candidate
        return token

    def find_in_text(self, text: str, context: str = "") -> list[Hit]:
        """Hits in plain text; boxes are character offsets into ``text``."""
        return self.find(lines_from_text(text), text + "\n" + context, cross_lines=False)

    def find(
        self,
        lines: Sequence[Sequence[Word]],
        context: str,
        *,
        cross_lines: bool = True,
        figure: bool = False,
    ) -> list[Hit]:
        """Non-overlapping hits, longest spans first, in reading order.

        ``context`` is searched for the context words of ambiguous entries; ``figure``
        (OCR lines of a figure) also leaves out chemicals that name a pathway label.
        """
        process_rule = self._process_rule if figure else None
        next_word: dict[int, str] = {}
        previous_word: dict[int, Word] = {}
        for line in lines:
            for position, (left, right) in enumerate(itertools.pairwise(line)):
                previous_word[right.index] = left
                # the next written word, with the pieces a split took apart ("11-oxidase")
                written = [right]
                for piece in line[position + 2 :]:
                    if written[-1].glue == " ":
                        break
                    written.append(piece)
                next_word[left.index] = join_words(written)
        for line in lines:
            # past a list of ions: "Na+ K+ ATPase", "Na+/K+-ATPase", "H+/K+ ATPase"
            for position in range(len(line) - 1):
                after = position + 1
                while after < len(line) and _ION_WORD.match(normalise_surface(line[after].text)):
                    after += 1
                if after < len(line):
                    text = normalise_surface(line[after].text)
                    beyond = _ION_PREFIX.sub("", text)
                    if after > position + 1 or beyond != text:
                        next_word[line[position].index] = beyond
        if cross_lines:
            # a label wrapped onto the line below: "Pyrimidine" / "synthesis", "Glucose" /
            # "transporter"; the nearest line under it counts
            for upper, lower in _stacked_lines(lines):
                next_word.setdefault(upper[-1].index, lower[0].text)
        hits: list[Hit] = []
        blocked: list[set[int]] = []
        for span in self._candidates(lines, cross_lines):
            if len(span) == 1 and len(exact_key(span[0].text)) < 2:
                continue
            entries = self.lookup(join_words(span))
            entries = [
                e for e in entries if _spans_ok(e.term, span) and self._context_ok(e, context)
            ]
            if not entries:
                continue
            following = next_word.get(span[-1].index)
            preceding = previous_word.get(span[0].index)
            if (
                following is not None
                and (
                    self._next_rule.match(following)
                    or (process_rule is not None and process_rule.match(following))
                )
            ) or (
                self._genus_rule and preceding is not None and _GENUS_BEFORE.match(preceding.text)
            ):
                # "hepatitis C virus": neither the name nor its parts ("hepatitis") count
                blocked.append({w.index for w in span})
                continue
            entries.sort(key=lambda e: _preference(e, join_words(span)))
            hits.append(Hit(entries[0], span))
        hits.sort(key=lambda h: (-len(h.words), h.entry.source != SOURCE_CURATED, h.words[0].index))
        used: set[int] = set()
        kept = []
        for hit in hits:
            indices = {w.index for w in hit.words}
            if indices & used or any(indices <= span for span in blocked):
                continue
            used |= indices
            kept.append(hit)
        if self._chain_qualifier:
            for position, hit in enumerate(kept):
                qualifier = self._chain_length(hit.words[0], previous_word)
                if qualifier and not {w.index for w in qualifier} & used:
                    used |= {w.index for w in qualifier}
                    kept[position] = Hit(hit.entry, (*qualifier, *hit.words))
        kept.sort(key=lambda h: h.words[0].index)
        return kept

    @staticmethod
    def _chain_length(first: Word, previous_word: Mapping[int, Word]) -> tuple[Word, ...]:
        """The "long chain" (or "short-chain"...) words right before ``first``, if any."""
        chain = previous_word.get(first.index)
        length = previous_word.get(chain.index) if chain and _CHAIN.match(chain.text) else None
        if chain is None or length is None or not _CHAIN_LENGTH.match(length.text):
            return ()
        return (length, chain)


def read_curated(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """Rows of a hand-curated TSV (``#`` comments, header row) as dicts; checks the header."""
    try:
        lines = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
    except OSError as error:
        raise LexiconError(f"{path}: cannot read curated table ({error})") from None
    if not lines:
        raise LexiconError(f"{path}: empty curated table")
    header = lines[0].split("\t")
    missing = [c for c in columns if c not in header]
    if missing:
        raise LexiconError(f"{path}: missing columns {', '.join(missing)}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(header):
            raise LexiconError(f"{path} row {number}: {len(cells)} cells, header has {len(header)}")
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def split_context(cell: str) -> tuple[str, ...]:
    """The ``|``-separated context words of a curated row."""
    return tuple(w.strip() for w in cell.split("|") if w.strip())


def figure_context(lines: Sequence[Sequence[Word]], context: str) -> str:
    """Caption/title text plus every word the figure shows, for context-word checks."""
    return context + "\n" + " ".join(w.text for line in lines for w in line)


def box(words: Sequence[Word]) -> tuple[float, float, float, float]:
    """The union box of some words."""
    return (
        min(w.x0 for w in words),
        min(w.y0 for w in words),
        max(w.x1 for w in words),
        max(w.y1 for w in words),
    )


def stopwords_for(rows: Iterable[Mapping[str, str]], kind: str) -> set[str]:
    """Stop words of one kind (``chemical`` or ``disease``) from the curated stop list."""
    return {row["word"] for row in rows if row["kind"] in (kind, "both")}


def mention_fields(hit: Hit, source_confidence: Mapping[str, float]) -> dict[str, Any]:
    """What a chemical or disease mention shares: the words read, the term matched, where,
    and a confidence (the least confident word times the trust in the matching table)."""
    x0, y0, x1, y1 = box(hit.words)
    trust = source_confidence.get(hit.entry.source, 0.7)
    return {
        "word": hit.text,
        "match": hit.entry.term,
        "name": hit.entry.name,
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "confidence": round(min(w.confidence for w in hit.words) * trust, 4),
        "source": hit.entry.source,
    }
