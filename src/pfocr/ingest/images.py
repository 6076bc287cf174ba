"""Image bytes in, a plain RGB picture out, whatever the publisher uploaded.

Figures arrive as CMYK JPEGs, 16-bit TIFFs, palette GIFs, transparent PNGs and animated
files; OCR wants one predictable thing, so every decode ends in an 8-bit RGB image or in an
``ImageReadError`` that names the input and says what to do about it.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pfocr.errors import ArchiveError, ImageReadError
from pfocr.ingest.archives import read_member
from pfocr.models import Figure

#: Image file suffixes accepted as figures (compared in lower case).
IMAGE_SUFFIXES: tuple[str, ...] = (
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".tif",
    ".tiff",
    ".webp",
    ".bmp",
)

#: Pillow decoders allowed to run. Others (EPS calls Ghostscript, for one) are never tried.
PILLOW_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "GIF", "TIFF", "WEBP", "BMP")

DEFAULT_MAX_BYTES = 200_000_000
DEFAULT_MAX_PIXELS = 100_000_000

_WHITE = (255, 255, 255)
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16B", "I;16L", "I;16N"})


def is_image_path(path: str | Path) -> bool:
    """True when the suffix is one of ``IMAGE_SUFFIXES`` (case-insensitive)."""
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``: the identity of an image independent of its file name."""
    return hashlib.sha256(data).hexdigest()


def read_image_bytes(figure: Figure, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The raw bytes of a figure's image, from its file or from its archive member.

    Archive members are read from the compressed stream, never extracted to disk.
    """
    if figure.image_path is None:
        raise ImageReadError(
            f"{figure.source}: figure {figure.figid} has no image file; "
            "add the image next to its article or metadata"
        )
    if figure.archive_member is not None:
        return _read_archived(figure.image_path, figure.archive_member, max_bytes)
    return _read_file(Path(figure.image_path), max_bytes)


def _read_archived(archive: str, member: str, max_bytes: int) -> bytes:
    try:
        return read_member(archive, member, max_bytes)
    except ArchiveError as exc:
        raise ImageReadError(str(exc)) from None


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImageReadError(
                f"{path}: image file is {size} bytes, over the {max_bytes}-byte limit; "
                "shrink it or raise the limit"
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ImageReadError(f"{path}: cannot read image file ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise ImageReadError(f"{path}: image file grew past the {max_bytes}-byte limit while read")
    return data


def decode_image(
    data: bytes,
    name: str,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Image.Image:
    """Decode ``data`` fully into an 8-bit RGB image (first frame of animations).

    ``name`` is only used in error messages. The declared size is checked against
    ``max_pixels`` before any pixel is decoded; transparency is flattened onto white.
    """
    if not data:
        raise ImageReadError(f"{name}: image file is empty (0 bytes); download it again")
    image = _open_checked(data, name, max_pixels)
    try:
        image.seek(0)
        image.load()
    except Image.DecompressionBombError as exc:
        raise ImageReadError(f"{name}: image is too large to decode safely ({exc})") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise ImageReadError(
            f"{name}: image data is truncated or corrupt ({exc}); download the file again"
        ) from None
    try:
        rgb = to_rgb(image)
    except (OSError, ValueError) as exc:
        raise ImageReadError(
            f"{name}: cannot convert colour mode {image.mode} to RGB ({exc}); "
            "save the figure as an RGB PNG or JPEG"
        ) from None
    return _apply_exif_orientation(rgb)


def _open_checked(data: bytes, name: str, max_pixels: int) -> Image.Image:
    """Open (header only) and refuse images whose declared size is over the limit."""
    try:
        with warnings.catch_warnings():
            # Our own max_pixels check replaces Pillow's warning; its hard error still applies.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_available_decoders())
    except Image.DecompressionBombError as exc:
        raise ImageReadError(f"{name}: image is too large to decode safely ({exc})") from None
    except UnidentifiedImageError:
        raise ImageReadError(
            f"{name}: not a recognised image (expected PNG, JPEG, GIF, TIFF, WebP or BMP); "
            "check the file is an image and not an HTML error page"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageReadError(
            f"{name}: image header is corrupt ({exc}); download it again"
        ) from None
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageReadError(f"{name}: image declares an empty size {width}x{height}")
    if width * height > max_pixels:
        raise ImageReadError(
            f"{name}: image declares {width}x{height} = {width * height} pixels, over the "
            f"limit of {max_pixels}; downscale it or raise the pixel limit"
        )
    return image


def to_rgb(image: Image.Image) -> Image.Image:
    """A new 8-bit RGB image from any Pillow mode, flattening transparency onto white."""
    mode = image.mode
    if mode in _SIXTEEN_BIT_MODES or mode in ("I", "F"):
        return Image.fromarray(_scale_to_uint8(np.asarray(image), mode)).convert("RGB")
    if mode in _ALPHA_MODES or "transparency" in image.info:
        return _flatten_on_white(image.convert("RGBA"))
    return image.convert("RGB")


def _available_decoders() -> list[str]:
    """``PILLOW_FORMATS`` this Pillow build can open (WebP support is optional)."""
    Image.init()
    return [name for name in PILLOW_FORMATS if name in Image.OPEN]


def _flatten_on_white(rgba: Image.Image) -> Image.Image:
    background = Image.new("RGBA", rgba.size, (*_WHITE, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _scale_to_uint8(pixels: np.ndarray, mode: str) -> np.ndarray:
    """Map high-bit-depth grey values to 0-255, keeping the full tonal range."""
    values = pixels.astype(np.float64)
    if mode in _SIXTEEN_BIT_MODES or (mode == "I" and values.size and values.max() > 255):
        values = values / 257.0
    elif mode == "F" and values.size:
        low, high = float(values.min()), float(values.max())
        values = (values - low) * (255.0 / (high - low)) if high > low else values * 0
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _apply_exif_orientation(image: Image.Image) -> Image.Image:
    """Rotate as the camera or editor intended; a broken EXIF block is not worth failing on."""
    try:
        return ImageOps.exif_transpose(image)
    except (OSError, ValueError, KeyError, TypeError, SyntaxError):
        return image
