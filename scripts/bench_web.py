"""Load measurements of the web server and the enrichment on a 100k-figure store.

Builds (once, then reuses) a synthetic store through the real store API, starts
``pfocr serve`` in a subprocess on a free localhost port, and measures with 20 concurrent
clients (threads, each with a keep-alive httpx client):

* ``/api/query?gene=SYMBOL`` latency (p50/p95/p99), random genes drawn by popularity;
* ``/figure/<figid>`` page latency, random figures;
* enrichment of a 200-gene list: in-process (library already loaded) and via ``/api/enrich``.

Latencies are measured in the server's steady state: after it has stored every figure's
API document (it does so in the background after starting; the time taken is printed).

Targets: gene query p95 <= 50 ms, figure page p95 <= 100 ms, enrichment <= 200 ms.

    .venv/bin/python scripts/bench_web.py --figures 100000 --out /tmp/pfocr-bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from pfocr.enrich import GeneSetLibrary, enrich
from pfocr.store.db import store_path
from pfocr.web.sample import synthetic_results, write_png, write_store
from pfocr.web.testing import free_port


def ensure_store(out: Path, figures: int) -> Path:
    path = store_path(out)
    if path.exists():
        conn = sqlite3.connect(path)
        have = conn.execute("SELECT count(*) FROM figures").fetchone()[0]
        conn.close()
        if have == figures:
            print(f"reusing {path} ({have} figures)")
            return path
        path.unlink()
    png = write_png(out / "figure.png", 1000, 800)
    started = time.perf_counter()
    write_store(out, synthetic_results(figures, image_path=str(png)), fast=True)
    print(f"built {path}: {figures} figures in {time.perf_counter() - started:.0f}s")
    return path


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(name: str, latencies: list[float], seconds: float) -> dict[str, float]:
    ms = [v * 1000 for v in latencies]
    row = {
        "requests": len(ms),
        "rps": round(len(ms) / seconds, 1),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1),
    }
    print(f"{name:<14} " + "  ".join(f"{k}={v}" for k, v in row.items()))
    return row


def load(base: str, paths: list[str], clients: int) -> tuple[list[float], float]:
    """``clients`` threads, each with its own keep-alive httpx client, share the paths."""
    latencies: list[float] = []
    queue = list(reversed(paths))
    lock = threading.Lock()
    errors: list[str] = []

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    path = queue.pop()
                started = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - started
                latencies.append(elapsed)
                if response.status_code != 200:
                    errors.append(f"{path}: {response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return latencies, time.perf_counter() - started


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(base + "/api/", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("server did not start")


def wait_documents(path: Path, figures: int, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    conn = sqlite3.connect(path, timeout=60)
    try:
        while time.monotonic() < deadline:
            try:
                done = conn.execute("SELECT count(*) FROM figure_documents").fetchone()[0]
            except sqlite3.OperationalError:
                done = 0
            if done >= figures:
                return
            time.sleep(1)
    finally:
        conn.close()
    raise RuntimeError("figure documents were not stored in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/pfocr-bench"))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="per measured route")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args()

    path = ensure_store(args.out, args.figures)
    conn = sqlite3.connect(path)
    figids = [row[0] for row in conn.execute("SELECT figid FROM figures")]
    # Genes weighted by how many figures show them: the genes of randomly drawn figures.
    drawn = random.Random(2).sample(figids, min(len(figids), 5000))
    marks = ",".join("?" for _ in drawn)
    popular = [
        row[0]
        for row in conn.execute(f"SELECT hgnc_symbol FROM mentions WHERE figid IN ({marks})", drawn)
    ]
    started = time.perf_counter()
    library = GeneSetLibrary.from_store(conn)
    load_seconds = time.perf_counter() - started
    conn.close()
    counts = [len(library.set_genes(f)) for f in random.Random(1).sample(figids, 2000)]
    print(f"median genes per figure: {statistics.median(counts)}; library load {load_seconds:.1f}s")

    rng = random.Random(3)
    query = list(dict.fromkeys(rng.sample(popular, 400)))[:200]
    enrich(library, query)  # builds the cached (organism, tier) view
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        result = enrich(library, query)
        timings.append(time.perf_counter() - started)
    enrich_ms = {
        "median_ms": round(statistics.median(timings) * 1000, 1),
        "max_ms": round(max(timings) * 1000, 1),
        "sets_tested": result.sets_tested,
        "query_genes": len(result.query),
    }
    print(f"enrichment     in-process 200 genes: {enrich_ms}")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "pfocr",
        "serve",
        str(path),
        "--port",
        str(port),
        "--workers",
        str(args.workers),
    ]
    server = subprocess.Popen(command, env={**os.environ})
    try:
        started = time.perf_counter()
        wait_ready(base, server)
        print(f"server ready in {time.perf_counter() - started:.1f}s ({args.workers} workers)")
        # The server stores every figure's API document in the background; measure the
        # steady state, once that is done.
        started = time.perf_counter()
        wait_documents(path, len(figids))
        print(f"figure documents stored in {time.perf_counter() - started:.0f}s")
        # Let every worker load its library before timing enrichment over HTTP.
        body = {"genes": query}
        for _ in range(args.workers * 3):
            httpx.post(base + "/api/enrich", json=body, timeout=300)
        http_enrich = []
        for _ in range(20):
            t0 = time.perf_counter()
            response = httpx.post(base + "/api/enrich", json=body, timeout=60)
            http_enrich.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.text
        enrich_ms["http_median_ms"] = round(statistics.median(http_enrich) * 1000, 1)
        enrich_ms["http_max_ms"] = round(max(http_enrich) * 1000, 1)
        print(f"enrichment     over HTTP: median {enrich_ms['http_median_ms']} ms")

        warm = [f"/api/query?gene={g}" for g in rng.sample(popular, 200)]
        load(base, warm, args.clients)
        gene_paths = [f"/api/query?gene={g}" for g in rng.choices(popular, k=args.requests)]
        figure_paths = [f"/figure/{f}" for f in rng.choices(figids, k=args.requests)]
        gene = summary("gene query", *load(base, gene_paths, args.clients))
        page = summary("figure page", *load(base, figure_paths, args.clients))
    finally:
        server.terminate()
        server.wait(timeout=30)
    numbers = {
        # Other processes on the machine share the CPUs: a load above the core count
        # inflates every latency here.
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "figures": args.figures,
        "clients": args.clients,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "gene_query": gene,
        "figure_page": page,
        "enrichment": enrich_ms,
        "targets_met": {
            "gene_query_p95<=50ms": gene["p95_ms"] <= 50,
            "figure_page_p95<=100ms": page["p95_ms"] <= 100,
            "enrichment<=200ms": enrich_ms["median_ms"] <= 200,
        },
    }
    print(json.dumps(numbers, indent=2))
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
