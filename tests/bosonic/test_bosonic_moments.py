"""Order-2 moment equations of the bosonic presets (collective.linear) against the exact moment
equations of a truncated Fock-space master equation built here from explicit numpy matrices."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from bosonic_fock_helpers import (
    lindblad_rhs,
    liouvillian,
    mode_ops,
    moments,
    predicted_rates,
    random_low_state,
)
from scipy.sparse.linalg import expm_multiply

from collective.algebra import create, destroy
from collective.errors import PhysicalityWarning
from collective.linear import evolve_linear, heisenberg_drift, linear_system
from collective.presets.bosonic import ep_battery, ep_battery_eliminated, nonreciprocal_battery

RTOL = 1e-6  # requested agreement (the comparison is exact up to rounding, ~1e-14)


def _compare(model, H, jumps, n_modes, cutoff, values=None, seed=0):
    rng = np.random.default_rng(seed)
    ops = mode_ops(n_modes, cutoff)
    mats = linear_system(model).numeric(**(values or {}))
    for _ in range(3):
        rho = random_low_state(n_modes, cutoff, cutoff - 2, rng)
        alpha, N, P = moments(rho, ops)
        Lrho = lindblad_rhs(rho, H(ops), jumps(ops))
        ex_a, ex_N, ex_P = moments(Lrho, ops)
        pa, pN, pP = predicted_rates(mats, alpha, N, P)
        for ex, pr in ((ex_a, pa), (ex_N, pN), (ex_P, pP)):
            scale = max(np.abs(ex).max(), 1e-300)
            assert np.abs(ex - pr).max() <= RTOL * scale, (ex, pr)
            assert np.abs(ex - pr).max() <= 1e-12 * max(1.0, scale)


EPV = dict(
    delta=0.37,
    delta_c=0.21,
    kappa_a=0.3,
    kappa_b=0.5,
    kappa_c=1.1,
    Gamma=0.8,
    p_a=0.9,
    p_b=-0.6,
    pc_a=1.3,
    pc_b=0.7,
    E=0.05,
)


@pytest.mark.parametrize("convention,factor", [("D", 1.0), ("L", 2.0)])
def test_ep_battery_matches_fock_master_equation(convention, factor):
    v = EPV
    model = ep_battery(**v, convention=convention)

    def H(o):
        a, b, c = o
        d = lambda x: x.conj().T
        return (
            v["delta"] * d(a) @ a
            - v["delta"] * d(b) @ b
            + v["delta_c"] * d(c) @ c
            + v["E"] * (a + d(a))
        )

    def J(o):
        a, b, c = o
        f = factor
        return [
            (f * v["kappa_a"], a),
            (f * v["kappa_b"], b),
            (f * v["kappa_c"], c),
            (f * v["Gamma"], v["p_a"] * a + v["pc_a"] * c),
            (f * v["Gamma"], v["p_b"] * b + v["pc_b"] * c),
        ]

    _compare(model, H, J, 3, 3)


def test_ep_battery_first_moments_are_papers_eqs_10_12_in_L_convention():
    """Eqs. (10)-(12) of seed 001 (with delta_a = -delta_b, delta_c = 0, and the drive phase of
    Eq. (8)) are the L-convention (= 2 D) equations; with D of Eq. (9) every rate halves."""
    v = dict(EPV, delta_c=0.0)
    M = linear_system(ep_battery(**v, convention="L")).numeric().drift
    k, G = v, v["Gamma"]
    Ga, Gb = G * v["p_a"] ** 2, G * v["p_b"] ** 2
    Gca, Gcb = G * v["pc_a"] ** 2, G * v["pc_b"] ** 2
    mua, mub = v["pc_a"] * v["p_a"], v["pc_b"] * v["p_b"]
    paper = np.array(
        [
            [-1j * (v["delta"] - 1j * (k["kappa_a"] + Ga)), 0, -mua * G],
            [0, -1j * (-v["delta"] - 1j * (k["kappa_b"] + Gb)), -mub * G],
            [-G * mua, -G * mub, -(k["kappa_c"] + Gca + Gcb)],
        ]
    )
    np.testing.assert_allclose(M, paper, rtol=1e-13, atol=1e-15)
    MD = linear_system(ep_battery(**v)).numeric().drift
    np.testing.assert_allclose(
        MD, paper / 2 + np.diag([-0.5j * v["delta"], 0.5j * v["delta"], 0]), atol=1e-15
    )


@pytest.mark.parametrize("ga,gb", [(1.2, 1.5), (2.0, 0.5), (0.5, 0.5)])
def test_ep_battery_eliminated_matches_fock_and_is_minus_i_Hr(ga, gb):
    dr, Er, Ge = 0.3, 0.05, 0.7
    physical = ga * gb >= 1
    if physical:
        model = ep_battery_eliminated(delta_r=dr, gamma_a=ga, gamma_b=gb, E_r=Er, Gamma_eff=Ge)
    else:
        with pytest.warns(PhysicalityWarning, match="gamma_a \\* gamma_b >= 1"):
            model = ep_battery_eliminated(delta_r=dr, gamma_a=ga, gamma_b=gb, E_r=Er, Gamma_eff=Ge)
    s2 = math.sqrt(ga / gb)
    s = math.sqrt(s2)

    def H(o):
        a, b = o
        d = lambda x: x.conj().T
        return Ge * dr * (d(a) @ a - d(b) @ b) + Ge * Er * (a + d(a))

    def J(o):
        a, b = o
        d = lambda x: x.conj().T
        out = [(2 * Ge, s * a - b / s)]
        out.append((2 * Ge * (ga - s2), a) if ga >= s2 else (2 * Ge * (s2 - ga), d(a)))
        out.append((2 * Ge * (gb - 1 / s2), b) if gb >= 1 / s2 else (2 * Ge * (1 / s2 - gb), d(b)))
        return out

    _compare(model, H, J, 2, 5)
    Hr = np.array([[dr - 1j * ga, 1j], [1j, -dr - 1j * gb]])
    M = linear_system(model).numeric().drift
    np.testing.assert_allclose(M, Ge * (-1j * Hr), atol=1e-14)


NRV = dict(
    Gamma=0.4, kappa_a=0.3, kappa_b=0.2, J=0.13, phi=0.7, epsilon=0.05, Delta=0.11, Delta_a=-0.07
)


def test_nonreciprocal_two_mode_matches_fock():
    v = NRV
    model = nonreciprocal_battery(**v)

    def H(o):
        a, b = o
        d = lambda x: x.conj().T
        return (
            v["Delta_a"] * d(a) @ a
            + (v["Delta_a"] + v["Delta"]) * d(b) @ b
            + v["J"] * (d(a) @ b + a @ d(b))
            + v["epsilon"] * (a + d(a))
        )

    def J(o):
        a, b = o
        return [(v["kappa_a"], a), (v["kappa_b"], b), (v["Gamma"], np.exp(1j * v["phi"]) * a + b)]

    _compare(model, H, J, 2, 5)


def test_nonreciprocal_three_mode_matches_fock():
    v = dict(NRV, gamma=1.7, Delta_c=0.09, g=0.45)
    model = nonreciprocal_battery(**v, keep_c=True)

    def H(o):
        a, b, c = o
        d = lambda x: x.conj().T
        e = np.exp(1j * v["phi"])
        return (
            v["Delta_a"] * d(a) @ a
            + (v["Delta_a"] + v["Delta"]) * d(b) @ b
            + v["Delta_c"] * d(c) @ c
            + v["g"] * (e * a @ d(c) + np.conj(e) * d(a) @ c)
            + v["g"] * (b @ d(c) + d(b) @ c)
            + v["J"] * (d(a) @ b + a @ d(b))
            + v["epsilon"] * (a + d(a))
        )

    def J(o):
        a, b, c = o
        return [(v["kappa_a"], a), (v["kappa_b"], b), (2 * v["gamma"], c)]

    _compare(model, H, J, 3, 3)


def test_time_evolution_matches_fock_liouvillian():
    """<a^+ a>, <b^+ b>, <a^+ b>, <b> from exp(L t) on a truncated Fock space (small drive) against
    evolve_linear, to 1e-6 relative."""
    v = dict(Gamma=0.4, kappa_a=0.3, kappa_b=0.2, J=0.2, phi=1.1, epsilon=0.05, Delta=0.1)
    model = nonreciprocal_battery(**v)
    cutoff = 5  # <n> ~ 0.02: truncation error ~ 1e-9 relative
    a, b = mode_ops(2, cutoff)
    d = lambda x: x.conj().T
    H = 0.1 * d(b) @ b + 0.2 * (d(a) @ b + a @ d(b)) + 0.05 * (a + d(a))
    L = liouvillian(H, [(0.3, a), (0.2, b), (0.4, np.exp(1.1j) * a + b)])
    rho0 = np.zeros((cutoff**2, cutoff**2), complex)
    rho0[0, 0] = 1
    times = np.array([0.0, 2.5, 7.0])
    ds = evolve_linear(model, times)
    for k, t in enumerate(times):
        rho = expm_multiply(L * t, rho0.reshape(-1, order="F")).reshape(rho0.shape, order="F")
        ex = [np.trace(d(a) @ a @ rho).real, np.trace(d(b) @ b @ rho).real]
        ours = ds.n_mode.isel(time=k).values
        np.testing.assert_allclose(ours, ex, rtol=RTOL, atol=1e-15)
        ab = np.trace(d(a) @ b @ rho)
        np.testing.assert_allclose(
            ds.N_re.isel(time=k).sel(mode="a", mode2="b")
            + 1j * ds.N_im.isel(time=k).sel(mode="a", mode2="b"),
            ab,
            rtol=RTOL,
            atol=1e-15,
        )
        bb = np.trace(b @ rho)
        np.testing.assert_allclose(
            ds.a_re.isel(time=k).sel(mode="b") + 1j * ds.a_im.isel(time=k).sel(mode="b"),
            bb,
            rtol=RTOL,
            atol=1e-15,
        )


# ------------------------------------------------------------------------------------------------
# algebraic Heisenberg drift (collective.algebra) against the coefficient-matrix extraction
# ------------------------------------------------------------------------------------------------
def _site_to_moment(term, syms):
    b = term.bosons
    if not b:
        return sp.S.One
    if len(b) == 1:
        m, p, q = b[0]
        key = {(0, 1): f"<{m}>", (1, 1): f"<{m}^+ {m}>", (0, 2): f"<{m} {m}>"}.get((p, q))
        if key:
            return syms[key]
        if (p, q) == (1, 0):
            return sp.conjugate(syms[f"<{m}>"])
        if (p, q) == (2, 0):
            return sp.conjugate(syms[f"<{m} {m}>"])
    if len(b) == 2:
        (m1, p1, q1), (m2, p2, q2) = b
        if (p1, q1, p2, q2) == (1, 0, 0, 1):
            return syms[f"<{m1}^+ {m2}>"]
        if (p1, q1, p2, q2) == (0, 1, 1, 0):
            return syms[f"<{m2}^+ {m1}>"]
        if (p1, q1, p2, q2) == (0, 1, 0, 1):
            return syms[f"<{m1} {m2}>"]
    raise AssertionError(f"unexpected term {term}")


@pytest.mark.parametrize(
    "model",
    [
        ep_battery(**EPV),
        nonreciprocal_battery(**NRV),
        nonreciprocal_battery(**NRV, keep_c=True, g=0.3),
    ],
    ids=["ep_battery", "nonreciprocal", "nonreciprocal_c"],
)
def test_heisenberg_drift_agrees_with_linear_system(model):
    sysm = linear_system(model)
    syms = sysm.moment_symbols()
    eqs = sysm.moment_equations()
    rng = np.random.default_rng(1)
    subs = {p.symbol: float(rng.uniform(0.1, 1.0)) for p in model.parameters}
    subs.update({s: complex(*rng.normal(size=2)) for s in syms.values()})
    names = sysm.modes
    for i in names:  # <a_i a_j> = <a_j a_i>
        for j in names:
            subs[syms[f"<{j} {i}>"]] = subs[syms[f"<{i} {j}>"]]
    ops = {}
    for i in names:
        ops[f"<{i}>"] = destroy(i)
        for j in names:
            ops[f"<{i}^+ {j}>"] = create(i) * destroy(j)
            ops[f"<{i} {j}>"] = destroy(i) * destroy(j)
    for key, op in ops.items():
        hd = heisenberg_drift(model, op)
        expr = sum((c * _site_to_moment(t, syms) for t, c in hd.items()), sp.S.Zero)
        a = complex(sp.N(expr.subs(subs)))
        b = complex(sp.N(eqs[key].subs(subs)))
        assert abs(a - b) <= 1e-12 * max(1.0, abs(b)), key
