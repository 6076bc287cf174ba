"""Hostile and broken inputs through a whole run: each is a failure naming the input, recorded
in the store, while what the store already held stays as it was.

One run over a folder of bad inputs (plus a few odd but valid ones) into a store that already
holds a figure; the tests below read what that run left behind.
"""

from __future__ import annotations

import io
import sqlite3
import struct
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from pfocr.export import DEFAULT_SITE_URL, render_record
from pfocr.pipeline.run import RunSummary, run_pipeline
from pfocr.store import connect, store_path
from pfocr.store.db import load_record
from rendering import render_pathway

pytestmark = pytest.mark.ocr

SECRET = "TOP-SECRET-CONTENT-0451"
ARTICLE = """<?xml version="1.0"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink"><front><journal-meta>
<journal-title-group><journal-title>J Hostile</journal-title></journal-title-group>
</journal-meta><article-meta><article-id pub-id-type="pmc">{pmc}</article-id>
<title-group><article-title>A paper about signalling</article-title></title-group>
<pub-date pub-type="epub"><year>2020</year></pub-date></article-meta></front><body>
{figs}
</body></article>
"""
FIGS_WITH_ID_PROBLEMS = """
<fig><label>Figure 1</label><caption><title>A figure without an id</title></caption>
  <graphic xlink:href="g1"/></fig>
<fig id="F2"><caption><title>The first of two figures called F2</title></caption>
  <graphic xlink:href="g2"/></fig>
<fig id="F2"><caption><title>The second of two figures called F2</title></caption>
  <graphic xlink:href="g3"/></fig>
<fig id="F4"><caption><title>The same graphic as F2 again</title></caption>
  <graphic xlink:href="g2"/></fig>
"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE article [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<article><front><article-meta><title-group><article-title>&e;</article-title>
</title-group></article-meta></front></article>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE article [ <!ENTITY secret SYSTEM "file://{target}"> ]>
<article><front><article-meta><title-group><article-title>T &secret;</article-title>
</title-group></article-meta></front></article>
"""
HTML_TITLE = "<b>Wnt</b> signalling <script>alert('x')</script>\n---\nfigid: evil"
HTML_CAPTION = 'WNT1 binds FZD1. <img src=x onerror="alert(1)"> </textarea><!-- & "quotes"'


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge size but carries almost no data: a decompression bomb."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def _blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _rendered(folder: Path, gene: str) -> Image.Image:
    path = render_pathway(folder / "render.tmp.png", (gene,))
    image = Image.open(path).convert("RGB")
    path.unlink()
    return image


def _save(image: Image.Image, path: Path, fmt: str, **options: object) -> Path:
    image.save(path, format=fmt, **options)
    return path


def _add(tar: tarfile.TarFile, name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE,
         link: str = "") -> None:  # fmt: skip
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, len(data)
    tar.addfile(info, io.BytesIO(data) if data else None)


def build_hostile_folder(folder: Path, secret: Path) -> dict[str, str]:
    """Write every bad input; returns name -> the stage its failure must be recorded at."""
    folder.mkdir()
    good = render_pathway(folder / "tmp.png", ("KRAS",)).read_bytes()
    (folder / "tmp.png").unlink()
    (folder / "empty.png").write_bytes(b"")
    (folder / "truncated.png").write_bytes(good[: len(good) // 3])
    (folder / "error_page.jpg").write_text("<html><body>503 Service Unavailable</body></html>")
    (folder / "bomb.png").write_bytes(_png_header_only(100_000, 100_000))
    (folder / "big.png").write_bytes(_png_header_only(12_000, 9_000))
    (folder / "articles").mkdir()  # a folder with .nxml files is read as one PMC package
    (folder / "articles" / "laughs.nxml").write_text(BILLION_LAUGHS)
    (folder / "articles" / "xxe.nxml").write_text(XXE.format(target=secret))

    blank = _blank_png()  # for figures whose pixels do not matter: quick to read
    # odd but valid images: a PNG named .jpg, an animated GIF, a CMYK JPEG, a 16-bit PNG
    (folder / "really_png.jpg").write_bytes(good)
    first = _rendered(folder, "TP53")
    second = Image.new("RGB", first.size, "black")
    first.save(folder / "animated.gif", save_all=True, append_images=[second], duration=200, loop=0)
    _save(_rendered(folder, "MTOR").convert("CMYK"), folder / "cmyk.jpg", "JPEG", quality=95)
    grey = np.asarray(_rendered(folder, "PTEN").convert("L"), dtype=np.uint16) * 257
    Image.fromarray(grey).save(folder / "grey16.png")  # mode I;16
    assert Image.open(folder / "grey16.png").mode.startswith("I")

    # odd Unicode file names: decomposed accents, Greek, an emoji, a zero-width joiner
    render_pathway(folder / "cafe\u0301_\u03b2-catenin_\U0001f9ec\u200d.png", ("CTNNB1",))
    # HTML and script in the title and caption; very long texts
    render_pathway(folder / "html.png", ("WNT1",))
    (folder / "html.yml").write_text(
        yaml.safe_dump({"figure_title": HTML_TITLE, "caption": HTML_CAPTION}), "utf-8"
    )
    # a sidecar whose figid would name files outside the output folder
    (folder / "sneaky.png").write_bytes(blank)
    (folder / "sneaky.yml").write_text("figid: ../../outside\n", "utf-8")
    (folder / "long.png").write_bytes(blank)
    (folder / "long.yml").write_text(
        yaml.safe_dump({"figure_title": "Long " * 2000, "caption": "pathway " * 40_000}), "utf-8"
    )

    # a JATS article with a figure without id, two with the same id, one graphic used twice
    package = folder / "package"
    package.mkdir()
    (package / "article.nxml").write_text(
        ARTICLE.format(pmc="900001", figs=FIGS_WITH_ID_PROBLEMS), "utf-8"
    )
    for stem in ("g1", "g2", "g3"):
        (package / f"{stem}.png").write_bytes(blank)

    # a package archive with members that try to leave it
    image = blank
    figs = (
        '<fig id="F1"><caption><title>Good figure here</title></caption>'
        '<graphic xlink:href="a1"/></fig>'
        '<fig id="F2"><caption><title>Linked figure here</title></caption>'
        '<graphic xlink:href="link"/></fig>'
    )
    with tarfile.open(folder / "hostile.tar.gz", "w:gz") as tar:
        _add(tar, "PMC900002/article.nxml", ARTICLE.format(pmc="900002", figs=figs).encode())
        _add(tar, "PMC900002/a1.png", image)
        _add(tar, "../escape.png", image)
        _add(tar, "/tmp/absolute.png", image)
        _add(tar, "PMC900002/link.png", kind=tarfile.SYMTYPE, link=str(secret))
        _add(tar, "PMC900002/hard.png", kind=tarfile.LNKTYPE, link="PMC900002/a1.png")
    return {
        "empty.png": "decode",
        "truncated.png": "decode",
        "error_page.jpg": "decode",
        "bomb.png": "decode",
        "big.png": "decode",
        "laughs.nxml": "ingest",
        "xxe.nxml": "ingest",
        "../escape.png": "ingest",
        "/tmp/absolute.png": "ingest",
        "PMC900002/link.png": "ingest",
        "PMC900002/hard.png": "ingest",
        "image link.* of figure F2": "ingest",
        "duplicate figid PMC900001__g2": "ingest",
        "figid '../../outside' contains a path separator": "ingest",
    }


@dataclass
class HostileRun:
    out: Path
    summary: RunSummary
    expected: dict[str, str]
    kept_before: tuple[list, list]
    secret: Path
    tmp: Path


def _kept_rows(db: Path) -> tuple[list, list]:
    conn = sqlite3.connect(db)
    try:
        figure = conn.execute("SELECT * FROM figures WHERE figid = 'kept'").fetchall()
        mentions = conn.execute("SELECT * FROM mentions WHERE figid = 'kept'").fetchall()
    finally:
        conn.close()
    return figure, mentions


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    tmp = tmp_path_factory.mktemp("hostile")
    secret = tmp / "secret.txt"
    secret.write_text(SECRET, "utf-8")
    out = tmp / "out"
    first = run_pipeline([render_pathway(tmp / "kept.png", ("EGFR", "KRAS"))], out)
    assert first.ok and first.processed == 1
    kept_before = _kept_rows(store_path(out))
    expected = build_hostile_folder(tmp / "bad", secret)
    summary = run_pipeline([tmp / "bad"], out)
    return HostileRun(out, summary, expected, kept_before, secret, tmp)


def _failures(run: HostileRun) -> list[tuple[str, str, str, str]]:
    conn = sqlite3.connect(store_path(run.out))
    try:
        return conn.execute(
            "SELECT source, stage, error_class, message FROM failures WHERE run_id = ?",
            (run.summary.run_id,),
        ).fetchall()
    finally:
        conn.close()


def _stored(run: HostileRun) -> dict[str, set[str]]:
    conn = sqlite3.connect(store_path(run.out))
    try:
        figids = [row[0] for row in conn.execute("SELECT figid FROM figures")]
        return {
            figid: {
                row[0]
                for row in conn.execute(
                    "SELECT hgnc_symbol FROM mentions WHERE figid = ?", (figid,)
                )
            }
            for figids_ in [figids]
            for figid in figids_
        }
    finally:
        conn.close()


def test_every_bad_input_is_a_recorded_failure_naming_it(hostile: HostileRun) -> None:
    failures = _failures(hostile)
    for name, stage in hostile.expected.items():
        matching = [f for f in failures if name in f[0] or name in f[3]]
        assert matching, (name, failures)
        assert {f[1] for f in matching} == {stage}, (name, matching)
    for source, _, _, message in failures:
        assert "\n" not in message and message.strip(), (source, message)
    assert hostile.summary.failed == len(failures)
    assert not hostile.summary.ok


def test_decompression_bomb_is_refused_by_its_declared_size(hostile: HostileRun) -> None:
    [bomb] = [f for f in _failures(hostile) if "bomb.png" in f[0]]
    assert "too large to decode safely" in bomb[3]  # Pillow's own guard, before any pixel
    [big] = [f for f in _failures(hostile) if "big.png" in f[0]]
    assert "declares 12000x9000 = 108000000 pixels" in big[3]  # over --max-pixels


def test_odd_but_valid_images_are_read(hostile: HostileRun) -> None:
    stored = _stored(hostile)
    for figid, gene in (
        ("really_png", "KRAS"),
        ("animated", "TP53"),
        ("cmyk", "MTOR"),
        ("grey16", "PTEN"),
    ):
        assert gene in stored.get(figid, set()), (figid, stored.get(figid))
    bad = {"empty", "truncated", "error_page", "bomb"}
    assert not bad & set(stored)


def test_jats_figures_without_or_with_repeated_ids(hostile: HostileRun) -> None:
    stored = _stored(hostile)
    assert {"PMC900001__g1", "PMC900001__g2", "PMC900001__g3"} <= set(stored)
    conn = connect(store_path(hostile.out))
    try:
        record = load_record(conn, "PMC900001__g1")
        assert record is not None and record.figure.figlink == ""  # no id, no link to invent
        again = load_record(conn, "PMC900001__g2")
        assert again is not None and again.figure.figtitle.startswith("The first of two")
    finally:
        conn.close()


def test_archive_members_never_leave_the_archive(hostile: HostileRun) -> None:
    stored = _stored(hostile)
    assert "PMC900002__a1" in stored
    assert "PMC900002__link" not in stored and "PMC900002__hard" not in stored
    for root in (hostile.tmp, hostile.tmp.parent, Path("/tmp")):
        assert not (root / "escape.png").exists()
    assert not Path("/tmp/absolute.png").exists()


def test_odd_unicode_names_keep_their_characters(hostile: HostileRun) -> None:
    stored = _stored(hostile)
    [figid] = [f for f in stored if "catenin" in f]
    assert figid == "café_β-catenin_\U0001f9ec\u200d"  # NFC, nothing dropped
    assert "CTNNB1" in stored[figid]


def test_html_and_script_are_kept_as_text_and_cannot_break_the_record(
    hostile: HostileRun,
) -> None:
    conn = connect(store_path(hostile.out))
    try:
        record = load_record(conn, "html")
    finally:
        conn.close()
    assert record is not None
    assert record.figure.caption == HTML_CAPTION
    assert "<script>" in record.figure.figtitle
    text = render_record(record, DEFAULT_SITE_URL)
    front = yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---\n"))
    assert front["figid"] == "html"
    assert front["caption"] == HTML_CAPTION


def test_very_long_texts_are_stored_whole(hostile: HostileRun) -> None:
    conn = connect(store_path(hostile.out))
    try:
        record = load_record(conn, "long")
    finally:
        conn.close()
    assert record is not None
    assert len(record.figure.caption) == len(("pathway " * 40_000).strip())


def test_what_was_stored_before_is_untouched_and_the_store_intact(hostile: HostileRun) -> None:
    db = store_path(hostile.out)
    assert _kept_rows(db) == hostile.kept_before
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    assert SECRET not in dump  # no entity or link ever read the file
