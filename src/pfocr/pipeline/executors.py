"""Where figures are processed: in this process, in a local process pool, or on a Dask cluster.

Every executor runs the same pure task function and hands back ``concurrent.futures``
futures, so the run loop (``dispatch``) is the same for all of them and the main process
stays the only writer of the store. ``dispatch`` retries a task whose worker died or that
raised (a transient error), and reports it as failed, with the reason, after the last try.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol

from pfocr.errors import PfocrError

logger = logging.getLogger(__name__)

#: Tries after the first when a task's worker dies or the task raises.
DEFAULT_RETRIES = 2


class ExecutorError(PfocrError):
    """An executor could not be started (bad cluster address, Dask not installed)."""


class FigureExecutor(Protocol):
    """Runs task functions somewhere and returns standard futures."""

    #: Short description for logs and run records (``"process pool (2 workers)"``).
    name: str
    #: Tasks worth keeping in flight at once.
    capacity: int

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Start ``fn(*args)``; the future holds its return value or exception."""
        ...

    def recover(self, future: Future, error: BaseException) -> None:
        """Called when a task failed with ``error``; restart what broke, if anything."""
        ...

    def shutdown(self) -> None:
        """Stop the workers and release the resources."""
        ...


class InlineExecutor:
    """Runs each task at submit time in this process: no pickling, easy to debug."""

    name = "in-process"
    capacity = 1

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def recover(self, future: Future, error: BaseException) -> None:
        return None

    def shutdown(self) -> None:
        return None


def _watch_parent(parent: int) -> None:
    """Exit this worker when the process that started it is gone (e.g. killed with SIGKILL).

    A pool worker whose parent was killed would otherwise wait for work forever.
    """

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="pfocr-parent-watch", daemon=True).start()


def _pool_initializer(
    parent: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]
) -> None:
    _watch_parent(parent)
    if initializer is not None:
        initializer(*initargs)


class LocalPoolExecutor:
    """A pool of worker processes on this machine, rebuilt when a worker dies."""

    def __init__(
        self,
        workers: int,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        self.workers = max(1, workers)
        self.name = f"process pool ({self.workers} workers)"
        self.capacity = self.workers
        self._initializer = initializer
        self._initargs = initargs
        self._generation = 0
        self._born: weakref.WeakKeyDictionary[Future, int] = weakref.WeakKeyDictionary()
        self.restarts = 0
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            initializer=_pool_initializer,
            initargs=(os.getpid(), self._initializer, self._initargs),
        )

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        try:
            future = self._pool.submit(fn, *args)
        except BrokenProcessPool:
            self._restart()
            future = self._pool.submit(fn, *args)
        self._born[future] = self._generation
        return future

    def recover(self, future: Future, error: BaseException) -> None:
        """A dead worker breaks the whole pool: start a new one, once per breakage."""
        if isinstance(error, BrokenProcessPool):
            born = self._born.get(future, self._generation)
            if born == self._generation:
                self._restart()

    def _restart(self) -> None:
        logger.warning("a worker process died; starting a new process pool")
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._generation += 1
        self.restarts += 1
        self._pool = self._new_pool()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Tasks on a Dask distributed cluster: ``tcp://host:8786``, or ``local:N`` for a
    LocalCluster of N worker processes started here (and stopped at the end).

    The scheduler moves the tasks of a worker that died to other workers; a task that
    kills several workers comes back as ``KilledWorker`` and is retried by ``dispatch``.
    """

    def __init__(
        self,
        address: str,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
        *,
        processes: bool = True,
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError(
                "--dask needs the distributed package: pip install 'pfocr[dask]'"
            ) from None
        self._cluster = None
        if address.startswith("local"):
            # The scheduler lives in this process: its shutdown chatter is not worth showing.
            logging.getLogger("distributed").setLevel(logging.WARNING)
            count = address.partition(":")[2] or str(os.cpu_count() or 1)
            if not count.isdigit() or int(count) < 1:
                raise ExecutorError(f"--dask {address}: expected local:N with N >= 1 workers")
            self._cluster = LocalCluster(
                n_workers=int(count),
                threads_per_worker=1,
                processes=processes,
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            )
            target: Any = self._cluster
        else:
            target = address
        try:
            self._client = Client(target, timeout=30)
        except (OSError, TimeoutError) as exc:
            if self._cluster is not None:
                self._cluster.close()
            raise ExecutorError(
                f"--dask {address}: cannot reach the scheduler ({exc}); check the address "
                "and that the scheduler is running"
            ) from None
        workers = self._client.scheduler_info().get("workers", {})
        threads = sum(int(info.get("nthreads", 1)) for info in workers.values()) or 1
        self.capacity = threads
        self.name = f"dask {address} ({len(workers)} workers, {threads} threads)"
        if initializer is not None:
            self._client.run(initializer, *initargs)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()

        def settle(remote: Any) -> None:
            try:
                if remote.status == "finished":
                    future.set_result(remote.result())
                elif remote.status == "cancelled":
                    future.set_exception(RuntimeError("task was cancelled by the scheduler"))
                else:
                    future.set_exception(remote.exception())
            except BaseException as exc:  # the scheduler went away while we asked
                if not future.done():
                    future.set_exception(exc)

        remote = self._client.submit(fn, *args, pure=False)
        remote.add_done_callback(settle)
        # Keep the remote future alive until it settles, else Dask forgets the task.
        future.add_done_callback(lambda _: remote.release())
        return future

    def recover(self, future: Future, error: BaseException) -> None:
        return None

    def shutdown(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(
    workers: int,
    dask: str | None = None,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> FigureExecutor:
    """Dask when an address is given, else in-process for one worker, else a process pool."""
    if dask:
        return DaskExecutor(dask, initializer, initargs)
    if workers <= 1:
        if initializer is not None:
            initializer(*initargs)
        return InlineExecutor()
    return LocalPoolExecutor(workers, initializer, initargs)


def default_workers() -> int:
    """One worker per two cores: OCR already runs two threads in each worker."""
    return max(1, (os.cpu_count() or 1) // 2)


@dataclass
class Task:
    """One unit of work: ``key`` names it in errors, ``context`` travels to the callbacks."""

    key: str
    args: tuple[Any, ...]
    context: Any = None
    attempts: int = 0
    errors: list[str] = field(default_factory=list)


def describe_error(error: BaseException) -> str:
    """``"BrokenProcessPool: a worker died"``: class and first line of the message."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def dispatch(
    executor: FigureExecutor,
    tasks: Iterable[Task],
    fn: Callable[..., Any],
    on_result: Callable[[Task, Any], None],
    on_failure: Callable[[Task, BaseException], None],
    *,
    retries: int = DEFAULT_RETRIES,
    window: int | None = None,
) -> None:
    """Run ``fn(*task.args)`` for every task on ``executor``, keeping ``window`` in flight.

    Results are handed to ``on_result`` in this thread as they arrive (in completion
    order). A task that raised, or whose worker died, is submitted again up to ``retries``
    times; then ``on_failure`` gets it with the last error (``task.errors`` lists them all).
    ``tasks`` is consumed lazily, so planning the next task overlaps with the work in flight.
    """
    limit = window or max(2, executor.capacity * 2)
    pending: dict[Future, Task] = {}

    def settle(future: Future, task: Task) -> None:
        error = future.exception()
        if error is None:
            on_result(task, future.result())
            return
        task.attempts += 1
        task.errors.append(describe_error(error))
        executor.recover(future, error)
        if task.attempts <= retries:
            logger.warning("retrying %s (try %d): %s", task.key, task.attempts + 1, task.errors[-1])
            pending[executor.submit(fn, *task.args)] = task
        else:
            on_failure(task, error)

    def drain(until: int) -> None:
        while len(pending) > until:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                settle(future, pending.pop(future))

    for task in tasks:
        pending[executor.submit(fn, *task.args)] = task
        drain(limit - 1)
    drain(0)
