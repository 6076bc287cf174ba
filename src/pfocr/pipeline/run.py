"""Orchestrate a run: discover inputs, skip what the store already has, process the
rest in-process or in a process pool, and write each result as it arrives.

The main process is the only writer of the store. Work is keyed by content
(image hash + settings), so a second run does nothing new and a killed run
resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from pfocr.errors import PfocrError
from pfocr.models import Figure, FigureResult, IngestFailure
from pfocr.pipeline.process import (
    PipelineSettings,
    StageFailure,
    ocr_key,
    process_figure,
    recognise_key,
    warm_up,
)
from pfocr.store import db

logger = logging.getLogger(__name__)

#: Called after each figure: (figid, outcome) with outcome one of
#: "processed", "reused", "unchanged", "failed".
ProgressCallback = Callable[[str, str], None]


@dataclass
class RunSummary:
    run_id: int
    store: Path
    figures: int = 0
    processed: int = 0
    rerecognised: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[StageFailure] = field(default_factory=list)
    seconds_per_figure: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0


class _InlineExecutor(Executor):
    """Runs each task at submit time, in this process; same interface as a pool."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def make_executor(workers: int, settings: PipelineSettings) -> Executor:
    """In-process for one worker, else a process pool that loads the models once per worker."""
    if workers <= 1:
        return _InlineExecutor()
    return ProcessPoolExecutor(max_workers=workers, initializer=warm_up, initargs=(settings,))


def default_workers() -> int:
    """One worker per core, but OCR already uses two threads: two cores -> one worker."""
    return max(1, (os.cpu_count() or 1) // 2)


def run_pipeline(
    inputs: Sequence[str | Path],
    out_dir: Path,
    *,
    settings: PipelineSettings | None = None,
    workers: int = 1,
    force: bool = False,
    progress: ProgressCallback | None = None,
    on_total: Callable[[int], None] | None = None,
    command: str = "",
) -> RunSummary:
    """Process every figure of ``inputs`` into the store in ``out_dir``."""
    from pfocr.ingest import discover

    settings = settings or PipelineSettings()
    if workers > 1 and settings.threads is None:
        settings = dataclasses.replace(settings, threads=max(1, (os.cpu_count() or 1) // workers))
    conn = db.connect(db.store_path(out_dir))
    run_id = db.start_run(conn, settings.to_json(), command)
    summary = RunSummary(run_id=run_id, store=db.store_path(out_dir))
    notify = progress or (lambda figid, outcome: None)

    items = list(discover(inputs))
    if on_total:
        on_total(len(items))
    rkey = recognise_key(settings)

    def fail(failure: StageFailure) -> None:
        summary.failed += 1
        summary.failures.append(failure)
        db.record_failure(
            conn,
            run_id,
            source=failure.source,
            stage=failure.stage,
            error_class=failure.error_class,
            message=failure.message,
            figid=failure.figid,
        )
        logger.debug("failed %s at %s: %s", failure.source, failure.stage, failure.message)
        notify(failure.figid, "failed")

    def store(result: FigureResult, okey: str, reused: bool) -> None:
        db.save_result(conn, result, ocr_key=okey, recognise_key=rkey, run_id=run_id)
        if reused:
            summary.rerecognised += 1
        else:
            summary.processed += 1
            summary.seconds_per_figure.append(result.seconds)
        notify(result.figure.figid, "reused" if reused else "processed")

    executor = make_executor(workers, settings)
    pending: dict[Future, tuple[str, bool]] = {}
    limit = max(2, workers * 2)

    def drain(block_until: int) -> None:
        while len(pending) > block_until:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                okey, reused = pending.pop(future)
                try:
                    outcome = future.result()
                except PfocrError as exc:  # pragma: no cover - process_figure returns failures
                    raise exc
                if isinstance(outcome, StageFailure):
                    fail(outcome)
                else:
                    store(outcome, okey, reused)

    try:
        for item in _figures(items, fail):
            summary.figures += 1
            task = _plan(conn, item, settings, rkey, force, fail)
            if task is None:
                continue
            if task == "unchanged":
                summary.unchanged += 1
                notify(item.figid, "unchanged")
                continue
            data, sha, okey, tokens = task
            future = executor.submit(process_figure, item, data, sha, settings, tokens)
            pending[future] = (okey, tokens is not None)
            drain(limit)
        drain(0)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        db.finish_run(
            conn,
            run_id,
            db.RunCounts(
                figures=summary.figures,
                processed=summary.processed + summary.rerecognised,
                reused=summary.unchanged,
                failed=summary.failed,
            ),
        )
        conn.close()
    return summary


def _figures(
    items: Iterable[Figure | IngestFailure], fail: Callable[[StageFailure], None]
) -> Iterator[Figure]:
    for item in items:
        if isinstance(item, IngestFailure):
            fail(
                StageFailure(
                    figid=item.figid or "",
                    source=item.source,
                    stage=item.stage,
                    error_class="IngestError",
                    message=item.message,
                )
            )
        else:
            yield item


def _plan(conn, figure, settings, rkey, force, fail):  # type: ignore[no-untyped-def]
    """Decide the work left for a figure: None (failed), 'unchanged', or the task inputs."""
    from pfocr.ingest import read_image_bytes, sha256_bytes

    try:
        data = read_image_bytes(figure)
    except PfocrError as exc:
        fail(StageFailure(figure.figid, figure.source, "read", type(exc).__name__, str(exc)))
        return None
    sha = sha256_bytes(data)
    okey = ocr_key(sha, settings)
    state = db.stored_state(conn, figure.figid)
    if state is not None and not force and state.ocr_key == okey:
        if state.recognise_key == rkey:
            if state.metadata != figure.metadata():
                db.update_metadata(conn, figure)
            return "unchanged"
        return data, sha, okey, db.load_tokens(conn, figure.figid)
    return data, sha, okey, None
