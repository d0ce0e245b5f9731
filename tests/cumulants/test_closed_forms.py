"""Closed forms: single-spin decay, two-spin superradiance; the order-2 equations of one ensemble
under collective decay against an independent hand derivation; integrator error in units of the
tolerance; exact Jacobian against finite differences; stiff work counts."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import collective as c
from collective.cumulants import Moment, derive
from collective.engine import compile_model
from collective.integrate import jacobian, rhs

G = 0.8


def decay_model(N, convention="D"):
    return c.Model(
        ensembles=[c.Ensemble(name="A", N=N)],
        dissipators=[c.Dissipator(jump=c.Jm("A"), rate=c.param("g"), convention=convention)],
        parameters=[c.Parameter(name="g", value=G, nonnegative=True)],
    )


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("convention,factor", [("D", 1.0), ("L", 2.0)])
def test_single_spin_decay(order, convention, factor):
    """N = 1: <sigma^z>(t) = -1 + 2 exp(-k g t), k = 1 (D) or 2 (L = 2D)."""
    t = np.linspace(0.0, 5.0, 41)
    ds = c.solve(
        decay_model(1, convention),
        t,
        order=order,
        initial=c.InitialState.from_energy({"A": 1.0}),
        seed=False,
        rtol=1e-10,
        atol=1e-12,
    )
    sz = 2 * ds.energy_density.sel(ensemble="A").values - 1
    exact = -1 + 2 * np.exp(-factor * G * t)
    err = np.max(np.abs(sz - exact))
    assert err < 1e-8, err


def test_two_spin_superradiance():
    """N = 2 from |ee> under g D[J^-]: P_ee = e^{-2gt}, P_s = 2gt e^{-2gt}; <J^z> = P_ee - P_gg.
    Order 2 is exact at N = 2 (three distinct sites do not exist: factor N - 2 = 0)."""
    t = np.linspace(0.0, 6.0, 61)
    ds = c.solve(
        decay_model(2),
        t,
        order=2,
        initial=c.InitialState.from_energy({"A": 1.0}),
        rtol=1e-10,
        atol=1e-13,
    )
    pee = np.exp(-2 * G * t)
    ps = 2 * G * t * np.exp(-2 * G * t)
    jz = pee - (1 - pee - ps)
    assert np.max(np.abs(ds.Jz.sel(ensemble="A").values - jz)) < 1e-8
    # <J^+ J^-> = 2 P_ee + 2 P_s (J^-|ee> = sqrt2 |s>, J^-|s> = sqrt2 |gg>)
    assert (
        np.max(np.abs(ds.JpJm.sel(ensemble="A", ensemble_b="A").values - (2 * pee + 2 * ps))) < 1e-8
    )


def test_order2_one_ensemble_hand_derivation():
    """Hand derivation (kept here, independent of the generator), rate g, D[J^-], U(1):
    s = <sz>, C = <sp_1 sm_2>, Z = <sz_1 sz_2>, third moments closed as <sp sm sz> ~ C s:

        ds/dt = -g (1 + s) - 2 g (N - 1) C
        dC/dt = -g C + g s/2 + g Z/2 + g (N - 2) s C
        dZ/dt = -2 g s - 2 g Z + 4 g C - 4 g (N - 2) s C
    """
    g, N = sp.Symbol("g", real=True), sp.Symbol("N_A", positive=True, integer=True)
    s, C, Z = sp.symbols("s C Z")
    hand = {
        "s": -g * (1 + s) - 2 * g * (N - 1) * C,
        "C": -g * C + g * s / 2 + g * Z / 2 + g * (N - 2) * s * C,
        "Z": -2 * g * s - 2 * g * Z + 4 * g * C - 4 * g * (N - 2) * s * C,
    }
    eqs = derive(decay_model(5), order=2)
    sym = {
        Moment((("A", 0, 0, 1),), ()): s,
        Moment((("A", 1, 1, 0),), ()): C,
        Moment((("A", 0, 0, 2),), ()): Z,
    }
    assert set(eqs.variables) == set(sym)
    for v, terms in zip(eqs.variables, eqs.rhs):
        expr = sum(coef * sp.Mul(*[sym[eqs.variables[i]] for i, _ in fac]) for coef, fac in terms)
        name = {s: "s", C: "C", Z: "Z"}[sym[v]]
        assert sp.expand(expr - hand[name]) == 0, (name, expr)


def test_integrator_error_in_units_of_tolerance():
    t = np.linspace(0.0, 6.0, 61)
    exact = None
    for rtol in (1e-5, 1e-7, 1e-9):
        ds = c.solve(
            decay_model(2),
            t,
            order=2,
            initial=c.InitialState.from_energy({"A": 1.0}),
            rtol=rtol,
            atol=rtol * 1e-2,
        )
        pee = np.exp(-2 * G * t)
        ps = 2 * G * t * np.exp(-2 * G * t)
        exact = pee - (1 - pee - ps)
        err = np.max(np.abs(ds.Jz.sel(ensemble="A").values - exact))
        assert err < 50 * rtol, (rtol, err)


def test_jacobian_matches_finite_differences():
    m = c.dias2024(reservoirs=2, N_C=1000, N_B=[10, 7], gamma_up=0.7, nbar=0.2)
    eqs, low = compile_model(m, 2)
    coef = low.coefficients(m.numeric_values())
    rng = np.random.default_rng(3)
    y = rng.uniform(-0.5, 0.5, low.n)
    J = np.zeros((low.n, low.n))
    jacobian(y, coef, low.out, low.cidx, low.fac, J)
    f0 = np.zeros(low.n)
    fd = np.zeros_like(J)
    for j in range(low.n):
        h = 1e-6
        yp, ym = y.copy(), y.copy()
        yp[j] += h
        ym[j] -= h
        fp, fm = np.zeros(low.n), np.zeros(low.n)
        rhs(yp, coef, low.out, low.cidx, low.fac, fp)
        rhs(ym, coef, low.out, low.cidx, low.fac, fm)
        fd[:, j] = (fp - fm) / (2 * h)
    rhs(y, coef, low.out, low.cidx, low.fac, f0)
    scale = np.max(np.abs(J))
    assert np.max(np.abs(J - fd)) < 1e-7 * scale


def test_rhs_table_matches_symbolic_equations():
    """Lowered real tables reproduce the complex symbolic right-hand side at a random state."""
    m = c.dias2024(reservoirs=2, N_C=50, N_B=[4, 3], gamma_up=0.3, nbar=0.1)
    eqs, low = compile_model(m, 2)
    vals = m.numeric_values()
    coef = low.coefficients(vals)
    rng = np.random.default_rng(5)
    y = rng.normal(size=low.n)
    dy = np.zeros(low.n)
    rhs(y, coef, low.out, low.cidx, low.fac, dy)
    z = [y[r] + (1j * y[i] if i >= 0 else 0) for r, i in low.components]
    subs = {s: vals[s.name] for s in eqs.symbols}
    for k, terms in enumerate(eqs.rhs):
        val = 0j
        for coeff, fac in terms:
            prod = complex(coeff.xreplace(subs))
            for i, cj in fac:
                prod *= np.conj(z[i]) if cj else z[i]
            val += prod
        r, i = low.components[k]
        assert abs(dy[r] - val.real) < 1e-9 * max(1, abs(val))
        if i >= 0:
            assert abs(dy[i] - val.imag) < 1e-9 * max(1, abs(val))


def test_stiff_work_counts_use_the_jacobian():
    """At N = 1e7 the burst has rates ~ g N: an explicit method would need ~ t_end * g N ~ 1e3+
    steps per unit of the fastest time scale; Rodas4 with the exact Jacobian needs < 2000 steps over
    six decades of time and one Jacobian per accepted step."""
    m = c.dias2024(reservoirs=1, N_C=10_000_000, N_B=100)
    ds = c.solve(
        m,
        np.geomspace(1e-9, 1e-2, 50),
        order=2,
        initial=c.InitialState.from_energy({"C": 1.0}),
        method="rodas4",
    )
    assert int(ds.n_steps) < 2000
    assert int(ds.njev) == int(ds.n_steps)
    assert int(ds.nlu) == int(ds.n_steps) + int(ds.n_rejected)
    assert int(ds.n_stiff_steps) == int(ds.n_steps) and int(ds.n_switches) == 0


def test_auto_switches_to_rodas4_after_the_burst():
    """The default integrator runs DOP853 through the (non-stiff) delay and burst and hands over to
    Rodas4 on the plateau, where decay rates ~ g N would pin an explicit step at its stability
    boundary (|h lambda| ~ 6): over t in [0, 1e-2] = 1e5 / (g N), an explicit method alone would
    need > 1e4 steps.  Each Rodas4 step costs one Jacobian; DOP853 steps cost none."""
    m = c.dias2024(reservoirs=1, N_C=10_000_000, N_B=100)
    init = c.InitialState.from_energy({"C": 1.0})
    t = np.geomspace(1e-9, 1e-2, 50)
    ds = c.solve(m, t, order=2, initial=init, rtol=1e-9, atol=1e-13)
    assert ds.attrs["integrator"] == "auto"
    assert int(ds.n_switches) >= 1
    assert 0 < int(ds.n_stiff_steps) < int(ds.n_steps) < 500
    assert int(ds.njev) <= int(ds.n_stiff_steps) + 1 + int(ds.n_switches)
    ref = c.solve(m, t, order=2, initial=init, method="rodas4", rtol=1e-11, atol=1e-15)
    assert float(abs(ds.energy_density - ref.energy_density).max()) < 1e-7
    # forced to stay explicit, DOP853 runs out of a 10x larger step budget on the same window
    ex = c.solve(
        m,
        t,
        order=2,
        initial=init,
        method="dop853",
        rtol=1e-9,
        atol=1e-13,
        max_steps=10 * int(ds.n_steps),
        raise_on_failure=False,
    )
    assert "maximum number of steps" in str(ex.status_message.values)
    assert int(ex.n_stiff_steps) == 0


def test_auto_does_not_ping_pong_on_a_moderately_stiff_plateau():
    """m = 3, gamma_up = gamma_down, N_C = 1e3 over t in [0, 1]: on the pumped plateau Rodas4's
    accuracy-limited steps are short enough for the power iteration to hand the problem back to
    DOP853, which meets its stability limit again a few steps later.  With a fixed number of
    stiffness hits this alternated 41 times; the hits needed double on every hand-back, so the
    switches stay few, and the answer is that of Rodas4 alone."""
    m = c.dias2024(reservoirs=3, N_C=1000, N_B=100, gamma_up=1.0)
    init = c.InitialState.from_energy({"C": 1.0})
    t = np.geomspace(1e-9, 1.0, 300)
    ds = c.solve(m, t, order=2, initial=init, rtol=1e-8, atol=1e-12)
    assert 1 <= int(ds.n_switches) <= 12
    ref = c.solve(m, t, order=2, initial=init, method="rodas4", rtol=1e-11, atol=1e-15)
    assert float(abs(ds.energy_density - ref.energy_density).max()) < 1e-6


def test_auto_hands_back_to_dop853_where_rodas4_is_the_slower_method():
    """m = 3, gamma_up = 2 gamma_down, N_C = 1e4 over t in [0, 1] at rtol 1e-8: on the long
    pumped plateau Rodas4's accuracy-limited steps are no longer than DOP853's stability-limited
    ones (DOP853 alone: 3183 steps, Rodas4 alone: 5735).  Handing back only below half the
    stability limit kept `auto` on Rodas4 there (4200 steps, twice DOP853's wall time); handing
    back at the stability limit takes about DOP853's steps, with the same answer."""
    m = c.dias2024(reservoirs=3, N_C=10_000, N_B=100, gamma_up=2.0)
    init = c.InitialState.from_energy({"C": 1.0})
    t = np.geomspace(1e-9, 1.0, 300)
    steps = {}
    for method in ("auto", "dop853", "rodas4"):
        prob = c.Problem(m, initial=init, method=method, rtol=1e-8, atol=1e-12)
        tr = prob.integrate(t)
        assert tr.status == 0
        steps[method] = int(tr.stats["n_steps"])
        if method == "auto":
            auto = prob.energy_density(tr)
            assert tr.stats["n_switches"] >= 1
    assert steps["auto"] <= 1.1 * min(steps["dop853"], steps["rodas4"])
    ref = c.Problem(m, initial=init, method="rodas4", rtol=1e-11, atol=1e-15)
    assert float(np.max(np.abs(auto - ref.energy_density(ref.integrate(t))))) < 1e-6


@pytest.mark.parametrize("method", ["auto", "rodas4", "dop853", "bdf"])
def test_both_methods_on_two_spin_closed_form(method):
    t = np.linspace(0.0, 6.0, 61)
    ds = c.solve(
        decay_model(2),
        t,
        order=2,
        initial=c.InitialState.from_energy({"A": 1.0}),
        method=method,
        rtol=1e-10,
        atol=1e-13,
    )
    pee = np.exp(-2 * G * t)
    ps = 2 * G * t * np.exp(-2 * G * t)
    assert np.max(np.abs(ds.Jz.sel(ensemble="A").values - (pee - (1 - pee - ps)))) < 1e-7
    assert ds.attrs["integrator"] == method


def test_bdf_agrees_with_rodas4_on_dias_burst():
    m = c.dias2024(reservoirs=3, N_C=10_000_000, N_B=100, gamma_up=2.0)
    init = c.InitialState.from_energy({"C": 1.0})
    t = np.geomspace(1e-9, 2e-5, 100)
    a = c.solve(m, t, initial=init, rtol=1e-10, atol=1e-14)
    b = c.solve(m, t, initial=init, method="bdf", rtol=1e-11, atol=1e-15)
    assert float(abs(a.energy_density - b.energy_density).max()) < 1e-6
    with pytest.raises(c.ModelError, match="`method` must be one of"):
        c.solve(m, t, initial=init, method="euler")


def _fixed_steps(t, h, method):
    """N = 2 decay with fixed steps ``h`` (h0 = hmax = h; tolerance so loose every step is taken)."""
    ds = c.solve(
        decay_model(2),
        t,
        order=2,
        initial=c.InitialState.from_energy({"A": 1.0}),
        h0=h,
        hmax=h,
        rtol=1e3,
        atol=1e3,
        method=method,
    )
    assert int(ds.n_steps) == round(float(t[-1]) / h) and int(ds.n_rejected) == 0
    return ds


def test_rodas4_convergence_order_by_fit():
    """Fixed steps (h0 = hmax = h, tolerance loose enough that every step is accepted): the global
    error on the N = 2 closed form falls as h^p with a fitted p close to 4."""
    t = np.array([2.0])
    pee = np.exp(-2 * G * t)
    ps = 2 * G * t * np.exp(-2 * G * t)
    exact = pee - (1 - pee - ps)
    hs = 2.0 / np.array([8, 16, 32, 64])
    errs = []
    for h in hs:
        ds = _fixed_steps(t, h, "rodas4")
        errs.append(abs(float(ds.Jz.sel(ensemble="A")[0]) - exact[0]))
    p = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    assert 3.6 < p < 4.6, (p, errs)


def test_dop853_convergence_order_by_fit():
    """Same fixed-step experiment for DOP853: the fitted order is close to 8, and the dense output
    (order 7) at a time inside the steps converges too."""
    t = np.array([1.3, 2.0])
    pee = np.exp(-2 * G * t)
    ps = 2 * G * t * np.exp(-2 * G * t)
    exact = pee - (1 - pee - ps)
    hs = 2.0 / np.array([4, 6, 8, 12])
    errs, errs_dense = [], []
    for h in hs:
        ds = _fixed_steps(t, h, "dop853")
        jz = ds.Jz.sel(ensemble="A").values
        errs.append(abs(jz[1] - exact[1]))
        errs_dense.append(abs(jz[0] - exact[0]))
    p = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    assert 7.3 < p < 8.7, (p, errs)
    pd = np.polyfit(np.log(hs), np.log(errs_dense), 1)[0]
    assert pd > 6.3, (pd, errs_dense)
