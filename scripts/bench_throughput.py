"""Throughput of `pfocr run`: figures per minute with 1 and 2 local workers and a 2-worker
local Dask cluster, the scaling efficiency, and the peak memory (RSS) of every process.

Renders a folder of pathway-like figures (``pfocr.classify.corpus``, the classifier's
training renders) once, then times a fresh `pfocr run --no-export` per configuration in a
subprocess, sampling the memory of its process tree as it runs.

    python scripts/bench_throughput.py [--figures 200] [--configs 1,2,dask:2] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import psutil

from pfocr.classify.corpus import render_example


def render(folder: Path, count: int) -> None:
    if folder.exists() and len(list(folder.glob("*.png"))) == count:
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for index in range(count):
        kind = "pathway" if index % 3 else "pathway_cartoon"
        render_example(kind, index).image.save(folder / f"bench{index:03d}.png")


def _tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return [process]


def measure(figures: Path, out: Path, config: str) -> dict[str, object]:
    """Run one configuration; wall time, store-side rate and per-process peak RSS."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "pfocr", "run", str(figures), "--out", str(out), "-q"]
    command += ["--no-export"]
    if config.startswith("dask:"):
        command += ["--dask", f"local:{config.split(':')[1]}"]
    else:
        command += ["-j", config]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root = psutil.Process(process.pid)
    peaks: dict[int, tuple[str, int]] = {}
    while process.poll() is None:
        for member in _tree(root):
            try:
                rss = member.memory_info().rss
                name = " ".join(member.cmdline()[1:4])[:60]
            except psutil.Error:
                continue
            if rss > peaks.get(member.pid, ("", 0))[1]:
                peaks[member.pid] = (name, rss)
        time.sleep(0.2)
    wall = time.monotonic() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    conn = sqlite3.connect(out / "pfocr.sqlite")
    stored, first, last = conn.execute(
        "SELECT count(*), min(processed_at), max(processed_at) FROM figures"
    ).fetchone()
    conn.close()
    span = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()
    workers = sorted((rss for pid, (_, rss) in peaks.items() if pid != process.pid), reverse=True)
    return {
        "config": config,
        "exit_status": process.returncode,
        "figures": stored,
        "wall_seconds": round(wall, 1),
        "figures_per_minute": round(stored / wall * 60, 1),
        # from the first to the last figure stored: start-up (model loading) left out
        "steady_figures_per_minute": round((stored - 1) / span * 60, 1) if span > 0 else None,
        "peak_rss_main_mb": round(peaks.get(process.pid, ("", 0))[1] / 2**20),
        "peak_rss_children_mb": [round(rss / 2**20) for rss in workers],
        "stderr_tail": stderr.strip().splitlines()[-3:],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--figures", type=int, default=200)
    parser.add_argument("--configs", default="1,2,dask:2")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="pfocr-bench-"))
    figures = work / "figures"
    render(figures, args.figures)
    results = []
    for config in args.configs.split(","):
        result = measure(figures, work / f"out-{config.replace(':', '-')}", config)
        results.append(result)
        print(json.dumps(result), file=sys.stderr, flush=True)
    base = next((r for r in results if r["config"] == "1"), None)
    for result in results:
        count = int(str(result["config"]).split(":")[-1])
        if base and count > 1:
            for key in ("figures_per_minute", "steady_figures_per_minute"):
                if result[key] and base[key]:
                    result[f"scaling_efficiency_{key}"] = round(
                        float(result[key]) / float(base[key]) / count, 2
                    )
    print(json.dumps({"cpus": psutil.cpu_count(), "results": results}, indent=1))
    return 0 if all(r["exit_status"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
