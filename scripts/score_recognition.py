#!/usr/bin/env python3
"""Run the gene recogniser over stored OCR output (or truth labels) and score it per tier.

    python scripts/score_recognition.py                        # both benchmarks, bench stores
    python scripts/score_recognition.py --store /path/pfocr.sqlite --bench bench-real-dev
    python scripts/score_recognition.py --fp                   # list false positives with words
    python scripts/score_recognition.py --labels               # truth labels as perfect OCR
    python scripts/score_recognition.py --json-cache /work/ocr-cache

Tokens come from a pfocr store (table ``ocr_tokens``, with the engine's
alternative readings), by default ``/work/bench-out/<bench>/pfocr.sqlite``, or
from a folder of JSON token lists ``<cache>/<bench>/<figid>.json``. Mentions are
scored with the benchmark's own ``score.py`` per precision tier (the lexicon
sources each tier keeps, as ``pfocr bench``); ``name`` mentions (full gene and
protein names) are a tier of their own, reported as recall of the truth rows
whose ``level`` is ``name``. Predictions are written to ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import sqlite3
import time
from pathlib import Path
from types import ModuleType

from pfocr.models import Mention, OcrToken
from pfocr.recognise import Lexicon, Recogniser

SHARED = Path("/work/shared")
BENCH_OUT = Path("/work/bench-out")
BENCHES = {
    "bench-dev": ("truth/dev.tsv", "truth/dev_ignore.tsv"),
    "bench-real-dev": ("truth/dev.tsv", "truth/dev_ignore.tsv"),
}
#: Lexicon sources each precision tier keeps (as ``pfocr.bench.TIERS``).
TIERS: dict[str, tuple[str, ...]] = {
    "strict": ("hgnc_symbol",),
    "synonyms": ("hgnc_symbol", "hgnc_alias_symbol", "hgnc_prev_symbol"),
    "all": ("hgnc_symbol", "hgnc_alias_symbol", "hgnc_prev_symbol", "famplex"),
}


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_score", SHARED / "bench-dev" / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_json_tokens(path: Path) -> list[OcrToken]:
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
            alternatives=tuple(d.get("alternatives", ())),
        )
        for i, d in enumerate(data)
    ]


def load_store_tokens(path: Path) -> dict[str, list[OcrToken]]:
    """Every figure's OCR tokens from a pfocr store, in reading order."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT figid, kind, line, text, x0, y0, x1, y1, confidence, alternatives "
            "FROM ocr_tokens ORDER BY figid, seq"
        ).fetchall()
    finally:
        conn.close()
    figures: dict[str, list[OcrToken]] = {}
    for figid, kind, line, text, x0, y0, x1, y1, confidence, alternatives in rows:
        figures.setdefault(figid, []).append(
            OcrToken(
                text=text,
                x0=x0,
                y0=y0,
                x1=x1,
                y1=y1,
                confidence=confidence,
                kind=kind,
                line=line,
                alternatives=tuple(json.loads(alternatives or "[]")),
            )
        )
    return figures


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


def figures_of(bench: str, args: argparse.Namespace) -> dict[str, list[OcrToken]] | None:
    truth = SHARED / bench / BENCHES[bench][0]
    if args.labels:
        return label_tokens(truth)
    if args.json_cache:
        folder = args.json_cache / bench
        if not folder.is_dir():
            return None
        return {p.stem: load_json_tokens(p) for p in sorted(folder.glob("*.json"))}
    store = args.store or BENCH_OUT / bench / "pfocr.sqlite"
    return load_store_tokens(store) if store.is_file() else None


def write_predictions(path: Path, mentions: dict[str, list[Mention]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["figid", "hgnc_symbol", "word", "source", "family", "confidence", "transforms"])
        for figid, ms in mentions.items():
            for m in ms:
                w.writerow(
                    [figid, m.hgnc_symbol, m.word, m.source, m.family,
                     f"{m.confidence:.3f}", ",".join(m.transforms)]
                )  # fmt: skip


def score_bench(
    bench: str, mentions: dict[str, list[Mention]], scorer: ModuleType, show_fp: bool
) -> dict[str, dict[str, float]]:
    """Micro precision / recall per tier, plus recall of ``name``-level truth rows."""
    truth_path = SHARED / bench / BENCHES[bench][0]
    ignore_path = SHARED / bench / BENCHES[bench][1]
    truth, _ = scorer.load_truth(str(truth_path))
    ignore = scorer.load_ignore(str(ignore_path))
    out: dict[str, dict[str, float]] = {}
    for tier, sources in TIERS.items():
        pred: dict[str, set[str]] = {}
        words: dict[tuple[str, str], set[str]] = {}
        for figid, ms in mentions.items():
            for m in ms:
                if m.source in sources:
                    symbol = m.hgnc_symbol.casefold()
                    pred.setdefault(figid, set()).add(symbol)
                    words.setdefault((figid, symbol), set()).add(m.word)
        result = scorer.score(truth, pred, ignore)
        micro = result["micro"]
        out[tier] = {"precision": micro["precision"], "recall": micro["recall"] or 0.0}
        print(
            f"   {tier:9s} precision {micro['precision']:.3f}  recall {micro['recall']:.3f}  "
            f"tp {result['counts']['tp']}  fp {result['counts']['fp']}"
        )
        if show_fp and tier in show_fp:
            for fig in result["per_figure"]:
                for symbol in fig["fp_symbols"]:
                    said = ", ".join(sorted(words.get((fig["figure_id"], symbol), ())))
                    print(f"      FP {fig['figure_id']}  {symbol.upper():10s} <- {said}")
    # names: recall of level == name rows by any mention (names tier included)
    name_rows: set[tuple[str, str]] = set()
    with truth_path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row.get("level") == "name":
                name_rows.add((row["figure_id"], row["hgnc_symbol"].casefold()))
    if name_rows:
        found_by_name = {
            (figid, m.hgnc_symbol.casefold())
            for figid, ms in mentions.items()
            for m in ms
            if m.source == "name"
        }
        found_any = {
            (figid, m.hgnc_symbol.casefold()) for figid, ms in mentions.items() for m in ms
        }
        print(
            f"   name rows {len(name_rows)}: found {len(name_rows & found_any)} "
            f"({len(name_rows & found_by_name)} by the name tier)"
        )
        out["name"] = {"recall": len(name_rows & found_any) / len(name_rows)}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, default=None, help="pfocr.sqlite to read tokens from")
    ap.add_argument("--bench", choices=sorted(BENCHES), action="append", default=None)
    ap.add_argument("--json-cache", type=Path, default=None, help="folder of <bench>/<figid>.json")
    ap.add_argument("--out", type=Path, default=Path("/tmp/pfocr-recognition"))
    ap.add_argument("--lexicon", type=Path, default=None)
    ap.add_argument("--labels", action="store_true", help="score truth labels as perfect OCR")
    ap.add_argument("--no-families", action="store_true")
    ap.add_argument("--fp", default="", help="list false positives of these tiers, e.g. synonyms")
    args = ap.parse_args()

    recogniser = Recogniser(
        Lexicon.load(args.lexicon) if args.lexicon else None,
        include_families=not args.no_families,
    )
    scorer = load_scorer()
    show_fp = set(filter(None, args.fp.split(",")))
    args.out.mkdir(parents=True, exist_ok=True)
    for bench in args.bench or list(BENCHES):
        figures = figures_of(bench, args)
        if figures is None:
            print(f"{bench}: no OCR tokens found, skipped")
            continue
        n_tokens = sum(len(ts) for ts in figures.values())
        start = time.perf_counter()
        mentions = {figid: recogniser.recognise(tokens) for figid, tokens in figures.items()}
        seconds = time.perf_counter() - start
        print(
            f"== {bench}: {len(figures)} figures, {n_tokens} OCR tokens, "
            f"{seconds:.2f} s ({n_tokens / max(seconds, 1e-9):,.0f} tokens/s)"
        )
        write_predictions(args.out / f"{bench}{'-labels' if args.labels else ''}.tsv", mentions)
        score_bench(bench, mentions, scorer, show_fp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
