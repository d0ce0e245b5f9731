"""``integrate_one`` compiles through its own numba pipeline (LLVM's loop vectoriser off for the
kernel's own loops, ``collective.integrate._KernelPipeline``), and the numba setting it switches
for that one pass is restored afterwards, also when the pass fails."""

from __future__ import annotations

import re

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
    # the skipped passes do not run; the passes around them do
    for cls in integrate._KERNEL_SKIPPED_PASSES:
        assert not any(k.endswith("_" + cls._name) for k in names), cls._name
    assert any(k.endswith("_nopython_type_inference") for k in names)
    assert any(k.endswith("_ir_legalization") for k in names)


def _compile_through(kernel, pipeline, full):
    """Compile ``kernel`` afresh (no on-disk cache) for its first signature through ``pipeline``;
    check that the skipped passes ran exactly when ``pipeline`` is ``full``.  Returns the names
    of the passes that ran and the machine code."""
    sig = kernel.signatures[0]
    fresh = type(kernel)(
        kernel.py_func, targetoptions=dict(kernel.targetoptions), pipeline_class=pipeline
    )
    fresh.compile(sig)
    names = list(fresh.overloads[sig].metadata["pipeline_times"]["nopython"])
    ran = [
        any(k.endswith("_" + cls._name) for k in names) for cls in integrate._KERNEL_SKIPPED_PASSES
    ]
    assert ran == [pipeline is full] * len(ran)
    return names, fresh.inspect_asm(sig)


def test_the_skipped_passes_leave_the_kernel_machine_code_unchanged():
    """The passes ``_KernelPipeline`` leaves out (closure inlining, rewrites, SSA) change nothing
    in ``integrate_one``: compiled through numba's full pipeline (with the same lowering), the
    kernel's machine code is the same instruction for instruction."""

    class _FullPipeline(integrate._KernelPipeline):
        skipped = ()

    p = c.Problem(_decay_model(), order=2, initial=c.InitialState.from_energy({"A": 1.0}))
    assert int(p.integrate(np.geomspace(1e-6, 1e-2, 20)).status) == 0
    asm = {
        pipeline: _compile_through(integrate.integrate_one, pipeline, _FullPipeline)[1]
        for pipeline in (integrate._KernelPipeline, _FullPipeline)
    }
    # symbol names carry the dispatcher's unique id (an ABI tag "B<len>v<id>"); compare the
    # instructions with the id taken out
    a, b = (
        [
            re.sub(r"B\d+v\d+", "", ln)
            for ln in asm[k].splitlines()
            if not ln.lstrip().startswith((".", "#")) and ":" not in ln
        ]
        for k in (integrate._KernelPipeline, _FullPipeline)
    )
    assert len(a) > 1000
    assert a == b


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


def _normalised_asm(asm: str) -> list[str]:
    """Instructions and label definitions, with what differs between two compiles of the same
    code taken out: the dispatcher's unique id in symbol names, and the numbering of basic-block
    labels and of pickled constants (renumbered by first appearance)."""
    labels: dict[str, str] = {}
    consts: dict[str, str] = {}
    out = []
    for ln in asm.splitlines():
        s = ln.strip()
        if s.startswith("#") or (s.startswith(".") and not re.match(r"\.LBB\d+_\d+:", s)):
            continue
        ln = re.sub(r"B\d+v\d+", "", ln)
        ln = re.sub(r"\.LBB\d+_\d+", lambda m: labels.setdefault(m.group(0), f"L{len(labels)}"), ln)
        ln = re.sub(
            r"\.const\.picklebuf\.[0-9a-f]+\.\d+",
            lambda m: consts.setdefault(m.group(0), f"C{len(consts)}"),
            ln,
        )
        out.append(ln)
    return out


def test_bdf_one_lean_pipeline_leaves_its_machine_code_unchanged():
    """``bdf_one`` compiles through ``_LeanPipeline`` (numba's lowering, the same skipped passes):
    its machine code equals that of numba's full pipeline, label for label."""

    class _FullLean(integrate._LeanPipeline):
        skipped = ()

    assert integrate.bdf_one._compiler.pipeline_class is integrate._LeanPipeline
    m = c.dias2024(reservoirs=1, N_C=1000, N_B=10)
    p = c.Problem(m, order=2, initial=c.InitialState.from_energy({"C": 1.0}), method="bdf")
    assert int(p.integrate(np.geomspace(1e-6, 1e-2, 20)).status) == 0
    asm = {}
    for pipeline in (integrate._LeanPipeline, _FullLean):
        names, text = _compile_through(integrate.bdf_one, pipeline, _FullLean)
        # numba's own lowering, with the loop vectoriser as configured
        assert any(k.endswith("_native_lowering") for k in names)
        asm[pipeline] = _normalised_asm(text)
    a, b = asm[integrate._LeanPipeline], asm[_FullLean]
    assert len(a) > 5000
    assert a == b
