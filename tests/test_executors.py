"""Executors: a local process pool that survives dying workers, retries, and Dask."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from pfocr.pipeline.executors import (
    InlineExecutor,
    LocalPoolExecutor,
    Task,
    dispatch,
    make_executor,
)
from pfocr.pipeline.run import run_pipeline
from pfocr.store import connect, iter_records, store_path
from rendering import FIGURE_GENES, render_pathway


def die_once(marker: str, value: int) -> int:
    """Kill the worker process the first time it sees ``marker``, then succeed."""
    path = Path(marker)
    if not path.exists():
        path.write_text("died")
        os._exit(3)
    return value * 10


def always_die(value: int) -> int:
    if value == 2:
        os._exit(4)
    return value * 10


def flaky(marker: str, value: int) -> int:
    """Raise a transient error on the first call, succeed after."""
    path = Path(marker)
    if not path.exists():
        path.write_text("failed")
        raise OSError("temporary network hiccup")
    return value + 1


def _collect(executor, tasks, fn, retries=2):  # type: ignore[no-untyped-def]
    results: dict[str, object] = {}
    failures: dict[str, tuple[int, list[str]]] = {}
    try:
        dispatch(
            executor,
            tasks,
            fn,
            lambda task, value: results.__setitem__(task.key, value),
            lambda task, error: failures.__setitem__(task.key, (task.attempts, task.errors)),
            retries=retries,
        )
    finally:
        executor.shutdown()
    return results, failures


def test_pool_replaces_a_dead_worker_and_retries_its_task(tmp_path):
    executor = LocalPoolExecutor(2)
    tasks = [Task(key=f"t{i}", args=(str(tmp_path / f"m{i % 2}"), i)) for i in range(6)]
    results, failures = _collect(executor, tasks, die_once)
    assert failures == {}
    assert results == {f"t{i}": i * 10 for i in range(6)}
    assert executor.restarts >= 1


def test_a_task_that_always_kills_its_worker_fails_with_the_reason(tmp_path):
    executor = LocalPoolExecutor(2)
    tasks = [Task(key=f"t{i}", args=(i,)) for i in range(5)]
    results, failures = _collect(executor, tasks, always_die, retries=2)
    assert set(failures) == {"t2"}
    attempts, errors = failures["t2"]
    assert attempts == 3
    assert all(e.startswith("BrokenProcessPool") for e in errors)
    # innocent tasks that shared the broken pool were retried and finished
    assert results == {f"t{i}": i * 10 for i in range(5) if i != 2}


def test_transient_errors_are_retried_in_process(tmp_path):
    tasks = [Task(key="a", args=(str(tmp_path / "flag"), 1))]
    results, failures = _collect(InlineExecutor(), tasks, flaky)
    assert results == {"a": 2} and failures == {}


def test_without_retries_the_error_is_reported(tmp_path):
    tasks = [Task(key="a", args=(str(tmp_path / "flag"), 1))]
    results, failures = _collect(InlineExecutor(), tasks, flaky, retries=0)
    assert results == {}
    assert failures["a"] == (1, ["OSError: temporary network hiccup"])


def test_dask_threads_cluster_retries_transient_errors(tmp_path):
    pytest.importorskip("distributed")
    from pfocr.pipeline.executors import DaskExecutor

    executor = DaskExecutor("local:2", processes=False)
    assert executor.capacity == 2
    tasks = [Task(key=f"t{i}", args=(str(tmp_path / f"f{i}"), i)) for i in range(4)]
    results, failures = _collect(executor, tasks, flaky)
    assert failures == {}
    assert results == {f"t{i}": i + 1 for i in range(4)}


def test_bad_dask_address_is_a_clear_error():
    pytest.importorskip("distributed")
    from pfocr.pipeline.executors import ExecutorError

    with pytest.raises(ExecutorError, match="local:N"):
        make_executor(1, dask="local:zero")


@pytest.mark.ocr
@pytest.mark.slow
def test_run_on_a_local_dask_cluster_matches_in_process(tmp_path):
    """The same figures through a Dask cluster (scheduler, worker, futures; threads to keep
    the test quick: scripts/bench_throughput.py runs a process cluster) as in-process."""
    pytest.importorskip("distributed")
    from pfocr.pipeline.executors import DaskExecutor

    folder = tmp_path / "figures"
    folder.mkdir()
    for name, labels in list(FIGURE_GENES.items())[:2]:
        render_pathway(folder / f"{name}.png", labels)
    out = tmp_path / "dask"
    summary = run_pipeline([folder], out, executor=DaskExecutor("local:1", processes=False))
    assert summary.ok and summary.processed == 2
    assert summary.executor.startswith("dask local:1")
    conn = connect(store_path(out))
    try:
        found = {r.figure.figid: {m.hgnc_symbol for m in r.mentions} for r in iter_records(conn)}
    finally:
        conn.close()
    for name, labels in list(FIGURE_GENES.items())[:2]:
        assert set(labels) <= found[name], (name, found[name])
    runs = sqlite3.connect(store_path(out)).execute("SELECT status FROM runs").fetchall()
    assert runs == [("finished",)]


def test_run_cleans_metadata_and_reports_figures_sharing_an_image(tmp_path):
    """Titles get PFOCR's clean-up before planning; two figures with one image are both
    kept and reported as duplicates."""
    import io

    from PIL import Image

    folder = tmp_path / "figures"
    folder.mkdir()
    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), "white").save(buffer, format="PNG")
    for name in ("first", "second"):
        (folder / f"{name}.png").write_bytes(buffer.getvalue())
    (folder / "first.yml").write_text(
        "figure_title: 'Figure 2. Schematic representation of the Wnt signalling pathway.'\n"
        "citation: 'Doe J, et al. J Test. 2019 May;3(2):1-9.'\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    summary = run_pipeline([folder], out)
    assert summary.ok and summary.processed == 2
    assert summary.duplicate_groups == [("first", "second")] and summary.duplicates == 1
    conn = sqlite3.connect(store_path(out))
    try:
        rows = dict(conn.execute("SELECT figid, figtitle || '|' || year FROM figures"))
    finally:
        conn.close()
    assert rows["first"] == "Wnt signalling pathway|2019"
    again = run_pipeline([folder], out)  # cleaned metadata matches what is stored
    assert again.unchanged == 2 and again.duplicates == 1
