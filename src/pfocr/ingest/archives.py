"""Read PubMed Central article packages (``.tar.gz``) in place, without extracting them.

Archives come from outside, so every member name is distrusted: absolute paths, ``..``
components, links and device files are refused and reported, and sizes are capped, so
that nothing an archive declares can reach outside it or exhaust memory.
"""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pfocr.errors import ArchiveError

#: File names that mark an input as a tar archive (compressed or not).
ARCHIVE_SUFFIXES: tuple[str, ...] = (".tar.gz", ".tgz", ".tar")

#: Largest member listed; bigger ones are reported and skipped.
MAX_MEMBER_BYTES = 256 * 1024 * 1024
#: Listing stops after this many members (a PMC package holds a few dozen).
MAX_MEMBERS = 20_000
#: Listing stops once the declared sizes add up to this much (decompression guard).
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024

_READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError, ValueError)


@dataclass(frozen=True)
class ArchiveMember:
    """A regular file inside an archive, safe to read by ``name``."""

    name: str
    size: int

    @property
    def basename(self) -> str:
        return PurePosixPath(self.name).name

    @property
    def folder(self) -> str:
        return str(PurePosixPath(self.name).parent)


@dataclass(frozen=True)
class ArchiveListing:
    """The readable members of an archive, and why any others were left out."""

    archive: str
    members: tuple[ArchiveMember, ...]
    rejected: tuple[str, ...]

    def articles(self) -> tuple[ArchiveMember, ...]:
        """The article XML members: ``.nxml`` files, else ``.xml`` files."""
        nxml = tuple(m for m in self.members if m.name.lower().endswith(".nxml"))
        if nxml:
            return nxml
        return tuple(m for m in self.members if m.name.lower().endswith(".xml"))


def is_archive_path(path: str | Path) -> bool:
    """True when the file name says tar archive (``.tar.gz``, ``.tgz``, ``.tar``)."""
    return str(path).lower().endswith(ARCHIVE_SUFFIXES)


def unsafe_member_reason(member: tarfile.TarInfo) -> str | None:
    """Why a member must not be read, or ``None`` for a plain file with a safe relative name."""
    name = member.name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return f"name is not valid UTF-8 ({shown})"
    if member.issym() or member.islnk():
        return f"link ({name} -> {member.linkname})"
    if member.isdev():
        return f"device or pipe ({name})"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return f"absolute path ({name})"
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return f"'..' in path ({name})"
    if not member.isfile():
        return f"not a regular file ({name})"
    return None


def list_members(
    archive: str | Path,
    max_member_bytes: int = MAX_MEMBER_BYTES,
) -> ArchiveListing:
    """List the regular files of ``archive`` that are safe to read, reporting the rest.

    Raises ArchiveError when the archive itself cannot be opened or is corrupt.
    """
    members: list[ArchiveMember] = []
    rejected: list[str] = []
    seen: set[str] = set()
    total = 0
    for info in _iter_infos(archive):
        if info.isdir():
            continue
        reason = unsafe_member_reason(info)
        if reason is None and info.size > max_member_bytes:
            reason = f"member too large ({info.name}: {info.size} bytes, limit {max_member_bytes})"
        if reason is None and info.name in seen:
            reason = f"duplicate member name ({info.name}); the first copy is used"
        if reason is not None:
            rejected.append(reason)
            continue
        seen.add(info.name)
        members.append(ArchiveMember(name=info.name, size=info.size))
        total += info.size
        if len(members) >= MAX_MEMBERS or total > MAX_TOTAL_BYTES:
            rejected.append(
                f"listing stopped after {len(members)} members ({total} bytes): "
                "the archive is larger than a PMC article package should be"
            )
            break
    return ArchiveListing(archive=str(archive), members=tuple(members), rejected=tuple(rejected))


def read_member(archive: str | Path, member_name: str, max_bytes: int = MAX_MEMBER_BYTES) -> bytes:
    """The bytes of one member, read from the archive stream without touching the disk.

    Raises ArchiveError when the member is missing, unsafe or larger than ``max_bytes``.
    """
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for info in _iter_open(tar):
                if info.name != member_name:
                    continue
                return _read_checked(tar, info, archive, max_bytes)
    except ArchiveError:
        raise
    except _READ_ERRORS as exc:
        raise ArchiveError(f"{archive}: cannot read member {member_name}: {exc}") from None
    raise ArchiveError(f"{archive}: no member named {member_name}")


def _read_checked(
    tar: tarfile.TarFile, info: tarfile.TarInfo, archive: str | Path, cap: int
) -> bytes:
    reason = unsafe_member_reason(info)
    if reason is not None:
        raise ArchiveError(f"{archive}: refusing to read unsafe member: {reason}")
    if info.size > cap:
        raise ArchiveError(
            f"{archive}: member {info.name} is {info.size} bytes, over the {cap}-byte limit"
        )
    stream = tar.extractfile(info)
    if stream is None:
        raise ArchiveError(f"{archive}: member {info.name} has no data")
    with stream:
        data = stream.read(cap + 1)
    if len(data) > cap:
        raise ArchiveError(f"{archive}: member {info.name} is over the {cap}-byte limit")
    return data


def _iter_infos(archive: str | Path) -> Iterator[tarfile.TarInfo]:
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            yield from _iter_open(tar)
    except _READ_ERRORS as exc:
        raise ArchiveError(
            f"{archive}: not a readable tar archive ({exc}); check that the download is complete"
        ) from None


def _iter_open(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """Members one at a time, so a lookup can stop early instead of indexing the whole stream."""
    while True:
        info = tar.next()
        if info is None:
            return
        yield info
