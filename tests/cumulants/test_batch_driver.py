"""The batch driver (``collective.integrate.run_batch``): slices of a batch run on a thread per core
through GIL-free chunk kernels.  Every point is integrated exactly once, each slice has its own
work arrays, a failure in one slice reaches the caller, and the results do not depend on the
number of threads."""

from __future__ import annotations

import threading

import numba
import numpy as np
import pytest

import collective as c
from collective import integrate

INIT = c.InitialState.from_energy({"C": 1.0})


class _Recorder:
    """Stands in for a chunk kernel: records the slices and scratch arrays it is given."""

    def __init__(self, fail_at=None):
        self.calls = []
        self.lock = threading.Lock()
        self.fail_at = fail_at

    def __call__(self, lo, hi, points, *scratch):
        with self.lock:
            self.calls.append((lo, hi, scratch))
        if self.fail_at is not None and lo <= self.fail_at < hi:
            raise RuntimeError(f"point {self.fail_at} failed")
        points[lo:hi] += 1


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("P", [1, 2, 5, 8, 13, 100])
def test_every_point_runs_exactly_once(monkeypatch, threads, P):
    monkeypatch.setattr(numba, "get_num_threads", lambda: threads)
    points = np.zeros(P, dtype=np.int64)
    rec = _Recorder()
    integrate.run_batch(rec, (points,), per_slice=lambda args: (*args, object()))
    np.testing.assert_array_equal(points, 1)
    slices = sorted((lo, hi) for lo, hi, _ in rec.calls if hi > lo)
    assert slices[0][0] == 0 and slices[-1][1] == P
    assert all(a[1] == b[0] for a, b in zip(slices, slices[1:]))  # contiguous, no overlap
    if min(threads, P) > 1:
        assert len(slices) == min(P, 4 * min(threads, P))
        # each slice got its own scratch arrays
        scratches = [s for lo, hi, s in rec.calls if hi > lo]
        assert len({id(s[0]) for s in scratches}) == len(scratches)


def test_the_first_call_is_an_empty_slice_on_the_calling_thread(monkeypatch):
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)
    seen = []

    def chunk(lo, hi, points):
        seen.append((lo, hi, threading.current_thread() is threading.main_thread()))
        points[lo:hi] += 1

    integrate.run_batch(chunk, (np.zeros(6),))
    assert seen[0] == (0, 0, True)  # compiles (or loads) the kernel before any worker starts


def test_a_failing_slice_raises_in_the_caller(monkeypatch):
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)
    with pytest.raises(RuntimeError, match="point 5 failed"):
        integrate.run_batch(_Recorder(fail_at=5), (np.zeros(10, dtype=np.int64),))


@pytest.mark.parametrize("method", ["auto", "bdf"])
def test_batch_results_do_not_depend_on_the_thread_count(method):
    model = c.dias2024(reservoirs=2, N_C=1000, N_B=10)
    prob = c.Problem(model, initial=INIT, method=method)
    times = np.geomspace(1e-5, 0.02, 40)
    points = [{"gamma_up": g} for g in np.linspace(0.0, 2.0, 7)]
    before = numba.get_num_threads()
    try:
        runs = []
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            runs.append(prob.integrate_many(times, points))
    finally:
        numba.set_num_threads(before)
    one, two = runs
    np.testing.assert_array_equal(one.y, two.y)
    np.testing.assert_array_equal(one.status, 0)
    for k in one.stats:
        np.testing.assert_array_equal(one.stats[k], two.stats[k])
    # and each point is what a one-point run gives
    for i in (0, 3, 6):
        np.testing.assert_array_equal(prob.integrate(times, points[i]).y, one.y[i])


def test_per_slice_builds_each_slices_args(monkeypatch):
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)
    points = np.zeros(9, dtype=np.int64)
    made = []

    def per_slice(args):
        mine = object()
        made.append(mine)
        return (*args, mine)

    rec = _Recorder()
    integrate.run_batch(rec, (points,), per_slice=per_slice)
    np.testing.assert_array_equal(points, 1)
    worked = [s for lo, hi, s in rec.calls if hi > lo]
    assert len(worked) == 8 and len({id(s[0]) for s in worked}) == 8
    assert {id(s[0]) for s in worked} <= {id(m) for m in made}


def test_rk_batch_slices_get_their_own_tables_in_the_block(monkeypatch):
    seen = []
    real = integrate.kernel_arrays

    def spy(n, tables):
        res = real(n, tables)
        seen.append(res)
        return res

    monkeypatch.setattr(c.engine, "kernel_arrays", spy)
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)
    prob = c.Problem(c.dias2024(reservoirs=2, N_C=1000, N_B=10), initial=INIT)
    times = np.geomspace(1e-5, 0.02, 20)
    many = prob.integrate_many(times, [{"gamma_up": g} for g in np.linspace(0, 2, 9)])
    assert (many.status == 0).all()
    assert len(seen) == 1 + 8  # the compile call, then one per slice
    low = prob.lowered
    for (out, cidx, fac), (work, _, _) in seen:
        assert np.array_equal(out, low.out) and np.array_equal(fac, low.fac)
        assert np.array_equal(cidx, low.cidx)
        assert work.ctypes.data % 4096 == 0
    one = prob.integrate(times, {"gamma_up": 2.0})
    np.testing.assert_array_equal(many.y[-1], one.y)
