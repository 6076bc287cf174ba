"""Figure gene sets held as sparse matrices, and gene lists parsed from what people paste.

A store of 100k figures has ~2M (figure, gene) pairs; as a CSR matrix per precision tier a
query of any length is one sparse matrix-vector product, so enrichment costs milliseconds
once the library is loaded (a few seconds, once per process).
"""

from __future__ import annotations

import csv
import gzip
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import sparse

from pfocr.errors import PfocrError
from pfocr.export.documents import FLAVOUR_SOURCES

#: Precision tiers, from most to least precise: the flavours of the JSON documents.
TIERS: tuple[str, ...] = tuple(FLAVOUR_SOURCES)


def _source_tiers() -> dict[str, int]:
    tiers: dict[str, int] = {}
    for rank, sources in enumerate(FLAVOUR_SOURCES.values()):
        for source in sources or ():
            tiers.setdefault(source, rank)
    return tiers


#: Lowest tier each recognition source belongs to; any other source is the last tier.
SOURCE_TIER: dict[str, int] = _source_tiers()
_LAST_TIER = len(TIERS) - 1
#: The tier enrichment uses unless told otherwise: PFOCR's ``all`` (symbols, synonyms and
#: family members), when the flavours have it.
DEFAULT_TIER = "all" if "all" in TIERS else TIERS[-1]
DEFAULT_ORGANISM = "Homo sapiens"
_SEPARATORS = re.compile(r"[\s,;|]+")
_ENTREZ = re.compile(r"\d+")
_PREFIX = re.compile(r"^(?:NCBIGENE|ENTREZ|GENEID)[:_]", re.IGNORECASE)


class EnrichError(PfocrError):
    """An enrichment request is malformed (empty list, unknown tier or organism...)."""


def tier_index(tier: str) -> int:
    """Position of ``tier`` in :data:`TIERS`; raises :class:`EnrichError` naming the choices."""
    try:
        return TIERS.index(tier)
    except ValueError:
        raise EnrichError(f"Unknown tier {tier!r}. Choices: {', '.join(TIERS)}.") from None


def split_gene_list(text: str) -> list[str]:
    """Identifiers from pasted text: any mix of newlines, tabs, spaces, commas, ``;`` or ``|``."""
    return [token for token in _SEPARATORS.split(text.strip()) if token]


@cache
def _lexicon_maps() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(upper-case symbol -> Entrez, Entrez -> approved symbol, unambiguous synonym -> Entrez)."""
    base = resources.files("pfocr") / "data" / "lexicon"
    approved: dict[str, str] = {}
    symbol_of: dict[str, str] = {}
    with gzip.open(str(base / "hgnc_genes.tsv.gz"), "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            entrez = row["entrez"].strip()
            if _ENTREZ.fullmatch(entrez):
                approved[row["symbol"].upper()] = entrez
                symbol_of[entrez] = row["symbol"]
    candidates: dict[str, set[str]] = {}
    with gzip.open(str(base / "gene_terms.tsv.gz"), "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["source"] in ("hgnc_alias_symbol", "hgnc_prev_symbol") and row["entrez"]:
                candidates.setdefault(row["term"].upper(), set()).add(row["entrez"])
    synonyms = {
        key: next(iter(ids))
        for key, ids in candidates.items()
        if len(ids) == 1 and key not in approved
    }
    return approved, symbol_of, synonyms


def genome_entrez() -> frozenset[str]:
    """Every HGNC gene with an Entrez ID: the ``genome`` background."""
    return frozenset(_lexicon_maps()[1])


def symbol_for(entrez: str) -> str:
    """The approved HGNC symbol of an Entrez ID, or the ID itself when unknown."""
    return _lexicon_maps()[1].get(entrez, entrez)


@dataclass(frozen=True)
class ResolvedGenes:
    """A pasted gene list mapped to Entrez IDs; ``unmapped`` keeps what matched nothing."""

    entrez: tuple[str, ...]
    unmapped: tuple[str, ...]
    mapping: dict[str, str] = field(default_factory=dict)


def resolve_genes(
    tokens: Iterable[str], extra_symbols: dict[str, str] | None = None
) -> ResolvedGenes:
    """Map symbols (any case; approved first, then unambiguous aliases) or Entrez IDs.

    ``extra_symbols`` (upper-case symbol -> Entrez) covers symbols a store knows that the
    packaged lexicon does not.
    """
    approved, _, synonyms = _lexicon_maps()
    extra = extra_symbols or {}
    mapped: dict[str, str] = {}
    unmapped: list[str] = []
    for token in tokens:
        raw = token.strip().strip("\"'")
        bare = _PREFIX.sub("", raw)
        if _ENTREZ.fullmatch(bare):
            mapped.setdefault(raw, bare)
            continue
        key = raw.upper()
        entrez = approved.get(key) or extra.get(key) or synonyms.get(key)
        if entrez:
            mapped.setdefault(raw, entrez)
        elif raw and raw not in unmapped:
            unmapped.append(raw)
    return ResolvedGenes(
        entrez=tuple(dict.fromkeys(mapped.values())), unmapped=tuple(unmapped), mapping=mapped
    )


@dataclass
class _View:
    """The sets of one (organism, tier): rows of the tier matrix, sizes, library genes."""

    rows: np.ndarray
    matrix: sparse.csr_matrix
    sizes: np.ndarray
    library_genes: np.ndarray  # bool over gene columns: in at least one selected set


class GeneSetLibrary:
    """Every figure's gene set (Entrez IDs) per precision tier, with organism masks.

    Built from a store with :meth:`from_store`, or from plain mappings with
    :meth:`from_sets` (figid -> list of (entrez, source)).
    """

    def __init__(
        self,
        figids: list[str],
        titles: list[str],
        pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
        genes: list[str],
        symbols: list[str],
        organisms: dict[str, np.ndarray],
    ) -> None:
        self.figids = figids
        self.titles = titles
        self.genes = genes
        self.symbols = symbols
        self.gene_index = {gene: i for i, gene in enumerate(genes)}
        self.organisms = organisms
        fig_idx, gene_idx, rank = pairs
        self._pairs = pairs
        shape = (len(figids), len(genes))
        self.tier_matrices: list[sparse.csr_matrix] = []
        for tier in range(len(TIERS)):
            keep = rank <= tier
            data = np.ones(int(keep.sum()), dtype=np.float32)
            matrix = sparse.csr_matrix((data, (fig_idx[keep], gene_idx[keep])), shape=shape)
            matrix.sum_duplicates()
            matrix.data[:] = 1.0
            self.tier_matrices.append(matrix)
        self._views: dict[tuple[str, int, int], _View] = {}
        self._postings: dict[int, sparse.csc_matrix] = {}
        self.symbol_lookup = {s.upper(): g for g, s in zip(genes, symbols, strict=True) if s}

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def from_store(cls, conn: sqlite3.Connection) -> GeneSetLibrary:
        """Read every figure's mentions and organisms from an open store."""
        figures = conn.execute(
            "SELECT figid, figtitle FROM figures WHERE skipped = 0 ORDER BY figid"
        ).fetchall()
        figids = [row[0] for row in figures]
        titles = [row[1] for row in figures]
        position = {figid: i for i, figid in enumerate(figids)}
        fig_rows: list[int] = []
        entrez_rows: list[str] = []
        ranks: list[int] = []
        symbol_of: dict[str, str] = {}
        cursor = conn.execute("SELECT figid, entrez, source, hgnc_symbol FROM mentions")
        while batch := cursor.fetchmany(50_000):
            for figid, entrez, source, symbol in batch:
                index = position.get(figid)
                if index is None or not entrez or not entrez.isdigit():
                    continue
                fig_rows.append(index)
                entrez_rows.append(entrez)
                ranks.append(SOURCE_TIER.get(source, _LAST_TIER))
                if entrez not in symbol_of:
                    symbol_of[entrez] = symbol
        organisms = _organism_rows(conn, position)
        return cls._build(figids, titles, fig_rows, entrez_rows, ranks, symbol_of, organisms)

    @classmethod
    def from_sets(
        cls,
        sets: dict[str, list[tuple[str, str]]],
        titles: dict[str, str] | None = None,
        organisms: dict[str, list[str]] | None = None,
    ) -> GeneSetLibrary:
        """A library from figid -> [(entrez, source), ...]; organisms default to human."""
        figids = sorted(sets)
        position = {figid: i for i, figid in enumerate(figids)}
        fig_rows, entrez_rows, ranks = [], [], []
        for figid in figids:
            for entrez, source in sets[figid]:
                fig_rows.append(position[figid])
                entrez_rows.append(entrez)
                ranks.append(SOURCE_TIER.get(source, _LAST_TIER))
        masks: dict[str, np.ndarray] = {}
        for figid, names in (organisms or {}).items():
            for name in names:
                mask = masks.setdefault(name, np.zeros(len(figids), dtype=bool))
                mask[position[figid]] = True
        named = np.zeros(len(figids), dtype=bool)
        for mask in masks.values():
            named |= mask
        human = masks.setdefault(DEFAULT_ORGANISM, np.zeros(len(figids), dtype=bool))
        human |= ~named
        title_list = [(titles or {}).get(figid, "") for figid in figids]
        symbols = {e: symbol_for(e) for e in entrez_rows}
        return cls._build(figids, title_list, fig_rows, entrez_rows, ranks, symbols, masks)

    @classmethod
    def _build(
        cls,
        figids: list[str],
        titles: list[str],
        fig_rows: list[int],
        entrez_rows: list[str],
        ranks: list[int],
        symbol_of: dict[str, str],
        organisms: dict[str, np.ndarray],
    ) -> GeneSetLibrary:
        genes, gene_idx = np.unique(np.asarray(entrez_rows, dtype=object), return_inverse=True)
        gene_list = [str(g) for g in genes]
        pairs = (
            np.asarray(fig_rows, dtype=np.int64),
            np.asarray(gene_idx, dtype=np.int64).ravel(),
            np.asarray(ranks, dtype=np.int8),
        )
        symbols = [symbol_of.get(g, "") or g for g in gene_list]
        return cls(figids, titles, pairs, gene_list, symbols, organisms)

    # --- a file cache, so server processes start without re-reading every mention -------

    def save(self, path: Path, fingerprint: str) -> None:
        """Write the library to ``path`` (NumPy ``.npz``), tagged with the store fingerprint."""
        names = list(self.organisms)
        masks = (
            np.stack([self.organisms[name] for name in names])
            if names
            else np.zeros((0, len(self.figids)), dtype=bool)
        )
        fig_idx, gene_idx, rank = self._pairs
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            np.savez(
                handle,
                fingerprint=_blob([fingerprint]),
                figids=_blob(self.figids),
                titles=_blob(self.titles),
                genes=_blob(self.genes),
                symbols=_blob(self.symbols),
                organism_names=_blob(names),
                organism_masks=masks,
                fig_idx=fig_idx.astype(np.int32),
                gene_idx=gene_idx.astype(np.int32),
                rank=rank.astype(np.int8),
            )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, fingerprint: str) -> GeneSetLibrary | None:
        """The library saved at ``path`` if it was saved for ``fingerprint``, else None."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if _unblob(data["fingerprint"]) != [fingerprint]:
                    return None
                names = _unblob(data["organism_names"])
                masks = data["organism_masks"]
                return cls(
                    _unblob(data["figids"]),
                    _unblob(data["titles"]),
                    (
                        data["fig_idx"].astype(np.int64),
                        data["gene_idx"].astype(np.int64),
                        data["rank"],
                    ),
                    _unblob(data["genes"]),
                    _unblob(data["symbols"]),
                    {name: masks[i].copy() for i, name in enumerate(names)},
                )
        except (OSError, ValueError, KeyError):
            return None

    # --- queries --------------------------------------------------------------------------

    @property
    def organism_names(self) -> list[str]:
        """Organisms with at least one figure, most figures first."""
        names = [(int(mask.sum()), name) for name, mask in self.organisms.items() if mask.any()]
        return [name for _, name in sorted(names, key=lambda x: (-x[0], x[1]))]

    def view(self, organism: str, tier: str, min_size: int) -> _View:
        """The selected sets (cached): the organism's figures with ``min_size`` genes or more."""
        t = tier_index(tier)
        key = (organism, t, min_size)
        cached = self._views.get(key)
        if cached is not None:
            return cached
        mask = self.organisms.get(organism)
        if mask is None:
            known = ", ".join(self.organism_names) or "none"
            raise EnrichError(f"No figures of organism {organism!r} in the store. Known: {known}.")
        matrix = self.tier_matrices[t]
        all_sizes = np.diff(matrix.indptr)
        rows = np.flatnonzero(mask & (all_sizes >= min_size))
        sub = matrix[rows]
        sizes = np.diff(sub.indptr).astype(np.int64)
        library_genes = np.zeros(len(self.genes), dtype=bool)
        library_genes[np.unique(sub.indices)] = True
        view = _View(rows=rows, matrix=sub, sizes=sizes, library_genes=library_genes)
        self._views[key] = view
        return view

    def postings(self, tier: str) -> sparse.csc_matrix:
        """Per gene, the figures (row numbers, in figid order) whose ``tier`` set has it."""
        t = tier_index(tier)
        cached = self._postings.get(t)
        if cached is None:
            cached = self.tier_matrices[t].tocsc()
            cached.sort_indices()
            self._postings[t] = cached
        return cached

    def figures_with(self, entrez: str, tier: str) -> np.ndarray | None:
        """Row numbers of the figures showing a gene (None: the gene is in no figure)."""
        column = self.gene_index.get(entrez)
        if column is None:
            return None
        matrix = self.postings(tier)
        return matrix.indices[matrix.indptr[column] : matrix.indptr[column + 1]]

    def cooccurring(self, entrez: str, tier: str, limit: int = 30) -> list[tuple[str, str, int]]:
        """(symbol, Entrez ID, figures) of the genes most often drawn with ``entrez``."""
        rows = self.figures_with(entrez, tier)
        if rows is None or not len(rows):
            return []
        counts = np.asarray(self.tier_matrices[tier_index(tier)][rows].sum(axis=0)).ravel()
        counts[self.gene_index[entrez]] = 0
        top = np.argsort(-counts, kind="stable")[:limit]
        ranked = sorted(
            ((self.symbols[i], self.genes[i], int(counts[i])) for i in top if counts[i] > 0),
            key=lambda item: (-item[2], item[0]),
        )
        return ranked

    def set_genes(self, figid: str, tier: str = DEFAULT_TIER) -> list[str]:
        """Entrez IDs of one figure's set in ``tier``."""
        row = self.figids.index(figid)
        matrix = self.tier_matrices[tier_index(tier)]
        return [self.genes[i] for i in matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]]]


_UNIT = "\x1f"


def _blob(values: list[str]) -> np.ndarray:
    """Strings as one UTF-8 byte array (unit-separator joined), storable without pickle."""
    text = _UNIT.join(value.replace(_UNIT, " ") for value in values)
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _unblob(array: np.ndarray) -> list[str]:
    text = array.tobytes().decode("utf-8")
    return text.split(_UNIT) if text else []


def _organism_rows(conn: sqlite3.Connection, position: dict[str, int]) -> dict[str, np.ndarray]:
    n = len(position)
    masks: dict[str, np.ndarray] = {}
    named = np.zeros(n, dtype=bool)
    try:
        rows = conn.execute("SELECT figid, name, gene_set FROM organisms").fetchall()
    except sqlite3.OperationalError:
        rows = []
    for figid, name, gene_set in rows:
        index = position.get(figid)
        if index is None:
            continue
        named[index] = True
        if gene_set:
            masks.setdefault(name, np.zeros(n, dtype=bool))[index] = True
    # A figure with no organism call is taken as human, as the GMT export does.
    human = masks.setdefault(DEFAULT_ORGANISM, np.zeros(n, dtype=bool))
    human |= ~named
    return masks
