"""Figure metadata supplied beside images: YAML sidecars and CSV/TSV manifests.

Users bring metadata in the layouts they already have: the PFOCR figure-bot YAML
(``figure_link``, ``figure_title``, ``article_title``, ``citation`` ...), PFOCR record
names (``figlink``, ``figtitle`` ...) or a spreadsheet. All of them are mapped onto the
``Figure`` field names here, so the rest of pfocr sees one vocabulary.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from pfocr.errors import IngestError
from pfocr.models import METADATA_FIELDS

SIDECAR_SUFFIXES: tuple[str, ...] = (".yml", ".yaml")
#: File names recognised as a folder's metadata table, in order of preference.
MANIFEST_NAMES: tuple[str, ...] = ("manifest.csv", "manifest.tsv", "metadata.csv", "metadata.tsv")
#: Columns that tie a manifest row to an image file (first non-empty wins).
MANIFEST_KEYS: tuple[str, ...] = ("filename", "image_filename", "figid")

MAX_METADATA_BYTES = 20 * 1024 * 1024

#: Figure-bot and spreadsheet names -> ``Figure`` field names.
KEY_ALIASES: dict[str, str] = {
    "figure_link": "figlink",
    "figure_title": "figtitle",
    "article_title": "papertitle",
    "paper_title": "papertitle",
    "citation": "reftext",
    "image_filename": "filename",
    "figure_number": "number",
    "nlm_ta": "journal_nlm_ta",
    "publisher": "publisher_name",
}

_ACCEPTED_FIELDS = frozenset(("figid", *METADATA_FIELDS))
_DATE_KEYS = ("pub_date", "epub_date", "ppub_date", "date")
_PMC_PREFIXES = ("https://www.ncbi.nlm.nih.gov", "http://www.ncbi.nlm.nih.gov")
_NEW_PMC_PREFIXES = ("https://pmc.ncbi.nlm.nih.gov", "http://pmc.ncbi.nlm.nih.gov")


def nfc(text: str) -> str:
    """Unicode NFC form, so names typed on one system match files written on another."""
    return unicodedata.normalize("NFC", text)


def printable_name(text: str) -> str:
    """A name safe to print on one line and store: control characters and bytes that are
    not UTF-8 shown as escapes (``\\n``, ``\\xff``).

    Linux file names are bytes; Python carries undecodable ones as lone surrogates, which
    neither SQLite nor a terminal accepts.
    """
    if any(unicodedata.category(char) == "Cc" for char in text):
        text = "".join(
            repr(char)[1:-1] if unicodedata.category(char) == "Cc" else char for char in text
        )
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def is_utf8_name(text: str) -> bool:
    """True when a path decodes as UTF-8 (no undecodable bytes carried as surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def normalise_key(key: str) -> str:
    """``"Figure Title"`` / ``figure-title`` -> ``figure_title``."""
    return re.sub(r"[\s\-]+", "_", key.strip().lower())


def figure_fields(mapping: Mapping[str, object]) -> dict[str, str]:
    """The ``Figure`` fields (and ``figid``) found in a metadata mapping, as clean strings.

    Unknown keys and nested values are ignored; an explicit field name wins over an alias.
    """
    fields: dict[str, str] = {}
    aliased: dict[str, str] = {}
    for raw_key, raw_value in mapping.items():
        key = normalise_key(str(raw_key))
        value = _as_text(raw_value, key)
        if value is None:
            continue
        if key in _ACCEPTED_FIELDS:
            fields[key] = value
        elif key in KEY_ALIASES:
            aliased.setdefault(KEY_ALIASES[key], value)
    for key, value in aliased.items():
        if not fields.get(key):
            fields[key] = value
    if not fields.get("year"):
        year = _year_from_dates(mapping)
        if year:
            fields["year"] = year
    return _normalise_values(fields)


def _as_text(value: object, key: str) -> str | None:
    """Scalars as stripped text, lists of scalars joined; anything nested is not metadata."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, str | int | float):
        return " ".join(str(value).split())
    if isinstance(value, date):  # YAML reads an unquoted 2012-12-27 as a date
        return value.isoformat()
    if isinstance(value, list | tuple):
        items = [str(v).strip() for v in value if isinstance(v, str | int | float)]
        separator = " | " if key == "keywords" else "; "
        return separator.join(item for item in items if item)
    return None


def _year_from_dates(mapping: Mapping[str, object]) -> str:
    for key in _DATE_KEYS:
        match = re.search(r"\b(1[6-9]\d\d|2\d\d\d)\b", str(mapping.get(key) or ""))
        if match:
            return match.group(1)
    return ""


def _normalise_values(fields: dict[str, str]) -> dict[str, str]:
    if "figid" in fields:
        fields["figid"] = nfc(fields["figid"])
        if not fields["figid"]:
            del fields["figid"]
    if fields.get("pmcid"):
        fields["pmcid"] = normalise_pmcid(fields["pmcid"])
    if fields.get("figlink"):
        fields["figlink"] = relative_figlink(fields["figlink"])
    if fields.get("filename"):
        fields["filename"] = nfc(fields["filename"])
    return fields


def normalise_pmcid(value: str) -> str:
    """``"3166277"`` or ``"pmc3166277"`` -> ``"PMC3166277"``; other text is kept as given."""
    text = value.strip()
    match = re.fullmatch(r"(?i)(?:pmc)?(\d+)", text)
    return f"PMC{match.group(1)}" if match else text


def relative_figlink(link: str) -> str:
    """PMC figure URLs as PFOCR stores them: ``/pmc/articles/PMC…/figure/F1/``."""
    for prefix in _PMC_PREFIXES:
        if link.startswith(prefix):
            return link[len(prefix) :]
    for prefix in _NEW_PMC_PREFIXES:
        if link.startswith(prefix + "/articles/"):
            return "/pmc" + link[len(prefix) :]
    return link


def read_sidecar(path: Path) -> dict[str, str]:
    """The figure fields of one YAML sidecar (figure-bot or PFOCR record layout).

    A front-matter file (``---`` … ``---``) is read as its first document.
    Raises IngestError naming the file when it is not a YAML mapping.
    """
    text = _read_text(path)
    try:
        documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise IngestError(f"{path}: not valid YAML ({problem}); fix or remove the file") from None
    if not documents:
        return {}
    if not isinstance(documents[0], dict):
        raise IngestError(
            f"{path}: metadata must be a YAML mapping of field: value, "
            f"not a {type(documents[0]).__name__}"
        )
    return figure_fields(documents[0])


@dataclass
class Manifest:
    """One folder's metadata table, indexed by the file name or figid each row names."""

    path: Path
    rows: list[dict[str, str]]
    by_name: dict[str, int]
    by_figid: dict[str, int]
    #: Rows that could not be used (no key, or a key an earlier row already took).
    problems: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)

    def match(self, relative_path: str, name: str, stem: str) -> tuple[int, dict[str, str]] | None:
        """The row naming this image by relative path or file name, else by figid = stem."""
        for candidate in (nfc(relative_path), nfc(name)):
            if candidate in self.by_name:
                index = self.by_name[candidate]
                return index, self.rows[index]
        index = self.by_figid.get(nfc(stem))
        return None if index is None else (index, self.rows[index])

    def unused_rows(self) -> list[tuple[int, str]]:
        """(line number in the file, what the row names) for rows no image matched."""
        named = [*self.by_name.items(), *self.by_figid.items()]
        return sorted((index + 2, key) for key, index in named if index not in self.used)


def read_manifest(path: Path) -> Manifest:
    """Read a CSV (comma) or TSV (tab) metadata table keyed by file name or figid.

    Raises IngestError naming the file when it cannot be parsed or has no key column.
    """
    text = _read_text(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        header = [normalise_key(name) for name in (reader.fieldnames or [])]
        raw_rows = list(reader)
    except csv.Error as exc:
        raise IngestError(f"{path}: malformed {delimiter!r}-separated table ({exc})") from None
    if not any(key in header for key in MANIFEST_KEYS):
        raise IngestError(
            f"{path}: no column to match images; "
            "add a 'filename', 'image_filename' or 'figid' column"
        )
    manifest = Manifest(path=path, rows=[], by_name={}, by_figid={})
    for line_index, raw in enumerate(raw_rows):
        cells = {normalise_key(k): v.strip() for k, v in raw.items() if k and isinstance(v, str)}
        manifest.rows.append(figure_fields(cells))
        _index_row(manifest, line_index, cells)
    return manifest


def _index_row(manifest: Manifest, index: int, cells: Mapping[str, str]) -> None:
    """File a row under the image name it gives, else under its figid; report clashes."""
    line = index + 2
    name = nfc(cells.get("filename") or cells.get("image_filename") or "")
    figid = nfc(cells.get("figid") or "")
    index_map, key = (manifest.by_name, name) if name else (manifest.by_figid, figid)
    if not key:
        manifest.problems.append(f"{manifest.path}, line {line}: row names no image; ignored")
    elif key in index_map:
        manifest.problems.append(
            f"{manifest.path}, line {line}: {key} already described on line "
            f"{index_map[key] + 2}; this row is ignored"
        )
    else:
        index_map[key] = index


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_METADATA_BYTES:
            raise IngestError(
                f"{path}: metadata file is {size} bytes; the limit is {MAX_METADATA_BYTES}"
            )
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{path}: metadata is not UTF-8 text ({exc.reason}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise IngestError(f"{path}: cannot read metadata ({exc.strerror or exc})") from None
