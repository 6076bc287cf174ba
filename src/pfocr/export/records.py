"""PFOCR figure records: ``figures/<figid>.md`` with YAML front matter, as the website reads them.

The layout follows the 2022-23 ("generation 1") PFOCR record, key for key and in the same
order (see ``tests/fixtures/example-figure-record.md``), so the existing Jekyll site and its
tooling can read our records unchanged. Choices where the example gives no rule:

* ``pathway_score`` is ``''`` when the figure was not classified (the key is always present,
  so every record has the same keys in the same order).
* ``pmc_ranked_result_index`` and ``ndex`` are ``''``: pfocr knows neither.
* ``organisms`` is one string; several organisms are joined with ``", "``.
  ``organisms_ner`` (PFOCR's 2024 key: genes matched per organism lexicon) follows
  ``figtype`` when the figure has one, so the generation-1 keys keep their order.
* ``chemicals`` / ``diseases`` hold one entry per distinct (word, mesh) pair, with the
  fields of ``_data/<figid>-chemicals.tsv`` / ``-diseases.tsv``; their words join the
  JSON-LD keywords, as in PFOCR's records.
* ``genes`` holds one entry per distinct (word, hgnc_symbol) pair in reading order;
  ``schema-jsonld.keywords`` the distinct HGNC symbols in first-seen order.
* All text is reduced to one line (see :func:`~pfocr.export._common.clean_text`), so no value
  can end the front matter early (a ``---`` line) or smuggle in extra keys.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from pfocr.errors import ExportError
from pfocr.export._common import (
    clean_text,
    distinct,
    figure_file_stem,
    figure_page_url,
    image_filename,
    relative_figlink,
)
from pfocr.export.numbers import figure_type, normalise_figure_number
from pfocr.models import ChemicalMention, DiseaseMention, FigureRecord, Mention

#: Front-matter keys in the order PFOCR records use.
FRONT_MATTER_KEYS: tuple[str, ...] = (
    "figid",
    "figlink",
    "number",
    "caption",
    "pmcid",
    "papertitle",
    "reftext",
    "pmc_ranked_result_index",
    "pathway_score",
    "filename",
    "figtitle",
    "year",
    "organisms",
    "ndex",
    "annotations",
    "seo",
    "schema-jsonld",
    "genes",
    "chemicals",
    "diseases",
    "figid_alias",
    "redirect_from",
    "figtype",
)
#: Fields of each entry of the record's ``genes`` list.
RECORD_GENE_KEYS: tuple[str, ...] = ("word", "symbol", "source", "hgnc_symbol", "entrez")

#: libyaml's emitter writes the text of ``yaml.safe_dump`` (but for escapes), much faster.
_FAST_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)\s*$", re.MULTILINE)


def figid_alias(record: FigureRecord) -> str:
    """``<pmcid>__<number>`` (e.g. PMC4168338__F1) when both are known, else the figid.

    A number is unknown when neither label, file name nor figure link gave one (``F0``);
    using it would give every such figure of a paper the same alias.
    """
    figure = record.figure
    pmcid = clean_text(figure.pmcid)
    number = figure_number(record)
    if pmcid and number != "F0":
        return f"{pmcid}__{number}"
    return figure.figid


def figure_number(record: FigureRecord) -> str:
    """The record's short figure number (F1, SF2...), from label, file name or link."""
    figure = record.figure
    return normalise_figure_number(figure.number, figure.filename, figure.figlink)


def record_genes(mentions: tuple[Mention, ...]) -> list[dict[str, str]]:
    """One gene entry per distinct (word, hgnc_symbol) pair, in reading order."""
    genes: dict[tuple[str, str], dict[str, str]] = {}
    for mention in mentions:
        entry = {key: clean_text(getattr(mention, key)) for key in RECORD_GENE_KEYS}
        genes.setdefault((entry["word"], entry["hgnc_symbol"]), entry)
    return list(genes.values())


def record_terms(
    items: tuple[ChemicalMention, ...] | tuple[DiseaseMention, ...], id_field: str
) -> list[dict[str, str]]:
    """Distinct (word, mesh) entries: ``word, mesh, match, name`` and ``chebi`` or ``doid``."""
    seen: set[tuple[str, str]] = set()
    out = []
    for item in items:
        word = clean_text(item.word).replace('"', "")
        key = (word.casefold(), item.mesh)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            {
                "word": word,
                "mesh": clean_text(item.mesh),
                "match": clean_text(item.match),
                "name": clean_text(item.name),
                id_field: clean_text(getattr(item, id_field)),
            }
        )
    return out


def _score(value: float | None) -> float | str:
    if value is None or not math.isfinite(value):
        return ""
    return float(value)


def front_matter(record: FigureRecord, site_url: str) -> dict[str, Any]:
    """The record's front matter as an ordered dict (keys as :data:`FRONT_MATTER_KEYS`)."""
    figure = record.figure
    caption = clean_text(figure.caption)
    genes = record_genes(record.mentions)
    chemicals = record_terms(record.chemicals, "chebi")
    diseases = record_terms(record.diseases, "doid")
    number = figure_number(record)
    alias = figid_alias(record)
    data: dict[str, Any] = {
        "figid": figure.figid,
        "figlink": relative_figlink(figure.figlink),
        "number": number,
        "caption": caption,
        "pmcid": clean_text(figure.pmcid),
        "papertitle": clean_text(figure.papertitle),
        "reftext": clean_text(figure.reftext),
        "pmc_ranked_result_index": "",
        "pathway_score": _score(record.pathway_score),
        "filename": image_filename(figure.filename),
        "figtitle": clean_text(figure.figtitle),
        "year": clean_text(figure.year),
        "organisms": ", ".join(distinct(clean_text(name) for name in record.organisms)),
        "ndex": "",
        "annotations": [],
        "seo": "CreativeWork",
        "schema-jsonld": {
            "@context": "https://schema.org/",
            "@id": figure_page_url(site_url, figure.figid),
            "@type": "Dataset",
            "description": caption,
            "license": "CC0",
            "name": "CreativeWork",
            "creator": {"@type": "Organization", "name": "WikiPathways"},
            "keywords": distinct(
                [
                    *(gene["hgnc_symbol"] for gene in genes),
                    *(item["word"] for item in chemicals),
                    *(item["word"] for item in diseases),
                ]
            ),
        },
        "genes": genes,
        "chemicals": chemicals,
        "diseases": diseases,
        "figid_alias": alias,
        "redirect_from": f"/figures/{figure_file_stem(alias)}",
        "figtype": figure_type(number),
    }
    if record.organisms_ner:
        data["organisms_ner"] = [row.to_json() for row in record.organisms_ner]
    return data


def _dump_yaml(data: dict[str, Any], dumper: Any) -> str:
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=80)


def render_record(record: FigureRecord, site_url: str) -> str:
    """The full ``.md`` text: front matter between ``---`` lines and an empty body."""
    data = front_matter(record, site_url)
    try:
        body = _dump_yaml(data, _FAST_DUMPER)
        if "\\" in body and _FAST_DUMPER is not yaml.SafeDumper:
            # libyaml escapes some characters (e.g. beyond U+FFFF) that PyYAML writes as is;
            # keep the exact PyYAML text whenever an escape or backslash appears.
            body = _dump_yaml(data, yaml.SafeDumper)
    except yaml.YAMLError as exc:
        raise ExportError(f"Figure {record.figure.figid!r}: cannot write as YAML: {exc}") from exc
    if _FRONT_MATTER_END.search(body):
        raise ExportError(
            f"Figure {record.figure.figid!r}: its metadata would end the YAML front matter early."
        )
    return f"---\n{body}---\n"
