"""Turn whatever the user points at into a stream of ``Figure`` records.

Inputs may be image files, folders of images (with YAML sidecars or one CSV/TSV manifest),
PMC article XML, unpacked PMC packages or their ``.tar.gz``. Nothing here stops the run:
each problem becomes an ``IngestFailure`` that names its input, and the stream goes on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pfocr.errors import IngestError
from pfocr.ingest.archives import is_archive_path
from pfocr.ingest.images import is_image_path
from pfocr.ingest.jats import (
    ARTICLE_SUFFIXES,
    figures_from_archive,
    figures_from_article_file,
    figures_from_package_folder,
)
from pfocr.ingest.metadata import (
    MANIFEST_NAMES,
    SIDECAR_SUFFIXES,
    Manifest,
    is_utf8_name,
    nfc,
    printable_name,
    read_manifest,
    read_sidecar,
)
from pfocr.models import Figure, IngestFailure

#: Folder beside an image folder that may hold its sidecars (``figures/`` + ``metadata/``).
SIDECAR_FOLDER = "metadata"
_SKIPPED_FOLDERS = frozenset({"__MACOSX"})
_PMCID_IN_FIGID = re.compile(r"^(PMC\d+)__")
#: Longest figid: output files are named ``<figid>-genes.tsv`` and file names stop at 255 bytes.
MAX_FIGID_BYTES = 230

Item = Figure | IngestFailure


@dataclass(frozen=True)
class _UnreadableManifest:
    """A folder's manifest that could not be read: its images are held back, not guessed at."""

    path: Path


_FolderManifest = Manifest | _UnreadableManifest | None


def discover(inputs: Sequence[str | Path]) -> Iterator[Item]:
    """Figures (or failures) from every input, in input order then sorted file order.

    A figid seen before is reported as a duplicate naming both sources; the first is kept.
    """
    if isinstance(inputs, str | Path):  # one path, not a sequence of characters
        inputs = [inputs]
    walker = _Walker()
    first_source: dict[str, str] = {}
    for raw in inputs:
        for item in walker.input(Path(raw)):
            if isinstance(item, Figure):
                problem = figid_problem(item.figid)
                if problem is not None:
                    yield IngestFailure(
                        source=item.source,
                        message=f"{printable_name(item.source)}: figid {item.figid!r} {problem}",
                        figid=None,
                    )
                    continue
                earlier = first_source.get(item.figid)
                if earlier is not None:
                    yield IngestFailure(
                        source=item.source,
                        message=(
                            f"duplicate figid {item.figid}: {item.source} repeats {earlier}; "
                            "keeping the first"
                        ),
                        figid=item.figid,
                    )
                    continue
                first_source[item.figid] = item.source
            yield item


def figid_problem(figid: str) -> str | None:
    """Why a figid cannot name output files and table rows, or None when it can.

    Figids become file names (``figures/<figid>.md``) and TSV cells, so path separators,
    ``.``/``..`` and control characters (newlines, tabs) are refused rather than rewritten.
    """
    if not figid.strip():
        return "is empty"
    if figid in (".", "..") or "/" in figid or "\\" in figid:
        return "contains a path separator or is a relative folder name; rename it"
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in figid):
        return "contains control characters (newline, tab); rename it"
    if len(figid.encode("utf-8")) > MAX_FIGID_BYTES:
        return f"is longer than {MAX_FIGID_BYTES} bytes; shorten it"
    return None


def holds_article(folder: Path) -> bool:
    """True for an unpacked PMC package: a folder with an ``.nxml`` file at its top level."""
    return any(p.suffix.lower() == ".nxml" and p.is_file() for p in _visible(folder))


def figure_from_fields(path: Path, fields: Mapping[str, str]) -> Figure:
    """A ``Figure`` for an image file; metadata ``fields`` may override figid and filename."""
    values = dict(fields)
    figid = values.pop("figid", "") or nfc(path.stem)
    values["filename"] = values.get("filename") or nfc(path.name)
    if not values.get("pmcid"):
        match = _PMCID_IN_FIGID.match(figid)
        values["pmcid"] = match.group(1) if match else ""
    return Figure(figid=figid, image_path=str(path), source=str(path), **values)


def _visible(folder: Path) -> list[Path]:
    """Entries of a folder in name order, without hidden files and OS clutter."""
    return sorted(
        (
            p
            for p in folder.iterdir()
            if not p.name.startswith(".") and p.name not in _SKIPPED_FOLDERS
        ),
        key=lambda p: p.name,
    )


def _nfc_index(paths: Sequence[Path]) -> dict[str, Path]:
    return {nfc(p.name): p for p in paths if p.is_file()}


class _Walker:
    """Discovery state for one run: folders visited and manifests already read."""

    def __init__(self) -> None:
        self._visited: set[Path] = set()
        self._manifests: dict[Path, _FolderManifest] = {}

    def input(self, path: Path) -> Iterator[Item]:
        if not is_utf8_name(str(path)):
            yield _bad_name(path)
        elif not path.exists():
            yield IngestFailure(source=str(path), message=f"{path}: no such file or folder")
        elif path.is_dir():
            yield from self._folder(path, None)
        elif is_archive_path(path):
            yield from figures_from_archive(path)
        elif path.suffix.lower() in ARTICLE_SUFFIXES:
            yield from figures_from_article_file(path)
        elif is_image_path(path):
            yield from self._single_image(path)
        else:
            yield IngestFailure(
                source=str(path),
                message=(
                    f"{path}: not a supported input; give images (PNG, JPEG, GIF, TIFF, "
                    "WebP, BMP), folders, .nxml articles or .tar.gz packages"
                ),
            )

    def _folder(self, folder: Path, manifest: _FolderManifest) -> Iterator[Item]:
        """A PMC package folder, or a folder of images (walked recursively)."""
        try:
            if holds_article(folder):
                yield from figures_from_package_folder(folder)
            else:
                yield from self._image_folder(folder, manifest)
        except OSError as exc:
            yield IngestFailure(source=str(folder), message=f"{folder}: cannot list folder ({exc})")

    def _single_image(self, path: Path) -> Iterator[Item]:
        """An image named on its own still gets its sidecar and its folder's manifest."""
        try:
            entries = _visible(path.parent)
        except OSError as exc:
            entries = [path]
            yield IngestFailure(source=str(path), message=f"{path.parent}: cannot list ({exc})")
        manifest, failures = self._manifest_of(path.parent, entries)
        yield from failures
        yield self._image(path, _nfc_index(entries), manifest)

    def _image_folder(self, folder: Path, inherited: _FolderManifest) -> Iterator[Item]:
        real = folder.resolve()
        if real in self._visited:
            return
        self._visited.add(real)
        entries = _visible(folder)
        local, failures = self._manifest_of(folder, entries)
        yield from failures
        manifest = local if local is not None else inherited
        siblings = _nfc_index(entries)
        for entry in entries:
            if not is_utf8_name(entry.name):
                if entry.is_dir() or is_image_path(entry) or is_archive_path(entry):
                    yield _bad_name(entry)
            elif entry.is_dir():
                yield from self._folder(entry, manifest)
            elif is_image_path(entry):
                yield self._image(entry, siblings, manifest)
            elif is_archive_path(entry):
                yield from figures_from_archive(entry)
        if isinstance(local, Manifest):
            yield from _unused_rows(local)

    def _manifest_of(
        self, folder: Path, entries: Sequence[Path]
    ) -> tuple[_FolderManifest, list[IngestFailure]]:
        """The folder's manifest (read once per run) and any problems reading it."""
        if folder in self._manifests:
            return self._manifests[folder], []
        by_name = {p.name.lower(): p for p in entries if p.is_file()}
        present = [by_name[name] for name in MANIFEST_NAMES if name in by_name]
        failures = [
            IngestFailure(
                source=str(extra),
                message=f"{extra}: ignored; {present[0].name} is this folder's one manifest",
            )
            for extra in present[1:]
        ]
        manifest: _FolderManifest = None
        if present:
            try:
                manifest = read_manifest(present[0])
            except IngestError as exc:
                manifest = _UnreadableManifest(present[0])
                failures.append(IngestFailure(source=str(present[0]), message=str(exc)))
            else:
                failures.extend(
                    IngestFailure(source=str(present[0]), message=m) for m in manifest.problems
                )
        self._manifests[folder] = manifest
        return manifest, failures

    def _image(self, path: Path, siblings: Mapping[str, Path], manifest: _FolderManifest) -> Item:
        stem = nfc(path.stem)
        if isinstance(manifest, _UnreadableManifest):
            return IngestFailure(
                source=str(path),
                message=f"{path}: skipped until its manifest {manifest.path} is fixed",
                figid=stem,
            )
        fields: dict[str, str] = {}
        if manifest is not None:
            relative = path.relative_to(manifest.path.parent).as_posix()
            matched = manifest.match(relative, path.name, stem)
            if matched is not None:
                manifest.used.add(matched[0])
                fields.update(matched[1])
        sidecar = _find_sidecar(path, stem, siblings)
        if sidecar is not None:
            try:
                fields.update({k: v for k, v in read_sidecar(sidecar).items() if v})
            except IngestError as exc:
                return IngestFailure(source=str(path), message=str(exc), figid=stem)
        return figure_from_fields(path, fields)


def _bad_name(path: Path) -> IngestFailure:
    """Undecodable file names would corrupt figids and the store: ask for a rename."""
    name = printable_name(str(path))
    return IngestFailure(
        source=name,
        message=f"{name}: the file name is not valid UTF-8; rename it (e.g. with convmv)",
    )


def _find_sidecar(path: Path, stem: str, siblings: Mapping[str, Path]) -> Path | None:
    """``<stem>.yml``/``.yaml`` beside the image, else in a ``metadata/`` folder next to its own."""
    for suffix in SIDECAR_SUFFIXES:
        if stem + suffix in siblings:
            return siblings[stem + suffix]
    metadata_folder = path.parent.parent / SIDECAR_FOLDER
    if metadata_folder == path.parent or not metadata_folder.is_dir():
        return None
    for suffix in SIDECAR_SUFFIXES:
        for candidate in (
            metadata_folder / (stem + suffix),
            metadata_folder / (path.stem + suffix),
        ):
            if candidate.is_file():
                return candidate
    return None


def _unused_rows(manifest: Manifest) -> Iterator[IngestFailure]:
    for line, key in manifest.unused_rows():
        yield IngestFailure(
            source=str(manifest.path),
            message=f"{manifest.path}, line {line}: no image found for {key}",
            figid=None,
        )
