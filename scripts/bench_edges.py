"""Benchmark of connector reading on the rendered WikiPathways split.

Runs OCR and gene recognition once with ``pfocr run`` (or reuses its store), finds chemicals
from the stored tokens, reads the edges of every figure, writes a predictions TSV and scores
it with the split's own scorer.

    python scripts/bench_edges.py [--bench ../shared/bench-dev] [--store /tmp/edges-run]
"""

from __future__ import annotations

import argparse
import csv
import io
import pickle
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageFilter

from pfocr.network import read_edges
from pfocr.network.export import EDGE_COLUMNS, edge_rows


def _load(store: Path, figures: Path, cache: Path | None) -> dict[str, tuple]:
    """Tokens, gene mentions and chemicals of every figure, from the store of a run."""
    if cache is not None and cache.exists():
        with cache.open("rb") as handle:
            return pickle.load(handle)
    from pfocr.recognise.chemicals import ChemicalRecogniser
    from pfocr.store import db

    db_path = store / "pfocr.sqlite"
    if not db_path.exists():
        pfocr = Path(sys.executable).with_name("pfocr")
        subprocess.run([str(pfocr), "run", str(figures), "--out", str(store)], check=False)
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    chem = ChemicalRecogniser()
    data: dict[str, tuple] = {}
    for (figid,) in conn.execute("SELECT figid FROM figures ORDER BY figid").fetchall():
        tokens = db.load_tokens(conn, figid)
        record = db.load_record(conn, figid)
        mentions = list(record.mentions) if record else []
        # Stores written by the pipeline hold the chemicals; older ones are recognised here.
        chemicals = list(record.chemicals) if record and record.chemicals else None
        data[figid] = (tokens, mentions, chemicals or chem.recognise(tokens))
    if cache is not None:
        with cache.open("wb") as handle:
            pickle.dump(data, handle)
    return data


def _degrade(image, tokens, mentions, chemicals, scale: float):
    """The figure smaller, slightly blurred and JPEG-compressed, with its boxes scaled."""
    size = (round(image.width * scale), round(image.height * scale))
    small = image.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    small = small.filter(ImageFilter.GaussianBlur(0.6))
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=70)
    buffer.seek(0)
    degraded = Image.open(buffer)
    degraded.load()

    def box(item):
        return replace(
            item, x0=item.x0 * scale, y0=item.y0 * scale, x1=item.x1 * scale, y1=item.y1 * scale
        )

    return (
        degraded,
        [box(t) for t in tokens],
        [box(m) for m in mentions],
        [box(c) for c in chemicals],
    )


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _score_recognised(
    bench: Path, data: dict[str, tuple], rows: list[dict[str, object]], only: set[str]
) -> None:
    """Edge precision and recall between correctly recognised nodes only.

    Both ends of a counted truth pair were recognised on the figure; a counted prediction
    has both ends among the figure's truth genes and chemicals. Recognition misses and
    false genes are scored by the gene and chemical benchmarks, not here.
    """
    truth_nodes: dict[str, set[str]] = {}
    for row in _read(bench / "truth" / "dev.tsv"):
        truth_nodes.setdefault(row["figure_id"], set()).add(row["hgnc_symbol"].upper())
    for row in _read(bench / "truth" / "dev-chemicals.tsv"):
        if row["chebi"]:
            truth_nodes.setdefault(row["figure_id"], set()).add(row["chebi"].upper())
    recognised = {
        figid: {m.hgnc_symbol.upper() for m in mentions}
        | {(c.chebi or c.name).upper() for c in chemicals}
        for figid, (_, mentions, chemicals) in data.items()
    }
    truth: dict[tuple[str, str, str], set[str]] = {}
    drawn: set[tuple[str, str, str]] = set()
    for row in _read(bench / "truth" / "dev-edges.tsv"):
        figid = row["figure_id"]
        if only and figid not in only:
            continue
        s, t = row["source_id"].upper(), row["target_id"].upper()
        if not s or not t or not {s, t} <= recognised.get(figid, set()):
            continue
        truth.setdefault((figid, s, t), set()).add(row["kind"])
        drawn.add((figid, s, t))
        if not row["arrowhead"]:
            truth.setdefault((figid, t, s), set()).add(row["kind"])
    predicted = {
        (str(r["figure_id"]), str(r["source"]).upper(), str(r["target"]).upper()): str(r["kind"])
        for r in rows
    }
    counted = {k: v for k, v in predicted.items() if {k[1], k[2]} <= truth_nodes.get(k[0], set())}
    right = [k for k in counted if k in truth]
    kinds = sum(1 for k in right if counted[k] in truth[k])
    precision = len(right) / len(counted) if counted else 0.0
    found = {
        k
        for k in drawn
        if k in predicted
        or ((k[0], k[2], k[1]) in predicted and k in truth and (k[0], k[2], k[1]) in truth)
    }
    recall = len(found) / len(drawn) if drawn else 0.0
    print(
        f"between recognised nodes: directed P {precision:.3f} R {recall:.3f} "
        f"| kind acc {kinds / len(right) if right else 0.0:.3f} "
        f"({len(counted)} counted predictions, {len(drawn)} truth pairs)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=Path("../shared/bench-dev"))
    parser.add_argument("--store", type=Path, default=Path("/tmp/edges-run"))
    parser.add_argument("--cache", type=Path, default=None, help="pickle of the loaded inputs")
    parser.add_argument("--out", type=Path, default=Path("/tmp/edges-pred.tsv"))
    parser.add_argument("--only", default="", help="comma-separated figure ids")
    parser.add_argument(
        "--degrade",
        type=float,
        default=0.0,
        help="scale the figures by this factor, blur them and save them as JPEG quality 70 "
        "(boxes scaled to match): a stand-in for smaller, lossy published figures",
    )
    args = parser.parse_args()
    figures = args.bench / "figures"
    data = _load(args.store, figures, args.cache)
    only = {f for f in args.only.split(",") if f}
    rows: list[dict[str, object]] = []
    seconds = 0.0
    count = 0
    for figid, (tokens, mentions, chemicals) in sorted(data.items()):
        if only and figid not in only:
            continue
        image = Image.open(figures / f"{figid}.png")
        image.load()
        if args.degrade:
            image, tokens, mentions, chemicals = _degrade(
                image, tokens, mentions, chemicals, args.degrade
            )
        started = time.perf_counter()
        edges = read_edges(image, mentions, chemicals, tokens)
        seconds += time.perf_counter() - started
        count += 1
        for row in edge_rows(figid, edges):
            rows.append({"figure_id": figid, **row})
    columns = ["figure_id", *EDGE_COLUMNS]
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns, delimiter="\t", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{count} figures, {len(rows)} edges, {seconds / max(count, 1):.3f} s per figure")
    _score_recognised(args.bench, data, rows, only)
    scorer = args.bench / "score_extra.py"
    truth = args.bench / "truth" / "dev-edges.tsv"
    command = ["python3", str(scorer), "--kind", "edges", str(truth), str(args.out), "--quiet"]
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
