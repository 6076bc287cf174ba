"""Kill a real `pfocr run` process mid-run, run again: every figure once, store intact."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rendering import render_pathway

pytestmark = [pytest.mark.ocr, pytest.mark.slow]

GENES = ("EGFR", "KRAS", "TP53", "MTOR", "AKT1", "PTEN", "BRAF", "MDM2", "ATM", "GRB2")


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(db, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM figures").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def test_killed_run_resumes_with_every_figure_once(tmp_path):
    figures = tmp_path / "figures"
    figures.mkdir()
    for index, gene in enumerate(GENES):
        render_pathway(figures / f"fig{index:02d}.png", (gene, GENES[index - 1]))
    out = tmp_path / "out"
    db = out / "pfocr.sqlite"
    command = [
        sys.executable,
        "-m",
        "pfocr",
        "run",
        str(figures),
        "--out",
        str(out),
        "-q",
        "-j",
        "1",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _stored(db) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done_before = _stored(db)
    assert 3 <= done_before < len(GENES)

    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    figids = [row[0] for row in conn.execute("SELECT figid FROM figures")]
    assert sorted(figids) == [f"fig{i:02d}" for i in range(len(GENES))]
    runs = conn.execute("SELECT status, n_processed, n_reused FROM runs ORDER BY run_id").fetchall()
    assert runs[0][0] == "interrupted"
    assert runs[1] == ("finished", len(GENES) - done_before, done_before)
    for index, gene in enumerate(GENES):
        symbols = {
            row[0]
            for row in conn.execute(
                "SELECT hgnc_symbol FROM mentions WHERE figid = ?", (f"fig{index:02d}",)
            )
        }
        assert gene in symbols, (index, symbols)
