#!/usr/bin/env python3
"""Score ``infer_organisms`` on the bench-real-dev figures against a hand-made truth.

    python scripts/score_organisms.py
    python scripts/score_organisms.py --bench /work/shared/bench-real-dev \\
        --tokens /work/ocr-cache/bench-real-dev --truth tests/fixtures/organisms_truth.tsv

Per figure the caption and titles come from ``metadata/<figid>.yml``, OCR tokens from a
folder of JSON token lists (``<figid>.json``; without one the figure is called from its
text alone) and human mentions from the packaged recogniser. Reports exact-call accuracy,
micro precision and recall over (figure, organism) pairs, and every disagreement.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml
from score_recognition import load_json_tokens

from pfocr.models import OcrToken
from pfocr.recognise import Recogniser
from pfocr.recognise.organisms import infer_organisms

ROOT = Path(__file__).resolve().parent.parent


def load_truth(path: Path) -> dict[str, set[str]]:
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x and x[0] != "#"]
    truth = {}
    for line in lines[1:]:
        figid, organisms, _ = line.split("\t")
        truth[figid] = set(organisms.split(";"))
    return truth


def load_tokens(path: Path) -> list[OcrToken]:
    """A figure's cached OCR tokens, or none when the figure has no cache file."""
    return load_json_tokens(path) if path.is_file() else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=Path("/work/shared/bench-real-dev"))
    parser.add_argument("--tokens", type=Path, default=Path("/work/ocr-cache/bench-real-dev"))
    parser.add_argument("--truth", type=Path, default=ROOT / "tests/fixtures/organisms_truth.tsv")
    args = parser.parse_args()

    truth = load_truth(args.truth)
    recogniser = Recogniser()
    exact = tp = fp = fn = 0
    for figid, expected in sorted(truth.items()):
        meta = yaml.safe_load((args.bench / "metadata" / f"{figid}.yml").read_text("utf-8"))
        tokens = load_tokens(args.tokens / f"{figid}.json")
        mentions = recogniser.recognise(tokens)
        titles = [str(meta.get("figure_title") or ""), str(meta.get("article_title") or "")]
        call = infer_organisms(str(meta.get("caption") or ""), titles, mentions, tokens)
        called = set(call.organisms)
        exact += called == expected
        tp += len(called & expected)
        fp += len(called - expected)
        fn += len(expected - called)
        if called != expected:
            why = "; ".join(f"{k}: {v}" for k, v in call.evidence.items())
            print(f"{figid}\tcalled {sorted(called)}\ttruth {sorted(expected)}\t{why}")
    n = len(truth)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(f"figures {n}  exact calls {exact}/{n} ({exact / n:.2f})")
    print(f"(figure, organism) pairs: tp {tp} fp {fp} fn {fn}", end="  ")
    print(f"precision {precision:.3f}  recall {recall:.3f}")


if __name__ == "__main__":
    main()
