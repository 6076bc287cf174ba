"""Rank figures by over-representation of a gene list: the question "which published
pathway figures show my genes?" answered with Fisher/hypergeometric p-values and BH FDR."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from pfocr.enrich.library import (
    DEFAULT_ORGANISM,
    DEFAULT_TIER,
    EnrichError,
    GeneSetLibrary,
    genome_entrez,
    resolve_genes,
    split_gene_list,
)
from pfocr.enrich.stats import benjamini_hochberg, hypergeometric_sf, odds_ratios

#: Backgrounds: genes in any selected figure set, or every HGNC gene with an Entrez ID.
BACKGROUNDS: tuple[str, ...] = ("library", "genome")


@dataclass(frozen=True)
class EnrichmentHit:
    """One figure's test: overlap with the query and its statistics."""

    figid: str
    title: str
    overlap: int
    set_size: int
    p_value: float
    fdr: float
    odds_ratio: float
    overlap_genes: tuple[str, ...]
    overlap_entrez: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["overlap_genes"] = list(self.overlap_genes)
        data["overlap_entrez"] = list(self.overlap_entrez)
        return data


@dataclass(frozen=True)
class EnrichmentResult:
    """The ranked hits plus what the test was run on, so a reader can judge it."""

    organism: str
    tier: str
    background: str
    query: tuple[str, ...]
    unmapped: tuple[str, ...]
    query_in_universe: int
    universe: int
    sets_tested: int
    hits: tuple[EnrichmentHit, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "organism": self.organism,
            "tier": self.tier,
            "background": self.background,
            "query": list(self.query),
            "unmapped": list(self.unmapped),
            "query_in_universe": self.query_in_universe,
            "universe": self.universe,
            "sets_tested": self.sets_tested,
            "hits": [hit.to_json() for hit in self.hits],
        }


def enrich(
    library: GeneSetLibrary,
    genes: str | Iterable[str],
    *,
    organism: str = DEFAULT_ORGANISM,
    tier: str = DEFAULT_TIER,
    background: str | Sequence[str] = "library",
    min_size: int = 3,
    limit: int | None = 100,
    max_fdr: float = 1.0,
) -> EnrichmentResult:
    """Test every selected figure set for over-representation of ``genes``.

    ``genes`` is pasted text or a list of symbols / Entrez IDs. ``background`` is
    ``"library"``, ``"genome"`` or a list of genes (symbols or IDs). Hits are ordered by
    p-value, then overlap; only sets sharing at least one gene are returned.
    """
    tokens = split_gene_list(genes) if isinstance(genes, str) else list(genes)
    if not tokens:
        raise EnrichError("The gene list is empty: paste symbols or Entrez IDs.")
    if min_size < 1:
        raise EnrichError(f"min_size must be at least 1, got {min_size}.")
    resolved = resolve_genes(tokens, library.symbol_lookup)
    if not resolved.entrez:
        shown = ", ".join(resolved.unmapped[:10])
        raise EnrichError(f"None of the genes is a known symbol or Entrez ID: {shown}.")
    view = library.view(organism, tier, min_size)
    n_genes = len(library.genes)
    query_cols = np.array(
        [library.gene_index[e] for e in resolved.entrez if e in library.gene_index], dtype=np.int64
    )

    if isinstance(background, str):
        if background == "library":
            universe_cols = view.library_genes
            universe = int(universe_cols.sum())
            query_size = int(universe_cols[query_cols].sum()) if query_cols.size else 0
        elif background == "genome":
            universe_cols = np.ones(n_genes, dtype=bool)
            genome = genome_entrez()
            universe = len(genome | set(library.genes))
            # Query genes in no figure set still count: they are in the genome.
            query_size = len(set(resolved.entrez))
        else:
            raise EnrichError(
                f"Unknown background {background!r}. Choices: {', '.join(BACKGROUNDS)}, "
                "or a list of genes."
            )
        label = background
        sizes = view.sizes
    else:
        bg = resolve_genes(split_gene_list(" ".join(background)), library.symbol_lookup)
        if not bg.entrez:
            raise EnrichError("The background list has no known genes.")
        bg_set = set(bg.entrez)
        universe_cols = np.zeros(n_genes, dtype=bool)
        cols = [library.gene_index[e] for e in bg_set if e in library.gene_index]
        universe_cols[cols] = True
        universe = len(bg_set)
        query_size = len(bg_set.intersection(resolved.entrez))
        label = "custom"
        sizes = np.asarray(view.matrix @ universe_cols.astype(np.float32)).astype(np.int64)

    query_vec = np.zeros(n_genes, dtype=np.float32)
    if query_cols.size:
        query_vec[query_cols] = 1.0
    query_vec *= universe_cols
    overlap = np.asarray(view.matrix @ query_vec).astype(np.int64)
    p = hypergeometric_sf(overlap, sizes, query_size, universe)
    fdr = benjamini_hochberg(p)
    order = np.lexsort((-overlap, p))
    order = order[(overlap[order] > 0) & (fdr[order] <= max_fdr)]
    if limit is not None:
        order = order[:limit]
    ratios = odds_ratios(overlap[order], sizes[order], query_size, universe)
    query_mask = query_vec > 0
    hits = []
    for position, i in enumerate(order):
        row = view.rows[i]
        matrix = view.matrix
        cols = matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]
        shared = sorted(cols[query_mask[cols]], key=lambda c: library.symbols[c])
        hits.append(
            EnrichmentHit(
                figid=library.figids[row],
                title=library.titles[row],
                overlap=int(overlap[i]),
                set_size=int(sizes[i]),
                p_value=float(p[i]),
                fdr=float(fdr[i]),
                odds_ratio=float(ratios[position]),
                overlap_genes=tuple(library.symbols[c] for c in shared),
                overlap_entrez=tuple(library.genes[c] for c in shared),
            )
        )
    return EnrichmentResult(
        organism=organism,
        tier=tier,
        background=label,
        query=resolved.entrez,
        unmapped=resolved.unmapped,
        query_in_universe=query_size,
        universe=universe,
        sets_tested=len(view.rows),
        hits=tuple(hits),
    )
