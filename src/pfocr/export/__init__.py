"""Publish stored figures in PFOCR's formats: figure records, gene TSVs, GMT and JSONL.

:func:`export_all` writes everything in one streaming pass; the modules hold one format each
(``records`` the Jekyll figure pages, ``tables`` the TSVs, ``gmt`` the gene sets,
``documents`` the BioThings JSON, ``numbers`` figure-number normalisation).
"""

from pfocr.export.documents import FLAVOUR_SOURCES, figure_document
from pfocr.export.gmt import GeneSet, GmtFormatError, gmt_file_name, gmt_title, read_gmt
from pfocr.export.numbers import FIGURE_TYPES, figure_type, normalise_figure_number
from pfocr.export.records import FRONT_MATTER_KEYS, figid_alias, front_matter, render_record
from pfocr.export.release import DEFAULT_SITE_URL, ExportSummary, export_all
from pfocr.export.tables import FIGURE_GENE_COLUMNS, GENE_COLUMNS

__all__ = [
    "DEFAULT_SITE_URL",
    "FIGURE_GENE_COLUMNS",
    "FIGURE_TYPES",
    "FLAVOUR_SOURCES",
    "FRONT_MATTER_KEYS",
    "GENE_COLUMNS",
    "ExportSummary",
    "GeneSet",
    "GmtFormatError",
    "export_all",
    "figid_alias",
    "figure_document",
    "figure_type",
    "front_matter",
    "gmt_file_name",
    "gmt_title",
    "normalise_figure_number",
    "read_gmt",
    "render_record",
]
