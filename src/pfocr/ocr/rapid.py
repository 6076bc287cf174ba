"""PP-OCRv6 through rapidocr: the default engine, whose models ship inside the wheel.

Pathway figures are not documents. Their labels are often 3-8 px high, sometimes
drawn vertically, and the whole figure may be published rotated. One plain
detection pass misses most of such text, so the engine reads a figure in passes
decided from the image itself:

1. detect and recognise at the native scale (small images are brought up to a short
   side of 736 px by the detector, as PP-OCR is trained);
2. if the text found is small, detect and recognise again on an upscaled copy;
3. if many text boxes are tall and narrow (vertical text), read the figure rotated
   by 90 and 270 degrees too;

and keeps, where passes overlap, the more confident reading. Recognition runs on
batches of line crops with the engine's own batching. rapidocr keeps call
arguments between calls, so the stages are driven directly rather than through
``RapidOCR.__call__``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from importlib import metadata
from typing import TYPE_CHECKING, Any

import numpy as np

from pfocr.errors import OcrEngineMissing, OcrError
from pfocr.models import OcrToken

if TYPE_CHECKING:
    from PIL import Image

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassPlan:
    """Thresholds that decide the extra passes; part of the engine's settings.

    Heights are those of detected line boxes in image pixels, which include the
    detector's margin: a box is about twice as high as the letters' x-height, so a
    14 px box holds text of roughly 6-7 px.
    """

    #: A figure is read again upscaled when this quantile of its box heights is under
    #: ``small_text_px``: a quarter of small labels is worth a second pass.
    small_text_px: float = 14.0
    small_text_quantile: float = 0.25
    #: Box height the upscaled pass aims for, and the largest upscale factor.
    target_text_px: float = 28.0
    max_upscale: float = 4.0
    #: Never upscale beyond this many pixels on the long side.
    max_upscaled_side: int = 4000
    #: Read rotated copies when at least this share of boxes (and this many) are vertical.
    vertical_share: float = 0.3
    vertical_min_boxes: int = 3
    #: Long side the first detection pass works at for large figures; and the smallest
    #: box height (px, at detection scale) the detector finds reliably.
    detect_side: int = 1600
    min_detect_px: float = 10.0
    #: Recognition batch size, and the probability a character's runner-up needs to be
    #: kept as an alternative reading.
    rec_batch: int = 8
    alternative_min: float = 0.1
    #: Detection box threshold (rapidocr default 0.5; lower finds faint small labels).
    box_thresh: float = 0.4


def _default_threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class RapidOcrEngine:
    """Det + rec with PP-OCRv6 small; boxes are returned in image pixels."""

    name = "rapidocr"

    def __init__(self, threads: int | None = None, plan: PassPlan | None = None) -> None:
        self.threads = threads or _default_threads()
        self.plan = plan or PassPlan()
        self._engine: Any = None

    def settings(self) -> dict[str, object]:
        return {
            "engine": self.name,
            "rapidocr": _version("rapidocr"),
            "models": "PP-OCRv6_det_small+PP-OCRv6_rec_small",
            "plan": self.plan.__dict__,
        }

    # -- model handling ----------------------------------------------------------------------

    def _load(self) -> Any:
        if self._engine is None:
            try:
                import onnxruntime  # noqa: F401
                from rapidocr import RapidOCR
            except ImportError as exc:
                raise OcrEngineMissing(
                    f"The rapidocr engine needs 'rapidocr' and 'onnxruntime' ({exc}). "
                    "Install them with: pip install 'rapidocr==3.10.0' onnxruntime"
                ) from None
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            params = {
                "Global.max_side_len": 100_000,
                "Global.text_score": 0.0,
                "Global.use_cls": False,
                "Global.log_level": "error",
                "Det.box_thresh": self.plan.box_thresh,
                # Scale is decided here per figure; the detector must not resize again.
                "Det.limit_type": "max",
                "Det.limit_side_len": 100_000,
                "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
            self._engine = RapidOCR(params=params)
        return self._engine

    # -- reading -----------------------------------------------------------------------------

    def read(self, image: Image.Image) -> list[OcrToken]:
        bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
        try:
            return self._read(bgr)
        except OcrError:
            raise
        except Exception as exc:  # the engine raises bare exceptions of many kinds
            raise OcrError(f"rapidocr failed: {type(exc).__name__}: {exc}") from exc

    def _read(self, bgr: np.ndarray) -> list[OcrToken]:
        plan = self.plan
        height, width = bgr.shape[:2]
        first_scale = _first_scale(width, height, plan)
        first = self._pass(bgr, scale=first_scale, rotation=0)
        candidates = list(first)
        text_px = _text_height(first, plan.small_text_quantile)
        scale = first_scale
        if text_px and first_scale < 1 and text_px * first_scale < plan.min_detect_px:
            # Downscaled too far for this figure's text: detect again nearer full size.
            scale = min(1.0, plan.min_detect_px * 1.2 / text_px)
            candidates += self._pass(bgr, scale=scale, rotation=0)
        elif text_px and text_px < plan.small_text_px:
            upscale = min(plan.max_upscale, plan.target_text_px / text_px)
            upscale = min(upscale, plan.max_upscaled_side / max(height, width))
            if upscale >= max(1.3, first_scale * 1.2):
                scale = upscale
                candidates += self._pass(bgr, scale=scale, rotation=0)
        vertical = [t for t in first if _is_vertical(t)]
        if len(vertical) >= plan.vertical_min_boxes and len(vertical) >= plan.vertical_share * len(
            first
        ):
            for rotation in (90, 270):
                candidates += self._pass(bgr, scale=scale, rotation=rotation)
        tokens = _merge(candidates)
        return [replace(t, line=index) for index, t in enumerate(_reading_order(tokens))]

    def _pass(self, bgr: np.ndarray, *, scale: float, rotation: int) -> list[OcrToken]:
        """Detect at ``scale``, recognise crops, map boxes back to the original image.

        Crops come from the original pixels when detection ran downscaled (recognition
        resizes them itself), and from the upscaled copy when it ran upscaled.
        """
        import cv2
        from rapidocr.utils.process_img import get_rotate_crop_image

        engine = self._load()
        height, width = bgr.shape[:2]
        view = bgr
        if rotation == 90:
            view = cv2.rotate(view, cv2.ROTATE_90_COUNTERCLOCKWISE)
        elif rotation == 270:
            view = cv2.rotate(view, cv2.ROTATE_90_CLOCKWISE)
        source = view
        if scale > 1.0:
            view = cv2.resize(view, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
            source = view
        elif scale < 1.0:
            view = cv2.resize(view, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        detected = engine._load_det_model()(view)
        if detected.boxes is None or len(detected.boxes) == 0:
            return []
        boxes = np.asarray(detected.boxes, dtype=np.float32)
        crop_scale = scale if scale > 1.0 else 1.0
        crops = [
            get_rotate_crop_image(source, (box * (crop_scale / scale)).astype(np.float32))
            for box in boxes
        ]
        # A vertical label is cropped turned one way; it may read the other way, so
        # vertical crops are also recognised turned by 180 degrees and the better kept.
        flipped = [i for i, crop in enumerate(crops) if _was_turned(boxes[i])]
        readings = self._recognise(
            crops + [np.ascontiguousarray(crops[i][::-1, ::-1]) for i in flipped]
        )
        for extra, index in enumerate(flipped):
            other = readings[len(crops) + extra]
            if other[1] > readings[index][1]:
                readings[index] = other
        tokens = []
        for box, (text, score, alternatives) in zip(boxes, readings[: len(crops)], strict=True):
            if not text:
                continue
            points = _to_original(box / scale, rotation, width, height)
            tokens.append(
                OcrToken(
                    text=text,
                    x0=float(points[:, 0].min()),
                    y0=float(points[:, 1].min()),
                    x1=float(points[:, 0].max()),
                    y1=float(points[:, 1].max()),
                    confidence=float(score),
                    alternatives=alternatives,
                )
            )
        return tokens

    def _recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float, tuple[str, ...]]]:
        """Recognise line crops in batches of similar width; keep close second readings.

        The recogniser scores every character class at every step. Where the runner-up
        of a character is also likely (``alternative_min``), the reading with it is kept
        as an alternative, so the lexicon can choose between near-identical readings
        (1/I/l, 0/O, 5/S, B/8, ...) that the image really leaves open.
        """
        rec = self._load()._load_rec_model()
        characters = rec.postprocess_op.character
        _, image_height, image_width = rec.rec_image_shape[:3]
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        results: list[tuple[str, float, tuple[str, ...]]] = [("", 0.0, ())] * len(crops)
        batch = self.plan.rec_batch
        for start in range(0, len(order), batch):
            members = order[start : start + batch]
            ratio = max(
                image_width / image_height,
                *(crops[i].shape[1] / crops[i].shape[0] for i in members),
            )
            inputs = np.stack([rec.resize_norm_img(crops[i], ratio) for i in members])
            probabilities = rec.session(inputs.astype(np.float32))
            for member, probs in zip(members, probabilities, strict=True):
                results[member] = _decode(probs, characters, self.plan.alternative_min)
        return results

    def read_crop(self, image: Image.Image) -> OcrToken:
        """Recognise a tight label crop, rescuing vertical and multi-line labels.

        Rec-only on the crop as given (padding and upscaling hurt it); a tall crop is
        also read rotated both ways; a low-confidence reading is retried with
        detection on a padded copy, which splits multi-line labels.
        """
        import cv2

        bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
        height, width = bgr.shape[:2]
        views = [bgr]
        if height > 1.3 * width:
            views += [
                cv2.rotate(bgr, cv2.ROTATE_90_CLOCKWISE),
                cv2.rotate(bgr, cv2.ROTATE_90_COUNTERCLOCKWISE),
            ]
        readings = [(score, text, alts) for text, score, alts in self._recognise(views)]
        score, text, alternatives = max(readings)
        if score < 0.9:
            padded = cv2.copyMakeBorder(
                cv2.resize(bgr, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC),
                10,
                10,
                10,
                10,
                cv2.BORDER_REPLICATE,
            )
            lines = self._pass(padded, scale=1.0, rotation=0)
            if lines:
                mean = sum(t.confidence for t in lines) / len(lines)
                joined = " ".join(t.text for t in _reading_order(lines))
                if (len(lines) >= 2 and mean > score) or (len(lines) == 1 and mean > score + 0.05):
                    score, text, alternatives = mean, joined, ()
        return OcrToken(
            text, 0.0, 0.0, float(width), float(height), score, alternatives=alternatives
        )


def _decode(
    probs: np.ndarray, characters: list[str], alternative_min: float
) -> tuple[str, float, tuple[str, ...]]:
    """CTC greedy decoding with the mean character probability as confidence, plus
    alternative readings where a character's runner-up is at least ``alternative_min``."""
    best = probs.argmax(axis=1)
    keep = best != 0
    keep[1:] &= best[1:] != best[:-1]
    steps = np.flatnonzero(keep)
    if steps.size == 0:
        return "", 0.0, ()
    chars = [characters[i] for i in best[steps]]
    confidence = float(probs[steps, best[steps]].mean())
    options: list[tuple[int, str]] = []
    for position, step in enumerate(steps):
        row = probs[step].copy()
        row[best[step]] = 0.0
        row[0] = 0.0
        runner_up = int(row.argmax())
        if row[runner_up] >= alternative_min:
            options.append((position, characters[runner_up]))
    alternatives: list[str] = []
    for position, char in options[:3]:
        variant = chars.copy()
        variant[position] = char
        alternatives.append("".join(variant).strip())
    if len(options) >= 2:
        variant = chars.copy()
        for position, char in options[:3]:
            variant[position] = char
        alternatives.append("".join(variant).strip())
    text = "".join(chars).strip()
    unique = tuple(dict.fromkeys(a for a in alternatives if a and a != text))
    return text, confidence, unique


def _first_scale(width: int, height: int, plan: PassPlan) -> float:
    """Detection scale of the first pass: small images up to the detector's training
    size (short side 736 px), large ones down to ``detect_side`` on the long side."""
    short, long = min(width, height), max(width, height)
    if short < 736:
        return min(2.0, 736 / short, plan.max_upscaled_side / long)
    return min(1.0, plan.detect_side / long)


def _was_turned(box: np.ndarray) -> bool:
    """Whether rapidocr's cropping turns this box by 90 degrees (tall boxes)."""
    width = max(np.linalg.norm(box[0] - box[1]), np.linalg.norm(box[2] - box[3]))
    height = max(np.linalg.norm(box[0] - box[3]), np.linalg.norm(box[1] - box[2]))
    return height >= 1.5 * width


def _to_original(points: np.ndarray, rotation: int, width: int, height: int) -> np.ndarray:
    """Map points of a view rotated counter-clockwise by ``rotation`` back to the image."""
    if rotation == 0:
        return points
    x, y = points[:, 0], points[:, 1]
    if rotation == 90:  # view (x', y') = (y, W - 1 - x)
        return np.stack([width - 1 - y, x], axis=1)
    return np.stack([y, height - 1 - x], axis=1)  # 270: view (x', y') = (H - 1 - y, x)


def _is_vertical(token: OcrToken) -> bool:
    width = token.x1 - token.x0
    return token.height >= 1.5 * width and token.height >= 12


def _text_height(tokens: list[OcrToken], quantile: float) -> float:
    heights = [
        min(t.height, t.x1 - t.x0) for t in tokens if t.confidence >= 0.5 and len(t.text) >= 2
    ]
    return float(np.quantile(heights, quantile)) if heights else 0.0


def _merge(tokens: list[OcrToken]) -> list[OcrToken]:
    """Keep the best reading where boxes from different passes cover the same text.

    Readings are ranked by confidence weighted by the number of confident
    characters, so a complete label beats a fragment of it.
    """

    def rank(token: OcrToken) -> float:
        return token.confidence * min(len(token.text), 12) ** 0.5

    kept: list[OcrToken] = []
    for token in sorted(tokens, key=rank, reverse=True):
        if all(_overlap(token, other) < 0.5 for other in kept):
            kept.append(token)
    return kept


def _overlap(a: OcrToken, b: OcrToken) -> float:
    """Intersection over the smaller box: 1 when one box lies inside the other."""
    ix = max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0))
    iy = max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))
    inter = ix * iy
    smaller = min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0))
    return inter / smaller if smaller > 0 else 0.0


def _reading_order(tokens: list[OcrToken]) -> list[OcrToken]:
    """Top to bottom in 10 px bands, then left to right."""
    return sorted(tokens, key=lambda t: (round((t.y0 + t.y1) / 20), t.x0))


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"
