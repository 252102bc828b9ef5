"""Work over many files in several processes: the repository scans of `plan` and `apply` (issue 11), and one
piece of work in the background while the parent goes on (`in_background`).

Reading the tests that reach the monolith (parsing each with `ast`) can cost more than analysing the monolith
itself. On Linux the items are cut into contiguous batches of about equal size and each batch but the first runs
in a forked child, which starts with everything imported and the sources already in memory; the results come back
pickled through a pipe and are joined in item order, so the output is the same as one process would give.
Elsewhere (no `fork`), with one CPU, with little work, or with `SPLITTER_JOBS=1`, it all runs in this process.
"""

from __future__ import annotations

import os
import signal
import sys
from itertools import accumulate, pairwise
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Next = TypeVar("Next")

MIN_WORK = 300_000  # characters of source: about 0.1 s of parsing, well above the cost of a fork
MAX_JOBS = 8


def fan_out(
    work: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], sizes: Sequence[int]
) -> list[Result]:
    """`work(items)`, possibly computed as `work(batch)` per batch in several processes; `sizes[i]` is how much
    work item i is (its length in characters). `work` must return one list whose parts can be pickled."""
    batches = _batches(items, sizes, _jobs(sum(sizes)))
    if len(batches) < 2:
        return work(items)
    children = [_start(work, batch) for batch in batches[1:]]
    try:
        results = work(batches[0])
    finally:  # each child is read and reaped, even when this process's own batch failed
        outcomes = [_finish(pid, pipe) for pid, pipe in children]
    for status, value in outcomes:
        if status != "ok":
            raise value  # the worker's own exception: the same error a single process would raise
        results.extend(value)
    return results


def _finish(pid: int, pipe: int) -> tuple[str, object]:
    outcome = _read(pipe)
    os.waitpid(pid, 0)
    return outcome


def _read(pipe: int) -> tuple[str, object]:
    """What a child wrote to `pipe` before it exited (the caller reaps the child: only its parent can)."""
    with os.fdopen(pipe, "rb") as stream:
        payload = stream.read()
    import pickle  # here, not at the top: a run that never forks never pays for it

    return pickle.loads(payload) if payload else ("error", RuntimeError("a worker process died"))


def _jobs(total: int) -> int:
    if total < MIN_WORK:
        return 1
    return max(1, min(_processes(), MAX_JOBS, total // (MIN_WORK // 2)))


def _processes() -> int:
    """How many processes may work at once: `SPLITTER_JOBS`, else the CPUs this process may run on."""
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return 1  # macOS frameworks are not fork-safe; Windows has no fork
    wanted = os.environ.get("SPLITTER_JOBS", "")
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return int(wanted) if wanted.isdigit() and int(wanted) > 0 else available


class Background(Generic[Result]):
    """`work()` running in a forked child while this process goes on (`in_background`)."""

    def __init__(self, pid: int, pipe: int, before: int | None = None) -> None:
        self._child: tuple[int, int] | None = (pid, pipe)
        self._before = before  # the child of the job this one continues (`then`): reaped with this one

    def result(self) -> Result:
        """Wait for the child and return what `work()` returned, or raise what it raised."""
        if self._child is None:
            raise RuntimeError("the result of a background job is read once")
        status, value = _finish(*self._child)
        self._child = None
        self._reap_before()
        if status != "ok":
            raise value
        return value

    def then(self, work: Callable[[Result], Next]) -> Background[Next]:
        """`work(result)` in a second child forked now, which reads this job's result itself: this process goes on
        with neither waited for, and the second child starts with what this process imported since the first
        (`apply` tidies the imports of the files its first child retargets once it has imported libcst). This
        job is then spent: read the returned one."""
        if self._child is None:
            raise RuntimeError("the result of a background job is read once")
        first, pipe = self._child
        self._child = None

        def follow(_nothing: Sequence[object]) -> Next:
            status, value = _read(pipe)
            if status != "ok":
                raise value  # type: ignore[misc]
            return work(value)  # type: ignore[arg-type]

        second = Background(*_start(follow, ()), before=first)
        os.close(pipe)  # the second child reads it now
        return second

    def _reap_before(self) -> None:
        if self._before is not None:
            first, self._before = self._before, None
            os.waitpid(first, 0)  # it wrote its result and exits, or was killed with the second

    def __del__(self) -> None:
        self.cancel()  # dropped unread (the parent failed first): no child left working for nobody

    def cancel(self) -> None:
        """Stop the child and reap it, when its result is not wanted (a no-op once it was read)."""
        if self._child is not None:
            pid, pipe = self._child
            self._child = None
            os.kill(pid, signal.SIGKILL)
            if self._before is not None:
                os.kill(self._before, signal.SIGKILL)
            os.close(pipe)
            os.waitpid(pid, 0)
        self._reap_before()


def can_work_in_parallel() -> bool:
    """Whether a second process may run beside this one (`SPLITTER_JOBS`, the CPUs, fork on Linux)."""
    return _processes() >= 2


def in_background(work: Callable[[], Result]) -> Background[Result] | None:
    """`work()` started in a forked child that has everything this process has, or None where `fan_out` would
    use one process (no fork, one CPU, `SPLITTER_JOBS=1`): the caller then does the work itself when it needs it."""
    if not can_work_in_parallel():
        return None
    return Background(*_start(lambda _nothing: work(), ()))


def _batches(items: Sequence[Item], sizes: Sequence[int], jobs: int) -> list[Sequence[Item]]:
    """Contiguous runs of `items` of about equal total size (order kept, so results join in order)."""
    if jobs < 2 or len(items) < 2:
        return [items]
    ends = list(accumulate(sizes))  # ends[b - 1]: the size of items[:b]
    share, cuts = ends[-1] / jobs, [0]
    for k in range(1, jobs):
        after = range(cuts[-1] + 1, len(items))  # a cut after at least one more item, before the last
        if after:
            cuts.append(min(after, key=lambda b: abs(ends[b - 1] - k * share)))
    cuts.append(len(items))
    return [items[start:end] for start, end in pairwise(cuts) if end > start]


def _start(work: Callable[[Sequence[Item]], list[Result]], batch: Sequence[Item]) -> tuple[int, int]:
    """Fork a child that runs `work(batch)` and writes ("ok", result) or ("error", exception) to a pipe."""
    import pickle  # before the fork: the child pickles its result with it

    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    os.close(read)
    try:
        payload = pickle.dumps(("ok", work(batch)))
    except BaseException as exc:  # noqa: BLE001 - the parent raises it
        try:
            payload = pickle.dumps(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled: its text
            payload = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    try:
        with os.fdopen(write, "wb") as stream:
            stream.write(payload)
    finally:  # even when the parent is gone (a broken pipe): never run on as a copy of the parent
        os._exit(0)  # no atexit handlers, no flushing of the parent's buffered output a second time
