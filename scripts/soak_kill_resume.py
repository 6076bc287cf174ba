"""Soak test of resumability: kill `pfocr run` with SIGKILL at random moments, many times.

Renders a folder of small pathway figures, then repeatedly starts `pfocr run` on it and
kills it after a random delay (during start-up, OCR, store writes or export), checking
after every kill that the store is intact and that no figure stored earlier was processed
again. A final uninterrupted run must finish every figure. Reports kills, lost and
duplicated figures, `PRAGMA integrity_check` and leftover worker processes.

    python scripts/soak_kill_resume.py --kills 50 --figures 40 --workers 2 [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

GENES = (
    "EGFR", "KRAS", "TP53", "MTOR", "AKT1", "PTEN", "BRAF", "MDM2", "ATM", "GRB2", "SOS1",
    "MAP2K1", "MAPK1", "PIK3CA", "RAF1", "JAK2", "STAT3", "NFKB1", "TNF", "IL6", "CDK4",
    "RB1", "E2F1", "MYC", "BCL2", "BAX", "CASP3", "SMAD4", "TGFB1", "WNT1",
)  # fmt: skip


def render_figures(folder: Path, count: int, seed: int) -> list[str]:
    """``count`` small diagrams of boxed gene labels joined by lines; returns their figids."""
    rng = random.Random(seed)
    font = ImageFont.load_default(size=22)
    folder.mkdir(parents=True, exist_ok=True)
    figids = []
    for index in range(count):
        labels = rng.sample(GENES, 4)
        image = Image.new("RGB", (460, 60 * len(labels) + 30), "white")
        draw = ImageDraw.Draw(image)
        for row, label in enumerate(labels):
            y = 15 + row * 60
            draw.rectangle((140, y, 320, y + 38), outline="black", width=2)
            draw.text((160, y + 6), label, fill="black", font=font)
            if row:
                draw.line((230, y - 22, 230, y), fill="black", width=2)
        figid = f"soak{index:03d}"
        image.save(folder / f"{figid}.png")
        figids.append(figid)
    return figids


def snapshot(db: Path) -> dict[str, tuple[int, str, str, str]]:
    """figid -> (run that stored it, when, OCR key, recognition key), read like any reader."""
    if not db.exists():
        return {}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute(
            "SELECT figid, run_id, processed_at, ocr_key, recognise_key FROM figures"
        ).fetchall()
    except sqlite3.OperationalError:  # killed before the schema was created
        return {}
    finally:
        conn.close()
    return {row[0]: tuple(row[1:]) for row in rows}


def compare(
    before: dict[str, tuple], after: dict[str, tuple], duplicated: set[str], recomputed: set[str]
) -> None:
    """A figure stored before and written again: a duplicate, unless its keys changed (the
    code or settings changed between the runs, so redoing it was right)."""
    for figid, stored in before.items():
        now = after.get(figid)
        if now == stored:
            continue
        if now is not None and now[2:] != stored[2:]:
            recomputed.add(figid)
        else:
            duplicated.add(figid)


def isolated_code(work: Path) -> dict[str, str]:
    """A copy of the pfocr sources for the soak's runs, so edits made meanwhile to the
    working tree do not change the keys (and so the work) halfway through."""
    import pfocr

    source = Path(pfocr.__file__).resolve().parent
    target = work / "code" / "pfocr"
    if not target.exists():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(target.parent), env.get("PYTHONPATH")]))
    return env


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def leftover_processes(marker: str) -> list[int]:
    """Processes still running whose command line names this soak's output folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline:
            found.append(int(entry.name))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--figures", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=8.0, help="longest run before a kill")
    parser.add_argument("--work", type=Path, default=None, help="folder to use (default: temp)")
    parser.add_argument(
        "--live-code", action="store_true", help="run the working tree, not a copy of it"
    )
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="pfocr-soak-"))
    figures, out = work / "figures", work / "out"
    db = out / "pfocr.sqlite"
    figids = render_figures(figures, args.figures, args.seed)
    rng = random.Random(args.seed)
    command = [sys.executable, "-m", "pfocr", "run", str(figures), "--out", str(out), "-q"]
    command += ["-j", str(args.workers)]

    env = None if args.live_code else isolated_code(work)
    duplicated: set[str] = set()
    recomputed: set[str] = set()
    bad_integrity: list[str] = []
    kills = finished_early = resets = 0
    seen = snapshot(db)
    started = time.monotonic()
    while kills < args.kills:
        if len(seen) == len(figids):
            # Everything is stored: start over on a copy of the work so kills keep landing
            # mid-processing. The history so far has been checked.
            for path in out.glob("pfocr.sqlite*"):
                path.unlink()
            seen = {}
            resets += 1
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        time.sleep(rng.uniform(0.2, args.max_delay))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        else:
            finished_early += 1
        process.wait()
        now = snapshot(db)
        compare(seen, now, duplicated, recomputed)
        if db.exists():
            check = integrity(db)
            if check != "ok":
                bad_integrity.append(check)
        seen = now
        print(f"kill {kills}: {len(now)}/{len(figids)} stored", file=sys.stderr, flush=True)

    final = subprocess.run(command, capture_output=True, text=True, timeout=3600, env=env)
    after = snapshot(db)
    compare(seen, after, duplicated, recomputed)
    time.sleep(2.5)  # pool workers of killed runs notice their parent is gone within 1 s
    conn = sqlite3.connect(db)
    runs = conn.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall()
    conn.close()
    report = {
        "kills": kills,
        "runs_that_finished_before_the_kill": finished_early,
        "figures": len(figids),
        "final_exit_status": final.returncode,
        "lost": sorted(set(figids) - set(after)),
        "duplicated": sorted(duplicated),
        "recomputed_after_a_code_change": len(recomputed),
        "integrity_check": integrity(db),
        "integrity_failures_after_kills": bad_integrity,
        "runs_by_status": dict(runs),
        "leftover_processes": leftover_processes(str(out)),
        "resets_after_a_full_store": resets,
        "seconds": round(time.monotonic() - started, 1),
        "work": str(work),
    }
    print(json.dumps(report, indent=1))
    ok = (
        not report["lost"]
        and not report["duplicated"]
        and report["integrity_check"] == "ok"
        and not bad_integrity
        and final.returncode == 0
        and not report["leftover_processes"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
