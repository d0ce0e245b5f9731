r"""One generic jitted kernel and jitted integrators for lowered moment equations.

The right-hand side and its *exact* Jacobian are evaluated from the term tables of
:class:`~collective.lowering.Lowered`:

.. math::
    \dot y_{o_t} \mathrel{+}= c_{k_t} \prod_j y_{f_{t,j}}, \qquad
    J_{o_t, f_{t,j}} \mathrel{+}= c_{k_t} \prod_{l \ne j} y_{f_{t,l}} .

The kernel is compiled once (numba ``cache=True``) and serves every model.

Integrators (:func:`integrate_one`, one kernel with three modes, and :func:`bdf_one`):

* ``AUTO`` (the default of :func:`collective.solve`): DOP853 (Dormand-Prince 8(5,3), PI step
  control, order-7 dense output) while the problem is non-stiff, Rodas4 where it is stiff, with
  stiffness detection both ways.  At N ~ 1e7 the delay phase and the superradiant burst are *not*
  stiff (the large Jacobian eigenvalues are growth rates ~ +gamma N, which bound the step by
  accuracy, not stability), so an explicit high-order method is the cheapest there; the plateau
  after the burst is stiff (decay rates ~ -gamma N), where an explicit step is pinned at
  ``|h lambda| ~ 6`` and the L-stable Rosenbrock method lets the step grow by orders of magnitude.
* ``RODAS4``: the 6-stage, order 4(3), L-stable, stiffly accurate Rosenbrock method of Hairer &
  Wanner throughout.  One LU factorisation and six linear solves per step on the exact Jacobian,
  no Newton iteration (no convergence failure mode to tune).  Dense output: cubic Hermite.
* ``DOP853``: explicit throughout (non-stiff problems; a stiff one exhausts ``max_steps``).
* :func:`bdf_one`: variable-order NDF 1-5 with Newton iterations and Jacobian/LU reuse.

References
----------
E. Hairer, S. P. Norsett, G. Wanner, *Solving Ordinary Differential Equations I*, 2nd ed., Springer
(1993), Sec. II.5 (DOP853), II.6 (dense output), II.10 (stiffness detection).
E. Hairer, G. Wanner, *Solving Ordinary Differential Equations II*, 2nd ed., Springer (1996),
Sec. IV.2 (PI step control), IV.7 (method RODAS, coefficients of Table 7.2 / code ``rodas.f``).
L. F. Shampine, M. W. Reichelt, SIAM J. Sci. Comput. 18, 1 (1997) (NDF).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit
from numba.core import config as _numba_config
from numba.core.compiler import CompilerBase, DefaultPassBuilder
from numba.core.compiler_machinery import register_pass
from numba.core.typed_passes import NativeLowering, NopythonRewrites, PreLowerStripPhis
from numba.core.untyped_passes import GenericRewrites, InlineClosureLikes, ReconstructSSA

from . import _dop853

__all__ = [
    "rhs",
    "jacobian",
    "integrate_one",
    "kernel_arrays",
    "integrate_chunk",
    "bdf_one",
    "bdf_chunk",
    "run_batch",
    "STATUS_MESSAGES",
    "STAT_NAMES",
]

# numba options of every kernel: compiled once and cached on disk; numpy's error model (no
# ZeroDivisionError checks); no cfunc wrappers, since nothing passes the kernels as first-class
# functions (-1.7 % cold-start instructions).  Helpers called only from other kernels drop the
# CPython wrapper, and those that allocate nothing also numba's reference counting (so does
# ``integrate_one``, whose arrays all come from its caller).
# The kernels hold the GIL while they run: ``Problem.integrate`` relies on it to reuse one set of
# work arrays per Problem (with ``nogil=True`` two threads could share them: give each call its own).
_JIT = dict(cache=True, no_cfunc_wrapper=True, error_model="numpy")
_INNER = dict(_JIT, no_cpython_wrapper=True)
_LEAF = dict(_INNER, _nrt=False)


@register_pass(mutates_CFG=True, analysis_only=False)
class _LoweringWithoutLoopVectorizer(NativeLowering):
    """numba's native lowering (numba IR -> LLVM IR -> optimised machine code) with LLVM's loop
    vectoriser off, for :func:`integrate_one`'s own loops only.

    Its loops are short (n ~ 10-100 components) and many (~40); vectorised, each became a vector
    body, an epilogue and runtime alias checks (all its arrays are rows of one work array), about
    an eighth of the kernel's machine code, which LLVM then spent compile time on.  The hot
    vectorisable loops live in the callees (``_stage``, ``_lu_factor``, ...): numba compiles
    those during type inference, before this pass, with the vectoriser on, and links them in
    already vectorised.  Measured (``runs/benchmarks/PERFORMANCE_NOTES.md``): machine code
    11.5k -> 10.0k lines, cold-start instructions -3.9 % (LLVM -13 %); trajectories as fast on
    (a) and (b) and up to 23 % faster at n = 27.

    The switch is ``numba.core.config.LOOP_VECTORIZE`` (``NUMBA_LOOP_VECTORIZE``), read when
    numba builds LLVM's pass pipeline; it is set for the duration of this pass, which runs under
    numba's global compiler lock (no other compile sees it), and restored even on error."""

    _name = "collective_lowering_without_loop_vectorizer"

    def run_pass(self, state):
        saved = _numba_config.LOOP_VECTORIZE
        _numba_config.LOOP_VECTORIZE = 0
        try:
            return super().run_pass(state)
        finally:
            _numba_config.LOOP_VECTORIZE = saved


# numba passes integrate_one and bdf_one compile without: they have no closures or
# comprehensions to inline (InlineClosureLikes), nothing that numba's rewrites of raises,
# constant binops, array expressions or constant getitems change (GenericRewrites,
# NopythonRewrites), and every variable keeps one type throughout, so they need no SSA form
# (ReconstructSSA, and PreLowerStripPhis that undoes it).  Without them their machine code is
# the same instruction for instruction (inspect_asm, numba 0.68;
# tests/cumulants/test_kernel_pipeline.py), and a cold start is 18 % fewer instructions (19 %
# with method="bdf"; runs/benchmarks/PERFORMANCE_NOTES.md).  Without SSA, numba types a
# variable from all its assignments at once, and integer literals of different values do not
# unify: the kernels' integer state (status, counters, the BDF order) starts from the int64
# ``s0``, never from a literal.  A closure or a variable of two types added to a kernel later
# fails to compile, loudly.
_KERNEL_SKIPPED_PASSES = (
    InlineClosureLikes,
    GenericRewrites,
    NopythonRewrites,
    ReconstructSSA,
    PreLowerStripPhis,
)


class _LeanPipeline(CompilerBase):
    """numba's default nopython pipeline without the passes in ``skipped``, its native lowering
    replaced by ``lowering`` (``pipeline_class`` of :func:`bdf_one`, which keeps numba's
    lowering; the same passes change nothing in its machine code either)."""

    skipped = _KERNEL_SKIPPED_PASSES
    lowering = NativeLowering

    def define_pipelines(self):
        pm = DefaultPassBuilder.define_nopython_pipeline(self.state)
        pm.passes = [
            (self.lowering if cls is NativeLowering else cls, what)
            for cls, what in pm.passes
            if cls not in self.skipped
        ]
        pm.finalize()
        return [pm]


class _KernelPipeline(_LeanPipeline):
    """:class:`_LeanPipeline` with :class:`_LoweringWithoutLoopVectorizer` in place of numba's
    native lowering (``pipeline_class`` of :func:`integrate_one`)."""

    lowering = _LoweringWithoutLoopVectorizer


# status codes
OK = 0
MAX_STEPS = 1
STEP_TOO_SMALL = 2
NON_FINITE = 3
BAD_INPUT = 4
STATUS_MESSAGES = {
    OK: "ok",
    MAX_STEPS: "failed: maximum number of steps reached",
    STEP_TOO_SMALL: "failed: step size underflow (tolerance too tight or singular dynamics)",
    NON_FINITE: "failed: non-finite state or right-hand side",
    BAD_INPUT: "failed: invalid input (non-finite coefficients or initial state)",
}

# integrator modes of :func:`integrate_one`
AUTO = 0
RODAS4 = 1
DOP853 = 2
# statistics columns written by the integrators
STAT_NAMES = ("n_steps", "n_rejected", "nfev", "njev", "nlu", "n_stiff_steps", "n_switches")
N_STATS = len(STAT_NAMES)

# DOP853 tableau (Hairer, Norsett & Wanner 1993) and stiffness detection constants: the stability
# region of DOP853 reaches |h lambda| ~ 6.1 on the negative real axis; a step whose Hairer estimate
# h*rho exceeds _STIFF_HLAMBDA is pinned by stability, not accuracy.
_DOP_A = _dop853.A
_DOP_B = _dop853.B
_DOP_E5 = _dop853.E5
_DOP_E3 = _dop853.E3
_DOP_D = _dop853.D
_DOP_STAB = 6.1
_STIFF_HLAMBDA = 0.8 * _DOP_STAB
_STIFF_HITS = 2
_STIFF_HITS_MAX = 64
# Rodas4 hands back to DOP853 when its proposed step is one DOP853 could take stably: at tight
# tolerances on long, moderately stiff plateaus Rodas4's accuracy-limited steps are then no
# longer than DOP853's stability-limited ones, and its steps cost more (Jacobian, LU, six solves).
# Against the old rule (half the stability limit, at most 16 hits) on 68 Dias pump cases (m = 1-3,
# N_C = 1e3-1e5, unequal batteries, thermal; rtol 1e-5..1e-8): the 21 changed cases took 32 %
# less time, the slowest +4 %; e.g. m = 3, gamma_up = 2, N_C = 1e4, rtol 1e-8: 8.6 -> 4.5 ms
# (37 -> 76 switches, 4200 -> 3223 steps; DOP853 alone takes 3183); one-ensemble decay and
# Dias m = 3 at N_C = 1e7 take the same steps as before.
_HANDBACK_HLAMBDA = _DOP_STAB
_PI_BETA = 0.04
# Growth limit after the first accepted DOP853 step (the default of CVODE's and ARKODE's first-step
# growth limit, "etamx1").  The first step is capped at 0.01 / ||J|| (_initial_step), so on a fully
# inverted ensemble it is ~1e-10 with an error estimate of ~1e-21.  Growing at most 6x per step
# (the PI controller's limit, and its 1e-10 floor on the error), the next four or five steps went
# to reaching the delay's natural step (~5e-8); the first step now grows by 0.9 err^(-1/8).
# Six problems x 21 tolerances (rtol 3e-4 .. 3e-9), RHS evaluations interpolated at max|dE| =
# 1e-5 / 1e-6 / 1e-7 / 1e-8, geometric mean: 501 / 669 / 806 / 1059 -> 471 / 599 / 808 / 1011
# (runs/benchmarks/PERFORMANCE_NOTES.md, stop 18).
_FIRST_GROWTH = 1e4

# Rodas4 (Hairer & Wanner 1996): gamma = 1/4, stage matrices A (a_ij) and C (c_ij)
_GAMMA = 0.25
_A = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [1.544, 0.0, 0.0, 0.0, 0.0],
        [0.9466785280815826, 0.2557011698983284, 0.0, 0.0, 0.0],
        [3.314825187068521, 2.896124015972201, 0.9986419139977817, 0.0, 0.0],
        [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 0.0],
        [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1.0],
    ]
)
_C = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [-5.6688, 0.0, 0.0, 0.0, 0.0],
        [-2.430093356833875, -0.2063599157091915, 0.0, 0.0, 0.0],
        [-0.1073529058151375, -9.594562251023355, -20.47028614809616, 0.0, 0.0],
        [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160, 0.0],
        [
            8.083246795921522,
            -7.981132988064893,
            -31.52159432874371,
            16.31930543123136,
            -6.058818238834054,
        ],
    ]
)


@njit(**_JIT)
def rhs(y, coef, out, cidx, fac, dy):
    """``dy = f(y)`` from the term tables (``dy`` contiguous)."""
    _rhs_t(y, term_coefficients(coef, cidx), out, fac, dy.reshape((1, dy.shape[0])), 0)


@njit(**_INNER)
def term_coefficients(coef, cidx):
    """Per-term coefficients ``coef[cidx]`` (gathered once per trajectory, not once per RHS call)."""
    cval = np.empty(cidx.shape[0])
    for t in range(cidx.shape[0]):
        cval[t] = coef[cidx[t]]
    return cval


@njit(**_LEAF, inline="always")
def _rhs_t(y, cval, out, fac, D2, row):
    """``D2[row] = f(y)`` from per-term coefficients: the integrators' right-hand side.

    The lowering sorts the terms by output component, so each component is accumulated in a
    register and stored once (a plain ``dy[out[t]] += v`` chains every term through memory).
    Unsorted tables stay correct (a component is then flushed more than once).  The output is a
    row of a 2-D work array rather than a view: no array objects (and no reference counting) in
    the integrators' inner loops."""
    for i in range(D2.shape[1]):
        D2[row, i] = 0.0
    T, D = fac.shape
    if T == 0:
        return
    cur = out[0]
    acc = 0.0
    for t in range(T):
        o = out[t]
        if o != cur:
            D2[row, cur] += acc
            cur = o
            acc = 0.0
        v = cval[t]
        if D == 2:
            # at most two factors per term (every spin model at orders 1 and 2): the factor
            # loop written out, without its exit branch (LLVM unswitches this loop-invariant
            # test; a Dias m = 3 right-hand side, 51 terms, in 42 instead of 62 ns, the same
            # products bit for bit)
            j0 = fac[t, 0]
            j1 = fac[t, 1]
            if j0 >= 0:
                v *= y[j0]
            if j1 >= 0:
                v *= y[j1]
        else:
            for k in range(D):
                j = fac[t, k]
                if j < 0:
                    break
                v *= y[j]
        acc += v
    D2[row, cur] += acc


@njit(**_JIT)
def jacobian(y, coef, out, cidx, fac, J):
    """Exact Jacobian ``J = df/dy`` from the term tables."""
    _jac_t(y, term_coefficients(coef, cidx), out, fac, J)


@njit(**_LEAF)
def _jac_t(y, cval, out, fac, J):
    """Exact Jacobian from per-term coefficients (the integrators' Jacobian)."""
    J[:, :] = 0.0
    T, D = fac.shape
    for t in range(T):
        c = cval[t]
        for k in range(D):
            j = fac[t, k]
            if j < 0:
                break
            v = c
            for l in range(D):
                jl = fac[t, l]
                if jl < 0:
                    break
                if l != k:
                    v *= y[jl]
            J[out[t], j] += v


@njit(**_LEAF)
def _lu_factor(A, piv):
    """In-place LU with partial pivoting; returns False if singular.  The diagonal holds the
    reciprocals of U's pivots, which :func:`_lu_solve` multiplies by: a division per row was the
    latency of its back substitution, a chain through all n rows (with the chain's order below:
    Rodas4 on Dias m = 3 with pump, n = 10, 1300 -> 1062 us per trajectory at rtol 1e-8, BDF 244
    -> 208 us at 1e-6; the same steps, results to rounding)."""
    n = A.shape[0]
    for k in range(n):
        p = k
        amax = abs(A[k, k])
        for i in range(k + 1, n):
            if abs(A[i, k]) > amax:
                amax = abs(A[i, k])
                p = i
        piv[k] = p
        if amax == 0.0:
            return False
        if p != k:
            for j in range(n):
                tmp = A[k, j]
                A[k, j] = A[p, j]
                A[p, j] = tmp
        inv = 1.0 / A[k, k]
        for i in range(k + 1, n):
            A[i, k] *= inv
            f = A[i, k]
            if f != 0.0:
                for j in range(k + 1, n):
                    A[i, j] -= f * A[k, j]
        A[k, k] = inv
    return True


@njit(**_LEAF)
def _lu_solve(LU, piv, b):
    n = LU.shape[0]
    for k in range(n):
        p = piv[k]
        if p != k:
            tmp = b[k]
            b[k] = b[p]
            b[p] = tmp
    for i in range(n):
        s = b[i]
        for j in range(i):
            s -= LU[i, j] * b[j]
        b[i] = s
    for i in range(n - 1, -1, -1):
        # b[i + 1], the value just solved for, enters last: the sum over the others does not
        # wait for it
        s = b[i]
        for j in range(n - 1, i, -1):
            s -= LU[i, j] * b[j]
        b[i] = s * LU[i, i]  # LU[i, i] = 1 / U[i, i] (see _lu_factor)


@njit(**_LEAF)
def _event_value(w, thr, y):
    s = -thr
    for i in range(y.shape[0]):
        s += w[i] * y[i]
    return s


@njit(**_INNER)
def _start(y0, coef, cidx, ev_w, yout, stats, cval):
    """Shared set-up of both integrators: NaN outputs, zero statistics, per-term coefficients
    ``cval = coef[cidx]`` (gathered once per trajectory, not once per RHS call); returns
    ``(has_event, valid)`` where ``valid`` is False for non-finite coefficients or initial
    state."""
    yout[:, :] = np.nan
    stats[:] = 0
    has_event = False
    if ev_w is not None:  # (None: compiled without the event code)
        for i in range(ev_w.shape[0]):
            if ev_w[i] != 0.0:
                has_event = True
    for t in range(cidx.shape[0]):
        cval[t] = coef[cidx[t]]
    valid = True
    for i in range(coef.shape[0]):
        if not np.isfinite(coef[i]):
            valid = False
    for i in range(y0.shape[0]):
        if not np.isfinite(y0[i]):
            valid = False
    return has_event, valid


@njit(**_LEAF)
def _crossed(g_prev, g_new, direction):
    """Did the event function cross zero in ``direction`` (+1 rising, -1 falling, 0 either)?"""
    if direction >= 0 and g_prev < 0.0 <= g_new:
        return True
    if direction <= 0 and g_prev > 0.0 >= g_new:
        return True
    return False


@njit(**_LEAF)
def _initial_step(y, fy, J, atol, rtol, t0, tend, hmax):
    """First step: Hairer-Wanner heuristic ``0.01 ||y|| / ||f||`` in the scaled norm, capped by
    ``0.01 / ||J||_inf`` so that the first step resolves the fastest local time scale.  Without
    the cap a fully inverted ensemble (tiny ``f``) lets an L-stable method step straight over the
    superradiant instability, whose growth rate ``~ gamma N`` only the Jacobian shows."""
    n = y.shape[0]
    d0 = 0.0
    d1 = 0.0
    for i in range(n):
        sc = atol[i] + rtol * abs(y[i])
        d0 += (y[i] / sc) ** 2
        d1 += (fy[i] / sc) ** 2
    d0 = np.sqrt(d0 / n)
    d1 = np.sqrt(d1 / n)
    span = tend - t0
    if d0 < 1e-5 or d1 < 1e-5:
        h = 1e-6 * span
    else:
        h = 0.01 * d0 / d1
    jn = 0.0
    for i in range(n):
        row = 0.0
        for j in range(n):
            row += abs(J[i, j])
        if row > jn:
            jn = row
    # comparisons, not builtin min/max: each of those is a numba overload compiled per signature
    # and per set of compiler flags (three compiles here, ~0.08 s of a cold start)
    if jn > 0.0 and 0.01 / jn < h:
        h = 0.01 / jn
    if 0.1 * span < h:
        h = 0.1 * span
    if hmax < h:
        h = hmax
    if h < 1e-14 * span:
        h = 1e-14 * span
    return h


@njit(**_LEAF, inline="always")
def _dense_eval(y0, F, s, out, row):
    """``out[row]`` = the step's interpolant at ``t_old + s h``:
    ``y0 + s(F0 + (1-s)(F1 + s(F2 + (1-s)(F3 + s(F4 + (1-s)(F5 + s F6))))))``.

    DOP853 fills all seven rows (order 7); the cubic Hermite interpolant of a Rodas4 step is the
    same form with ``F0 = dy``, ``F1 = h f0 - dy``, ``F2 = 2 dy - h (f0 + f1)`` and ``F3.. = 0``.
    Inlined by numba (``inline="always"``) where it is called: :func:`_dense_outputs` and the
    event bisection of :func:`integrate_one` (compiled only for runs with an event)."""
    s1 = 1.0 - s
    for i in range(y0.shape[0]):
        v = F[6, i]
        v = F[5, i] + s * v
        v = F[4, i] + s1 * v
        v = F[3, i] + s * v
        v = F[2, i] + s1 * v
        v = F[1, i] + s * v
        v = F[0, i] + s1 * v
        out[row, i] = y0[i] + s * v


@njit(**_LEAF)
def _dense_outputs(y0, y1, F, t, h, tnew, t_last, tout, k, yout):
    """The outputs ``tout[k] <= t_last`` of a step from ``(t, y0)`` to ``(tnew, y1)``, from its
    interpolant ``F`` (``y1`` itself at ``tnew``); returns the next output index.

    One call per step instead of a :func:`_dense_eval` call per output: an output costs a chain
    of seven dependent multiply-adds per component, and in one loop the chains of consecutive
    outputs overlap.  Dias m = 3 with pump (200 outputs, 36 steps) at rtol 1e-5: 59.1-60.8 ->
    57.4-57.8 us per trajectory, the same results bit for bit.  :func:`_dense_eval` is inlined
    by numba here; LLVM's ``forceinline`` instead ran at 59.5-61.1 us
    (``runs/benchmarks/PERFORMANCE_NOTES.md``, stop 18)."""
    nout = tout.shape[0]
    n = y0.shape[0]
    while k < nout and tout[k] <= t_last:
        tk = tout[k]
        if tk == tnew:
            for i in range(n):
                yout[k, i] = y1[i]
        else:
            _dense_eval(y0, F, (tk - t) / h, yout, k)
        k += 1
    return k


@njit(**_LEAF, forceinline=True)
def _stage(y, scale, A, s, K, cval, out, fac, ytmp, D2, row):
    """``D2[row] = f(y + scale * sum_{j < s} A[s, j] K[j])`` (zero coefficients skipped): one
    Runge-Kutta or Rosenbrock stage, the integrators' only route to the table RHS.

    ``forceinline`` (LLVM ``alwaysinline``): without it LLVM's inliner decided per build, from
    the size of the caller, whether to inline this hot callee, and a call that is not inlined
    passes nine arrays as structs and loses the aliasing and constant facts of the caller.  That
    was the "machine-code layout" effect of earlier stops: builds of ``integrate_one`` with the
    same steps ran 20-120 % apart after unrelated edits.  Inlined at every call site, the
    one-ensemble decay problem took 17-22 % less time than the earlier build and Dias m = 3 about
    the same to 7 % less (per-variant minimum over interleaved runs; DOP853 / Rodas4 / auto at
    rtol 1e-5 / auto at 1e-8: 29.6 / 101 / 36.1 / 59.4 -> 24.1 / 76.7 / 29.0 / 46.7 us and
    59.7 / 310 / 74.5 / 139 -> 55.7 / 296 / 71.7 / 129 us).  It costs compile work, about a
    thousand lines of machine code per call site, so ``integrate_one`` keeps its call sites few
    (three; ``runs/benchmarks/PERFORMANCE_NOTES.md``)."""
    n = y.shape[0]
    for i in range(n):
        ytmp[i] = y[i]
    for j in range(s):
        a = A[s, j]
        if a != 0.0:
            ha = scale * a
            for i in range(n):
                ytmp[i] += ha * K[j, i]
    _rhs_t(ytmp, cval, out, fac, D2, row)


# rows of integrate_one's work array before its two n x n blocks (J and W)
_WORK_ROWS = 36
_F8 = np.dtype(np.float64)
_I8 = np.dtype(np.int64)


def kernel_arrays(n: int, tables: tuple) -> tuple[tuple, tuple]:
    """``((out, cidx, fac), (work, piv, cval))``: copies of the tables and :func:`integrate_one`'s
    scratch arrays, laid out in that order: ``work`` at the start of one page-aligned block,
    then ``cval``, ``out``, ``cidx``, ``fac`` and ``piv``, each on a 64-byte boundary.

    Why: the kernel's speed depends on where these arrays sit relative to each other within a
    4 KiB page.  A load whose address agrees with a pending store's in the low 12 bits waits
    for that store (4K aliasing), and the right-hand side loads the tables while it stores into
    ``work``.  With each array wherever ``malloc`` put it, Dias m = 3 with pump at rtol 1e-5 ran
    55.5 us with most placements and 66-107 us with some (the ``fac`` table alone moved it from
    56.5 to 102.7 us; fresh processes of the same code timed 58.5-67.6 us).  This layout is fixed
    relative to the page, so a problem runs at one speed in every process, and it is among the
    fastest in scans of the tables' offset (``runs/benchmarks/PERFORMANCE_NOTES.md``, stop 17).
    Those scans moved one offset after another; an interleaved rescan of the output times' offset
    (stop 18) found no effect at all, so part of the slow placements above may have been the
    shared machine's slow spells.  The layout is kept: it costs ~8 us per call and changes no
    result.  The copies are read-only in the kernel; the block is freed with the last view of it."""
    out, cidx, fac = tables
    # plain Python sizes (np.prod and np.dtype calls made this 55 us; solve() calls it per run)
    shapes = (
        ((_WORK_ROWS + 2 * n, n), _F8),
        ((cidx.shape[0],), _F8),
        (out.shape, out.dtype),
        (cidx.shape, cidx.dtype),
        (fac.shape, fac.dtype),
        ((n,), _I8),
    )
    sizes = [math.prod(shape) * dtype.itemsize for shape, dtype in shapes]
    offsets = []
    size = 0
    for nbytes in sizes:
        offsets.append(size)
        size += -(-max(nbytes, 1) // 64) * 64
    block = np.empty(size + 4096, dtype=np.uint8)
    start = -block.ctypes.data % 4096
    views = [
        np.ndarray(shape, dtype, buffer=block, offset=start + off)
        for off, (shape, dtype) in zip(offsets, shapes)
    ]
    work, cval, out_c, cidx_c, fac_c, piv = views
    out_c[...] = out
    cidx_c[...] = cidx
    fac_c[...] = fac
    return (out_c, cidx_c, fac_c), (work, piv, cval)


@njit(**_JIT, _nrt=False, pipeline_class=_KernelPipeline)
def integrate_one(
    y0,
    t0,
    tout,
    coef,
    out,
    cidx,
    fac,
    rtol,
    atol,
    h0,
    hmax,
    max_steps,
    ev_w,
    ev_thr,
    ev_dir,
    ev_terminal,
    mode,
    yout,
    stats,
    work,
    piv,
    cval,
):
    """Integrate one trajectory from ``t0`` through the sorted output times ``tout``.

    ``mode``: ``AUTO`` (DOP853 while the problem is non-stiff, Rodas4 where it is stiff, switching
    both ways), ``RODAS4`` (Rodas4 throughout) or ``DOP853`` (DOP853 throughout).
    Writes ``yout[k]`` at ``tout[k]`` (NaN beyond a failure or terminal event), fills
    ``stats = [accepted, rejected, nfev, njev, nlu, stiff steps, switches]`` and returns
    ``(status, event_time)``.  ``work``, ``piv`` and ``cval`` are scratch arrays from the caller
    (:func:`kernel_arrays`): the kernel allocates nothing, which spares a cold start the
    compiles of numpy's allocation routines.  ``ev_w . y - ev_thr`` is the event
    function (``ev_w`` all zero: no event); ``ev_dir`` is +1 (rising), -1 (falling) or 0
    (either).  ``ev_w=None`` (what the engine passes when there is no event) compiles a
    specialisation without the event code: numba prunes the ``ev_w is not None`` branches, so
    ``_event_value``, ``_crossed`` and the bisection are not compiled for the runs that do not
    use them (-5.6 % of a cold start's instructions).

    Written for a short compile (a cold start is mostly numba and LLVM compiling this function):
    every right-hand side goes through ``_stage``, which LLVM inlines at each call site, and an
    inlined copy is about a thousand lines of machine code.  So there are three sites: f(y0);
    the stages of an attempt, Rodas4's or DOP853's, in one loop; f(y_new) with DOP853's three
    interpolant stages, in one loop of data-dependent length (a loop of constant length 3 was
    unrolled into three copies).  They were seven: the machine code went from 14.4k to 12.3k
    lines, the same steps bit for bit.  No reference counting (``_nrt=False``): every array is
    the caller's or a view of one, and the counting code was a fifth of numba's IR.  LLVM does
    not vectorise the kernel's own (short) loops, and numba compiles it without the front-end
    passes that change nothing in it (SSA, closure inlining, rewrites; its integer state starts
    from the int64 ``s0``): :class:`_KernelPipeline`.

    Step size: PI control for DOP853, I control for Rodas4, growth at most 6x per step; the first
    accepted DOP853 step may grow up to ``_FIRST_GROWTH`` (1e4) by its error estimate alone (the
    automatic first step is deliberately small, see :func:`_initial_step`).

    Stiffness detection (``AUTO``): after an accepted DOP853 step, Hairer's estimate
    ``rho = |f(y_new) - f(y_11)| / |y_new - y_11|`` from the two stages at ``t + h``; ``h' rho``
    above ``_STIFF_HLAMBDA`` on ``n_need`` steps (reset after six easy ones), where ``h'`` is the
    larger of the step just taken and the one the controller proposes next, means the steps are
    (or are about to be) pinned by stability, not accuracy: switch to Rodas4.  Testing the
    proposed step switches one step before the explicit method runs into its stability limit,
    where it would start rejecting steps.  After an accepted Rodas4 step, the spectral radius of
    ``J`` by power iteration (three products per step, refined along the trajectory); five
    proposed steps in a row that DOP853 could take stably (``h rho < _HANDBACK_HLAMBDA``, the
    stability limit) hand the problem back.  Hysteresis against ping-pong in moderately stiff
    stretches (where Rodas4's accuracy-limited steps are short enough to hand back, and DOP853
    then meets its stability limit again): ``n_need`` starts at ``_STIFF_HITS`` and doubles on
    every hand-back, up to ``_STIFF_HITS_MAX``, so that such a stretch runs mostly on DOP853 with
    short Rodas4 probes.
    """
    n = y0.shape[0]
    nout = tout.shape[0]
    ev_time = np.nan
    has_event, valid = _start(y0, coef, cidx, ev_w, yout, stats, cval)
    if not valid:
        return BAD_INPUT, ev_time
    # a plain int64 0: a literal 0 would compile a second _stage, and the kernel's integer state
    # starts from it (compiled without SSA, see _KERNEL_SKIPPED_PASSES)
    s0 = nout - nout
    # work rows: 0..15 DOP853 stages (row 0 = f(y), row 12 = f(y_new), for both methods),
    # 16..21 Rodas4 stages, 22..28 interpolant, then y, y_new, two stage buffers, y interpolated
    # for the event bisection (outputs are interpolated straight into yout)
    # and the two power-iteration vectors; rows _WORK_ROWS.. hold J and W (n rows each)
    K = work[0:16]
    KR = work[16:22]
    F = work[22:29]
    y = work[29]
    ynew = work[30]
    ytmp = work[31]
    r_ftmp = s0 + 32  # int64, not a literal (one compiled _stage)
    ftmp = work[r_ftmp]
    r_yint = s0 + 33  # int64, like r_ftmp
    yint = work[r_yint]
    pv = work[34]
    pw = work[35]
    J = work[_WORK_ROWS : _WORK_ROWS + n]
    W = work[_WORK_ROWS + n : _WORK_ROWS + 2 * n]
    for i in range(n):
        pv[i] = 0.0
        y[i] = y0[i]
    t = t0
    kout = s0
    while kout < nout and tout[kout] <= t0:
        for i in range(n):
            yout[kout, i] = y[i]
        kout += 1
    if kout == nout:
        return OK, ev_time
    tend = tout[nout - 1]
    _stage(y, 0.0, _DOP_A, s0, K, cval, out, fac, ytmp, K, s0)
    stats[2] += 1
    _jac_t(y, cval, out, fac, J)
    stats[3] += 1
    need_jac = False
    h = h0 if h0 > 0.0 else _initial_step(y, K[0], J, atol, rtol, t0, tend, hmax)
    ev_prev = 0.0
    if ev_w is not None:
        ev_prev = _event_value(ev_w, ev_thr, y)
    status = s0 + OK
    stiff = mode == RODAS4
    last_reject = False
    err_prev = 1e-4
    n_hit = s0
    n_miss = s0
    n_easy = s0
    n_need = s0 + _STIFF_HITS
    while kout < nout:
        if stats[0] + stats[1] >= max_steps:
            status = s0 + MAX_STEPS
            break
        h = min(h, hmax)
        # land exactly on tend (a step within 1% of the remainder is stretched to it)
        at_end = t + 1.01 * h >= tend
        if at_end:
            h = tend - t
        if h < 1e-15 * max(abs(t), abs(tend - t0)) or h <= 0.0:
            status = s0 + STEP_TOO_SMALL
            break
        # ---------------- one attempt: error norm `err` (inf: non-finite step or singular W)
        err = np.inf
        if stiff:
            q = 4.0
            if need_jac:
                _jac_t(y, cval, out, fac, J)
                stats[3] += 1
                need_jac = False
            inv_hg = 1.0 / (h * _GAMMA)
            for i in range(n):
                for j in range(n):
                    W[i, j] = -J[i, j]
                W[i, i] += inv_hg
            stats[4] += 1
            ok = _lu_factor(W, piv)
            tab, KS, D2, scale, s_lo, s_hi = _A, KR, work, 1.0, 0, 6
        else:
            q = 8.0
            ok = True
            tab, KS, D2, scale, s_lo, s_hi = _DOP_A, K, K, h, 1, 12
        if ok:
            # the stages of either method through one _stage call site (see the docstring);
            # Rodas4's are K_s = W^-1 (f(y + sum a_sj K_j) + sum (c_sj / h) K_j), stage 0 from
            # f(y) = K[0], each solved as it comes
            for s in range(s_lo, s_hi):
                if s > 0:
                    _stage(y, scale, tab, s, KS, cval, out, fac, ytmp, D2, r_ftmp if stiff else s)
                    stats[2] += 1
                if stiff:
                    if s == 0:
                        for i in range(n):
                            ftmp[i] = K[0, i]
                    for j in range(s):
                        cj = _C[s, j] / h
                        for i in range(n):
                            ftmp[i] += cj * KR[j, i]
                    _lu_solve(W, piv, ftmp)
                    for i in range(n):
                        KR[s, i] = ftmp[i]
            if stiff:
                # stiffly accurate: y_new = (last stage input) + K_6; embedded error K_6
                e2 = 0.0
                for i in range(n):
                    v = ytmp[i] + KR[5, i]
                    ynew[i] = v
                    sc = atol[i] + rtol * max(abs(y[i]), abs(v))
                    e2 += (KR[5, i] / sc) ** 2
                err = np.sqrt(e2 / n)
            else:
                # ytmp now holds the input of stage 11 (c = 1), used by the stiffness test
                err5 = 0.0
                err3 = 0.0
                for i in range(n):
                    acc = 0.0
                    e5 = 0.0
                    e3 = 0.0
                    for j in range(12):
                        kj = K[j, i]
                        acc += _DOP_B[j] * kj
                        e5 += _DOP_E5[j] * kj
                        e3 += _DOP_E3[j] * kj
                    v = y[i] + h * acc
                    ynew[i] = v
                    sc = atol[i] + rtol * max(abs(y[i]), abs(v))
                    e5 /= sc
                    e3 /= sc
                    err5 += e5 * e5
                    err3 += e3 * e3
                if err5 == 0.0 and err3 == 0.0:
                    err = 0.0
                else:
                    err = abs(h) * err5 / np.sqrt((err5 + 0.01 * err3) * n)
        if not np.isfinite(err):  # singular matrix or non-finite step: shrink hard
            h *= 0.25
            stats[1] += 1
            last_reject = True
            continue
        if err > 1.0:
            stats[1] += 1
            h *= max(0.2, 0.9 * err ** (-1.0 / q))
            last_reject = True
            continue
        # ---------------- accepted
        stats[0] += 1
        if stiff:
            stats[5] += 1
        tnew = tend if at_end else t + h
        crossed = False
        g_prev = ev_prev
        if ev_w is not None:
            if has_event and np.isnan(ev_time):
                ev_new = _event_value(ev_w, ev_thr, ynew)
                crossed = _crossed(ev_prev, ev_new, ev_dir)
                ev_prev = ev_new
        interp = crossed or (kout < nout and tout[kout] < tnew)
        # f(y_new) into K[12] (DOP853's FSAL stage, for both methods) and, for a DOP853 step whose
        # interpolant is needed, its three extra stages: one _stage call site, in a loop whose
        # trip count LLVM cannot fold (a constant one is unrolled into an inlined copy per stage)
        s_end = 16 if interp and not stiff else 13
        for s in range(12, s_end):
            fsal = s == 12
            yb = ynew if fsal else y
            _stage(yb, 0.0 if fsal else h, _DOP_A, s0 if fsal else s, K, cval, out, fac, ftmp, K, s)
        stats[2] += s_end - 12
        if interp:
            # interpolant: cubic Hermite (Rodas4) or DOP853's order-7 one
            for i in range(n):
                dy = ynew[i] - y[i]
                F[0, i] = dy
                F[1, i] = h * K[0, i] - dy
                F[2, i] = 2.0 * dy - h * (K[0, i] + K[12, i])
                for r in range(3, 7):
                    F[r, i] = 0.0
            if not stiff:
                # component loop outermost: the constant 4 x 12 nest inside unrolls into one
                # straight-line body (the other order unrolls into 64 vectorised loops); stages
                # 1-4 have zero dense-output weights and are skipped (3.4 % fewer instructions
                # per trajectory of Dias m = 3 at rtol 1e-5, callgrind; the same results)
                for i in range(n):
                    for r in range(4):
                        acc = _DOP_D[r, 0] * K[0, i]
                        for j in range(5, 16):
                            acc += _DOP_D[r, j] * K[j, i]
                        F[3 + r, i] = h * acc
            if ev_w is not None and crossed:
                lo = 0.0
                hi = 1.0
                glo = g_prev
                for _ in range(60):
                    mid = 0.5 * (lo + hi)
                    _dense_eval(y, F, mid, work, r_yint)
                    gm = _event_value(ev_w, ev_thr, yint)
                    if (gm < 0.0) == (glo < 0.0) and gm != 0.0:
                        lo = mid
                        glo = gm
                    else:
                        hi = mid
                ev_time = t + hi * h
        # a terminal event ends the trajectory at the event: later outputs stay NaN
        t_last = ev_time if (ev_terminal and crossed) else tnew
        kout = _dense_outputs(y, ynew, F, t, h, tnew, t_last, tout, kout, yout)
        if has_event and ev_terminal and not np.isnan(ev_time):
            break
        # ---------------- next step size: PI control (Gustafsson; Hairer's DOPRI5 form with
        # beta = _PI_BETA) for DOP853, I control for Rodas4
        e = max(err, 1e-10)
        if stiff:
            fac_ = 0.9 * e ** (-1.0 / q)
        else:
            fac_ = 0.9 * e ** (_PI_BETA * 0.75 - 1.0 / q) * err_prev**_PI_BETA
            err_prev = max(err, 1e-4)
        fac_ = min(6.0, max(0.2, fac_))
        if stats[0] == 1 and not stiff:
            # the first accepted step of an explicit start grows by what its error allows, up
            # to _FIRST_GROWTH (not the usual 6x, nor through the 1e-10 floor of `e`)
            fac_ = min(_FIRST_GROWTH, 0.9 * max(err, 1e-30) ** (-1.0 / q))
        if last_reject:
            fac_ = min(fac_, 1.0)
        last_reject = False
        hnew = h * fac_
        # ---------------- stiffness detection (see docstring)
        switch = False
        if mode == AUTO:
            if not stiff:
                num = 0.0
                den = 0.0
                for i in range(n):
                    num += (K[12, i] - K[11, i]) ** 2
                    den += (ynew[i] - ytmp[i]) ** 2
                if den > 0.0 and max(h, hnew) * np.sqrt(num / den) > _STIFF_HLAMBDA:
                    n_hit += 1
                    n_miss = s0
                    switch = n_hit >= n_need
                else:
                    n_miss += 1
                    if n_miss >= 6:
                        n_hit = s0
            else:
                vn = 0.0
                for i in range(n):
                    vn += pv[i] * pv[i]
                if vn == 0.0 or not np.isfinite(vn):
                    for i in range(n):
                        pv[i] = 1.0 + 0.5 * np.sin(1.0 + i)
                        vn += pv[i] * pv[i]
                vn = np.sqrt(vn)
                rho = 0.0
                for _ in range(3):
                    wn = 0.0
                    for i in range(n):
                        acc = 0.0
                        for j in range(n):
                            acc += J[i, j] * pv[j]
                        pw[i] = acc
                        wn += acc * acc
                    wn = np.sqrt(wn)
                    if wn == 0.0 or not np.isfinite(wn):
                        break
                    rho = max(rho, wn / vn)
                    for i in range(n):
                        pv[i] = pw[i] / wn
                    vn = 1.0
                if hnew * rho < _HANDBACK_HLAMBDA:
                    n_easy += 1
                    switch = n_easy >= 5
                else:
                    n_easy = s0
        t = tnew
        for i in range(n):
            y[i] = ynew[i]
            K[0, i] = K[12, i]
        need_jac = True
        h = hnew
        if switch:
            stats[6] += 1
            if stiff:
                n_need = 2 * n_need if 2 * n_need < _STIFF_HITS_MAX else _STIFF_HITS_MAX
            stiff = not stiff
            n_hit = s0
            n_miss = s0
            n_easy = s0
    return status, ev_time


@njit(**_JIT, nogil=True)
def integrate_chunk(
    lo,
    hi,
    y0s,
    t0,
    tout,
    coefs,
    out,
    cidx,
    fac,
    rtol,
    atol,
    h0,
    hmax,
    max_steps,
    ev_w,
    ev_thrs,
    ev_dir,
    ev_terminal,
    mode,
    yout,
    stats,
    status,
    ev_times,
    work,
    piv,
    cval,
):
    """:func:`integrate_one` over the points ``lo <= p < hi`` (rows of ``y0s``, ``coefs``, ...),
    one after another with one set of work arrays (:func:`kernel_arrays`), without the GIL:
    :func:`run_batch` runs chunks of a batch on a thread per core."""
    for p in range(lo, hi):
        st, et = integrate_one(
            y0s[p],
            t0,
            tout,
            coefs[p],
            out,
            cidx,
            fac,
            rtol,
            atol,
            h0,
            hmax,
            max_steps,
            ev_w,
            ev_thrs[p],
            ev_dir,
            ev_terminal,
            mode,
            yout[p],
            stats[p],
            work,
            piv,
            cval,
        )
        status[p] = st
        ev_times[p] = et


def run_batch(chunk, args, per_slice=None):
    """Run a batch: ``chunk(lo, hi, *per_slice(args))`` over slices of the points (the first axis
    of ``args[0]``) on ``numba.get_num_threads()`` threads.  ``per_slice`` builds each slice's
    arguments (the RK/Rosenbrock driver adds the slice's own work arrays and copy of the tables,
    see :func:`kernel_arrays`); without it every slice gets ``args``.

    The chunk kernels release the GIL, so the threads run in parallel.  A batch driver compiled
    with numba's ``prange`` did the same, but numba optimised ``integrate_one``'s IR again in each
    of the three libraries of a parallel loop (body, gufunc wrapper, driver): a cold ``sweep``
    spent ~10 s more than a cold ``solve`` compiling it (``runs/benchmarks/PERFORMANCE_NOTES.md``).
    Slices are four per thread, handed out as threads come free (trajectories differ in cost)."""
    P = args[0].shape[0]

    def slice_args():
        return per_slice(args) if per_slice is not None else args

    first = slice_args()
    chunk(0, 0, *first)  # compiles (or loads) the kernel here, not in a worker thread
    threads = max(1, min(numba.get_num_threads(), P))
    if threads == 1:
        chunk(0, P, *first)
        return
    bounds = np.linspace(0, P, min(P, 4 * threads) + 1).astype(np.int64)

    def run(i):
        chunk(int(bounds[i]), int(bounds[i + 1]), *slice_args())

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(run, range(bounds.size - 1)))  # re-raises a slice's exception here


@njit(**_JIT)
def rhs_batch(ys, coefs, out, cidx, fac, dys):
    """``f`` at many saved states: ``ys`` of shape (P, T, n).

    Serial: a ``prange`` version ran no faster (1000 points x 200 times: 8.8 against 9.2-9.9 ms;
    two cores on a memory-bound loop) and took 2.2 s instead of 0.7-1.1 s to compile, the first
    time a process built a sweep's dataset."""
    P, T, n = ys.shape
    for p in range(P):
        cval = term_coefficients(coefs[p], cidx)
        for k in range(T):
            _rhs_t(ys[p, k], cval, out, fac, dys[p], k)


# ==================================================================================================
# Variable-order NDF/BDF (orders 1-5) with Newton iterations on the exact Jacobian and LU reuse
# ==================================================================================================
# Numerical differentiation formulas of Shampine & Reichelt (1997), "The MATLAB ODE suite",
# SIAM J. Sci. Comput. 18, 1: quasi-constant step size, backward differences D[0..order+2],
# kappa coefficients of the NDFs, order selection from the error estimates at orders k-1, k, k+1.
_MAX_ORDER = 5
_NEWTON_MAXITER = 4
_KAPPA = np.array([0.0, -0.1850, -1.0 / 9.0, -0.0823, -0.0415, 0.0])
_GAMMA_K = np.zeros(_MAX_ORDER + 1)
for _k in range(1, _MAX_ORDER + 1):
    _GAMMA_K[_k] = _GAMMA_K[_k - 1] + 1.0 / _k
_ALPHA_K = (1.0 - _KAPPA) * _GAMMA_K
_ERR_CONST = _KAPPA * _GAMMA_K + 1.0 / np.arange(1, _MAX_ORDER + 2)


@njit(**_INNER)
def _compute_R(order, factor):
    M = np.zeros((order + 1, order + 1))
    for i in range(1, order + 1):
        for j in range(1, order + 1):
            M[i, j] = (i - 1 - factor * j) / i
    for j in range(order + 1):
        M[0, j] = 1.0
    R = np.empty_like(M)
    for j in range(order + 1):
        acc = 1.0
        for i in range(order + 1):
            acc *= M[i, j]
            R[i, j] = acc
    return R


@njit(**_INNER)
def _change_D(D, order, factor):
    R = _compute_R(order, factor)
    U = _compute_R(order, 1.0)
    RU = R @ U
    n = D.shape[1]
    tmp = np.zeros((order + 1, n))
    for i in range(order + 1):
        for k in range(order + 1):
            c = RU[k, i]
            if c != 0.0:
                for j in range(n):
                    tmp[i, j] += c * D[k, j]
    for i in range(order + 1):
        for j in range(n):
            D[i, j] = tmp[i, j]


@njit(**_INNER)
def _wrms(v, scale):
    s = 0.0
    for i in range(v.shape[0]):
        s += (v[i] / scale[i]) ** 2
    return np.sqrt(s / v.shape[0])


@njit(**_INNER)
def _bdf_interp(D, order, t, h, tq, out):
    """Interpolating polynomial through the backward differences at ``t`` (step ``h``)."""
    n = D.shape[1]
    for i in range(n):
        out[i] = D[0, i]
    p = 1.0
    for j in range(order):
        p *= (tq - (t - h * j)) / (h * (1 + j))
        for i in range(n):
            out[i] += D[j + 1, i] * p


@njit(**_JIT, pipeline_class=_LeanPipeline)
def bdf_one(
    y0,
    t0,
    tout,
    coef,
    out,
    cidx,
    fac,
    rtol,
    atol,
    h0,
    hmax,
    max_steps,
    ev_w,
    ev_thr,
    ev_dir,
    ev_terminal,
    yout,
    stats,
):
    """Variable-order NDF (1-5) twin of :func:`integrate_one` (same arguments and outputs)."""
    n = y0.shape[0]
    nout = tout.shape[0]
    ev_time = np.nan
    cval = np.empty(cidx.shape[0])
    has_event, valid = _start(y0, coef, cidx, ev_w, yout, stats, cval)
    if not valid:
        return BAD_INPUT, ev_time
    # a plain int64 0: the integer state starts from it, not from literals (compiled without
    # SSA, see _KERNEL_SKIPPED_PASSES)
    s0 = nout - nout
    t = t0
    kout = s0
    while kout < nout and tout[kout] <= t0:
        for i in range(n):
            yout[kout, i] = y0[i]
        kout += 1
    if kout == nout:
        return OK, ev_time
    tend = tout[nout - 1]
    y = y0.copy()
    f2 = np.empty((1, n))
    f = f2[0]
    _rhs_t(y, cval, out, fac, f2, 0)
    stats[2] += 1
    J = np.empty((n, n))
    _jac_t(y, cval, out, fac, J)
    stats[3] += 1
    current_jac = True
    scale = np.empty(n)
    for i in range(n):
        scale[i] = atol[i] + rtol * abs(y[i])
    h = h0 if h0 > 0.0 else _initial_step(y, f, J, atol, rtol, t0, tend, hmax)
    D = np.zeros((_MAX_ORDER + 3, n))
    for i in range(n):
        D[0, i] = y[i]
        D[1, i] = f[i] * h
    order = s0 + 1
    n_equal = s0
    W = np.empty((n, n))
    piv = np.empty(n, dtype=np.int64)
    lu_ok = False
    ypred = np.empty(n)
    psi = np.empty(n)
    ynew = np.empty(n)
    d = np.empty(n)
    dy = np.empty(n)
    fn2 = np.empty((1, n))
    fn = fn2[0]
    err = np.empty(n)
    yint = np.empty(n)
    newton_tol = max(10.0 * 2.220446049250313e-16 / rtol, min(0.03, rtol**0.5))
    ev_prev = _event_value(ev_w, ev_thr, y)
    status = s0 + OK
    while kout < nout:
        if stats[0] + stats[1] >= max_steps:
            status = s0 + MAX_STEPS
            break
        # ---- one step ----
        accepted = False
        while not accepted:
            if h < 1e-15 * max(abs(t), abs(tend - t0)):
                status = s0 + STEP_TOO_SMALL
                break
            if h > hmax:
                _change_D(D, order, hmax / h)
                h = hmax
                n_equal = s0
                lu_ok = False
            at_end = t + 1.01 * h >= tend
            if at_end and h != tend - t:
                newh = tend - t
                _change_D(D, order, newh / h)
                h = newh
                n_equal = s0
                lu_ok = False
            tnew = tend if at_end else t + h
            for i in range(n):
                acc = 0.0
                for k in range(order + 1):
                    acc += D[k, i]
                ypred[i] = acc
                scale[i] = atol[i] + rtol * abs(acc)
                ps = 0.0
                for k in range(1, order + 1):
                    ps += D[k, i] * _GAMMA_K[k]
                psi[i] = ps / _ALPHA_K[order]
            c = h / _ALPHA_K[order]
            converged = False
            n_iter = s0
            while not converged:
                if not lu_ok:
                    for i in range(n):
                        for j in range(n):
                            W[i, j] = -c * J[i, j]
                        W[i, i] += 1.0
                    stats[4] += 1
                    lu_ok = _lu_factor(W, piv)
                    if not lu_ok:
                        break
                # Newton iterations
                for i in range(n):
                    ynew[i] = ypred[i]
                    d[i] = 0.0
                dy_old = -1.0
                converged = False
                n_iter = s0
                for k in range(_NEWTON_MAXITER):
                    n_iter = k + 1
                    _rhs_t(ynew, cval, out, fac, fn2, 0)
                    stats[2] += 1
                    finite = True
                    for i in range(n):
                        if not np.isfinite(fn[i]):
                            finite = False
                    if not finite:
                        break
                    for i in range(n):
                        dy[i] = c * fn[i] - psi[i] - d[i]
                    _lu_solve(W, piv, dy)
                    dyn = _wrms(dy, scale)
                    rate = -1.0
                    if dy_old > 0.0:
                        rate = dyn / dy_old
                    if rate >= 0.0 and (
                        rate >= 1.0
                        or rate ** (_NEWTON_MAXITER - k) / (1.0 - rate) * dyn > newton_tol
                    ):
                        break
                    for i in range(n):
                        ynew[i] += dy[i]
                        d[i] += dy[i]
                    if dyn == 0.0 or (rate >= 0.0 and rate / (1.0 - rate) * dyn < newton_tol):
                        converged = True
                        break
                    dy_old = dyn
                if not converged:
                    if current_jac:
                        break
                    _jac_t(ypred, cval, out, fac, J)
                    stats[3] += 1
                    current_jac = True
                    lu_ok = False
            if not converged:
                stats[1] += 1
                _change_D(D, order, 0.5)
                h *= 0.5
                n_equal = s0
                lu_ok = False
                continue
            safety = 0.9 * (2 * _NEWTON_MAXITER + 1) / (2 * _NEWTON_MAXITER + n_iter)
            for i in range(n):
                scale[i] = atol[i] + rtol * abs(ynew[i])
                err[i] = _ERR_CONST[order] * d[i]
            en = _wrms(err, scale)
            if en > 1.0:
                stats[1] += 1
                factor = max(0.2, safety * en ** (-1.0 / (order + 1)))
                _change_D(D, order, factor)
                h *= factor
                n_equal = s0
                lu_ok = False
            else:
                accepted = True
        if status != OK:
            break
        stats[0] += 1
        n_equal += 1
        current_jac = False
        told = t
        t = tnew
        for i in range(n):
            D[order + 2, i] = d[i] - D[order + 1, i]
            D[order + 1, i] = d[i]
        for k in range(order, -1, -1):
            for i in range(n):
                D[k, i] += D[k + 1, i]
        for i in range(n):
            y[i] = ynew[i]
        # event on [told, t]
        if has_event and np.isnan(ev_time):
            ev_new = _event_value(ev_w, ev_thr, y)
            if _crossed(ev_prev, ev_new, ev_dir):
                lo = told
                hi = t
                glo = ev_prev
                for _ in range(60):
                    mid = 0.5 * (lo + hi)
                    _bdf_interp(D, order, t, h, mid, yint)
                    gm = _event_value(ev_w, ev_thr, yint)
                    if (gm < 0.0) == (glo < 0.0) and gm != 0.0:
                        lo = mid
                        glo = gm
                    else:
                        hi = mid
                ev_time = hi
            ev_prev = ev_new
        t_last = ev_time if (ev_terminal and not np.isnan(ev_time)) else t
        while kout < nout and tout[kout] <= t_last:
            _bdf_interp(D, order, t, h, tout[kout], yint)
            for i in range(n):
                yout[kout, i] = yint[i]
            kout += 1
        if has_event and ev_terminal and not np.isnan(ev_time):
            break
        # order and step-size selection
        if n_equal < order + 1:
            continue
        em = np.inf
        ep = np.inf
        if order > 1:
            for i in range(n):
                err[i] = _ERR_CONST[order - 1] * D[order, i]
            em = _wrms(err, scale)
        if order < _MAX_ORDER:
            for i in range(n):
                err[i] = _ERR_CONST[order + 1] * D[order + 2, i]
            ep = _wrms(err, scale)
        for i in range(n):
            err[i] = _ERR_CONST[order] * d[i]
        ec = _wrms(err, scale)
        fm = em ** (-1.0 / order) if em > 0 else np.inf
        fc_ = ec ** (-1.0 / (order + 1)) if ec > 0 else np.inf
        fp = ep ** (-1.0 / (order + 2)) if ep > 0 else np.inf
        best = fc_
        delta = s0
        if fm > best:
            best = fm
            delta = s0 - 1
        if fp > best:
            best = fp
            delta = s0 + 1
        order += delta
        factor = min(10.0, safety * best)
        _change_D(D, order, factor)
        h *= factor
        n_equal = s0
        lu_ok = False
    return status, ev_time


@njit(**_JIT, nogil=True)
def bdf_chunk(
    lo,
    hi,
    y0s,
    t0,
    tout,
    coefs,
    out,
    cidx,
    fac,
    rtol,
    atol,
    h0,
    hmax,
    max_steps,
    ev_w,
    ev_thrs,
    ev_dir,
    ev_terminal,
    yout,
    stats,
    status,
    ev_times,
):
    """:func:`bdf_one` over the points ``lo <= p < hi``, without the GIL (see :func:`run_batch`)."""
    for p in range(lo, hi):
        st, et = bdf_one(
            y0s[p],
            t0,
            tout,
            coefs[p],
            out,
            cidx,
            fac,
            rtol,
            atol,
            h0,
            hmax,
            max_steps,
            ev_w,
            ev_thrs[p],
            ev_dir,
            ev_terminal,
            yout[p],
            stats[p],
        )
        status[p] = st
        ev_times[p] = et
