"""The generator's *unclosed* moment equations against a brute-force Lindbladian.

For each model (up to 5 spins over 2-3 ensembles, optionally one truncated bosonic mode) and each
moment up to order 3, ``d<X>/dt = Tr(X L[rho])`` is computed with explicit matrices (kron products)
on random permutation-symmetric density matrices and compared with the generator's right-hand side
``sum_K c_K Tr(K rho)`` (1e-12).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

import collective as c
from collective.algebra import SiteTerm, op_matrix, site_matrix
from collective.cumulants import Moment, moment_drift
from tests.conftest import GENERATOR_ATOL, random_density, symmetrize


def lindblad_matrix_action(model: c.Model, rho, sizes, cutoffs, values):
    H = op_matrix(model.hamiltonian, sizes, cutoffs, values) if len(model.hamiltonian) else 0 * rho
    out = -1j * (H @ rho - rho @ H)
    for d in model.dissipators:
        k = complex(d.prefactor.subs({sp.Symbol(n, real=True): v for n, v in values.items()}))
        O = op_matrix(d.jump, sizes, cutoffs, values)
        Od = O.conj().T
        out += k * (O @ rho @ Od - 0.5 * (Od @ O @ rho + rho @ Od @ O))
    for d in model.local_dissipators:
        k = complex(d.prefactor.subs({sp.Symbol(n, real=True): v for n, v in values.items()}))
        for i in range(sizes[d.ensemble]):
            O = site_matrix(SiteTerm(((d.ensemble, i, d.site_op),)), sizes, cutoffs)
            Od = O.conj().T
            out += k * (O @ rho @ Od - 0.5 * (Od @ O @ rho + rho @ Od @ O))
    return out


def moment_matrix(m: Moment, sizes, cutoffs):
    spins = []
    for e, p, mm, z in m.spins:
        ops = ["+"] * p + ["-"] * mm + ["z"] * z
        spins += [(e, i, o) for i, o in enumerate(ops)]
    return site_matrix(SiteTerm(tuple(sorted(spins)), tuple(m.bosons)), sizes, cutoffs)


def all_moments(sizes, modes, max_order):
    per_ens = {}
    for e, n in sizes.items():
        opts = []
        for p, mm, z in itertools.product(range(4), repeat=3):
            if p + mm + z <= min(n, max_order):
                opts.append((e, p, mm, z))
        per_ens[e] = opts
    mode_opts = {b: [(b, p, q) for p in range(3) for q in range(3) if p + q <= 2] for b in modes}
    out = []
    for combo in itertools.product(*per_ens.values(), *mode_opts.values()):
        spins = tuple(sorted(x for x in combo if len(x) == 4 and sum(x[1:]) > 0))
        bos = tuple(sorted(x for x in combo if len(x) == 3 and x[1] + x[2] > 0))
        mom = Moment(spins, bos)
        if 0 < mom.order <= max_order:
            out.append(mom)
    return out


def _model_three_ensembles():
    g, w, phi, kap, up, nb, ld, lp, dp = (c.param(n) for n in "g w phi kap up nb ld lp dp".split())
    H = w * c.Jz("A") + 0.7 * w * c.Jz("B") + g * (c.Jp("A") * c.Jm("B") + c.Jp("B") * c.Jm("A"))
    H = H + 0.3 * g * c.Jz("A") * c.Jz("C")
    jump = c.Jm("A") + sp.exp(sp.I * phi) * 0.8 * c.Jm("B") + 0.5 * c.Jm("C")
    params = [
        c.Parameter(name=n, value=v)
        for n, v in dict(
            g=0.37, w=1.3, phi=0.9, kap=0.8, up=0.45, nb=0.3, ld=0.25, lp=0.15, dp=0.2
        ).items()
    ]
    return c.Model(
        ensembles=[c.Ensemble(name="A", N=2), c.Ensemble(name="B", N=2), c.Ensemble(name="C", N=1)],
        hamiltonian=H,
        dissipators=[
            *c.collective_reservoir(jump, kap, nb, convention="L"),
            c.collective_pump("C", up),
        ],
        local_dissipators=[
            c.LocalDissipator(ensemble="A", kind="decay", rate=ld),
            c.LocalDissipator(ensemble="B", kind="pump", rate=lp),
            c.LocalDissipator(ensemble="A", kind="dephasing", rate=dp),
        ],
        parameters=params,
    )


def _model_two_ensembles_three_spins():
    g, kap = c.param("g"), c.param("kap")
    H = g * (c.Jp("A") * c.Jm("A") + 0.5 * c.Jz("A") * c.Jz("A")) + 0.4 * (c.Jp("A") + c.Jm("A"))
    return c.Model(
        ensembles=[c.Ensemble(name="A", N=3), c.Ensemble(name="B", N=2)],
        hamiltonian=H,
        dissipators=[c.Dissipator(jump=c.Jm("A") + 1j * c.Jm("B") + 0.3 * c.Jz("B"), rate=kap)],
        parameters=[c.Parameter(name="g", value=0.6), c.Parameter(name="kap", value=1.1)],
    )


def _model_spin_boson():
    g, k, w = c.param("g"), c.param("k"), c.param("w")
    a = c.destroy("a")
    H = w * a.dag() * a + g * (a.dag() * c.Jm("A") + a * c.Jp("A")) + 0.2 * (a + a.dag())
    return c.Model(
        ensembles=[c.Ensemble(name="A", N=2), c.Ensemble(name="B", N=1)],
        modes=[c.Mode(name="a")],
        hamiltonian=H + 0.5 * g * (c.Jp("B") * a + a.dag() * c.Jm("B")),
        dissipators=[
            c.Dissipator(jump=a, rate=k),
            c.Dissipator(jump=c.Jm("A") + c.Jm("B"), rate=0.3 * k),
        ],
        parameters=[
            c.Parameter(name="g", value=0.5),
            c.Parameter(name="k", value=0.7),
            c.Parameter(name="w", value=1.2),
        ],
    )


CASES = {
    "three ensembles, 5 spins, local + thermal + pump": (_model_three_ensembles, 3),
    "two ensembles, 5 spins, quadratic H, complex weights": (_model_two_ensembles_three_spins, 3),
    "spin-boson, 3 spins + mode": (_model_spin_boson, 2),
}


@pytest.mark.parametrize("name", list(CASES))
def test_unclosed_drift_matches_bruteforce(name):
    make, max_order = CASES[name]
    model = make()
    sizes = model.sizes
    modes = model.mode_names
    rng = np.random.default_rng(7)
    values = model.numeric_values()
    subs = {}
    for n, v in values.items():
        subs[sp.Symbol(n, real=True)] = v
        subs[sp.Symbol(n, positive=True, integer=True)] = v
    cutoffs = {b: 7 for b in modes}
    dim_spin = 2 ** sum(sizes.values())
    rhos = []
    for _ in range(2):
        rs = symmetrize(random_density(dim_spin, rng), sizes)
        if modes:  # boson state supported on n <= 2 so that truncation at 7 is exact for the drift
            rb = np.zeros((7, 7), complex)
            rb[:3, :3] = random_density(3, rng)
            rs = np.kron(rs, rb)
        rhos.append(rs)
    checked = 0
    for mom in all_moments(sizes, modes, max_order):
        drift = moment_drift(model, mom)
        X = moment_matrix(mom, sizes, cutoffs)
        for rho in rhos:
            lhs = np.trace(X @ lindblad_matrix_action(model, rho, sizes, cutoffs, values))
            rhs = 0j
            for K, coeff in drift.items():
                val = complex(sp.N(coeff.xreplace(subs)))
                rhs += val * (np.trace(moment_matrix(K, sizes, cutoffs) @ rho) if K.order else 1.0)
            assert abs(lhs - rhs) < GENERATOR_ATOL * max(1.0, abs(lhs)), (mom.label(), lhs, rhs)
        checked += 1
    assert checked >= 10
