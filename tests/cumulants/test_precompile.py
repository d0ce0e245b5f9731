"""`precompile` compiles exactly the kernel signature a run uses (a mismatch would compile the
kernel twice), and rejects bad input; a kernel's first (compiling) call pauses Python's cyclic
garbage collector and restores it."""

import gc

import numba
import numpy as np
import pytest

import collective as c
from collective import engine

T = np.geomspace(1e-9, 2e-5, 20)
INIT = c.InitialState.from_energy({"C": 1.0})


def _types(args):
    return tuple(numba.typeof(a) for a in args)


@pytest.mark.parametrize("method", sorted(engine.METHODS))
@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize("with_event", [False, True])
def test_dummy_call_has_the_signature_of_a_real_run(method, batch, with_event):
    model = c.dias2024(reservoirs=2, N_C=1000, N_B=10)
    event = c.StopEvent(ensemble="B1", threshold=0.4) if with_event else None
    prob = c.Problem(model, initial=INIT, event=event, method=method, atol={"m_sz_C": 1e-10})
    plan = prob._plan
    P = 3 if batch else 1
    coefs = np.repeat(prob.coefficients()[None], P, axis=0)
    y0s = np.repeat(prob.y0[None], P, axis=0)
    low = plan.low
    fn, args = engine._kernel_call(
        method,
        (low.out, low.cidx, low.fac),
        plan.opts,
        plan.atol,
        (plan.ev_w, np.full(P, plan.ev_thr[0]), plan.ev_dir, plan.ev_term),
        np.asarray(T, dtype=float),
        0.0,
        coefs,
        y0s,
        engine._outputs(P, T.size, low.n),
    )
    dummy_fn, dummy_args = engine._dummy_call(method, batch, with_event)
    assert dummy_fn is fn
    assert _types(dummy_args) == _types(args)
    # the RK/Rosenbrock kernels of runs without an event get None: no event code compiled
    ev_arg = args[12]
    if engine.METHODS[method][2] is not None and not with_event:
        assert ev_arg is None
    else:
        assert isinstance(ev_arg, np.ndarray) and ev_arg.any() == with_event


def test_precompile_then_solve_uses_the_compiled_kernel():
    c.precompile("auto")
    kernel = engine.METHODS["auto"][0]
    n_sigs = len(kernel.signatures)
    assert n_sigs >= 1
    ds = c.solve(c.dias2024(reservoirs=2, N_C=1000, N_B=10), T, initial=INIT)
    assert int(ds.status) == 0
    assert len(kernel.signatures) == n_sigs  # nothing new compiled


def test_precompile_of_event_runs_compiles_the_event_kernel():
    c.precompile("auto", event=True)
    kernel = engine.METHODS["auto"][0]
    n_sigs = len(kernel.signatures)
    event = c.StopEvent(ensemble="B1", threshold=0.4)
    times = np.geomspace(1e-6, 0.05, 40)  # the burst of N_C = 1000 is near t = 7e-3
    ds = c.solve(c.dias2024(reservoirs=2, N_C=1000, N_B=10), times, initial=INIT, event=event)
    assert int(ds.status) == 0 and 0 < float(ds.event_time) < times[-1]
    assert len(kernel.signatures) == n_sigs  # nothing new compiled


def test_output_times_of_any_layout_use_the_compiled_kernel():
    """Strided, big-endian or integer output times are made contiguous float64 before the kernel
    call: a view such as ``times[::2]`` once compiled a second kernel (seconds)."""
    c.precompile("auto")
    c.precompile("auto", batch=True)
    one, many = engine.METHODS["auto"][0], engine.integrate_chunk  # the batch kernel
    n_one, n_many = len(one.signatures), len(many.signatures)
    model = c.dias2024(reservoirs=2, N_C=1000, N_B=10)
    fine = np.geomspace(1e-6, 0.05, 81)
    for times in (fine[::2], fine[::2].astype(">f8"), np.arange(1, 12)[::2]):
        assert not (times.flags.c_contiguous and times.dtype == np.float64)
        ds = c.solve(model, times, initial=INIT)
        assert int(ds.status) == 0
        tr = c.Problem(model, initial=INIT).integrate(times)
        np.testing.assert_array_equal(tr.times, np.asarray(times, dtype=float))
        c.sweep(model, times, [{"gamma_down": 1.0}, {"gamma_down": 2.0}], initials=INIT)
    assert (len(one.signatures), len(many.signatures)) == (n_one, n_many)


def test_precompile_rejects_unknown_method():
    with pytest.raises(c.ModelError, match=r"`method` must be one of .*'rk45'"):
        c.precompile("rk45")


class _FakeKernel:
    """Stands in for a numba dispatcher: records whether Python's cyclic collector was running
    during each call (``engine._run_kernel`` remembers which kernels have run)."""

    def __init__(self, fail=False):
        self.overloads = {}
        self.gc_during = []
        self.fail = fail

    def __call__(self, *args):
        self.gc_during.append(gc.isenabled())
        self.overloads["sig"] = object()
        if self.fail:
            raise RuntimeError("compile failed")
        return sum(args)


@pytest.fixture
def gc_state():
    was = gc.isenabled()
    yield gc
    (gc.enable if was else gc.disable)()


def test_first_kernel_call_pauses_the_garbage_collector_and_restores_it(gc_state):
    gc_state.enable()
    k = _FakeKernel()
    assert engine._run_kernel(k, (1, 2)) == 3
    assert engine._run_kernel(k, (3, 4)) == 7
    # paused while compiling (the first call), untouched once compiled, and running afterwards
    assert k.gc_during == [False, True]
    assert gc_state.isenabled()


def test_kernel_call_restores_the_collector_after_a_failed_compile(gc_state):
    gc_state.enable()
    with pytest.raises(RuntimeError, match="compile failed"):
        engine._run_kernel(_FakeKernel(fail=True), (1,))
    assert gc_state.isenabled()


def test_kernel_call_leaves_a_collector_the_user_disabled_disabled(gc_state):
    gc_state.disable()
    k = _FakeKernel()
    engine._run_kernel(k, (1,))
    assert k.gc_during == [False]
    assert not gc_state.isenabled()


def test_compiler_objects_go_to_the_oldest_generation_not_the_youngest(gc_state):
    """Objects made during the first (compiling) call are not left for one long collection of the
    youngest generation: they end in the oldest one, and cyclic garbage among them is still
    freed by the next full collection (nothing is leaked or frozen)."""
    import weakref

    class Node:
        pass

    gc_state.enable()
    gc_state.collect()
    made = []

    class Compiling(_FakeKernel):
        def __call__(self, *args):
            a, b = Node(), Node()
            a.other, b.other = b, a  # a reference cycle, garbage once dropped
            made.append(weakref.ref(a))
            return super().__call__(*args)

    engine._run_kernel(Compiling(), (1,))
    assert gc_state.get_freeze_count() == 0
    assert gc_state.get_count()[0] < 100  # the young generation was emptied
    assert made[0]() is not None  # young-generation collections do not reach it ...
    gc_state.collect(0)
    gc_state.collect(1)
    assert made[0]() is not None
    gc_state.collect()  # ... the next full collection frees it
    assert made[0]() is None


def test_objects_the_user_froze_stay_frozen(gc_state):
    gc_state.enable()
    gc_state.freeze()
    try:
        n = gc_state.get_freeze_count()
        assert n > 0
        engine._run_kernel(_FakeKernel(), (1,))
        assert gc_state.get_freeze_count() >= n
    finally:
        gc_state.unfreeze()


def test_each_kernel_variant_pauses_the_collector_on_its_first_run(gc_state):
    """The RK/Rosenbrock kernel has a specialisation with and one without the event code: the
    first run of each compiles, so each pauses the collector once."""
    gc_state.enable()
    k = _FakeKernel()
    for variant in (False, False, True, True):
        engine._run_kernel(k, (1,), variant)
    assert k.gc_during == [False, True, False, True]
    assert engine._variant("auto", True) is True and engine._variant("auto", False) is False
    assert engine._variant("bdf", True) is None  # one BDF kernel serves both


def test_first_event_run_after_a_plain_run_compiles_only_the_event_variant():
    model = c.dias2024(reservoirs=2, N_C=1000, N_B=10)
    times = np.geomspace(1e-6, 0.05, 30)
    c.solve(model, times, initial=INIT)
    kernel = engine.METHODS["auto"][0]
    assert (kernel, False) in engine._WARM
    ds = c.solve(model, times, initial=INIT, event=c.StopEvent(ensemble="B1", threshold=0.4))
    assert (kernel, True) in engine._WARM
    assert 0 < float(ds.event_time) < times[-1]
    none_type = numba.types.none
    sigs = kernel.signatures
    assert any(sig[12] == none_type for sig in sigs)  # the event-free specialisation
    assert any(isinstance(sig[12], numba.types.Array) for sig in sigs)
