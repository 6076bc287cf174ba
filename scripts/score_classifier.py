#!/usr/bin/env python3
"""How many known pathway figures the shipped classifiers keep, on the stores of real runs.

    python scripts/score_classifier.py bench-out/bench-dev bench-out/bench-real-dev

Every figure of a benchmark store is a pathway figure, so this measures recall only: the
share of figures the full model (image, stored OCR tokens, caption) and the pre-reading
model of ``--min-score`` (image and caption) score at or above 0.5, 0.3 and 0.2. Precision
is measured on the rendered held-out corpus (``python -m pfocr.classify``).
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from PIL import Image

from pfocr.classify import DEFAULT_MODEL_PATH, IMAGE_MODEL_PATH, PathwayClassifier
from pfocr.store import db

THRESHOLDS = (0.5, 0.3, 0.2)


def scores(out_dir: Path) -> dict[str, list[tuple[str, float]]]:
    """Scores of both models for every stored figure whose image is still on disk."""
    models = {
        "full": PathwayClassifier.load(DEFAULT_MODEL_PATH),
        "pre-reading": PathwayClassifier.load(IMAGE_MODEL_PATH),
    }
    found: dict[str, list[tuple[str, float]]] = {name: [] for name in models}
    with sqlite3.connect(f"file:{out_dir / 'pfocr.sqlite'}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT figid, image_path, caption FROM figures ORDER BY figid")
        for figid, image_path, caption in rows.fetchall():
            if not image_path or not Path(image_path).is_file():
                continue
            tokens = db.load_tokens(conn, figid)
            with Image.open(image_path) as image:
                image.load()
                for name, model in models.items():
                    found[name].append((figid, model.score(image, tokens, caption)))
    return found


def kept(figure_scores: list[tuple[str, float]]) -> str:
    """The share of figures scored at or above each threshold."""
    return "  ".join(
        f">={t}: {sum(s >= t for _, s in figure_scores) / len(figure_scores):.0%}"
        for t in THRESHOLDS
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dirs", nargs="+", type=Path, help="output folders of pfocr runs")
    parser.add_argument("--lowest", type=int, default=0, help="also list the N lowest scores")
    args = parser.parse_args()
    pooled: dict[str, list[tuple[str, float]]] = {}
    for out_dir in args.out_dirs:
        for name, figure_scores in scores(out_dir).items():
            pooled.setdefault(name, []).extend(figure_scores)
            print(f"{out_dir} {name:12s} {len(figure_scores)} figures  {kept(figure_scores)}")
            if args.lowest:
                lowest = sorted(figure_scores, key=lambda item: item[1])[: args.lowest]
                print("   lowest: " + ", ".join(f"{f} {s:.2f}" for f, s in lowest))
    for name, figure_scores in pooled.items():
        print(f"all {name:12s} {len(figure_scores)} figures  {kept(figure_scores)}")


if __name__ == "__main__":
    main()
