#!/usr/bin/env python3
"""Run the gene recogniser over cached OCR output (or truth labels) and score it.

    python scripts/score_recognition.py                       # both benchmarks, OCR cache
    python scripts/score_recognition.py --labels              # truth labels as perfect OCR
    python scripts/score_recognition.py --no-families --lexicon path/to/gene_terms.tsv.gz

OCR cache files are ``<cache>/<bench>/<figid>.json``: a list of token dicts
``{text, x0, y0, x1, y1, confidence, kind, line}``. Predictions are written to
``--out`` as ``<bench>.tsv`` (figid, hgnc_symbol, word, source, family,
confidence, transforms) and scored with the benchmark's own ``score.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

from pfocr.models import OcrToken
from pfocr.recognise import Lexicon, Recogniser

SHARED = Path("/work/shared")
BENCHES = {
    "bench-dev": ("truth/dev.tsv", None),
    "bench-real-dev": ("truth/dev.tsv", "truth/dev_ignore.tsv"),
}


def load_tokens(path: Path) -> list[OcrToken]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("tokens", [])
    return [
        OcrToken(
            text=str(d["text"]),
            x0=float(d.get("x0", 0)),
            y0=float(d.get("y0", 0)),
            x1=float(d.get("x1", 0)),
            y1=float(d.get("y1", 0)),
            confidence=float(d.get("confidence", 1.0)),
            kind=str(d.get("kind", "line")),
            line=int(d.get("line", i)),
        )
        for i, d in enumerate(data)
    ]


def label_tokens(truth: Path) -> dict[str, list[OcrToken]]:
    """Each truth label (all_labels when present) as one OCR line."""
    figs: dict[str, list[str]] = {}
    with truth.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            labels = [row["label"]]
            if row.get("all_labels"):
                labels = [s for s in row["all_labels"].split("|") if s] or labels
            figs.setdefault(row["figure_id"], []).extend(labels)
    return {
        fig: [
            OcrToken(text=t, x0=0, y0=i * 30, x1=100, y1=i * 30 + 12, confidence=1.0, line=i)
            for i, t in enumerate(dict.fromkeys(labels))
        ]
        for fig, labels in figs.items()
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=Path("/work/ocr-cache"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/pfocr-recognition"))
    ap.add_argument("--lexicon", type=Path, default=None)
    ap.add_argument("--labels", action="store_true", help="score truth labels as perfect OCR")
    ap.add_argument("--no-families", action="store_true")
    ap.add_argument("--min-confidence", type=float, default=0.0)
    args = ap.parse_args()

    recogniser = Recogniser(
        Lexicon.load(args.lexicon) if args.lexicon else None,
        include_families=not args.no_families,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    for bench, (truth_rel, ignore_rel) in BENCHES.items():
        truth = SHARED / bench / truth_rel
        if args.labels:
            figures = label_tokens(truth)
        else:
            folder = args.cache / bench
            if not folder.is_dir():
                print(f"{bench}: no OCR cache at {folder}, skipped")
                continue
            figures = {p.stem: load_tokens(p) for p in sorted(folder.glob("*.json"))}
        pred = args.out / f"{bench}{'-labels' if args.labels else ''}.tsv"
        n_tokens = 0
        seconds = 0.0
        with pred.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, delimiter="\t", lineterminator="\n")
            w.writerow(
                ["figid", "hgnc_symbol", "word", "source", "family", "confidence", "transforms"]
            )
            for figid, tokens in figures.items():
                start = time.perf_counter()
                mentions = recogniser.recognise(tokens)
                seconds += time.perf_counter() - start
                n_tokens += len(tokens)
                for m in mentions:
                    if m.confidence < args.min_confidence:
                        continue
                    w.writerow(
                        [figid, m.hgnc_symbol, m.word, m.source, m.family,
                         f"{m.confidence:.3f}", ",".join(m.transforms)]
                    )  # fmt: skip
        rate = n_tokens / seconds if seconds else 0.0
        print(f"== {bench}: {len(figures)} figures, {n_tokens} tokens, {rate:,.0f} tokens/s")
        cmd = [sys.executable, str(SHARED / "bench-dev" / "score.py"), str(truth), str(pred)]
        if ignore_rel:
            cmd += ["--ignore", str(SHARED / bench / ignore_rel)]
        subprocess.run([*cmd, "--quiet"], check=False)
        with truth.open(encoding="utf-8") as fh:
            truth_figs = {row["figure_id"] for row in csv.DictReader(fh, delimiter="\t")}
        with pred.open(encoding="utf-8") as fh:
            stray = {
                (row["figid"], row["hgnc_symbol"])
                for row in csv.DictReader(fh, delimiter="\t")
                if row["figid"] not in truth_figs
            }
        if stray:
            print(f"genes predicted on figures without human genes: {len(stray)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
