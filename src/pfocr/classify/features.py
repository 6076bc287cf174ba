"""Cheap, explainable features that tell pathway diagrams from other figure types.

A pathway figure is mostly white background with many small, separate text labels
(short, capitalised gene names) in boxes joined by thin lines at any angle. Charts have
long straight axes and numeric tick labels; gels, micrographs and photos are textured,
mid-tone and have little text; tables are grids of numbers; study-design flowcharts
look like diagrams but carry long sentences. Each feature measures one of these traits
so that a fitted coefficient can be read and argued about. Everything is numpy + Pillow.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
from PIL import Image

from pfocr.models import OcrToken

#: Longest image side the image features are measured at; keeps a figure under ~50 ms.
WORK_SIDE = 384

IMAGE_FEATURES: tuple[str, ...] = (
    "dark_background",
    "white_share",
    "dark_share",
    "midtone_share",
    "colour_share",
    "flat_colour_share",
    "grey_entropy",
    "edge_share",
    "edge_axis_share",
    "edge_diagonal_share",
    "long_row_runs",
    "long_col_runs",
    "texture_in_ink",
    "ink_blocks_share",
    "components_log",
    "small_component_share",
    "largest_component_share",
    "component_size_spread",
)
OCR_FEATURES: tuple[str, ...] = (
    "tokens_log",
    "token_height_spread",
    "short_capitalised_share",
    "gene_like_share",
    "numeric_share",
    "long_text_share",
    "mean_words_per_token",
    "text_area_share",
    "text_spread",
    "aligned_numbers_share",
)
CAPTION_FEATURES: tuple[str, ...] = (
    "has_caption",
    "caption_pathway_words",
    "caption_model_words",
    "caption_data_words",
    "caption_imaging_words",
    "caption_study_words",
)
#: Names of the values ``extract_features`` returns, in order.
FEATURE_NAMES: tuple[str, ...] = IMAGE_FEATURES + OCR_FEATURES + CAPTION_FEATURES

_PATHWAY_WORDS = re.compile(
    r"\b(?:pathways?|signal(?:l)?ing|cascades?|activat\w*|phosphorylat\w*|inhibit\w*|"
    r"regulat\w*|downstream|upstream|receptors?|ligands?|kinases?|crosstalk|axis|"
    r"network|interactions?|transduction|metabolism|metabolic|biosynthe\w*)\b",
    re.IGNORECASE,
)
_MODEL_WORDS = re.compile(
    r"\b(?:schematic|schema|model|proposed|illustrat\w*|diagram|overview|mechanisms?|"
    r"summary|cartoon|hypothe\w*|depict\w*)\b",
    re.IGNORECASE,
)
_DATA_WORDS = re.compile(
    r"\b(?:plots?|graphs?|histograms?|bars?|mean|s\.?e\.?m|s\.?d|error|p\s*[<=>]|"
    r"significan\w*|survival|kaplan|meier|curves?|correlation|heat\s?map|fold|"
    r"quantif\w*|statistic\w*|n\s*=|percentage|levels? of|expression levels?)\b",
    re.IGNORECASE,
)
_IMAGING_WORDS = re.compile(
    r"\b(?:western|blots?|immunoblot\w*|gels?|bands?|micrograph\w*|microscop\w*|"
    r"staining|stained|immunohisto\w*|immunofluorescen\w*|images?|scale bar|"
    r"magnification|confocal|photographs?|sections?|tem|sem)\b",
    re.IGNORECASE,
)
_STUDY_WORDS = re.compile(
    r"\b(?:flow\s?chart|patients?|enrol\w*|enroll\w*|excluded|included|randomi[sz]\w*|"
    r"cohort|participants?|screened|eligible|study design|consort|prisma|follow-up)\b",
    re.IGNORECASE,
)
_SHORT_CAPITALISED = re.compile(r"^[A-Z][A-Za-z0-9αβγδκ/-]{1,9}$")
_GENE_LIKE = re.compile(r"^(?=.*[A-Z].*[A-Z0-9])[A-Za-z][A-Za-z0-9αβγδκ-]{1,9}$")
_NUMERIC = re.compile(r"^[-+−]?\(?\d[\d.,:%]*\)?[%*]?$|^[-+−]?\.\d+$")


def _working_image(image: Image.Image) -> np.ndarray:
    rgb = image.convert("RGB")
    scale = WORK_SIDE / max(rgb.size)
    if scale < 1:
        size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
        rgb = rgb.resize(size, Image.Resampling.BOX)
    return np.asarray(rgb, dtype=np.float32) / 255.0


def _entropy(values: np.ndarray, bins: int) -> float:
    counts, _ = np.histogram(values, bins=bins, range=(0.0, 1.0))
    p = counts[counts > 0] / max(1, counts.sum())
    return float(-(p * np.log2(p)).sum() / math.log2(bins))


def _row_runs(mask: np.ndarray, min_length: int) -> int:
    """Rows holding a dark run at least ``min_length`` pixels long (axes, rules, grids)."""
    padded = np.pad(mask.astype(np.int8), ((0, 0), (1, 1)))
    diff = np.diff(padded, axis=1)
    count = 0
    for row in range(mask.shape[0]):
        starts = np.flatnonzero(diff[row] == 1)
        if starts.size == 0:
            continue
        ends = np.flatnonzero(diff[row] == -1)
        if np.any(ends - starts >= min_length):
            count += 1
    return count


def component_sizes(mask: np.ndarray) -> np.ndarray:
    """Pixel counts of the 8-connected components of a boolean mask.

    Runs of each row are joined with overlapping runs of the row above by union-find,
    so the cost grows with the number of runs, not pixels (no scipy needed).
    """
    parent: list[int] = []
    sizes: list[int] = []

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    previous: list[tuple[int, int, int]] = []
    padded = np.pad(mask.astype(np.int8), ((0, 0), (1, 1)))
    diff = np.diff(padded, axis=1)
    for row in range(mask.shape[0]):
        starts = np.flatnonzero(diff[row] == 1)
        ends = np.flatnonzero(diff[row] == -1)
        current: list[tuple[int, int, int]] = []
        pointer = 0
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            node = len(parent)
            parent.append(node)
            sizes.append(end - start)
            while pointer < len(previous) and previous[pointer][1] < start:
                pointer += 1
            scan = pointer
            while scan < len(previous) and previous[scan][0] <= end:
                a, b = find(node), find(previous[scan][2])
                if a != b:
                    parent[b] = a
                    sizes[a] += sizes[b]
                scan += 1
            current.append((start, end, node))
        previous = current
    roots = {find(node) for node in range(len(parent))}
    return np.array(sorted(sizes[root] for root in roots), dtype=np.int64)


def image_features(image: Image.Image) -> dict[str, float]:
    """Colour, ink, edge, line and component statistics of a figure image."""
    rgb = _working_image(image)
    grey = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    # Slides drawn on black: measure them as if printed on white, and say so.
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    dark_background = float(np.median(border)) < 0.4
    if dark_background:
        rgb = 1.0 - rgb
        grey = 1.0 - grey
    height, width = grey.shape
    saturation = rgb.max(axis=2) - rgb.min(axis=2)
    white = grey > 0.9
    dark = grey < 0.35
    ink = ~white
    # Drawings are painted with a few flat colours; photos and gels spread over many.
    # Measured on ink only, coarsely quantised so JPEG noise does not count as a colour.
    quantised = (rgb[ink] * 7.99).astype(np.int32)
    if quantised.size:
        codes = quantised[:, 0] * 64 + quantised[:, 1] * 8 + quantised[:, 2]
        counts = np.sort(np.bincount(codes, minlength=512))[::-1]
        flat_share = float(counts[:6].sum() / counts.sum())
    else:
        flat_share = 1.0

    gx = np.zeros_like(grey)
    gy = np.zeros_like(grey)
    gx[:, 1:-1] = grey[:, 2:] - grey[:, :-2]
    gy[1:-1, :] = grey[2:, :] - grey[:-2, :]
    magnitude = np.hypot(gx, gy)
    edges = magnitude > 0.25
    edge_count = max(1, int(edges.sum()))
    angle = np.abs(np.degrees(np.arctan2(gy[edges], gx[edges]))) % 90.0
    axis_aligned = (angle < 10) | (angle > 80)
    diagonal = (angle > 25) & (angle < 65)

    # Local texture where there is ink: photos, gels and micrographs vary everywhere,
    # drawings are flat fills with sharp edges.
    laplacian = np.abs(
        4 * grey[1:-1, 1:-1] - grey[:-2, 1:-1] - grey[2:, 1:-1] - grey[1:-1, :-2] - grey[1:-1, 2:]
    )
    # Only inside solid ink (the pixel and its four neighbours are ink, no edge): thin lines
    # and text strokes would otherwise read as texture.
    inner_ink = (
        ink[1:-1, 1:-1]
        & ink[:-2, 1:-1]
        & ink[2:, 1:-1]
        & ink[1:-1, :-2]
        & ink[1:-1, 2:]
        & ~edges[1:-1, 1:-1]
    )
    texture = float(laplacian[inner_ink].mean()) if inner_ink.any() else 0.0

    # Share of 16x16 blocks that are entirely ink: filled photos, heatmaps, gels.
    block = 16
    bh, bw = height // block, width // block
    if bh and bw:
        tiles = ink[: bh * block, : bw * block].reshape(bh, block, bw, block)
        blocks_share = float(tiles.mean(axis=(1, 3)).__ge__(0.97).mean())
    else:
        blocks_share = 0.0

    sizes = component_sizes(dark)
    if sizes.size:
        small = float((sizes <= 60).mean())
        largest = float(sizes[-1] / max(1, sizes.sum()))
        spread = float(np.std(np.log1p(sizes)))
    else:
        small = largest = spread = 0.0
    return {
        "dark_background": 1.0 if dark_background else 0.0,
        "white_share": float(white.mean()),
        "dark_share": float(dark.mean()),
        "midtone_share": float(((grey >= 0.35) & (grey <= 0.9)).mean()),
        "colour_share": float((saturation > 0.2).mean()),
        "flat_colour_share": flat_share,
        "grey_entropy": _entropy(grey, 32),
        "edge_share": float(edges.mean()),
        "edge_axis_share": float(axis_aligned.sum() / edge_count),
        "edge_diagonal_share": float(diagonal.sum() / edge_count),
        "long_row_runs": _row_runs(dark, int(0.3 * width)) / height,
        "long_col_runs": _row_runs(dark.T, int(0.3 * height)) / width,
        "texture_in_ink": texture,
        "ink_blocks_share": blocks_share,
        "components_log": math.log1p(sizes.size),
        "small_component_share": small,
        "largest_component_share": largest,
        "component_size_spread": spread,
    }


def ocr_features(tokens: Sequence[OcrToken], width: int, height: int) -> dict[str, float]:
    """Text layout statistics: how many labels, how short, how numeric, how spread out."""
    lines = [t for t in tokens if t.kind == "line" and t.text.strip()] or [
        t for t in tokens if t.text.strip()
    ]
    count = len(lines)
    if not count:
        return dict.fromkeys(OCR_FEATURES, 0.0)
    texts = [t.text.strip() for t in lines]
    words = [text.split() for text in texts]
    heights = np.array([max(1.0, t.y1 - t.y0) for t in lines])
    area = float(max(1, width) * max(1, height))
    text_area = sum(max(0.0, t.x1 - t.x0) * max(0.0, t.y1 - t.y0) for t in lines)
    # Occupancy of a 4x4 grid by label centres: labels spread over the whole canvas
    # (diagrams) versus confined to margins and axes (charts).
    cells = {
        (
            min(3, int(4 * (t.x0 + t.x1) / 2 / max(1, width))),
            min(3, int(4 * (t.y0 + t.y1) / 2 / max(1, height))),
        )
        for t in lines
    }
    numeric = [t for t, text in zip(lines, texts, strict=True) if _NUMERIC.match(text)]
    aligned = 0
    for token in numeric:
        cx = (token.x0 + token.x1) / 2
        cy = (token.y0 + token.y1) / 2
        for other in numeric:
            if other is token:
                continue
            same_column = abs((other.x1 + other.x0) / 2 - cx) < token.height
            same_row = abs((other.y1 + other.y0) / 2 - cy) < token.height / 2
            if same_column or same_row:
                aligned += 1
                break
    return {
        "tokens_log": math.log1p(count),
        "token_height_spread": float(np.std(heights) / np.mean(heights)),
        "short_capitalised_share": sum(bool(_SHORT_CAPITALISED.match(t)) for t in texts) / count,
        "gene_like_share": sum(
            any(_GENE_LIKE.match(word) for word in ws) and len(ws) <= 3 for ws in words
        )
        / count,
        "numeric_share": len(numeric) / count,
        "long_text_share": sum(len(ws) >= 4 for ws in words) / count,
        "mean_words_per_token": float(np.mean([len(ws) for ws in words])),
        "text_area_share": min(1.0, text_area / area),
        "text_spread": len(cells) / 16.0,
        "aligned_numbers_share": aligned / count,
    }


def caption_features(caption: str) -> dict[str, float]:
    """Counts of words that pathway captions use, and of words other figure types use.

    Counts are squashed with log1p so one long caption cannot dominate. Without a caption
    the counts are unknown (NaN), not zero: a figure given as a bare image file says
    nothing about its kind by lacking pathway words, and the model scores the unknown
    counts as the average figure's (see ``PathwayClassifier.score_features``).
    """
    text = caption or ""
    if not text.strip():
        return {name: (0.0 if name == "has_caption" else math.nan) for name in CAPTION_FEATURES}
    return {
        "has_caption": 1.0,
        "caption_pathway_words": math.log1p(len(_PATHWAY_WORDS.findall(text))),
        "caption_model_words": math.log1p(len(_MODEL_WORDS.findall(text))),
        "caption_data_words": math.log1p(len(_DATA_WORDS.findall(text))),
        "caption_imaging_words": math.log1p(len(_IMAGING_WORDS.findall(text))),
        "caption_study_words": math.log1p(len(_STUDY_WORDS.findall(text))),
    }


def feature_dict(
    image: Image.Image, tokens: Sequence[OcrToken] = (), caption: str = ""
) -> dict[str, float]:
    """All features by name; see ``FEATURE_NAMES`` for the order."""
    values = image_features(image)
    values.update(ocr_features(tokens, image.width, image.height))
    values.update(caption_features(caption))
    return values


def extract_features(
    image: Image.Image, tokens: Sequence[OcrToken] = (), caption: str = ""
) -> np.ndarray:
    """The feature vector of one figure, in ``FEATURE_NAMES`` order."""
    values = feature_dict(image, tokens, caption)
    return np.array([values[name] for name in FEATURE_NAMES], dtype=np.float64)
