"""The image job queue (router/image_queue.py): order, variations' seeds, reorder, cancel, progress."""

from __future__ import annotations

import pytest

from router.errors import SparklioError
from router.image_queue import (
    CANCELLED,
    DONE,
    QUEUED,
    RUNNING,
    ImageQueue,
    variation_seeds,
)


def run_next(q: ImageQueue, state: str = DONE) -> str:
    job = q.next_job()
    q.start(job, 4)
    q.progress(job, 4, 4)
    q.finish(job, state)
    return job.prompt


def test_jobs_run_in_order_each_with_its_own_snapshot():
    changes = []
    q = ImageQueue(on_change=lambda: changes.append(1))
    params = {"model": "stable-diffusion", "steps": 20, "seed": None}
    q.add("one", params, local=True)
    params["steps"] = 5  # the form changes after Generate: the queued job keeps what it was given
    q.add("two", params, local=True)
    q.add("three", {"model": "gpt-image-2"})
    assert [j.params["steps"] for j in q.jobs[:2]] == [20, 5] and changes
    first = q.next_job()
    q.start(first, 20)
    assert q.next_job() is None  # one at a time
    q.progress(first, 5, 20)
    assert first.fraction == 0.25 and first.label() == "step 5 of 20 · one"
    assert q.overall() == (0, 3, pytest.approx(0.25 / 3))
    q.finish(first, DONE)
    assert [run_next(q), run_next(q)] == ["two", "three"]
    assert q.overall() == (3, 3, 1.0) and not q.active()
    q.add("four", {})  # a new batch drops the finished jobs
    assert [j.prompt for j in q.jobs] == ["four"]


def test_variations_get_distinct_seeds():
    assert variation_seeds(42, 3) == [42, 43, 44]
    assert variation_seeds(None, 1) == [None]
    drawn = iter([7, 9, 11])
    assert variation_seeds(None, 3, draw=lambda: next(drawn)) == [7, 9, 11]
    with pytest.raises(SparklioError, match="variations must be 1 to 16"):
        variation_seeds(1, 0)
    q = ImageQueue()
    jobs = q.add("cat", {"seed": 100, "steps": 3}, local=True, variations=3)
    assert [j.params["seed"] for j in jobs] == [100, 101, 102]
    cloud = q.add("dog", {"model": "gpt-image-2"}, variations=2)
    assert [("seed" in j.params) for j in cloud] == [False, False]  # cloud models take no seed
    with pytest.raises(SparklioError, match="describe the image"):
        q.add("  ", {})


def test_reorder_shift_and_cancel():
    q = ImageQueue()
    a, b, c, d = (q.add(p, {})[0] for p in "abcd")
    q.start(a)
    assert not q.shift(a.id, 1)  # the running job keeps its place
    assert q.shift(d.id, -1) and [j.prompt for j in q.jobs] == list("abdc")
    assert not q.shift(b.id, -1)  # already first among the queued
    q.reorder([c.id, b.id, d.id])
    assert [j.prompt for j in q.jobs] == list("acbd")
    assert q.cancel(b.id) is None and b not in q.jobs  # queued: removed
    assert q.cancel(a.id) is a and a.state == RUNNING  # running: the caller stops it
    q.finish(a, CANCELLED, "cancelled")
    assert q.next_job() is c
    assert q.cancel_all() is None and [j.state for j in q.jobs] == [CANCELLED]
    assert q.cancel(a.id) is None and q.jobs[0].state != QUEUED


def test_unfinished_jobs_are_kept_in_sqlite_and_restored_paused(data_dir):
    from router.image_queue_store import load_jobs, save_jobs
    from router.store.db import open_store

    store = open_store(data_dir)
    try:
        q = ImageQueue(persist=save_jobs)
        a, b, c = (
            q.add(p, {"model": "stable-diffusion", "steps": 3, "seed": i}, local=True)[0] for i, p in enumerate("abc")
        )
        q.start(a)
        q.shift(c.id, -1)
        q.cancel(b.id)
        assert load_jobs() == [
            ("a", {"model": "stable-diffusion", "steps": 3, "seed": 0}, True),
            ("c", {"model": "stable-diffusion", "steps": 3, "seed": 2}, True),
        ]
        q.add("not json", {"source": object()})  # settings that cannot be stored are run but not kept
        assert [p for p, _, _ in load_jobs()] == ["a", "c"]
        q.finish(a, DONE)
        later = ImageQueue(persist=save_jobs)  # the next session
        later.restore(load_jobs())
        assert later.paused and later.next_job() is None and [j.prompt for j in later.jobs] == ["c"]
        later.resume()
        assert later.next_job().prompt == "c"
        later.cancel_all()
        assert load_jobs() == []
    finally:
        store.close()
