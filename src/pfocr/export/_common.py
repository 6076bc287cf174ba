"""Helpers every exporter shares: text cleaning, safe file names, URLs, atomic files.

Published files are read by Jekyll, R, Ruby CSV and GMT tools; one set of rules here keeps
them agreeing on what a figure is called and where its page lives.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from pfocr.errors import ExportError

_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]")
_PMCID = re.compile(r"PMC\d+")
_PMC_PREFIX = re.compile(r"^PMC\d+__")
_NCBI_HOST = "https://www.ncbi.nlm.nih.gov"
#: Longest file stem kept before the hash suffix (file names are capped at 255 bytes).
_MAX_STEM = 180


#: Recognition sources admitted by each precision flavour (tier), from most to least precise.
FLAVOUR_SOURCES: dict[str, frozenset[str] | None] = {
    "strict": frozenset({"hgnc_symbol"}),
    "synonyms": frozenset({"hgnc_symbol", "hgnc_alias_symbol", "hgnc_prev_symbol"}),
    "all": frozenset({"hgnc_symbol", "hgnc_alias_symbol", "hgnc_prev_symbol", "famplex"}),
    "names": None,  # every source, full gene names included
}


def clean_text(value: object) -> str:
    """One line of printable text: whitespace runs (tabs, newlines, U+2028...) become one space.

    Control characters are dropped, so no value can break a TSV row, a GMT line or a YAML
    front-matter block.
    """
    text = "" if value is None else str(value)
    if text.isprintable() and "  " not in text and text == text.strip():
        return text  # the common case, without the per-character scan
    text = "".join(
        ch for ch in text if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return " ".join(text.split())


def distinct(values: Iterable[str]) -> list[str]:
    """Non-empty values, each once, in first-seen order."""
    return list(dict.fromkeys(value for value in values if value))


def figure_file_stem(figid: str) -> str:
    """The file name (without extension) under which a figure is published.

    A figid that is already safe is used as is. Anything else (``/``, ``\\``, a leading dot
    or underscore, spaces, non-ASCII, an overlong id) is rewritten to ``[A-Za-z0-9._-]`` and
    suffixed with a hash of the original, so two different figids never share a file and no
    name can leave its folder.
    """
    if not figid:
        raise ExportError("A figure has an empty figid; every exported figure needs an id.")
    stem = _UNSAFE_FILE_CHARS.sub("_", figid)
    if not stem[0].isalnum():
        # A leading "." hides a file (and ".." climbs); Jekyll also skips a leading "_".
        stem = "fig" + stem
    if stem == figid and len(stem) <= _MAX_STEM:
        return stem
    digest = hashlib.sha1(figid.encode("utf-8")).hexdigest()[:10]
    return f"{stem[:_MAX_STEM]}-{digest}"


def figure_page_url(site_url: str, figid: str) -> str:
    """Where the figure's page is published: ``<site>/figures/<stem>.html``."""
    return f"{site_url.rstrip('/')}/figures/{figure_file_stem(figid)}.html"


def image_filename(filename: str) -> str:
    """The image file name as PMC serves it: without a ``PMCnnn__`` figid prefix."""
    return _PMC_PREFIX.sub("", clean_text(filename))


def europepmc_image_url(pmcid: str, filename: str) -> str:
    """Europe PMC image URL (NCBI image links broke in 2024), or "" when either part is unknown."""
    pmcid = clean_text(pmcid)
    name = image_filename(filename)
    if not name or not _PMCID.fullmatch(pmcid):
        return ""
    return f"https://europepmc.org/articles/{pmcid}/bin/{quote(name)}"


def relative_figlink(figlink: str) -> str:
    """A PMC figure link relative to the NCBI host, as PFOCR records store it."""
    link = clean_text(figlink)
    if link.startswith(_NCBI_HOST + "/"):
        return link[len(_NCBI_HOST) :]
    return link


@functools.cache
def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


@contextlib.contextmanager
def atomic_text_file(path: Path, *, durable: bool = False) -> Iterator[TextIO]:
    """Write ``path`` through a temporary file in the same folder, then ``os.replace`` it.

    Readers see the old file or the complete new one, never a half-written file; on any error
    (or interruption) the temporary file is removed. ``durable`` also flushes the data to disk
    before the rename. Write errors surface as ``OSError`` for the caller to name.
    """
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ExportError(f"Cannot create a file in {path.parent}: {exc}") from exc
    tmp_path = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            # mkstemp makes private (0600) files; published files get the usual umask mode.
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (see :func:`atomic_text_file`)."""
    try:
        with atomic_text_file(path) as handle:
            handle.write(text)
    except (OSError, UnicodeError) as exc:
        raise ExportError(f"Cannot write {path}: {exc}") from exc
