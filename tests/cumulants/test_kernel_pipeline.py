"""``integrate_one`` compiles through its own numba pipeline (LLVM's loop vectoriser off for the
kernel's own loops, ``collective.integrate._KernelPipeline``), and the numba setting it switches
for that one pass is restored afterwards, also when the pass fails."""

from __future__ import annotations

import numpy as np
import pytest
from numba.core import config as numba_config
from numba.core.typed_passes import NativeLowering

import collective as c
from collective import integrate


def _decay_model():
    g = c.param("g")
    return c.Model(
        name="decay",
        ensembles=[c.Ensemble(name="A", N=1000)],
        dissipators=[c.Dissipator(jump=c.Jm("A"), rate=g, convention="L")],
        parameters=[c.Parameter(name="g", value=1.0)],
    )


def test_integrate_one_is_lowered_by_the_kernel_pipeline_and_leaves_numba_config_alone():
    before = numba_config.LOOP_VECTORIZE
    p = c.Problem(_decay_model(), order=2, initial=c.InitialState.from_energy({"A": 1.0}))
    assert int(p.integrate(np.geomspace(1e-6, 1e-2, 20)).status) == 0
    assert numba_config.LOOP_VECTORIZE == before
    kernel = integrate.integrate_one
    assert kernel._compiler.pipeline_class is integrate._KernelPipeline
    # a fresh compile (the kernel itself may have come from numba's on-disk cache, which runs no
    # pipeline): the same function, options and pipeline, without the cache
    fresh = type(kernel)(
        kernel.py_func,
        targetoptions=dict(kernel.targetoptions),
        pipeline_class=kernel._compiler.pipeline_class,
    )
    sig = kernel.signatures[0]
    fresh.compile(sig)
    assert numba_config.LOOP_VECTORIZE == before
    names = list(fresh.overloads[sig].metadata["pipeline_times"]["nopython"])
    assert sum(integrate._LoweringWithoutLoopVectorizer._name in k for k in names) == 1
    assert not any(k.endswith("_native_lowering") for k in names)


def test_the_loop_vectorize_switch_is_restored_when_lowering_fails(monkeypatch):
    seen = []

    def boom(self, state):
        seen.append(numba_config.LOOP_VECTORIZE)
        raise RuntimeError("lowering failed")

    monkeypatch.setattr(NativeLowering, "run_pass", boom)
    before = numba_config.LOOP_VECTORIZE
    with pytest.raises(RuntimeError, match="lowering failed"):
        integrate._LoweringWithoutLoopVectorizer().run_pass(None)
    assert seen == [0]
    assert numba_config.LOOP_VECTORIZE == before
