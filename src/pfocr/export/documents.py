"""``figures.jsonl``: one BioThings-shaped JSON document per figure, one per line.

The shape is the one the BioThings PFOCR API serves and BioThings Explorer reads, plus the
gene lists of each precision flavour, so one file serves every flavour::

    {
      "_id": "<figid>",
      "associatedWith": {
        "title": "<figtitle>",
        "figureUrl": "https://europepmc.org/articles/<PMCID>/bin/<filename>",  # or ""
        "pfocrUrl": "<site>/figures/<figid>.html",
        "pmc": "<PMCID>",
        "mentions": {
          "genes": {"ncbigene": ["8600", ...], "symbol": ["TNFSF11", ...]},
          "chemicals": {"mesh": [...], "chebi": [...]},
          "diseases": {"mesh": [...], "doid": [...]}
        }
      },
      "flavours": {
        "strict": [...],    # Entrez IDs matched by an official HGNC symbol
        "synonyms": [...],  # strict + alias and previous symbols
        "all": [...],       # synonyms + FamPlex family/complex members
        "names": [...]      # all + genes written by their full name (= ncbigene)
      },
      "ambiguous": [        # words naming several genes the figure did not choose between
        {"word": "p40", "symbol": ["BRMS1L", "TP63", ...], "ncbigene": ["84312", "8626", ...]}
      ],
      "organisms": ["Homo sapiens"]
    }

IDs are bare strings (no ``NCBIGene:`` prefix), each list holds distinct values in first-seen
order. ``flavours`` and ``ambiguous`` (in no flavour) sit beside ``associatedWith`` so that
``associatedWith`` stays exactly the upstream shape; to publish one flavour, copy its list
into ``associatedWith.mentions.genes.ncbigene``. The figure page path in ``pfocrUrl`` uses the
same safe file name as ``figures/``. Non-ASCII text is written as JSON escapes, so no
character can split a line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from pfocr.export._common import (
    FLAVOUR_SOURCES,
    clean_text,
    distinct,
    europepmc_image_url,
    figure_page_url,
)
from pfocr.export.gmt import entrez_ids
from pfocr.models import FigureRecord


def figure_document(record: FigureRecord, site_url: str) -> dict[str, Any]:
    """The figure's BioThings document (see the module docstring for the shape)."""
    figure = record.figure
    mentions = record.mentions
    flavours = {
        name: entrez_ids(m for m in mentions if sources is None or clean_text(m.source) in sources)
        for name, sources in FLAVOUR_SOURCES.items()
    }
    return {
        "_id": figure.figid,
        "associatedWith": {
            "title": clean_text(figure.figtitle),
            "figureUrl": europepmc_image_url(figure.pmcid, figure.filename),
            "pfocrUrl": figure_page_url(site_url, figure.figid),
            "pmc": clean_text(figure.pmcid),
            "mentions": {
                "genes": {
                    "ncbigene": flavours["names"],
                    "symbol": distinct(clean_text(m.hgnc_symbol) for m in mentions),
                },
                "chemicals": {
                    "mesh": _ids(c.mesh for c in record.chemicals),
                    "chebi": _ids(c.chebi for c in record.chemicals),
                },
                "diseases": {
                    "mesh": _ids(d.mesh for d in record.diseases),
                    "doid": _ids(d.doid for d in record.diseases),
                },
            },
        },
        "flavours": flavours,
        "ambiguous": _ambiguous(record),
        "organisms": list(record.organisms),
    }


def _ambiguous(record: FigureRecord) -> list[dict[str, Any]]:
    """One entry per distinct ambiguous word: its candidate genes, not expanded."""
    out: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
    for a in record.ambiguous:
        word = clean_text(a.word)
        out.setdefault(
            (word, a.candidates),
            {"word": word, "symbol": list(a.candidates), "ncbigene": list(a.entrez)},
        )
    return list(out.values())


def _ids(values: Iterable[str]) -> list[str]:
    """Distinct non-empty ids in first-seen order."""
    return distinct(value for value in (clean_text(v) for v in values) if value)


class DocumentWriter:
    """Streams one JSON document per record to an open ``figures.jsonl``."""

    def __init__(self, handle: TextIO, *, site_url: str) -> None:
        self._handle = handle
        self._site_url = site_url
        self.documents = 0

    def write(self, record: FigureRecord) -> None:
        document = figure_document(record, self._site_url)
        self._handle.write(json.dumps(document, ensure_ascii=True, separators=(",", ":")) + "\n")
        self.documents += 1
