"""The gene lexicon: every term a figure may use for a human gene, with its provenance.

The packaged file ``data/lexicon/gene_terms.tsv.gz`` has one row per (term, gene,
source); ``source`` is the tier the term comes from (approved symbol, alias,
previous symbol, FamPlex family). Terms are kept exactly as their source writes
them: normalisation is the same function on both sides and happens here, in the
three lookup keys, so the word side and the lexicon side can never drift apart.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pfocr.errors import LexiconError

#: Columns of the lexicon file, in order.
COLUMNS: tuple[str, ...] = (
    "term",
    "source",
    "hgnc_symbol",
    "entrez",
    "hgnc_id",
    "locus_group",
    "family",
)

#: Lexicon tiers, most trusted first (see ``matcher.SOURCE_PRIORITY`` for why).
SOURCES: tuple[str, ...] = ("hgnc_symbol", "famplex", "hgnc_prev_symbol", "hgnc_alias_symbol")

#: Characters the compact key ignores (hyphens, underscores, dots, whitespace).
_COMPACT_DROP_TABLE = str.maketrans("", "", "-_. \t\n\u00a0")
#: ``confusable_key`` of upper-case text: ASCII characters other than letters and digits
#: dropped, OCR's lookalike classes folded to one character each (L/I/1 and O/0).
_CONFUSABLE_TABLE = str.maketrans(
    {
        **{chr(c): None for c in range(128) if not chr(c).isalnum()},
        "L": "1",
        "I": "1",
        "O": "0",
    }
)


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon row: ``term`` names gene ``hgnc_symbol`` through ``source``."""

    term: str
    source: str
    hgnc_symbol: str
    entrez: str
    hgnc_id: str
    locus_group: str
    family: str = ""


def casefold_key(text: str) -> str:
    """Key of the case-insensitive index (upper case, as PFOCR)."""
    return text.upper()


def compact_key(text: str) -> str:
    """Key of the loosest index: upper case without hyphens, underscores, dots and spaces.

    ``IL-6``, ``IL 6`` and ``il_6`` all become ``IL6``; every other character is
    kept so lists (``/``) and parentheses stay distinguishable.
    """
    if text.isalnum():  # nothing to drop (most words): ``translate`` costs more than ``upper``
        return text.upper()
    return text.translate(_COMPACT_DROP_TABLE).upper()


def confusable_key(text: str) -> str:
    """The compact key without any ASCII punctuation and with OCR lookalikes folded together
    (L, I and 1 become 1; O becomes 0).

    It is a function of ``compact_key`` (so two texts with one compact key share it), and
    for ASCII text it does not change when punctuation is deleted (the ``alphanumeric``
    transform) or one lookalike replaces another (``ocr_confusions``).
    """
    return compact_key(text).translate(_CONFUSABLE_TABLE)


class Lexicon:
    """All terms plus three indexes built once: exact text, upper case, compact key.

    Rows are kept as plain tuples and turned into ``Term`` objects only when a
    lookup returns them, which keeps loading ~150k rows well under a second.
    """

    __slots__ = (
        "_by_compact",
        "_by_exact",
        "_by_gene",
        "_by_upper",
        "_confusable",
        "_families_of",
        "_memos",
        "_rows",
        "_synonyms",
        "_terms",
        "path",
    )

    def __init__(self, terms: Iterable[Term | tuple[str, ...]], path: Path | None = None) -> None:
        self.path = path
        rows: list[tuple[str, ...]] = [
            (t.term, t.source, t.hgnc_symbol, t.entrez, t.hgnc_id, t.locus_group, t.family)
            if isinstance(t, Term)
            else tuple(t)
            for t in terms
        ]
        self._rows = rows
        self._terms: dict[int, Term] = {}
        self._synonyms: dict[str, frozenset[str]] = {}
        exact: dict[str, list[int]] = {}
        by_gene: dict[str, list[int]] = {}
        families: dict[str, set[str]] = {}
        for i, row in enumerate(rows):
            bucket = exact.get(row[0])
            if bucket is None:
                exact[row[0]] = [i]
            else:
                bucket.append(i)
            bucket = by_gene.get(row[2])
            if bucket is None:
                by_gene[row[2]] = [i]
            else:
                bucket.append(i)
            if row[6]:
                families.setdefault(row[2], set()).add(row[6])
        self._by_gene = by_gene
        upper: dict[str, list[str]] = {}
        compact: dict[str, list[str]] = {}
        drop = _COMPACT_DROP_TABLE
        for text in exact:
            key = text.upper()
            bucket = upper.get(key)
            if bucket is None:
                upper[key] = [text]
            else:
                bucket.append(text)
            key = text.translate(drop).upper()
            bucket = compact.get(key)
            if bucket is None:
                compact[key] = [text]
            else:
                bucket.append(text)
        self._by_exact = exact
        self._by_upper = upper
        self._by_compact = compact
        self._families_of = {k: frozenset(v) for k, v in families.items()}
        self._confusable: frozenset[str] | None = None
        self._memos: dict[Hashable, dict[Any, Any]] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"Lexicon({len(self._rows)} terms from {self.path or 'memory'})"

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        """Read a lexicon TSV (gzip or plain); the packaged file when ``path`` is None."""
        if path is None:
            path = packaged_lexicon_path()
        path = Path(path)
        hint = "run `pfocr data build` to create it"
        if not path.is_file():
            raise LexiconError(f"gene lexicon {path} is missing; {hint}")
        try:
            raw = path.read_bytes()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            text = raw.decode("utf-8")
        except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
            raise LexiconError(f"gene lexicon {path} is unreadable ({exc}); {hint}") from exc
        return cls(_parse_rows(text, path, hint), path=path)

    def _term(self, i: int) -> Term:
        term = self._terms.get(i)
        if term is None:
            term = self._terms[i] = Term(*self._rows[i])
        return term

    def _rows_of(self, texts: Iterable[str]) -> tuple[Term, ...]:
        return tuple(self._term(i) for text in texts for i in self._by_exact[text])

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every row as a ``Term`` (built on first use)."""
        return tuple(self._term(i) for i in range(len(self._rows)))

    def exact(self, text: str) -> tuple[Term, ...]:
        """Terms written exactly as ``text``."""
        return tuple(self._term(i) for i in self._by_exact.get(text, ()))

    def casefold(self, text: str) -> tuple[Term, ...]:
        """Terms equal to ``text`` ignoring case."""
        return self._rows_of(self._by_upper.get(casefold_key(text), ()))

    def compact(self, text: str) -> tuple[Term, ...]:
        """Terms equal to ``text`` ignoring case, hyphens, underscores, dots and spaces."""
        return self._rows_of(self._by_compact.get(compact_key(text), ()))

    def by_keys(
        self, text: str
    ) -> tuple[tuple[Term, ...], tuple[Term, ...], tuple[Term, ...]] | None:
        """The terms of ``text`` by lookup key in one call, each row once, at the closest
        key that finds it: ``(exact, casefold only, compact only)``.

        None when the compact key (the loosest) is unknown, which is what most variants
        the matcher tries come to; a row found by a closer key is not repeated by a
        looser one, which is how the matcher ranks them.
        """
        loose = self._by_compact.get(compact_key(text))
        if loose is None:
            return None
        term, by_exact = self._term, self._by_exact
        if len(loose) == 1 and loose[0] == text:  # the usual hit: only this spelling
            return tuple([term(i) for i in by_exact[text]]), (), ()
        exact = tuple([term(i) for i in by_exact.get(text, ())])
        upper = self._by_upper.get(text.upper(), ())
        folded = tuple([term(i) for t in upper if t != text for i in by_exact[t]])
        compact = tuple(
            [term(i) for t in loose if t != text and t not in upper for i in by_exact[t]]
        )
        return exact, folded, compact

    def may_match(self, text: str) -> bool:
        """Whether any lookup of ``text`` can hit: the compact key is the loosest of the three,
        so a word whose compact key is unknown matches nothing (most OCR words)."""
        return compact_key(text) in self._by_compact

    def confusable_keys(self) -> frozenset[str]:
        """``confusable_key`` of every term (built on first use): a text whose confusable key
        is not among them matches nothing, nor does any text that differs from it only in
        punctuation or OCR lookalikes."""
        if self._confusable is None:
            table = _CONFUSABLE_TABLE
            self._confusable = frozenset(key.translate(table) for key in self._by_compact)
        return self._confusable

    def memo(self, name: Hashable) -> dict[Any, Any]:
        """A dictionary kept with the lexicon under ``name``, for users that derive facts
        from its terms (``Term`` objects live as long as the lexicon): every recogniser
        over this lexicon with the same settings shares what the others worked out."""
        found = self._memos.get(name)
        if found is None:
            found = self._memos[name] = {}
        return found

    def synonym_keys(self, hgnc_symbol: str) -> frozenset[str]:
        """Compact keys of the gene's approved, previous and alias symbols (built on first use)."""
        keys = self._synonyms.get(hgnc_symbol)
        if keys is None:
            rows = self._rows
            keys = frozenset(
                compact_key(rows[i][0])
                for i in self._by_gene.get(hgnc_symbol, ())
                if rows[i][1] != "famplex"
            )
            self._synonyms[hgnc_symbol] = keys
        return keys

    def families_of(self, hgnc_symbol: str) -> frozenset[str]:
        """FamPlex families (ids) the gene belongs to."""
        return self._families_of.get(hgnc_symbol, frozenset())

    def family_sizes(self) -> dict[str, int]:
        """Number of member genes of each FamPlex family."""
        members: dict[str, set[str]] = {}
        for gene, families in self._families_of.items():
            for family in families:
                members.setdefault(family, set()).add(gene)
        return {family: len(genes) for family, genes in members.items()}

    def genes(self) -> frozenset[str]:
        """Every HGNC symbol the lexicon names."""
        return frozenset(row[2] for row in self._rows)


def _parse_rows(text: str, path: Path, hint: str) -> list[tuple[str, ...]]:
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != COLUMNS:
        raise LexiconError(
            f"gene lexicon {path} has header {header!r}, expected {list(COLUMNS)}; {hint}"
        )
    terms: list[tuple[str, ...]] = []
    known_sources = set(SOURCES)
    for lineno, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(COLUMNS):
            raise LexiconError(
                f"gene lexicon {path} line {lineno}: {len(row)} columns, expected "
                f"{len(COLUMNS)}; {hint}"
            )
        if row[1] not in known_sources:
            raise LexiconError(
                f"gene lexicon {path} line {lineno}: unknown source {row[1]!r}; {hint}"
            )
        if not row[0] or not row[2]:
            raise LexiconError(f"gene lexicon {path} line {lineno}: empty term or symbol; {hint}")
        terms.append(tuple(row))
    if not terms:
        raise LexiconError(f"gene lexicon {path} has no rows; {hint}")
    return terms


def packaged_lexicon_path() -> Path:
    """Where the packaged lexicon lives (whether or not it has been built)."""
    return Path(str(resources.files("pfocr") / "data" / "lexicon" / "gene_terms.tsv.gz"))


@cache
def default_lexicon() -> Lexicon:
    """The packaged lexicon, loaded once per process."""
    return Lexicon.load()
