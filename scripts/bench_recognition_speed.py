#!/usr/bin/env python3
"""Recognition throughput on cached benchmark OCR tokens, on one core.

    python scripts/bench_recognition_speed.py [--store PATH ...] [--repeat 3]

Times are the CPU time of this one process (best of ``--repeat``), so other work on the
machine does not count. Three numbers per run: first sight (a new Recogniser, empty word
caches including the tokeniser's, the lexicon and name index already loaded), with warm
caches (the same figures again), and the share of time spent per stage under cProfile
(``--profile``).
Throughput is counted in OCR words (lines split into words) and in OCR lines.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from score_recognition import BENCH_OUT, load_store_tokens

from pfocr.pipeline.process import freeze_loaded_data
from pfocr.recognise import Recogniser, default_lexicon, words_from_lines
from pfocr.recognise.names import default_name_index
from pfocr.recognise.tokenise import clean_word, is_list_like, is_skippable


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, action="append", default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    stores = args.store or sorted(BENCH_OUT.glob("*/pfocr.sqlite"))
    figures = [tokens for store in stores for tokens in load_store_tokens(store).values()]
    lines = sum(len(t) for t in figures)
    words = sum(len(words_from_lines(t)) for t in figures)
    default_lexicon()
    default_name_index()
    freeze_loaded_data()  # as the pipeline's workers do once their data is loaded
    print(f"{len(figures)} figures, {lines} OCR lines, {words} words")
    for label, warm in (("first sight", False), ("warm cache", True)):
        best = float("inf")
        for _ in range(args.repeat):
            recogniser = Recogniser()
            for cached in (clean_word, is_skippable, is_list_like):
                cached.cache_clear()  # word-level caches of the tokeniser start empty too
            if warm:
                for tokens in figures:
                    recogniser.recognise(tokens)
            start = time.process_time()  # CPU time of this process: one core, whatever else runs
            for tokens in figures:
                recogniser.recognise(tokens)
            best = min(best, time.process_time() - start)
        print(f"{label:12s} {best:.3f} s  {words / best:,.0f} words/s  {lines / best:,.0f} lines/s")
    if args.profile:
        recogniser = Recogniser()
        profile = cProfile.Profile()
        profile.enable()
        for tokens in figures:
            recogniser.recognise(tokens)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
