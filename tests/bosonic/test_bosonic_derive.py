"""The general cumulant generator ``collective.derive(model, order=2)`` on the bosonic presets:
its order-2 equations agree with the linear routine (collective.linear) and with the exact
moment equations of a truncated Fock-space master equation (explicit numpy matrices)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy as sp
from bosonic_fock_helpers import lindblad_rhs, mode_ops, moments, predicted_rates, random_low_state

from collective.errors import PhysicalityWarning
from collective.linear import evolve_linear, linear_system
from collective.model import InitialState
from collective.presets.bosonic import ep_battery, ep_battery_eliminated, nonreciprocal_battery

collective = pytest.importorskip("collective")
if not hasattr(collective, "derive"):  # pragma: no cover
    pytest.skip("collective.derive not available yet", allow_module_level=True)

RTOL = 1e-6


def _op_of(moment, modes, ops):
    out = np.eye(ops[0].shape[0], dtype=complex)
    for m, p, q in moment.bosons:
        a = ops[modes.index(m)]
        out = out @ np.linalg.matrix_power(a.conj().T, p) @ np.linalg.matrix_power(a, q)
    return out


def _ours(moment, modes, da, dN, dP):
    b = moment.bosons
    idx = [modes.index(m) for m, _, _ in b]
    pq = tuple((p, q) for _, p, q in b)
    if pq == ((0, 1),):
        return da[idx[0]]
    if pq == ((1, 0),):
        return np.conj(da[idx[0]])
    if pq == ((1, 1),):
        return dN[idx[0], idx[0]]
    if pq == ((1, 0), (0, 1)):
        return dN[idx[0], idx[1]]
    if pq == ((0, 1), (1, 0)):
        return dN[idx[1], idx[0]]
    if pq == ((0, 2),):
        return dP[idx[0], idx[0]]
    if pq == ((0, 1), (0, 1)):
        return dP[idx[0], idx[1]]
    if pq == ((2, 0),):
        return np.conj(dP[idx[0], idx[0]])
    if pq == ((1, 0), (1, 0)):
        return np.conj(dP[idx[0], idx[1]])
    raise AssertionError(f"unexpected moment {moment.label()}")


def _models():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PhysicalityWarning)
        gain = ep_battery_eliminated(delta_r=0.3, gamma_a=0.5, gamma_b=0.7, E_r=0.05, Gamma_eff=0.7)
    return [
        (
            "ep_battery",
            ep_battery(
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
            ),
            3,
        ),
        (
            "ep_eliminated",
            ep_battery_eliminated(delta_r=0.3, gamma_a=1.2, gamma_b=1.5, E_r=0.05, Gamma_eff=0.7),
            5,
        ),
        ("ep_eliminated_gain", gain, 5),
        (
            "nonreciprocal",
            nonreciprocal_battery(
                Gamma=0.4, kappa_a=0.3, kappa_b=0.2, J=0.13, phi=0.7, epsilon=0.05, Delta=0.11
            ),
            5,
        ),
        (
            "nonreciprocal_c",
            nonreciprocal_battery(
                Gamma=0.4,
                kappa_a=0.3,
                kappa_b=0.2,
                J=0.13,
                phi=0.7,
                epsilon=0.05,
                Delta=0.11,
                keep_c=True,
                gamma=1.7,
                g=0.45,
                Delta_c=0.09,
            ),
            3,
        ),
    ]


@pytest.mark.parametrize("name,model,cutoff", _models(), ids=[m[0] for m in _models()])
def test_derive_order2_equals_linear_routine_and_fock(name, model, cutoff):
    eqs = collective.derive(model, order=2)
    sysm = linear_system(model)
    mats = sysm.numeric()
    modes = list(sysm.modes)
    n = len(modes)
    ops = mode_ops(n, cutoff)
    # jumps and H as explicit matrices from the (already Fock-validated) coefficient matrices
    h, F = (
        mats.hamiltonian,
        np.array(
            [
                complex(sp.N(c.subs({p.symbol: p.value for p in model.parameters})))
                for c in sysm.hamiltonian_drive
            ]
        ),
    )
    H = sum(h[i, j] * ops[i].conj().T @ ops[j] for i in range(n) for j in range(n))
    H = H + sum(F[i] * ops[i].conj().T + np.conj(F[i]) * ops[i] for i in range(n))
    jumps = []
    for d in model.dissipators:
        rate = float(sp.N(d.prefactor.subs({p.symbol: p.value for p in model.parameters})))
        O = 0
        for word, c in d.jump:
            g = word[0]
            a = ops[modes.index(g.space)]
            O = O + complex(sp.N(c.subs({p.symbol: p.value for p in model.parameters}))) * (
                a if g.kind == "a" else a.conj().T
            )
        jumps.append((rate, O))
    vals = {p.symbol: p.value for p in model.parameters}
    coeff = [[complex(sp.N(sp.sympify(c).subs(vals))) for c, _ in terms] for terms in eqs.rhs]
    rng = np.random.default_rng(5)
    for _ in range(2):
        rho = random_low_state(n, cutoff, cutoff - 2, rng)
        Lrho = lindblad_rhs(rho, H, jumps)
        values = [np.trace(_op_of(v, modes, ops) @ rho) for v in eqs.variables]
        alpha, N, P = moments(rho, ops)
        da, dN, dP = predicted_rates(mats, alpha, N, P)
        for k, (v, terms) in enumerate(zip(eqs.variables, eqs.rhs)):
            gen = 0j
            for c, (_, fac) in zip(coeff[k], terms):
                term = c
                for i, cj in fac:
                    term *= np.conj(values[i]) if cj else values[i]
                gen += term
            exact = np.trace(_op_of(v, modes, ops) @ Lrho)
            ours = _ours(v, modes, da, dN, dP)
            scale = max(abs(exact), 1e-12)
            assert abs(gen - exact) <= RTOL * scale, (name, v.label(), gen, exact)
            assert abs(ours - exact) <= RTOL * scale, (name, v.label(), ours, exact)


def test_solve_agrees_with_exact_linear_evolution():
    model = nonreciprocal_battery(
        Gamma=0.4, kappa_a=0.3, kappa_b=0.2, J=0.13, phi=0.7, epsilon=0.05, Delta=0.11
    )
    t = np.linspace(0, 10, 6)
    init = InitialState(modes={"a": (0.1 + 0.05j, 0.2), "b": (0.0, 0.1)})
    ds = collective.solve(model, t, order=2, initial=init)
    ref = evolve_linear(model, t, initial=init)
    np.testing.assert_allclose(ds.n_mode.values, ref.n_mode.values, rtol=RTOL, atol=1e-9)
    np.testing.assert_allclose(ds.a_re.values, ref.a_re.values, rtol=RTOL, atol=1e-9)
    np.testing.assert_allclose(ds.a_im.values, ref.a_im.values, rtol=RTOL, atol=1e-9)
