"""fan_out: the same result as one process, in item order, and a worker's error raised as itself."""

from __future__ import annotations

import os

import pytest

from splitter import fanout
from splitter.errors import SplitterError


def lengths(batch):
    return [(len(text), os.getpid()) for text in batch]


@pytest.fixture
def always_parallel(monkeypatch):
    monkeypatch.setattr(fanout, "MIN_WORK", 2)
    monkeypatch.setenv("SPLITTER_JOBS", "3")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork-based workers exist on Linux only")
def test_parallel_result_is_the_serial_result_in_order(always_parallel) -> None:
    items = [("x" * n) for n in (5, 1, 9, 3, 7, 2, 8)]
    results = fanout.fan_out(lengths, items, [len(i) for i in items])
    assert [length for length, _pid in results] == [5, 1, 9, 3, 7, 2, 8]
    if fanout._jobs(sum(map(len, items))) > 1:
        assert len({pid for _length, pid in results}) > 1  # the work really was shared out


def test_little_work_stays_in_this_process(monkeypatch) -> None:
    monkeypatch.setenv("SPLITTER_JOBS", "4")
    results = fanout.fan_out(lengths, ["ab", "c"], [2, 1])
    assert results == [(2, os.getpid()), (1, os.getpid())]


def failing(batch):
    if "bad" in batch:
        raise SplitterError("does not parse", "tests/test_x.py", 3)
    return list(batch)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork-based workers exist on Linux only")
def test_a_workers_error_is_raised_as_itself(always_parallel) -> None:
    items = ["ok1", "ok2", "ok3", "bad"]
    with pytest.raises(SplitterError) as raised:
        fanout.fan_out(failing, items, [10, 10, 10, 10])
    assert raised.value.render() == "error: tests/test_x.py:3: does not parse"


@pytest.mark.parametrize(
    ("sizes", "jobs", "expected"),
    [
        pytest.param([1, 1, 1, 1], 2, [[0, 1], [2, 3]], id="even"),
        pytest.param([10, 1, 1, 1], 2, [[0], [1, 2, 3]], id="one big file first"),
        pytest.param([1, 1, 1, 10], 3, [[0, 1, 2], [3]], id="big file last: two batches"),
        pytest.param([5], 4, [[0]], id="one item"),
        pytest.param([1, 2, 3], 1, [[0, 1, 2]], id="one job"),
    ],
)
def test_batches_are_contiguous_and_about_even(sizes, jobs, expected) -> None:
    batches = fanout._batches(list(range(len(sizes))), sizes, jobs)
    assert [list(batch) for batch in batches] == expected


def pid_and(value):
    return lambda: (os.getpid(), value)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork-based workers exist on Linux only")
def test_background_work_runs_in_another_process_and_returns_its_result(monkeypatch) -> None:
    monkeypatch.setenv("SPLITTER_JOBS", "2")
    job = fanout.in_background(pid_and({"a": "b"}))
    assert job is not None
    pid, value = job.result()
    assert value == {"a": "b"} and pid != os.getpid()
    with pytest.raises(RuntimeError):
        job.result()  # read once: the child is gone


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork-based workers exist on Linux only")
def test_background_error_is_raised_as_itself_when_the_result_is_read(monkeypatch) -> None:
    monkeypatch.setenv("SPLITTER_JOBS", "2")
    job = fanout.in_background(lambda: failing(["bad"]))
    with pytest.raises(SplitterError) as raised:
        job.result()
    assert raised.value.render() == "error: tests/test_x.py:3: does not parse"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork-based workers exist on Linux only")
def test_a_cancelled_background_job_leaves_no_child(monkeypatch) -> None:
    import time

    monkeypatch.setenv("SPLITTER_JOBS", "2")
    job = fanout.in_background(lambda: time.sleep(30))
    pid = job._child[0]
    job.cancel()
    job.cancel()  # twice is harmless
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped already


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork-based workers exist on Linux only")
def test_a_continued_job_gets_the_first_result_in_a_third_process(monkeypatch) -> None:
    monkeypatch.setenv("SPLITTER_JOBS", "2")
    first = fanout.in_background(pid_and("one"))
    second = first.then(lambda got: (got, os.getpid()))
    (first_pid, value), second_pid = second.result()
    assert value == "one" and len({first_pid, second_pid, os.getpid()}) == 3
    with pytest.raises(RuntimeError):
        first.result()  # spent: the second job read it
    with pytest.raises(ChildProcessError):
        os.waitpid(first_pid, os.WNOHANG)  # both children reaped


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork-based workers exist on Linux only")
def test_a_continued_job_raises_the_first_jobs_error(monkeypatch) -> None:
    monkeypatch.setenv("SPLITTER_JOBS", "2")
    second = fanout.in_background(lambda: failing(["bad"])).then(lambda got: pytest.fail("not reached"))
    with pytest.raises(SplitterError) as raised:
        second.result()
    assert raised.value.render() == "error: tests/test_x.py:3: does not parse"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork-based workers exist on Linux only")
def test_cancelling_a_continued_job_stops_both_children(monkeypatch) -> None:
    import time

    monkeypatch.setenv("SPLITTER_JOBS", "2")
    first = fanout.in_background(lambda: time.sleep(30))
    first_pid = first._child[0]
    second = first.then(lambda got: got)
    second_pid = second._child[0]
    second.cancel()
    for pid in (first_pid, second_pid):
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_one_process_means_no_background_job(monkeypatch) -> None:
    monkeypatch.setenv("SPLITTER_JOBS", "1")
    assert fanout.in_background(pid_and(1)) is None
