"""Metadata clean-up after ingest: figure titles, missing years and duplicate images.

PFOCR publishes a short title per figure. JATS titles often start with the figure's label
("Figure 3."), a panel letter ("(A)", "a ") or a phrase that describes the drawing rather
than the pathway ("Schematic representation of"); some are empty, a single word or a whole
paragraph. ``clean_metadata`` applies PFOCR's post-processing rules (pp_figures_step_1.R,
pfocr_fix_titles_20210515.R) as pure functions:

1. strip the figure label, panel artefacts, citation markers and the trailing period;
2. strip one curated preamble (``data/curated/title_preambles.tsv``, longest first) and
   capitalise what is left;
3. a title shorter than 10 or longer than 250 characters is replaced by the caption's
   first sentence, else by the paper title (PFOCR used the paper title only);
4. a missing year is read from the reference text ("PLoS Pathog. 2008 Jun;4(6)").

Greek letters are kept: the record carries the title as published, in UTF-8, because
"IFN-γ" is what a reader searches for and the ASCII spelling can always be derived,
but not the other way round. ``ungreek_text`` gives PFOCR's ASCII form (``ungreekText``:
"β-catenin" -> "Beta-catenin", "IFN-γ" -> "IFNG") for outputs that need it.

Figure numbers are normalised by ``pfocr.export.numbers`` when records are written;
``figid_alias`` reuses it for PFOCR's ``pmcid__number`` alias.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from pfocr.errors import IngestError
from pfocr.export.numbers import normalise_figure_number
from pfocr.models import Figure

#: The curated table of title preambles (``preamble<TAB>reason``).
PREAMBLES_PATH = Path(__file__).resolve().parent.parent / "data" / "curated" / "title_preambles.tsv"
#: PFOCR's bounds for a usable figure title, in characters.
MIN_TITLE_LENGTH = 10
MAX_TITLE_LENGTH = 250

_LABEL = re.compile(
    r"""^\s*(?:(?:supplementa(?:l|ry)|extended\s+data|expanded\s+view|appendix)\s+)?
    (?:(?:fig(?:ure)?s?\.?|scheme|plate)\s*(?:S?\d+[A-Za-z]?|[IVX]+\b)|graphical\s+abstract)
    (?:\s*[-–—]\s*figure\s+supplement\s+\d+)?
    \s*(?:[.:|—–-]\s*|\s+|$)""",
    re.IGNORECASE | re.VERBOSE,
)
_PANEL = re.compile(r"^\s*(?:\(\s*[A-Za-z]\s*\)|\[\s*[A-Za-z]\s*\]|[A-Z][.)]|[a-z]\)?)\s+(?=\S)")
_CITATION = re.compile(r"\s*\[\s*\d+(?:\s*[,–-]\s*\d+)*\s*\]")
_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"(?<![\d/.-])(19\d{2}|20\d{2})(?![\d])")
#: Words after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "al",
        "e.g",
        "i.e",
        "fig",
        "figs",
        "vs",
        "approx",
        "ca",
        "cf",
        "etc",
        "no",
        "nos",
        "ref",
        "refs",
        "resp",
        "sp",
        "spp",
        "st",
        "dr",
        "mr",
        "ms",
        "prof",
    ]
)
_GREEK_WORDS = (
    ("α-", "Alpha-"),
    ("β-", "Beta-"),
    ("γ-", "Gamma-"),
    ("Ω-", "Omega-"),
    ("ω-", "omega-"),
)
_GREEK_LETTERS = re.compile(r"-?([αβγδεϵκ])")
_GREEK_ASCII = {"α": "A", "β": "B", "γ": "G", "δ": "D", "ε": "E", "ϵ": "E", "κ": "K"}


@lru_cache(maxsize=4)
def load_title_preambles(path: Path = PREAMBLES_PATH) -> tuple[str, ...]:
    """Preambles from the curated table, longest first so "Schematic diagram of the" wins."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise IngestError(f"{path}: cannot read title preambles ({error.strerror})") from None
    preambles = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 2 or not cells[0].strip():
            raise IngestError(f"{path}:{number}: expected `preamble<TAB>reason`, got {line!r}")
        preambles.append(cells[0].strip())
    return tuple(sorted(set(preambles), key=lambda p: (-len(p), p.lower())))


def _tidy(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()


def strip_figure_label(title: str) -> str:
    """Drop a leading label: "Figure 3. X" -> "X", "Fig. 2: X" -> "X", "FIG 5 X" -> "X"."""
    text = _tidy(title)
    match = _LABEL.match(text)
    if match and match.end() < len(text):
        return text[match.end() :].lstrip(" .:|-–—")
    return text


def strip_artifacts(title: str) -> str:
    """Drop a leading panel letter ("(A)", "a ", "B.") and bracketed citation markers ("[12]")."""
    text = _CITATION.sub("", _tidy(title))
    return _PANEL.sub("", text, count=1).strip()


def remove_trailing_period(title: str) -> str:
    """Titles are labels, not sentences: "Model of X." -> "Model of X" (keeps "etc." and "...")."""
    text = _tidy(title)
    if (
        text.endswith(".")
        and not text.endswith("..")
        and not re.search(r"\b(?:etc|al|sp|spp)\.$", text)
    ):
        return text[:-1].rstrip()
    return text


def _capitalise(text: str) -> str:
    """Upper-case the first letter of a plain lower-case first word, leaving mTOR, p53 alone."""
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():
        return text[0].upper() + text[1:]
    return text


def remove_preamble(title: str, preambles: Iterable[str] | None = None) -> str:
    """Strip one leading preamble ("Schematic representation of the X" -> "X")."""
    text = _tidy(title)
    lowered = text.lower()
    for preamble in load_title_preambles() if preambles is None else preambles:
        candidate = preamble.lower()
        if lowered.startswith(candidate) and (
            len(text) == len(candidate) or not text[len(candidate)].isalnum()
        ):
            rest = text[len(candidate) :].lstrip(" :,-–—")
            return _capitalise(rest) if rest else text
    return text


def clean_title(title: str) -> str:
    """A figure title with label, artefacts, preamble and trailing period removed.

    Repeated until nothing changes ("Figure 2. (A) Model of X." needs two rounds), so
    cleaning a cleaned title changes nothing.
    """
    text = _tidy(title)
    for _ in range(10):
        cleaned = remove_trailing_period(remove_preamble(strip_artifacts(strip_figure_label(text))))
        if cleaned == text:
            break
        text = cleaned
    return text


def first_sentence(text: str) -> str:
    """The first sentence of a caption, not split at "et al.", "e.g.", "Fig." or "S. cerevisiae"."""
    text = _tidy(text)
    for match in re.finditer(r"[.!?](?=\s+[A-Z(\[0-9])", text):
        before = text[: match.start()]
        word = re.split(r"[\s(]", before)[-1]
        if word.lower().rstrip(".") in _ABBREVIATIONS or re.fullmatch(r"[A-Z]", word):
            continue
        return text[: match.end()]
    return text


def is_usable_title(title: str) -> bool:
    """PFOCR's bounds: at least 10 and at most 250 characters."""
    return MIN_TITLE_LENGTH <= len(title) <= MAX_TITLE_LENGTH


def choose_title(figtitle: str, caption: str, papertitle: str) -> str:
    """The cleaned figure title, or the caption's first sentence, or the paper title.

    Each candidate is cleaned the same way and the first of usable length wins; when none
    is, the cleaned figure title is kept if there is one (better short than empty).
    """
    candidates = [
        clean_title(figtitle),
        clean_title(first_sentence(caption)),
        clean_title(papertitle),
    ]
    for candidate in candidates:
        if is_usable_title(candidate):
            return candidate
    return next((c for c in candidates if c), "")


def year_from_reftext(reftext: str) -> str:
    """The publication year in a citation ("BMC Biol. 2007;5:19" -> "2007"), or ""."""
    match = _YEAR.search(reftext or "")
    return match.group(1) if match else ""


def ungreek_text(text: str) -> str:
    """PFOCR's ``ungreekText``: Greek letters spelled in ASCII, e.g. "β-catenin" -> "Beta-catenin".

    A letter that starts a word before a hyphen is spelled out; any other is replaced by
    its Latin initial, dropping a hyphen right in front of it ("IFN-γ" -> "IFNG", "GSK-3β" ->
    "GSK-3B": the hyphen before the digit stays).
    """
    result = text
    for greek, word in _GREEK_WORDS:
        result = re.sub(rf"(?<![A-Za-z0-9]){re.escape(greek)}", word, result)
    return _GREEK_LETTERS.sub(lambda m: _GREEK_ASCII[m.group(1)], result)


def figid_alias(figure: Figure) -> str:
    """PFOCR's ``figid_alias``: ``<pmcid>__<short number>`` (e.g. ``PMC2398782__F7``)."""
    number = normalise_figure_number(figure.number, figure.filename, figure.figlink)
    return f"{figure.pmcid}__{number}" if figure.pmcid else number


def clean_metadata(figure: Figure) -> Figure:
    """A copy of ``figure`` with a clean title and the year filled in from the reference text.

    Pure: the input is not changed, and cleaning a cleaned figure changes nothing more.
    """
    changes: dict[str, str] = {}
    title = choose_title(figure.figtitle, figure.caption, figure.papertitle)
    if title != figure.figtitle:
        changes["figtitle"] = title
    if not figure.year.strip():
        year = year_from_reftext(figure.reftext)
        if year:
            changes["year"] = year
    return replace(figure, **changes) if changes else figure


def duplicate_groups(hashes: Iterable[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Figures that share an image, from ``(figid, sha256)`` pairs.

    Returns one sorted tuple of figure ids per image held by two or more figures, ordered
    by first id. PFOCR found such duplicates when PMC re-published an article's images;
    keeping ``group[0]`` and dropping the rest is ``duplicates_to_drop``.
    """
    by_hash: dict[str, set[str]] = defaultdict(set)
    for figid, sha256 in hashes:
        if sha256:
            by_hash[sha256.lower()].add(figid)
    groups = [tuple(sorted(ids)) for ids in by_hash.values() if len(ids) > 1]
    return sorted(groups)


def duplicates_to_drop(groups: Iterable[tuple[str, ...]]) -> set[str]:
    """Every figure id of each duplicate group but the first."""
    return {figid for group in groups for figid in group[1:]}
