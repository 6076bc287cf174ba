"""Kill a real `pfocr run` with SIGKILL at a few moments (start-up, mid-run in a process pool,
mid-run in-process), run again: every figure stored exactly once, the store intact, nothing
stored earlier done again, no worker process left behind."""

from __future__ import annotations

import os
import random
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


def _stored(db: Path) -> dict[str, tuple[int, str]]:
    """figid -> (run that stored it, when), read like any other reader would."""
    if not db.exists():
        return {}
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            rows = conn.execute("SELECT figid, run_id, processed_at FROM figures").fetchall()
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return {}
    return {figid: (run, at) for figid, run, at in rows}


def _command(figures: Path, out: Path, workers: int) -> list[str]:
    run = ["run", str(figures), "--out", str(out), "-q", "-j", str(workers)]
    return [sys.executable, "-m", "pfocr", *run]


def _kill(command: list[str], db: Path, *, after_stored: int = 0, after_s: float = 0.0) -> None:
    """Start a run and SIGKILL it once ``after_stored`` figures are stored (or after a time)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + (after_s or 120)
    while process.poll() is None and time.monotonic() < deadline:
        if after_stored and len(_stored(db)) >= after_stored:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the run finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def _leftovers(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline:
                found.append(cmdline)
    return found


def test_killed_runs_resume_with_every_figure_once(tmp_path):
    figures = tmp_path / "figures"
    figures.mkdir()
    for index, gene in enumerate(GENES):
        render_pathway(figures / f"fig{index:02d}.png", (gene, GENES[index - 1]))
    out = tmp_path / "out"
    db = out / "pfocr.sqlite"
    history: list[dict[str, tuple[int, str]]] = []

    _kill(_command(figures, out, 1), db, after_s=random.Random(7).uniform(0.2, 2.0))
    history.append(_stored(db))
    _kill(_command(figures, out, 2), db, after_stored=2)  # a process pool, mid-run
    history.append(_stored(db))
    _kill(_command(figures, out, 1), db, after_stored=len(history[-1]) + 2)
    history.append(_stored(db))
    done_before = len(history[-1])
    assert 4 <= done_before < len(GENES)

    finished = subprocess.run(
        _command(figures, out, 1), capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr
    final = _stored(db)
    assert sorted(final) == [f"fig{i:02d}" for i in range(len(GENES))]
    for snapshot in history:  # nothing stored was ever processed again
        assert {figid: final[figid] for figid in snapshot} == snapshot

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    runs = conn.execute("SELECT status, n_processed, n_reused FROM runs ORDER BY run_id").fetchall()
    assert {status for status, _, _ in runs[:-1]} == {"interrupted"}
    assert runs[-1] == ("finished", len(GENES) - done_before, done_before)
    for index, gene in enumerate(GENES):
        symbols = {
            row[0]
            for row in conn.execute(
                "SELECT hgnc_symbol FROM mentions WHERE figid = ?", (f"fig{index:02d}",)
            )
        }
        assert gene in symbols, (index, symbols)
    conn.close()
    time.sleep(1.5)  # pool workers of the killed run notice their parent is gone within 1 s
    assert _leftovers(str(out)) == []
