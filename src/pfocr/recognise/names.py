"""Full gene and protein names ("β-catenin", "cystathionine γ-lyase"): a tier of their own.

Figures often write what a protein is called rather than its symbol. Two
sources name genes that way: HGNC's approved names of protein-coding genes
(``data/lexicon/hgnc_genes.tsv.gz``, column ``name``) and a curated table of
names authors use that HGNC does not (``data/curated/gene_names.tsv``). Names
are matched case-insensitively on whole OCR words, with Greek letters folded
(``β``, ``beta`` and ``b`` are the same letter in a name) and hyphens, spaces
and line breaks ignored, so "Cystathionine g-" / "lyase" on two lines still
names CTH. Mentions from names have ``source = "name"``: they are kept out of
the strict / synonyms / all precision tiers, which count symbol-like labels.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pfocr.errors import LexiconError
from pfocr.recognise.transforms import GREEK_TO_NAME

#: The lexicon source recorded on mentions found through a name.
NAME_SOURCE = "name"
#: Single-word names shorter than this are too often other words ("tau", "ras").
MIN_SINGLE_WORD_KEY = 6
#: Longest name, in OCR words, looked for.
MAX_NAME_WORDS = 8

_GREEK_NAMES = {name: name[0] for name in set(GREEK_TO_NAME.values())}
_GREEK_WORD = re.compile(r"(?<![a-z0-9])(" + "|".join(sorted(_GREEK_NAMES, key=len, reverse=True))
                         + r")(?![a-z])")  # fmt: skip
_NOT_KEY = re.compile(r"[^0-9a-z]+")
#: Greek letters spelled out (one ``translate`` instead of a lookup per character).
_SPELL_GREEK = str.maketrans(GREEK_TO_NAME)


@dataclass(frozen=True, slots=True)
class GeneName:
    """One name of one gene, with where it comes from (``hgnc_name`` or ``curated``)."""

    name: str
    hgnc_symbol: str
    entrez: str
    origin: str


def name_keys(text: str) -> tuple[str, ...]:
    """Lookup keys of a name or of OCR words: lower case, letters and digits only.

    Greek letters are spelled out, and a name containing a Greek letter as a word
    of its own ("cystathionine gamma-lyase", "β-catenin") also gets the key with
    its one-letter Latin reading ("g-lyase", "b-catenin"), which is how OCR and
    hurried authors write it. A letter glued to a symbol is not folded: "eIF2β"
    is not "eIF2B".
    """
    spelled = text.lower().translate(_SPELL_GREEK)
    keys = [_NOT_KEY.sub("", spelled)]
    short = _GREEK_WORD.sub(lambda m: _GREEK_NAMES[m.group(1)], spelled)
    keys.append(_NOT_KEY.sub("", short))
    return tuple(k for k in dict.fromkeys(keys) if k)


def word_key(word: str) -> str:
    """The key of one OCR word (Greek letters spelled out, no folding to one letter)."""
    return _NOT_KEY.sub("", word.lower().translate(_SPELL_GREEK))


class NameIndex:
    """Names by key, plus the prefixes ending on a word boundary (to stop spans early)."""

    def __init__(self, names: Iterable[GeneName]) -> None:
        self._by_key: dict[str, list[GeneName]] = {}
        self._prefixes: set[str] = set()
        curated: set[str] = set()
        for entry in names:
            words = entry.name.split()
            for key in name_keys(entry.name):
                if len(words) == 1 and len(key) < MIN_SINGLE_WORD_KEY:
                    continue
                if entry.origin == "curated":
                    curated.add(key)
                elif key in curated:
                    continue  # the curated reading of a name wins over HGNC's
                bucket = self._by_key.setdefault(key, [])
                if all(e.hgnc_symbol != entry.hgnc_symbol for e in bucket):
                    bucket.append(entry)
                for i in range(1, len(key)):
                    self._prefixes.add(key[:i])
        # every key a name can start on (name keys and their prefixes), each with whether
        # it is a whole name (``is_name``): one lookup answers both for a word
        self._starts: dict[str, bool] = dict.fromkeys(self._prefixes, False)
        self._starts.update((k, len(v) == 1) for k, v in self._by_key.items())

    def __len__(self) -> int:
        return len(self._by_key)

    def lookup(self, text: str) -> tuple[GeneName, ...]:
        """Names equal to ``text`` under the key (one gene per name kept unambiguous)."""
        for key in name_keys(text):
            found = self._by_key.get(key)
            if found:
                return tuple(found)
        return ()

    def can_start(self, key: str) -> bool:
        """Whether a name can begin at a word with this key (a name key or a prefix of one);
        ``spans`` finds nothing in a run of words where no key can."""
        return key in self._starts

    def is_name(self, key: str) -> bool:
        """Whether the key alone is a name ``spans`` accepts (of exactly one gene)."""
        return self._starts.get(key, False)

    def word_facts(self, key: str) -> tuple[bool, bool]:
        """``(can_start(key), is_name(key))`` in one lookup."""
        whole = self._starts.get(key)
        return (False, False) if whole is None else (True, whole)

    def spans(self, keys: Sequence[str]) -> list[tuple[int, int, tuple[GeneName, ...]]]:
        """Longest name at each start over consecutive word keys: (start, end, names)."""
        out: list[tuple[int, int, tuple[GeneName, ...]]] = []
        i = 0
        while i < len(keys):
            best: tuple[int, tuple[GeneName, ...]] | None = None
            joined = ""
            for j in range(i, min(len(keys), i + MAX_NAME_WORDS)):
                if not keys[j]:
                    break
                joined += keys[j]
                found = self._by_key.get(joined)
                if found and len(found) == 1:
                    best = (j + 1, tuple(found))
                if joined not in self._prefixes:
                    break
            if best is not None:
                out.append((i, best[0], best[1]))
                i = best[0]
            else:
                i += 1
        return out


def _curated_path() -> Path:
    return Path(str(resources.files("pfocr") / "data" / "curated" / "gene_names.tsv"))


def _hgnc_path() -> Path:
    return Path(str(resources.files("pfocr") / "data" / "lexicon" / "hgnc_genes.tsv.gz"))


def read_hgnc_names(path: Path | None = None) -> list[GeneName]:
    """Approved names of protein-coding genes from the packaged HGNC table."""
    path = path or _hgnc_path()
    try:
        raw = path.read_bytes()
        text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
        raise LexiconError(f"HGNC gene table {path} is unreadable: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    if not {"symbol", "name", "entrez", "locus_group"} <= set(reader.fieldnames or ()):
        raise LexiconError(f"HGNC gene table {path} lacks symbol/name/entrez/locus_group")
    return [
        GeneName(row["name"], row["symbol"], row["entrez"], "hgnc_name")
        for row in reader
        if row["locus_group"] == "protein-coding gene" and row["name"]
    ]


def read_curated_names(
    path: Path | None = None, entrez: dict[str, str] | None = None
) -> list[GeneName]:
    """The curated table of common protein names: ``name, hgnc_symbol, reason``."""
    path = path or _curated_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LexiconError(f"curated table {path} is unreadable: {exc}") from exc
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    columns = ("name", "hgnc_symbol", "reason")
    if tuple(reader.fieldnames or ()) != columns:
        raise LexiconError(
            f"curated table {path} has columns {reader.fieldnames}, expected {list(columns)}"
        )
    out = []
    for lineno, row in enumerate(reader, start=2):
        if any(not (row.get(c) or "").strip() for c in columns):
            raise LexiconError(f"curated table {path} row {lineno}: every column needs a value")
        symbol = row["hgnc_symbol"].strip()
        out.append(GeneName(row["name"].strip(), symbol, (entrez or {}).get(symbol, ""), "curated"))
    return out


@cache
def default_name_index() -> NameIndex:
    """HGNC approved names and the curated names, loaded once per process."""
    hgnc = read_hgnc_names()
    entrez = {n.hgnc_symbol: n.entrez for n in hgnc}
    curated = read_curated_names(entrez=entrez)
    # curated first: where both name a key, the curated reading is the one authors mean
    return NameIndex([*curated, *hgnc])
