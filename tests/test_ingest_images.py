"""Image discovery and decoding: every odd image a publisher uploads comes back as RGB."""

from __future__ import annotations

import io
import struct
import tarfile
import time
import unicodedata
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, features

from pfocr.errors import ImageReadError
from pfocr.ingest import decode_image, discover, read_image_bytes, sha256_bytes
from pfocr.models import Figure, IngestFailure

RED = (255, 0, 0)
WHITE = (255, 255, 255)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` but carries almost no pixel data."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def figure_for(path: Path) -> Figure:
    return Figure(figid=path.stem, image_path=str(path), source=str(path))


# ------------------------------------------------------------------------ decode


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "TIFF", "BMP", "WEBP"])
def test_decode_every_supported_format_to_rgb(fmt: str) -> None:
    if fmt == "WEBP" and not features.check("webp"):
        pytest.skip("Pillow built without WebP")
    original = Image.new("RGB", (32, 24), RED)
    image = decode_image(encode(original, fmt), f"red.{fmt.lower()}")
    assert image.mode == "RGB"
    assert image.size == (32, 24)
    red, green, blue = image.getpixel((16, 12))
    assert red > 230 and green < 30 and blue < 30, (fmt, red, green, blue)


def test_cmyk_jpeg_becomes_rgb() -> None:
    cmyk = Image.new("CMYK", (20, 20), (0, 255, 255, 0))  # pure red in CMYK
    image = decode_image(encode(cmyk, "JPEG"), "cmyk.jpg")
    assert image.mode == "RGB"
    red, green, blue = image.getpixel((10, 10))
    assert red > 200 and green < 60 and blue < 60


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_sixteen_bit_grey_keeps_its_tonal_range(fmt: str) -> None:
    pixels = np.zeros((10, 20), dtype=np.uint16)
    pixels[:, 10:] = 65535
    pixels[:, 5:10] = 32896  # mid grey in 16 bits
    sixteen = Image.fromarray(pixels)
    assert sixteen.mode.startswith("I;16")
    image = decode_image(encode(sixteen, fmt), f"grey16.{fmt.lower()}")
    assert image.mode == "RGB"
    assert image.getpixel((2, 2)) == (0, 0, 0)
    assert image.getpixel((7, 2)) == (128, 128, 128)
    assert image.getpixel((15, 2)) == WHITE


def test_float_tiff_is_stretched_to_eight_bits() -> None:
    pixels = np.linspace(0.0, 1.0, 50, dtype=np.float32).reshape(5, 10)
    image = decode_image(encode(Image.fromarray(pixels), "TIFF"), "float.tif")
    assert image.mode == "RGB"
    assert image.getpixel((0, 0)) == (0, 0, 0)
    assert image.getpixel((9, 4)) == WHITE


def test_transparent_png_is_flattened_on_white() -> None:
    rgba = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    rgba.putpixel((5, 5), (255, 0, 0, 255))
    rgba.putpixel((6, 6), (0, 0, 0, 128))
    image = decode_image(encode(rgba, "PNG"), "alpha.png")
    assert image.mode == "RGB"
    assert image.getpixel((0, 0)) == WHITE
    assert image.getpixel((5, 5)) == RED
    assert 120 <= image.getpixel((6, 6))[0] <= 135  # half-transparent black on white


def test_grey_with_alpha_is_flattened_on_white() -> None:
    la = Image.new("LA", (8, 8), (0, 0))
    la.putpixel((1, 1), (0, 255))
    image = decode_image(encode(la, "PNG"), "la.png")
    assert image.getpixel((0, 0)) == WHITE
    assert image.getpixel((1, 1)) == (0, 0, 0)


def test_palette_gif_with_transparency_is_flattened_on_white() -> None:
    palette = Image.new("P", (8, 8), 0)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * (254 * 3))
    palette.putpixel((4, 4), 1)
    image = decode_image(encode(palette, "GIF", transparency=0), "palette.gif")
    assert image.mode == "RGB"
    assert image.getpixel((0, 0)) == WHITE
    assert image.getpixel((4, 4)) == RED


def test_plain_palette_png_becomes_rgb() -> None:
    palette = Image.new("RGB", (8, 8), RED).convert("P")
    assert palette.mode == "P"
    assert decode_image(encode(palette, "PNG"), "p.png").getpixel((3, 3)) == RED


def test_animated_gif_gives_its_first_frame() -> None:
    frames = [Image.new("RGB", (12, 12), RED), Image.new("RGB", (12, 12), (0, 0, 255))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    image = decode_image(data, "anim.gif")
    assert image.getpixel((6, 6)) == RED


def test_exif_orientation_is_applied() -> None:
    landscape = Image.new("RGB", (40, 20), RED)
    exif = landscape.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    image = decode_image(encode(landscape, "JPEG", exif=exif), "rotated.jpg")
    assert image.size == (20, 40)


def test_empty_data_is_refused_with_the_name() -> None:
    with pytest.raises(ImageReadError, match=r"fig1\.png: image file is empty"):
        decode_image(b"", "fig1.png")


def test_non_image_is_refused_with_the_name() -> None:
    with pytest.raises(ImageReadError, match=r"page\.jpg: not a recognised image"):
        decode_image(b"<html><body>404 Not Found</body></html>", "page.jpg")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_image_is_refused(fmt: str) -> None:
    noise = np.random.default_rng(7).integers(0, 255, (120, 120, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), fmt)
    with pytest.raises(ImageReadError, match=r"cut\.img: image data is truncated or corrupt"):
        decode_image(data[: len(data) // 2], "cut.img")


def test_declared_size_over_limit_is_refused_before_decoding() -> None:
    data = png_header_only(12_000, 9_000)  # 108 Mpx declared, almost no data behind it
    started = time.perf_counter()
    with pytest.raises(ImageReadError, match=r"huge\.png: image declares 12000x9000"):
        decode_image(data, "huge.png")
    assert time.perf_counter() - started < 1.0


def test_small_pixel_limit_applies() -> None:
    data = encode(Image.new("RGB", (100, 100), RED), "PNG")
    with pytest.raises(ImageReadError, match="over the limit of 5000"):
        decode_image(data, "small.png", max_pixels=5_000)
    assert decode_image(data, "small.png", max_pixels=10_000).size == (100, 100)


def test_pillow_decompression_bomb_guard_is_translated() -> None:
    data = png_header_only(20_000, 20_000)
    with pytest.raises(ImageReadError, match=r"bomb\.png: image is too large to decode safely"):
        decode_image(data, "bomb.png", max_pixels=10**12)


def test_sha256_bytes() -> None:
    assert sha256_bytes(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


# ---------------------------------------------------------------- read_image_bytes


def test_read_image_bytes_from_file(tmp_path: Path) -> None:
    data = encode(Image.new("RGB", (5, 5), RED), "PNG")
    path = tmp_path / "fig.png"
    path.write_bytes(data)
    assert read_image_bytes(figure_for(path)) == data


def test_read_image_bytes_missing_file_names_it(tmp_path: Path) -> None:
    path = tmp_path / "gone.png"
    with pytest.raises(ImageReadError, match=r"gone\.png: cannot read image file"):
        read_image_bytes(figure_for(path))


def test_read_image_bytes_without_image_names_figure() -> None:
    figure = Figure(figid="PMC1__g1", image_path=None, source="article.nxml")
    with pytest.raises(ImageReadError, match=r"article\.nxml: figure PMC1__g1 has no image"):
        read_image_bytes(figure)


def test_read_image_bytes_enforces_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(b"\x00" * 2_000)
    with pytest.raises(ImageReadError, match="over the 1000-byte limit"):
        read_image_bytes(figure_for(path), max_bytes=1_000)


def test_read_image_bytes_from_archive_member_in_place(tmp_path: Path) -> None:
    data = encode(Image.new("RGB", (5, 5), RED), "PNG")
    archive = tmp_path / "pkg.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("PMC1/g1.png")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    figure = Figure(
        figid="PMC1__g1", image_path=str(archive), source=str(archive), archive_member="PMC1/g1.png"
    )
    assert read_image_bytes(figure) == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg.tar.gz"]  # nothing extracted
    missing = Figure(
        figid="PMC1__g2", image_path=str(archive), source=str(archive), archive_member="PMC1/g2.png"
    )
    with pytest.raises(ImageReadError, match=r"no member named PMC1/g2\.png"):
        read_image_bytes(missing)


# ------------------------------------------------------------------- discover


def write_png(path: Path, colour: tuple[int, int, int] = RED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (6, 6), colour).save(path)
    return path


def test_discover_walks_folders_sorted_and_skips_hidden(tmp_path: Path) -> None:
    write_png(tmp_path / "b.png")
    write_png(tmp_path / "a.JPG")
    write_png(tmp_path / "sub" / "c.png")
    write_png(tmp_path / ".hidden.png")
    write_png(tmp_path / ".cache" / "d.png")
    (tmp_path / "notes.txt").write_text("not an image")
    items = list(discover([tmp_path]))
    assert all(isinstance(item, Figure) for item in items), items
    assert [item.figid for item in items] == ["a", "b", "c"]
    assert items[0].filename == "a.JPG"
    assert Path(items[2].image_path or "").parent.name == "sub"


def test_discover_single_image_file(tmp_path: Path) -> None:
    path = write_png(tmp_path / "PMC123__fig 2.png")
    [figure] = list(discover([str(path)]))
    assert list(discover(str(path))) == [figure]  # a lone path is not split into characters
    assert isinstance(figure, Figure)
    assert figure.figid == "PMC123__fig 2"
    assert figure.pmcid == "PMC123"
    assert figure.filename == "PMC123__fig 2.png"
    assert read_image_bytes(figure) == path.read_bytes()


def test_discover_unicode_names_match_sidecars_across_normal_forms(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "café map")
    composed = unicodedata.normalize("NFC", "café map")
    assert decomposed != composed
    image = write_png(tmp_path / f"{decomposed}.png")
    (tmp_path / f"{composed}.yml").write_text("figure_title: Caffeine signalling\n", "utf-8")
    [figure] = list(discover([tmp_path]))
    assert isinstance(figure, Figure)
    assert figure.figid == composed
    assert figure.figtitle == "Caffeine signalling"
    assert Path(figure.image_path or "") == image
    assert decode_image(read_image_bytes(figure), figure.figid).size == (6, 6)


def test_discover_missing_input_is_a_failure_and_the_run_goes_on(tmp_path: Path) -> None:
    write_png(tmp_path / "ok.png")
    missing = tmp_path / "nope" / "fig.png"
    items = list(discover([missing, tmp_path / "ok.png"]))
    assert isinstance(items[0], IngestFailure)
    assert str(missing) in items[0].message
    assert isinstance(items[1], Figure)


def test_discover_unsupported_file_type_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "figure.pdf"
    path.write_bytes(b"%PDF-1.4")
    [failure] = list(discover([path]))
    assert isinstance(failure, IngestFailure)
    assert "figure.pdf: not a supported input" in failure.message


def test_discover_duplicate_figids_keep_the_first(tmp_path: Path) -> None:
    first = write_png(tmp_path / "one" / "fig1.png")
    second = write_png(tmp_path / "two" / "fig1.jpg")
    items = list(discover([tmp_path / "one", tmp_path / "two"]))
    assert isinstance(items[0], Figure)
    assert items[0].image_path == str(first)
    assert isinstance(items[1], IngestFailure)
    assert items[1].figid == "fig1"
    assert str(first) in items[1].message and str(second) in items[1].message


def test_formats_outside_the_list_are_never_decoded() -> None:
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
    with pytest.raises(ImageReadError, match=r"fig\.eps: not a recognised image"):
        decode_image(eps, "fig.eps")
    ico = encode(Image.new("RGB", (16, 16), RED), "ICO")
    with pytest.raises(ImageReadError, match="not a recognised image"):
        decode_image(ico, "fig.ico")


def test_discover_survives_a_symlink_loop(tmp_path: Path) -> None:
    write_png(tmp_path / "a.png")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    items = list(discover([tmp_path]))
    assert [item.figid for item in items] == ["a"]
