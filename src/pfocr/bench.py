"""Benchmarks: run the real pipeline on a folder of figures with truth, then score.

Speed and accuracy targets are measured here, never asserted in unit tests.
A benchmark folder holds ``figures/``, ``truth/dev.tsv`` and optionally
``truth/dev_ignore.tsv``; the scorer ``score.py`` sits in the folder or next to it.
When the folder also has ``truth/dev-chemicals.tsv`` or ``truth/dev-edges.tsv`` and the
scorer ``score_extra.py``, the stored chemicals and interactions are scored too.
"""

from __future__ import annotations

import csv
import json
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pfocr.errors import PfocrError
from pfocr.pipeline import PipelineSettings, run_pipeline
from pfocr.pipeline.process import warm_up

#: Precision tiers, as PFOCR's strict / synonyms / all: the lexicon sources each admits.
TIERS: dict[str, tuple[str, ...]] = {
    "strict": ("hgnc_symbol",),
    "synonyms": ("hgnc_symbol", "hgnc_alias_symbol", "hgnc_prev_symbol"),
    "all": ("hgnc_symbol", "hgnc_alias_symbol", "hgnc_prev_symbol", "famplex"),
}


@dataclass
class BenchReport:
    name: str
    figures: int
    failed: int
    seconds: list[float]
    wall_seconds: float
    scores: dict[str, dict[str, object]] = field(default_factory=dict)
    scorer_output: dict[str, str] = field(default_factory=dict)
    #: Output of ``score_extra.py`` by kind (``chemicals``, ``edges``).
    extra_output: dict[str, str] = field(default_factory=dict)

    def render(self) -> str:
        secs = sorted(self.seconds) or [0.0]
        p90 = secs[min(len(secs) - 1, round(0.9 * (len(secs) - 1)))]
        lines = [
            f"== {self.name}: {self.figures} figures ({self.failed} failed), "
            f"wall {self.wall_seconds:.1f} s",
            f"seconds per figure (after model load): median {statistics.median(secs):.2f}, "
            f"p90 {p90:.2f}, mean {statistics.fmean(secs):.2f}",
        ]
        for tier, output in self.scorer_output.items():
            lines.append(f"-- tier {tier} (sources: {', '.join(TIERS[tier])})")
            lines.append(output.strip())
        for kind, output in self.extra_output.items():
            lines.append(f"-- {kind}")
            lines.append(output.strip())
        return "\n".join(line for line in lines if line)


def find_scorer(bench_dir: Path) -> Path:
    for candidate in (bench_dir / "score.py", bench_dir.parent / "bench-dev" / "score.py"):
        if candidate.exists():
            return candidate
    raise PfocrError(f"No score.py in {bench_dir} or ../bench-dev: cannot score this benchmark.")


def run_benchmark(
    bench_dir: Path, out_dir: Path, *, workers: int | None = None, fresh: bool = True
) -> BenchReport:
    """Process ``bench_dir/figures`` into a fresh store in ``out_dir`` and score genes.tsv."""
    from pfocr.export import export_all
    from pfocr.store import connect, iter_records, store_path

    bench_dir = Path(bench_dir)
    figures = bench_dir / "figures"
    truth = bench_dir / "truth" / "dev.tsv"
    if not figures.is_dir() or not truth.exists():
        raise PfocrError(
            f"{bench_dir} is not a benchmark folder (it needs figures/ and truth/dev.tsv)."
        )
    if fresh and out_dir.exists():
        shutil.rmtree(out_dir)
    settings = PipelineSettings()
    warm_up(settings)  # model load is not part of the per-figure time
    started = time.perf_counter()
    summary = run_pipeline([figures], out_dir, settings=settings, workers=workers or 1)
    wall = time.perf_counter() - started
    conn = connect(store_path(out_dir))
    try:
        export_all(iter_records(conn), out_dir)
    finally:
        conn.close()
    report = BenchReport(
        name=bench_dir.name,
        figures=summary.figures,
        failed=summary.failed,
        seconds=summary.seconds_per_figure,
        wall_seconds=wall,
    )
    scorer = find_scorer(bench_dir)
    ignore = bench_dir / "truth" / "dev_ignore.tsv"
    for tier, sources in TIERS.items():
        predictions = out_dir / f"predictions-{tier}.tsv"
        _write_tier(out_dir / "genes.tsv", predictions, sources)
        command = [sys.executable, str(scorer), str(truth), str(predictions)]
        if ignore.exists():
            command += ["--ignore", str(ignore)]
        quiet = subprocess.run([*command, "--quiet"], capture_output=True, text=True, check=False)
        full = subprocess.run([*command, "--json"], capture_output=True, text=True, check=False)
        (out_dir / f"scores-{tier}.json").write_text(full.stdout)
        try:
            report.scores[tier] = json.loads(full.stdout)
        except json.JSONDecodeError:
            report.scores[tier] = {}
        report.scorer_output[tier] = quiet.stdout + quiet.stderr
    _score_extras(bench_dir, out_dir, report)
    return report


#: Predictions written from the store for ``score_extra.py``: kind -> (header, query).
EXTRA_PREDICTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "chemicals": (
        ("figure_id", "word", "chebi", "mesh"),
        "SELECT figid, word, chebi, mesh FROM chemicals ORDER BY figid, seq",
    ),
    "edges": (
        ("figure_id", "source", "target", "kind"),
        "SELECT figid, source, target, kind FROM edges ORDER BY figid, seq",
    ),
}


def _score_extras(bench_dir: Path, out_dir: Path, report: BenchReport) -> None:
    """Score stored chemicals and interactions where the benchmark has truth for them."""
    from pfocr.store import connect, store_path

    scorer = next(
        (
            c
            for c in (
                bench_dir / "score_extra.py",
                bench_dir.parent / "bench-dev" / "score_extra.py",
            )
            if c.exists()
        ),
        None,
    )
    if scorer is None:
        return
    conn = connect(store_path(out_dir))
    try:
        for kind, (header, query) in EXTRA_PREDICTIONS.items():
            truth = bench_dir / "truth" / f"dev-{kind}.tsv"
            if not truth.exists():
                continue
            predictions = out_dir / f"predictions-{kind}.tsv"
            with predictions.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
                writer.writerow(header)
                writer.writerows(conn.execute(query))
            command = [sys.executable, str(scorer), "--kind", kind, str(truth), str(predictions)]
            quiet = subprocess.run(
                [*command, "--quiet"], capture_output=True, text=True, check=False
            )
            full = subprocess.run([*command, "--json"], capture_output=True, text=True, check=False)
            (out_dir / f"scores-{kind}.json").write_text(full.stdout)
            report.extra_output[kind] = quiet.stdout + quiet.stderr
    finally:
        conn.close()


def _write_tier(genes_tsv: Path, out: Path, sources: tuple[str, ...]) -> None:
    """Keep the mentions of the given lexicon sources (a precision tier)."""
    with (
        genes_tsv.open(encoding="utf-8", newline="") as src,
        out.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.DictReader(src, delimiter="\t")
        writer = csv.writer(dst, delimiter="\t", lineterminator="\n")
        writer.writerow(["figid", "hgnc_symbol", "entrez", "word", "source"])
        for row in reader:
            if row["source"] in sources:
                writer.writerow(
                    [row["figid"], row["hgnc_symbol"], row["entrez"], row["word"], row["source"]]
                )
