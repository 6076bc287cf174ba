"""Orchestrate a run: discover inputs, skip what the store already has, process the
rest on an executor (in-process, a local process pool or a Dask cluster), and write
each result as it arrives.

The main process is the only writer of the store. Work is keyed by content
(image hash + settings), so a second run does nothing new and a killed run
resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pfocr.errors import PfocrError
from pfocr.models import Figure, FigureResult, IngestFailure, OcrToken
from pfocr.pipeline.executors import (
    DEFAULT_RETRIES,
    FigureExecutor,
    Task,
    default_workers,
    dispatch,
    make_executor,
)
from pfocr.pipeline.process import (
    PipelineSettings,
    StageFailure,
    ocr_key,
    process_figure,
    recognise_key,
    warm_up,
)
from pfocr.store import db

__all__ = ["ProgressCallback", "RunSummary", "default_workers", "make_executor", "run_pipeline"]

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
    #: Figures of this run that share one image (sorted figids per image); all are kept.
    duplicate_groups: list[tuple[str, ...]] = field(default_factory=list)
    #: Where the figures were processed (``"process pool (2 workers)"``).
    executor: str = ""
    #: Tasks submitted again after their worker died or raised.
    retried: int = 0

    @property
    def ok(self) -> bool:
        return self.failed == 0

    @property
    def duplicates(self) -> int:
        """Figures whose image another figure of the run also has (all but one per image)."""
        return sum(len(group) - 1 for group in self.duplicate_groups)


@dataclass(frozen=True)
class _Planned:
    """What the writer needs to store a task's result."""

    okey: str
    reused: bool


def run_pipeline(
    inputs: Sequence[str | Path],
    out_dir: Path,
    *,
    settings: PipelineSettings | None = None,
    workers: int = 1,
    dask: str | None = None,
    executor: FigureExecutor | None = None,
    retries: int = DEFAULT_RETRIES,
    force: bool = False,
    progress: ProgressCallback | None = None,
    on_total: Callable[[int], None] | None = None,
    command: str = "",
) -> RunSummary:
    """Process every figure of ``inputs`` into the store in ``out_dir``.

    ``workers`` > 1 uses a local process pool; ``dask`` (``tcp://host:8786`` or
    ``local:N``) a Dask cluster instead; or pass a ready ``executor``. Tasks whose worker
    died or that raised are tried ``retries`` more times, then recorded in the store's
    failures (stage ``worker``).
    """
    from pfocr.ingest import discover
    from pfocr.ingest.postprocess import duplicate_groups

    settings = settings or PipelineSettings()
    settings = _thread_settings(settings, workers, dask)
    executor = executor or make_executor(workers, dask, warm_up, (settings,))
    conn = db.connect(db.store_path(out_dir))
    run_id = db.start_run(conn, settings.to_json(), command)
    summary = RunSummary(run_id=run_id, store=db.store_path(out_dir), executor=executor.name)
    notify = progress or (lambda figid, outcome: None)
    hashes: list[tuple[str, str]] = []

    items = list(discover(inputs))
    if on_total:
        on_total(len(items))
    rkey = recognise_key(settings)

    def fail(failure: StageFailure) -> None:
        failure = _printable_failure(failure)
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

    def on_result(task: Task, outcome: FigureResult | StageFailure) -> None:
        summary.retried += task.attempts
        if isinstance(outcome, StageFailure):
            fail(outcome)
            return
        planned: _Planned = task.context
        db.save_result(conn, outcome, ocr_key=planned.okey, recognise_key=rkey, run_id=run_id)
        if planned.reused:
            summary.rerecognised += 1
        else:
            summary.processed += 1
            summary.seconds_per_figure.append(outcome.seconds)
        notify(outcome.figure.figid, "reused" if planned.reused else "processed")

    def on_failure(task: Task, error: BaseException) -> None:
        summary.retried += task.attempts - 1
        figure: Figure = task.args[0]
        tries = task.attempts
        fail(
            StageFailure(
                figid=figure.figid,
                source=figure.source,
                stage="worker",
                error_class=type(error).__name__,
                message=(
                    f"{figure.source}: figure {figure.figid} failed on {tries} tries "
                    f"({'; '.join(dict.fromkeys(task.errors))}); it is tried again next run"
                ),
            )
        )

    def tasks() -> Iterator[Task]:
        for item in _figures(items, fail):
            summary.figures += 1
            planned = _plan(conn, item, settings, rkey, force, fail)
            if planned is None:
                continue
            data, sha, okey, tokens = planned
            hashes.append((item.figid, sha))
            if okey is None:
                summary.unchanged += 1
                notify(item.figid, "unchanged")
                continue
            yield Task(
                key=item.figid,
                args=(item, data, sha, settings, tokens),
                context=_Planned(okey=okey, reused=tokens is not None),
            )

    try:
        dispatch(executor, tasks(), process_figure, on_result, on_failure, retries=retries)
    finally:
        executor.shutdown()
        summary.duplicate_groups = duplicate_groups(hashes)
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


def _thread_settings(
    settings: PipelineSettings, workers: int, dask: str | None
) -> PipelineSettings:
    """Share this machine's cores between local workers; remote workers decide for themselves."""
    if settings.threads is not None:
        return settings
    local = workers
    if dask:
        count = dask.partition(":")[2] if dask.startswith("local") else ""
        local = int(count) if count.isdigit() else 0
    if local > 1:
        return dataclasses.replace(settings, threads=max(1, (os.cpu_count() or 1) // local))
    return settings


def _printable_failure(failure: StageFailure) -> StageFailure:
    """Undecodable bytes of a file name, shown as ``\\xNN``, so the store can hold them."""
    from pfocr.ingest.metadata import printable_name

    fields = (failure.figid, failure.source, failure.message)
    clean = tuple(printable_name(text) for text in fields)
    if clean == fields:
        return failure
    return dataclasses.replace(failure, figid=clean[0], source=clean[1], message=clean[2])


def _figures(
    items: Iterable[Figure | IngestFailure], fail: Callable[[StageFailure], None]
) -> Iterator[Figure]:
    """The figures of discovery with PFOCR's metadata clean-up applied; failures recorded."""
    from pfocr.ingest.postprocess import clean_metadata

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
            continue
        try:
            yield clean_metadata(item)
        except PfocrError as exc:
            fail(StageFailure(item.figid, item.source, "ingest", type(exc).__name__, str(exc)))


def _plan(
    conn: sqlite3.Connection,
    figure: Figure,
    settings: PipelineSettings,
    rkey: str,
    force: bool,
    fail: Callable[[StageFailure], None],
) -> tuple[bytes, str, str | None, list[OcrToken] | None] | None:
    """The work left for a figure: None (failed), or (data, sha, OCR key, stored tokens)
    where a None OCR key means the store already has the figure's result."""
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
            return data, sha, None, None
        return data, sha, okey, db.load_tokens(conn, figure.figid)
    return data, sha, okey, None
