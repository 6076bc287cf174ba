"""PMC package archives: read in place, hostile member names refused, nothing extracted."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from PIL import Image

from pfocr.errors import ArchiveError
from pfocr.ingest import decode_image, discover, list_members, read_image_bytes, read_member
from pfocr.models import Figure, IngestFailure

FIXTURES = Path(__file__).parent / "fixtures" / "jats"
EHP = FIXTURES / "ehp-116-1694.nxml"
EHP_STEMS = ["ehp-116-1694f1", "ehp-116-1694f2", "ehp-116-1694f3"]
GREEN = (0, 160, 0)


def jpeg(colour: tuple[int, int, int] = GREEN) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def add_file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def add_special(tar: tarfile.TarFile, name: str, kind: bytes, linkname: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    tar.addfile(info)


def build_package(path: Path, images: dict[str, bytes], extra: bool = False) -> Path:
    """A PMC-style package: ``PMC2599765/<article>.nxml`` plus images named after the hrefs."""
    with tarfile.open(path, "w:gz") as tar:
        add_file(tar, f"PMC2599765/{EHP.name}", EHP.read_bytes())
        for name, data in images.items():
            add_file(tar, f"PMC2599765/{name}", data)
        if extra:
            add_file(tar, "../evil.jpg", jpeg())
            add_file(tar, "/etc/passwd.jpg", jpeg())
            add_special(tar, "PMC2599765/ehp-116-1694f3.jpg", tarfile.SYMTYPE, "/etc/passwd")
            add_special(
                tar, "PMC2599765/hard.jpg", tarfile.LNKTYPE, "PMC2599765/ehp-116-1694f1.jpg"
            )
            add_special(tar, "PMC2599765/dev.jpg", tarfile.CHRTYPE)
    return path


def test_archive_package_gives_figures_read_in_place(tmp_path: Path) -> None:
    images = {f"{stem}.jpg": jpeg() for stem in EHP_STEMS}
    images["ehp-116-1694f1.gif"] = b"GIF89a not preferred"
    archive = build_package(tmp_path / "PMC2599765.tar.gz", images)
    items = list(discover([archive]))
    assert [type(item) for item in items] == [Figure, Figure, Figure]
    first = items[0]
    assert isinstance(first, Figure)
    assert first.figid == "PMC2599765__ehp-116-1694f1"
    assert first.image_path == str(archive)
    assert first.archive_member == "PMC2599765/ehp-116-1694f1.jpg"
    assert first.filename == "ehp-116-1694f1.jpg"
    assert first.figlink == "/pmc/articles/PMC2599765/figure/f1-ehp-116-1694/"
    assert first.source == f"{archive} [PMC2599765/{EHP.name}]"
    image = decode_image(read_image_bytes(first), first.figid)
    assert image.size == (16, 12)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["PMC2599765.tar.gz"]


def test_hostile_members_are_reported_and_never_used(tmp_path: Path) -> None:
    images = {"ehp-116-1694f1.jpg": jpeg(), "ehp-116-1694f2.jpg": jpeg()}
    archive = build_package(tmp_path / "hostile.tgz", images, extra=True)
    listing = list_members(archive)
    names = [m.name for m in listing.members]
    assert names == [f"PMC2599765/{EHP.name}", *(f"PMC2599765/{n}" for n in images)]
    reasons = "\n".join(listing.rejected)
    assert "'..' in path (../evil.jpg)" in reasons
    assert "absolute path (/etc/passwd.jpg)" in reasons
    assert "link (PMC2599765/ehp-116-1694f3.jpg -> /etc/passwd)" in reasons
    assert "link (PMC2599765/hard.jpg" in reasons
    assert "device or pipe (PMC2599765/dev.jpg)" in reasons

    items = list(discover([archive]))
    failures = [item for item in items if isinstance(item, IngestFailure)]
    figures = [item for item in items if isinstance(item, Figure)]
    assert [f.figid for f in figures] == [
        "PMC2599765__ehp-116-1694f1",
        "PMC2599765__ehp-116-1694f2",
    ]
    assert sum("skipped unsafe member" in f.message for f in failures) == 5
    # The figure whose image is only a symlink is reported missing, not followed.
    missing = [f for f in failures if f.figid == "PMC2599765__ehp-116-1694f3"]
    assert len(missing) == 1 and "not in the package" in missing[0].message
    assert not (tmp_path.parent / "evil.jpg").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.tgz"]


def test_read_member_refuses_unsafe_and_oversized_members(tmp_path: Path) -> None:
    archive = build_package(tmp_path / "p.tar.gz", {"ehp-116-1694f1.jpg": jpeg()}, extra=True)
    with pytest.raises(ArchiveError, match="refusing to read unsafe member: link"):
        read_member(archive, "PMC2599765/ehp-116-1694f3.jpg")
    with pytest.raises(ArchiveError, match=r"refusing to read unsafe member: '\.\.'"):
        read_member(archive, "../evil.jpg")
    with pytest.raises(ArchiveError, match="over the 100-byte limit"):
        read_member(archive, "PMC2599765/ehp-116-1694f1.jpg", max_bytes=100)
    assert read_member(archive, "PMC2599765/ehp-116-1694f1.jpg") == jpeg()


def test_oversized_members_are_left_out_of_the_listing(tmp_path: Path) -> None:
    archive = build_package(tmp_path / "p.tar.gz", {"ehp-116-1694f1.jpg": jpeg()})
    listing = list_members(archive, max_member_bytes=1_000)
    assert all(m.size <= 1_000 for m in listing.members)
    assert any("member too large" in reason for reason in listing.rejected)


def test_corrupt_archive_is_a_failure_naming_it(tmp_path: Path) -> None:
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(b"\x1f\x8b\x08\x00garbage that is not gzip")
    with pytest.raises(ArchiveError, match=r"broken\.tar\.gz: not a readable tar archive"):
        list_members(archive)
    [failure] = list(discover([archive]))
    assert isinstance(failure, IngestFailure)
    assert str(archive) in failure.message


def test_archive_without_article_is_a_failure(tmp_path: Path) -> None:
    archive = tmp_path / "images.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        add_file(tar, "a.jpg", jpeg())
    [failure] = list(discover([archive]))
    assert isinstance(failure, IngestFailure)
    assert "no .nxml article inside the archive" in failure.message


def test_folder_of_packages_and_loose_images(tmp_path: Path) -> None:
    build_package(tmp_path / "PMC2599765.tar.gz", {f"{s}.jpg": jpeg() for s in EHP_STEMS})
    unpacked = tmp_path / "PMC1790863"
    unpacked.mkdir()
    (unpacked / "pone.0000217.nxml").write_bytes((FIXTURES / "pone.0000217.nxml").read_bytes())
    for n in (1, 2, 3):
        Image.new("RGB", (4, 4)).save(unpacked / f"pone.0000217.g00{n}.tif")
    Image.new("RGB", (4, 4)).save(tmp_path / "loose.png")
    items = list(discover([tmp_path]))
    assert all(isinstance(item, Figure) for item in items), items
    assert [item.figid for item in items] == [
        "PMC1790863__pone.0000217.g001",
        "PMC1790863__pone.0000217.g002",
        "PMC1790863__pone.0000217.g003",
        "PMC2599765__ehp-116-1694f1",
        "PMC2599765__ehp-116-1694f2",
        "PMC2599765__ehp-116-1694f3",
        "loose",
    ]
    assert items[0].filename == "pone.0000217.g001.tif"
