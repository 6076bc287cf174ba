"""Write every export format in one streaming pass over the stored figures.

Records are read once, one at a time, so a store of 100k figures exports in constant memory
(only the set of figids seen is kept, to refuse duplicates). Each output is written through a
temporary file and renamed into place: an interrupted export leaves the previous files, or
none, never a half-written one.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pfocr.errors import ExportError
from pfocr.export._common import (
    atomic_text_file,
    clean_text,
    figure_file_stem,
    write_text_atomically,
)
from pfocr.export.documents import DocumentWriter
from pfocr.export.gmt import DEFAULT_GMT_TIER, GmtWriter, check_tier, gmt_file_name
from pfocr.export.records import render_record
from pfocr.export.tables import (
    AmbiguousTableWriter,
    GeneTableWriter,
    write_figure_genes,
    write_figure_terms,
)
from pfocr.models import LEXICON_SPECIES, FigureRecord

DEFAULT_SITE_URL = "https://pfocr.wikipathways.org"
GENES_TSV = "genes.tsv"
AMBIGUOUS_TSV = "ambiguous.tsv"
DOCUMENTS_JSONL = "figures.jsonl"
FIGURES_DIR = "figures"
DATA_DIR = "_data"
#: Organisms with a lexicon, hence gene-set files; the human gene GMT is always written,
#: the others when at least one figure has a set in them.
GMT_SPECIES: tuple[str, ...] = LEXICON_SPECIES
GMT_KINDS: tuple[str, ...] = ("gene", "chemical")
#: Optional outputs (``formats=``): the Enrichr library, per-figure GPML, CX2 and SIF files in
#: ``figures/``, and a static HTML site in ``site/``.
EXTRA_FORMATS: tuple[str, ...] = ("enrichr", "gpml", "cx2", "sif", "site")


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: counts and the paths of its outputs."""

    out_dir: Path
    date: str
    figures: int
    figures_without_genes: int
    mentions: int
    gene_sets: int
    genes_tsv: Path
    gmt: Path
    documents: Path
    figures_dir: Path
    data_dir: Path
    chemicals: int = 0
    diseases: int = 0
    #: Words left ambiguous between several genes (``ambiguous.tsv``).
    ambiguous: int = 0
    #: Every GMT written, with its number of sets.
    gmt_files: dict[Path, int] = field(default_factory=dict)
    #: Optional outputs written (``formats=``): format name -> file or folder.
    extra_files: dict[str, Path] = field(default_factory=dict)


def _checked_date(date: str | None) -> str:
    if date is None:
        return dt.date.today().strftime("%Y%m%d")
    if re.fullmatch(r"\d{8}", date):
        with contextlib.suppress(ValueError):
            dt.datetime.strptime(date, "%Y%m%d")
            return date
    raise ExportError(f"Export date {date!r} is not a calendar date written YYYYMMDD.")


def _checked_site_url(site_url: str) -> str:
    if not re.fullmatch(r"https?://[^\s%\"'<>]+", site_url):
        raise ExportError(
            f"Site URL {site_url!r} must be an http(s) URL without spaces, quotes or '%'."
        )
    return site_url.rstrip("/")


def _make_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Cannot create export folder {path}: {exc}") from exc


def _figure_genes_text(record: FigureRecord) -> str:
    buffer = io.StringIO()
    write_figure_genes(buffer, record.mentions)
    return buffer.getvalue()


def _figure_edges_text(record: FigureRecord) -> str:
    from pfocr.network.export import EDGE_COLUMNS, edge_rows

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(EDGE_COLUMNS)
    for row in edge_rows(record.figure.figid, record.edges):
        writer.writerow(clean_text(row[name]) for name in EDGE_COLUMNS)
    return buffer.getvalue()


def _figure_terms_text(record: FigureRecord, kind: str) -> str:
    buffer = io.StringIO()
    write_figure_terms(buffer, record.chemicals if kind == "chemicals" else record.diseases, kind)
    return buffer.getvalue()


def export_all(
    records: Iterable[FigureRecord],
    out_dir: Path,
    *,
    date: str | None = None,
    site_url: str = DEFAULT_SITE_URL,
    min_gmt_genes: int = 3,
    formats: Iterable[str] = (),
    gmt_tier: str = DEFAULT_GMT_TIER,
) -> ExportSummary:
    """Publish figure records in PFOCR's formats under ``out_dir``.

    Writes ``genes.tsv``, ``ambiguous.tsv``, ``figures/<figid>.md``, ``_data/<figid>-genes.tsv``,
    ``-chemicals.tsv``, ``-diseases.tsv`` and ``-edges.tsv``,
    ``pfocr-<date>-gmt-<Organism>.gmt`` and ``pfocr-<date>-chemical-gmt-<Organism>.gmt``,
    and ``figures.jsonl``. ``date`` (YYYYMMDD, default today) dates the GMT; ``site_url``
    roots every figure page URL; figures need ``min_gmt_genes`` distinct Entrez IDs to get a
    gene set; ``gmt_tier`` limits the gene GMTs to one precision tier (``strict``, ``synonyms``,
    ``all``; default every source, and the file names then carry the tier). ``formats`` adds
    any of :data:`EXTRA_FORMATS`.

    Raises :class:`ExportError` for a bad argument, a non-record input, a duplicate figid, or
    a file that cannot be written.
    """
    date = _checked_date(date)
    site_url = _checked_site_url(site_url)
    if min_gmt_genes < 1:
        raise ExportError(f"min_gmt_genes must be at least 1, got {min_gmt_genes}.")
    out_dir = Path(out_dir)
    figures_dir = out_dir / FIGURES_DIR
    data_dir = out_dir / DATA_DIR
    for folder in (out_dir, figures_dir, data_dir):
        _make_dir(folder)
    genes_path = out_dir / GENES_TSV
    check_tier(gmt_tier)
    gmt_path = out_dir / gmt_file_name(date, tier=gmt_tier)
    documents_path = out_dir / DOCUMENTS_JSONL

    extras = list(dict.fromkeys(formats))
    unknown = [name for name in extras if name not in EXTRA_FORMATS]
    if unknown:
        raise ExportError(
            f"Unknown export format {unknown[0]!r}. Choices: {', '.join(EXTRA_FORMATS)}."
        )
    extra_files: dict[str, Path] = {}
    seen: set[str] = set()
    figures = without_genes = n_chemicals = n_diseases = 0
    gmt_paths = {
        (kind, species): out_dir / gmt_file_name(date, species, kind, gmt_tier)
        for kind in GMT_KINDS
        for species in GMT_SPECIES
    }
    try:
        with contextlib.ExitStack() as stack:
            genes = GeneTableWriter(stack.enter_context(atomic_text_file(genes_path, durable=True)))
            ambiguous = AmbiguousTableWriter(
                stack.enter_context(atomic_text_file(out_dir / AMBIGUOUS_TSV, durable=True))
            )
            gmts = {
                key: GmtWriter(
                    stack.enter_context(atomic_text_file(path, durable=True)),
                    date=date,
                    site_url=site_url,
                    min_genes=min_gmt_genes,
                    species=key[1],
                    kind=key[0],
                    tier=gmt_tier,
                )
                for key, path in gmt_paths.items()
            }
            gmt = gmts[("gene", GMT_SPECIES[0])]
            documents = DocumentWriter(
                stack.enter_context(atomic_text_file(documents_path, durable=True)),
                site_url=site_url,
            )
            enrichr = site = None
            if "enrichr" in extras:
                from pfocr.export.enrichr import EnrichrWriter, enrichr_file_name

                extra_files["enrichr"] = out_dir / enrichr_file_name(date)
                enrichr = EnrichrWriter(
                    stack.enter_context(atomic_text_file(extra_files["enrichr"], durable=True)),
                    min_genes=min_gmt_genes,
                )
            if "site" in extras:
                from pfocr.export.site import SiteWriter

                site = SiteWriter(out_dir, site_url=site_url)
                extra_files["site"] = site.root
            for index, record in enumerate(records):
                if not isinstance(record, FigureRecord):
                    raise ExportError(
                        f"Export input #{index} is a {type(record).__name__}, not a FigureRecord."
                    )
                figid = record.figure.figid
                if figid in seen:
                    raise ExportError(f"Figure {figid!r} appears twice in the export input.")
                seen.add(figid)
                stem = figure_file_stem(figid)
                write_text_atomically(figures_dir / f"{stem}.md", render_record(record, site_url))
                write_text_atomically(data_dir / f"{stem}-genes.tsv", _figure_genes_text(record))
                for kind in ("chemicals", "diseases"):
                    write_text_atomically(
                        data_dir / f"{stem}-{kind}.tsv", _figure_terms_text(record, kind)
                    )
                write_text_atomically(data_dir / f"{stem}-edges.tsv", _figure_edges_text(record))
                genes.write(record)
                ambiguous.write(record)
                for writer in gmts.values():
                    writer.write(record)
                documents.write(record)
                if enrichr is not None:
                    enrichr.write(record)
                if "gpml" in extras:
                    from pfocr.export.gpml import render_gpml

                    write_text_atomically(figures_dir / f"{stem}.gpml", render_gpml(record))
                if "cx2" in extras:
                    from pfocr.export.cx2 import render_cx2

                    write_text_atomically(figures_dir / f"{stem}.cx2", render_cx2(record, site_url))
                if "sif" in extras:
                    from pfocr.network.export import sif_text

                    write_text_atomically(figures_dir / f"{stem}.sif", sif_text(record.edges))
                if site is not None:
                    site.write(record)
                figures += 1
                without_genes += not record.mentions
                n_chemicals += len(record.chemicals)
                n_diseases += len(record.diseases)
            if site is not None:
                site.close()
    except (OSError, UnicodeError) as exc:
        raise ExportError(f"Cannot write the export in {out_dir}: {exc}") from exc
    for name in ("gpml", "cx2", "sif"):
        if name in extras:
            extra_files[name] = figures_dir

    gmt_files: dict[Path, int] = {}
    for key, path in gmt_paths.items():
        if gmts[key].gene_sets or key == ("gene", GMT_SPECIES[0]):
            gmt_files[path] = gmts[key].gene_sets
        else:
            path.unlink(missing_ok=True)
    return ExportSummary(
        out_dir=out_dir,
        date=date,
        figures=figures,
        figures_without_genes=without_genes,
        mentions=genes.rows,
        gene_sets=gmt.gene_sets,
        genes_tsv=genes_path,
        gmt=gmt_path,
        documents=documents_path,
        figures_dir=figures_dir,
        data_dir=data_dir,
        chemicals=n_chemicals,
        diseases=n_diseases,
        ambiguous=ambiguous.rows,
        gmt_files=gmt_files,
        extra_files=extra_files,
    )
