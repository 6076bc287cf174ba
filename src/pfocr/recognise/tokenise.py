"""From OCR lines to the strings worth looking up: words, skip rules, rejoined labels.

OCR engines return lines; genes are words. A label can also be split by the
engine ("ERK 1/2", "TLRs 3/7/9", "NF-" on one line and "κB" below it) or the
figure ("PI3K / AKT"), so besides single words this module proposes multi-word
candidates; the matcher decides whether each one names a gene (longest first).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any, TypeVar

from pfocr.models import OcrToken
from pfocr.recognise.transforms import GREEK_TO_LATIN, GREEK_TO_NAME

_GREEK = "".join(GREEK_TO_LATIN)

# PFOCR's skip rules (§1.6.1), applied to one token only.
_SKIP_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^[+-]?\d+$"),  # integer
    re.compile(r"^[+-]?\d*[.,]\d+%?$"),  # float, either decimal mark
    re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$"),  # scientific notation
    re.compile(r"^\d+(?:[.,]\d+)?\s*[xX×*]\s*\d+(?:[.,]\d+)?$"),  # NxM
    re.compile(r"\w{13,}"),  # run of >= 13 word characters (sequences, ids, joined text)
    re.compile(r"^[A-Z][a-z]?\d*[+-]$"),  # ion: Ca2+, K+, Cl-
    re.compile(r"^[+-]?\d+(?:[.,]\d+)?%$"),  # percentage
    re.compile(r"^(?:PI|PtdIns)[-(]?\d(?:[,-]?\d)*\)?-?P\d?$"),  # phosphoinositide: PI(4,5)P2
)
#: The skip rules as one pattern: one scan of the word instead of one per rule.
_SKIP = re.compile("|".join(f"(?:{p.pattern})" for p in _SKIP_PATTERNS))
_LEAD_JUNK = re.compile(rf"^[^\w{_GREEK}(\[]+")
_TRAIL_JUNK = re.compile(rf"[^\w{_GREEK})\]+\-]+$")
_BRACKET = re.compile(r"[()\[\]]")
_GREEK_NAMES = "|".join(sorted(set(GREEK_TO_NAME.values()), key=len, reverse=True))
_LIST_LIKE = re.compile(
    r"^(?:[\d/,&\-()]*\d[\d/,&\-()]*"  # 1/2, 3/7/9, (1-3), 2,
    r"|\d{1,3}[A-Za-z]?,?"  # 3a, 2B
    r"|[A-Z]\d{0,2},?"  # L, A1
    rf"|[{_GREEK}]{{1,4}}\d{{0,2}}"  # α, βγ, λ2
    rf"|\d{{1,2}}[{_GREEK}]{{1,2}}"  # 3β
    rf"|[{_GREEK}kK]B[{_GREEK}]?"  # κB (NF kB)
    rf"|(?i:{_GREEK_NAMES})\d{{0,2}}"  # alpha, Beta, gamma2
    r"|and|or|&|/|-|,)$"
)
MAX_SPAN_WORDS = 5
_Record = TypeVar("_Record")
_CONNECTORS = frozenset({"and", "or", "&", "/", "-", ""})
#: Words are separated by spaces and by marks that never occur inside a gene
#: label: em dash, arrows and inhibition bars ("TLR4→MyD88", "Inflammasome—IL-1β").
_WORD = re.compile(r"[^\s\u2014\u2190-\u21ff\u22a3\u27f6\u27f5]+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A string to look up and where it was read.

    ``kind`` is ``word`` (one OCR word), ``list`` (a word followed by list or
    Greek suffixes: "ERK 1/2"), ``split`` (a label broken after ``-`` or ``/``,
    on one line or across two) or ``pair`` (two words that may form one symbol:
    "Rap1 GAP"). ``size`` is the number of OCR words it covers.
    """

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    line: int
    kind: str = "word"
    size: int = 1
    #: Other OCR readings of a single word, tried when the text itself names no gene.
    alternatives: tuple[str, ...] = ()


@lru_cache(maxsize=1 << 16)
def clean_word(text: str) -> str:
    """Strip punctuation around a word, keeping balanced brackets and charge signs."""
    if text[:1].isalnum() and text[-1:].isalnum() and not _BRACKET.search(text):
        # nothing to strip at either end and no bracket to balance: most words
        return text
    text = _TRAIL_JUNK.sub("", _LEAD_JUNK.sub("", text.strip()))
    for open_, close in (("(", ")"), ("[", "]")):
        if text.startswith(open_) and text.endswith(close) and text.count(open_) == 1:
            text = text[1:-1]
        elif text.endswith(close) and text.count(close) > text.count(open_):
            text = text[:-1]
        elif text.startswith(open_) and text.count(open_) > text.count(close):
            text = text[1:]
    return _TRAIL_JUNK.sub("", _LEAD_JUNK.sub("", text))


@lru_cache(maxsize=1 << 16)
def is_skippable(word: str) -> bool:
    """PFOCR's skip rules for one token: single characters, numbers, ions, long runs."""
    if word.isalpha():
        # letters only (most words): every rule but the long run needs a digit or a sign
        return len(word) <= 1 or len(word) >= 13
    return len(word) <= 1 or _SKIP.search(word) is not None


@lru_cache(maxsize=1 << 16)
def is_list_like(word: str) -> bool:
    """A word that continues the previous one: numbers, lists, Greek letters, connectors."""
    return bool(_LIST_LIKE.match(word))


def _frozen(cls: type[_Record], **fields: Any) -> _Record:
    """``cls(**fields)`` for a frozen dataclass with an instance ``__dict__`` and no
    ``__post_init__`` (``OcrToken``, ``Mention``), built without its ``__init__``.

    A frozen dataclass's ``__init__`` sets every field through ``object.__setattr__``,
    which costs as much as the rest of splitting a line into words; filling the instance
    dictionary at once gives the same object (same fields, equality, hash and pickle).
    ``fields`` must name every field, in declaration order.
    """
    record = object.__new__(cls)
    record.__dict__.update(fields)
    return record


def words_from_lines(tokens: Sequence[OcrToken]) -> list[OcrToken]:
    """Split OCR lines into words with boxes proportional to their character offsets.

    Word tokens pass through unchanged. Each word keeps its line's index (the
    line's own ``line`` field when the lines carry distinct ones, otherwise its
    position) and gets ``kind="word"``.
    """
    line_tokens = [t for t in tokens if t.kind != "word"]
    distinct = len({t.line for t in line_tokens}) == len(line_tokens)
    words: list[OcrToken] = []
    position = 0
    for token in tokens:
        if token.kind == "word":
            words.append(token)
            continue
        index = token.line if distinct else position
        position += 1
        text = token.text
        n = len(text)
        if n == 0:
            continue
        x0, y0, y1, confidence = token.x0, token.y0, token.y1, token.confidence
        width = token.x1 - x0
        if _WORD.fullmatch(text):  # a one-word line (most): the word is the whole text
            found = [(text, 0, n)]
        else:
            found = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
        # most lines have no other readings: skip sharing them out word by word
        per_word = _word_alternatives(len(found), token.alternatives) if token.alternatives else ()
        for k, (word, start, end) in enumerate(found):
            words.append(
                _frozen(  # OcrToken(...) without its slow frozen __init__ (the hot loop)
                    OcrToken,
                    text=word,
                    x0=x0 + width * start / n,
                    y0=y0,
                    x1=x0 + width * end / n,
                    y1=y1,
                    confidence=confidence,
                    kind="word",
                    line=index,
                    alternatives=tuple(a for a in per_word[k] if a != word) if per_word else (),
                )
            )
    return words


def _word_alternatives(n_words: int, line_readings: Sequence[str]) -> list[tuple[str, ...]]:
    """Other readings of each word, from line readings that split into as many words."""
    per_word: list[list[str]] = [[] for _ in range(n_words)]
    for reading in line_readings:
        parts = _WORD.findall(reading)
        if len(parts) == n_words:
            for k, part in enumerate(parts):
                if part not in per_word[k]:
                    per_word[k].append(part)
    return [tuple(p) for p in per_word]


def group_lines(words: Sequence[OcrToken]) -> list[list[OcrToken]]:
    """Words grouped by line index, lines in first-seen order, words left to right."""
    lines: dict[int, list[OcrToken]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    return [ws if len(ws) == 1 else sorted(ws, key=lambda w: w.x0) for ws in lines.values()]


def _merge(words: Sequence[OcrToken], text: str, kind: str) -> Candidate:
    if len(words) == 1:
        w = words[0]
        return Candidate(text, w.x0, w.y0, w.x1, w.y1, w.confidence, w.line, kind, 1)
    return Candidate(
        text=text,
        x0=min(w.x0 for w in words),
        y0=min(w.y0 for w in words),
        x1=max(w.x1 for w in words),
        y1=max(w.y1 for w in words),
        confidence=min(w.confidence for w in words),
        line=words[0].line,
        kind=kind,
        size=len(words),
    )


def _join(words: Sequence[OcrToken]) -> str:
    out = words[0].text
    for w in words[1:]:
        sep = "" if out.endswith(("-", "/")) or w.text.startswith(("-", "/")) else " "
        out += sep + w.text
    return clean_word(out)


def _spans(
    line: Sequence[OcrToken], i: int, list_like: Sequence[bool] | None = None
) -> list[tuple[int, str]]:
    """Multi-word spans worth trying at ``line[i]``, longest first: (length, kind).

    ``list_like[j]`` is ``is_list_like(clean_word(line[j].text))`` when the caller has it.
    """
    if list_like is None:
        list_like = [is_list_like(clean_word(w.text)) for w in line]
    first = line[i].text
    spans: list[tuple[int, str]] = []
    j = i + 1
    while j < len(line) and j - i < MAX_SPAN_WORDS and list_like[j]:
        j += 1
    while j > i + 1 and line[j - 1].text.lower().strip(",") in _CONNECTORS:
        j -= 1  # a list does not end on "and" or "/"
    spans.extend((n, "list") for n in range(j - i, 1, -1))
    if i + 2 < len(line) and line[i + 1].text in ("/", "-", "&", "+"):
        spans.insert(0, (3, "split"))  # "PI3K / AKT"
    if i + 1 < len(line) and not any(n == 2 for n, _ in spans):
        nxt = line[i + 1].text
        if first.endswith(("-", "/")) or nxt.startswith(("-", "/")):
            spans.append((2, "split"))
        elif len(first) <= 10 and len(nxt) <= 10:
            spans.append((2, "pair"))
    return spans


def _below(upper: OcrToken, lower: OcrToken) -> bool:
    """``lower`` starts just under ``upper`` and overlaps it horizontally."""
    h = max(upper.y1 - upper.y0, 1.0)
    gap = lower.y0 - upper.y1
    if not (-0.4 * h <= gap <= 0.8 * h) or lower.y0 <= upper.y0:
        return False
    return lower.x0 < upper.x1 + 0.3 * h and lower.x1 > upper.x0 - 0.3 * h


def candidates(words: Sequence[OcrToken], accept: Callable[[str, str], bool]) -> list[Candidate]:
    """Strings to look up, in reading order, each OCR word used at most once.

    Multi-word candidates are offered to ``accept(text, kind)`` longest first and
    kept when it says they name a gene; otherwise the words stand alone.
    Single words that PFOCR's skip rules reject are dropped individually (the
    rest of their line is still read).
    """
    return line_candidates(group_lines(words), accept)


#: A candidate before it is built: its text, its OCR words and its ``Candidate.kind``.
Span = tuple[str, Sequence[OcrToken], str]


def line_candidates(
    lines: Sequence[Sequence[OcrToken]], accept: Callable[[str, str], bool]
) -> list[Candidate]:
    """``candidates`` of words already grouped by ``group_lines`` (callers that need the
    lines for more than candidates group them once)."""
    return [build_candidate(*span) for span in candidate_spans(lines, accept)]


def build_candidate(text: str, words: Sequence[OcrToken], kind: str) -> Candidate:
    """The ``Candidate`` of one of ``candidate_spans``."""
    if kind != "word":
        return _merge(words, text, kind)
    word = words[0]
    alternatives: tuple[str, ...] = ()
    if word.alternatives:
        alts = (clean_word(a) for a in word.alternatives)
        alternatives = tuple(a for a in alts if a and a != text)
    return Candidate(
        text, word.x0, word.y0, word.x1, word.y1, word.confidence, word.line, kind, 1, alternatives
    )


def candidate_spans(
    lines: Sequence[Sequence[OcrToken]], accept: Callable[[str, str], bool]
) -> list[Span]:
    """``line_candidates`` before their ``Candidate`` objects are built, so a caller can
    build only those it keeps (most OCR words name nothing)."""
    used: set[int] = set()
    out: list[tuple[tuple[int, float], Span]] = []
    # labels wrapped onto the next line: "NF-" / "κB", "PI3K/" / "AKT", "IFN" / "γ"
    # ``_below(last, first)`` over plain numbers: the first word's box of every line once,
    # the last word's terms once per line (this loop sees every line three times)
    first_boxes = [(ln[0].y0, ln[0].x0, ln[0].x1) for ln in lines]
    for li, line in enumerate(lines):
        last = line[-1]
        top, bottom = last.y0, last.y1
        h = max(bottom - top, 1.0)
        low_gap, high_gap = -0.4 * h, 0.8 * h
        left, right = last.x0 - 0.3 * h, last.x1 + 0.3 * h
        for lj in range(li + 1, min(li + 4, len(lines))):
            y0, x0, x1 = first_boxes[lj]
            if (
                not (low_gap <= y0 - bottom <= high_gap)
                or y0 <= top
                or not (x0 < right and x1 > left)
            ):
                continue
            first = lines[lj][0]
            tail = clean_word(first.text)
            kind = ""
            if last.text.endswith(("-", "/")) or is_list_like(tail):
                kind = "split"
            elif len(line) == 1 and len(lines[lj]) == 1 and len(last.text) <= 10 >= len(tail):
                kind = "pair"  # a short label wrapped onto two lines: "Rap1" / "GAP"
            if kind:
                text = _join([last, first])
                if text and accept(text, kind):
                    out.append(((li, last.x0), (text, (last, first), kind)))
                    used.update((id(last), id(first)))
            break
    for li, line in enumerate(lines):
        if len(line) == 1:  # most OCR lines are one word: no span to try
            if id(line[0]) not in used:
                text = clean_word(line[0].text)
                if text and not is_skippable(text):  # PFOCR's skip rules, per word
                    out.append(((li, line[0].x0), (text, line, "word")))
            continue
        list_like = [is_list_like(clean_word(w.text)) for w in line]
        i = 0
        while i < len(line):
            if id(line[i]) in used:
                i += 1
                continue
            taken = 0
            for n, kind in _spans(line, i, list_like):
                span = line[i : i + n]
                if any(id(w) in used for w in span):
                    continue
                text = _join(span)
                if text and accept(text, kind):
                    out.append(((li, span[0].x0), (text, span, kind)))
                    taken = n
                    break
            if taken:
                i += taken
                continue
            text = clean_word(line[i].text)
            if text and not is_skippable(text):
                out.append(((li, line[i].x0), (text, line[i : i + 1], "word")))
            i += 1
    out.sort(key=itemgetter(0))
    return [c for _, c in out]
