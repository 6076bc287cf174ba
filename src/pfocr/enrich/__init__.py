"""Gene-set enrichment against the figures of a store: which figures show a gene list.

``GeneSetLibrary`` holds every figure's genes as sparse matrices (one per precision tier);
:func:`enrich` ranks figures by hypergeometric p-value with Benjamini-Hochberg FDR.
"""

from pfocr.enrich.analysis import BACKGROUNDS, EnrichmentHit, EnrichmentResult, enrich
from pfocr.enrich.library import (
    TIERS,
    EnrichError,
    GeneSetLibrary,
    resolve_genes,
    split_gene_list,
)
from pfocr.enrich.stats import benjamini_hochberg, hypergeometric_sf, odds_ratios

__all__ = [
    "BACKGROUNDS",
    "TIERS",
    "EnrichError",
    "EnrichmentHit",
    "EnrichmentResult",
    "GeneSetLibrary",
    "benjamini_hochberg",
    "enrich",
    "hypergeometric_sf",
    "odds_ratios",
    "resolve_genes",
    "split_gene_list",
]
