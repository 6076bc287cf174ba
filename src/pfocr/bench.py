"""Benchmarks: run the real pipeline on a folder of figures with truth, then score.

Speed and accuracy targets are measured here, never asserted in unit tests.
A benchmark folder holds ``figures/``, ``truth/dev.tsv`` and optionally
``truth/dev_ignore.tsv``; the scorer ``score.py`` sits in the folder or next to it.
"""

from __future__ import annotations

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


@dataclass
class BenchReport:
    name: str
    figures: int
    failed: int
    seconds: list[float]
    wall_seconds: float
    scores: dict[str, object] = field(default_factory=dict)
    scorer_output: str = ""

    def render(self) -> str:
        secs = sorted(self.seconds) or [0.0]
        p90 = secs[min(len(secs) - 1, int(round(0.9 * (len(secs) - 1))))]
        lines = [
            f"== {self.name}: {self.figures} figures ({self.failed} failed), "
            f"wall {self.wall_seconds:.1f} s",
            f"seconds per figure (after model load): median {statistics.median(secs):.2f}, "
            f"p90 {p90:.2f}, mean {statistics.fmean(secs):.2f}",
            self.scorer_output.strip(),
        ]
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
        raise PfocrError(f"{bench_dir} is not a benchmark folder (needs figures/ and truth/dev.tsv).")
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
    command = [sys.executable, str(find_scorer(bench_dir)), str(truth), str(out_dir / "genes.tsv")]
    ignore = bench_dir / "truth" / "dev_ignore.tsv"
    if ignore.exists():
        command += ["--ignore", str(ignore)]
    quiet = subprocess.run([*command, "--quiet"], capture_output=True, text=True, check=False)
    full = subprocess.run([*command, "--json"], capture_output=True, text=True, check=False)
    try:
        scores = json.loads(full.stdout)
    except json.JSONDecodeError:
        scores = {}
    (out_dir / "scores.json").write_text(full.stdout)
    return BenchReport(
        name=bench_dir.name,
        figures=summary.figures,
        failed=summary.failed,
        seconds=summary.seconds_per_figure,
        wall_seconds=wall,
        scores=scores,
        scorer_output=quiet.stdout + quiet.stderr,
    )
