"""Write every export format in one streaming pass over the stored figures.

Records are read once, one at a time, so a store of 100k figures exports in constant memory
(only the set of figids seen is kept, to refuse duplicates). Each output is written through a
temporary file and renamed into place: an interrupted export leaves the previous files, or
none, never a half-written one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pfocr.errors import ExportError
from pfocr.export._common import atomic_text_file, figure_file_stem, write_text_atomically
from pfocr.export.documents import DocumentWriter
from pfocr.export.gmt import GmtWriter, gmt_file_name
from pfocr.export.records import render_record
from pfocr.export.tables import GeneTableWriter, write_figure_genes
from pfocr.models import FigureRecord

DEFAULT_SITE_URL = "https://pfocr.wikipathways.org"
GENES_TSV = "genes.tsv"
DOCUMENTS_JSONL = "figures.jsonl"
FIGURES_DIR = "figures"
DATA_DIR = "_data"


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


def export_all(
    records: Iterable[FigureRecord],
    out_dir: Path,
    *,
    date: str | None = None,
    site_url: str = DEFAULT_SITE_URL,
    min_gmt_genes: int = 3,
) -> ExportSummary:
    """Publish figure records in PFOCR's formats under ``out_dir``.

    Writes ``genes.tsv``, ``figures/<figid>.md``, ``_data/<figid>-genes.tsv``,
    ``pfocr-<date>-gmt-Homo_sapiens.gmt`` and ``figures.jsonl``. ``date`` (YYYYMMDD, default
    today) dates the GMT; ``site_url`` roots every figure page URL; figures need
    ``min_gmt_genes`` distinct Entrez IDs to get a gene set.

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
    gmt_path = out_dir / gmt_file_name(date)
    documents_path = out_dir / DOCUMENTS_JSONL

    seen: set[str] = set()
    figures = without_genes = 0
    try:
        with contextlib.ExitStack() as stack:
            genes = GeneTableWriter(stack.enter_context(atomic_text_file(genes_path, durable=True)))
            gmt = GmtWriter(
                stack.enter_context(atomic_text_file(gmt_path, durable=True)),
                date=date,
                site_url=site_url,
                min_genes=min_gmt_genes,
            )
            documents = DocumentWriter(
                stack.enter_context(atomic_text_file(documents_path, durable=True)),
                site_url=site_url,
            )
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
                genes.write(record)
                gmt.write(record)
                documents.write(record)
                figures += 1
                without_genes += not record.mentions
    except (OSError, UnicodeError) as exc:
        raise ExportError(f"Cannot write the export in {out_dir}: {exc}") from exc

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
    )
