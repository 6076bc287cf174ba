"""Gene sets in GMT, named the WikiPathways way, for enrichment tools (Enrichr, g:Profiler...).

One line per figure, tab-separated, no header::

    <title>%PFOCR_<YYYYMMDD>%<figid>%Homo sapiens<TAB><site>/figures/<figid>.html<TAB><entrez>...

``<figid>`` is the figure's page name (the figid itself unless it holds characters unsafe in
a file name, see ``figures/``). The file is ``pfocr-<YYYYMMDD>-gmt-Homo_sapiens.gmt``, the
name PFOCR releases use and that consumers such as PFOCRummage look for. A figure gets a
line when it has at least ``min_genes`` distinct Entrez IDs (every recognition source, or
those of one precision tier: ``pfocr-<YYYYMMDD>-gmt-strict-Homo_sapiens.gmt``) and is
about the file's organism (``FigureRecord.set_organisms()``): the genes are human-lexicon
hits, meaningless as a human gene set for a plant figure. Mouse and rat figures get their
genes as that organism's Entrez IDs through HGNC orthologues, as PFOCR's mouse GMT does.

``pfocr-<YYYYMMDD>-chemical-gmt-<Genus_species>.gmt`` holds the chemicals of each figure
with at least ``min_genes`` distinct ChEBI ids (PFOCR's chemical GMTs use ChEBI accessions),
for the same organisms.

Titles are made safe for GMT parsers: ``%`` (the name separator) becomes "percent",
double quotes are dropped and straight single quotes become typographic ones (R readers
treat both as string delimiters), whitespace collapses to single spaces; an empty title
becomes the figure id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from pfocr.errors import ExportError
from pfocr.export._common import (
    FLAVOUR_SOURCES,
    clean_text,
    distinct,
    figure_file_stem,
    figure_page_url,
)
from pfocr.models import FigureRecord, Mention

SPECIES = "Homo sapiens"
#: Gene sets hold every recognised gene unless a tier is asked for (``FLAVOUR_SOURCES``).
DEFAULT_GMT_TIER = "names"
_ENTREZ = re.compile(r"\d+")
_PERCENT = re.compile(r"\s*%\s*")
_DOUBLE_QUOTES = re.compile('["\u201c\u201d\u201e\u201f\u00ab\u00bb]')


class GmtFormatError(ExportError):
    """A GMT file does not have the shape :func:`read_gmt` expects."""


@dataclass(frozen=True)
class GeneSet:
    """One GMT line. ``title``/``source``/``identifier``/``species`` come from a
    WikiPathways-style ``Title%Source%ID%Species`` name; for other names ``title`` is the
    whole name and the other three are empty."""

    name: str
    url: str
    genes: tuple[str, ...]
    title: str = ""
    source: str = ""
    identifier: str = ""
    species: str = ""


def gmt_file_name(
    date: str, species: str = SPECIES, kind: str = "gene", tier: str = DEFAULT_GMT_TIER
) -> str:
    """``pfocr-<YYYYMMDD>-gmt-<Genus_species>.gmt`` (``-chemical-gmt-`` for chemicals;
    ``-gmt-<tier>-`` for gene sets of a narrower tier, e.g. ``-gmt-strict-``)."""
    middle = "gmt" if kind == "gene" else f"{kind}-gmt"
    if kind == "gene" and tier != DEFAULT_GMT_TIER:
        middle = f"gmt-{tier}"
    return f"pfocr-{date}-{middle}-{species.replace(' ', '_')}.gmt"


def check_tier(tier: str) -> str:
    """``tier`` when it is a known flavour, else an :class:`ExportError` listing them."""
    if tier not in FLAVOUR_SOURCES:
        raise ExportError(f"Unknown gene tier {tier!r}. Choices: {', '.join(FLAVOUR_SOURCES)}.")
    return tier


def gmt_title(title: str, fallback: str) -> str:
    """A figure title that cannot break a GMT line or its ``%``-separated name."""
    text = _PERCENT.sub(" percent ", clean_text(title))
    text = _DOUBLE_QUOTES.sub("", text).replace("'", "\u2019")
    text = " ".join(text.split())
    return text or fallback


def entrez_ids(mentions: Iterable[Mention]) -> list[str]:
    """Distinct Entrez gene IDs (bare digits) in first-seen order; anything else is skipped."""
    cleaned = (clean_text(mention.entrez) for mention in mentions)
    return distinct(entrez for entrez in cleaned if _ENTREZ.fullmatch(entrez))


def is_human(record: FigureRecord) -> bool:
    """Whether the figure belongs in the human GMT."""
    return SPECIES in record.set_organisms()


def figure_set_members(
    record: FigureRecord,
    species: str = SPECIES,
    kind: str = "gene",
    tier: str = DEFAULT_GMT_TIER,
) -> list[str]:
    """The identifiers a figure's set holds in ``species``' file ([] when it has no set there);
    genes of the sources ``tier`` admits."""
    if species not in record.set_organisms():
        return []
    if kind == "chemical":
        return distinct(c.chebi for c in record.chemicals if c.chebi.startswith("CHEBI:"))
    sources = FLAVOUR_SOURCES[check_tier(tier)]
    genes = entrez_ids(m for m in record.mentions if sources is None or m.source in sources)
    if species == SPECIES:
        return genes
    from pfocr.recognise.organisms import human_to_organism

    return human_to_organism(genes, species)


def gene_set_line(
    record: FigureRecord,
    *,
    date: str,
    site_url: str,
    min_genes: int,
    species: str = SPECIES,
    kind: str = "gene",
    tier: str = DEFAULT_GMT_TIER,
) -> str | None:
    """The figure's GMT line (ending in a newline), or None when it gets no set."""
    members = figure_set_members(record, species, kind, tier)
    if len(members) < min_genes:
        return None
    stem = figure_file_stem(record.figure.figid)
    name = f"{gmt_title(record.figure.figtitle, stem)}%PFOCR_{date}%{stem}%{species}"
    return "\t".join([name, figure_page_url(site_url, record.figure.figid), *members]) + "\n"


class GmtWriter:
    """Streams sets to an open GMT file, one line per qualifying figure."""

    def __init__(
        self,
        handle: TextIO,
        *,
        date: str,
        site_url: str,
        min_genes: int,
        species: str = SPECIES,
        kind: str = "gene",
        tier: str = DEFAULT_GMT_TIER,
    ) -> None:
        self._handle = handle
        self._tier = check_tier(tier)
        self._date = date
        self._site_url = site_url
        self._min_genes = min_genes
        self._species = species
        self._kind = kind
        self.gene_sets = 0

    def write(self, record: FigureRecord) -> None:
        line = gene_set_line(
            record,
            date=self._date,
            site_url=self._site_url,
            min_genes=self._min_genes,
            species=self._species,
            kind=self._kind,
            tier=self._tier,
        )
        if line is not None:
            self._handle.write(line)
            self.gene_sets += 1


def read_gmt(path: Path) -> list[GeneSet]:
    """Read a GMT file (ours or any other) into gene sets, in file order.

    Raises :class:`GmtFormatError` naming the file and line when a line has no URL/description
    field, and :class:`ExportError` when the file cannot be read.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"Cannot read GMT file {path}: {exc}") from exc
    gene_sets = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            raise GmtFormatError(
                f"{path}, line {number}: expected 'name<TAB>description<TAB>genes...', "
                f"got {line[:80]!r}"
            )
        name, url, *genes = fields
        parts = name.split("%")
        title, source, identifier, species = parts if len(parts) == 4 else (name, "", "", "")
        gene_sets.append(
            GeneSet(
                name=name,
                url=url,
                genes=tuple(gene for gene in genes if gene),
                title=title,
                source=source,
                identifier=identifier,
                species=species,
            )
        )
    return gene_sets
