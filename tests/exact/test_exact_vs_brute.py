"""collective.exact against brute force in the full 2^N (x Fock) space (plain numpy/scipy kron).

Models: Dias et al. (2024), Eq. (4) (charger + m batteries, collective pumping, thermal reservoirs),
the same with local decay / pumping / dephasing, and a driven Tavis-Cummings model with a lossy mode.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from exact_brute import Brute

import collective as c
import collective.exact as ex
from collective import InitialState, Jm, Jp, Jz, LocalDissipator, Model, create, destroy

AGREE = 1e-9  # required agreement with brute force
BDF_TOL = {"rtol": 1e-11, "atol": 1e-13}
TIMES = np.array([0.0, 0.15, 0.4, 1.0])


def _rebuild(model: Model, **changes) -> Model:
    return Model(**{f: getattr(replace(model, **changes), f) for f in Model.__dataclass_fields__})


def _moment_ops(model):
    ens = model.ensemble_names
    ops = {f"Jz_{e}": Jz(e) for e in ens}
    ops.update({f"JpJm_{e}{f}": Jp(e) * Jm(f) for e in ens for f in ens})
    e0, e1 = ens[0], ens[-1]
    ops["high"] = (
        Jp(e0) * Jp(e0) * Jm(e0) * Jz(e1) + Jz(e0) * Jz(e1) * Jz(e1) + Jp(e0) * Jm(e1) * Jz(e0)
    )
    return ops


def _compare(model, initial, times=TIMES, basis="auto", **kw):
    res = ex.evolve(model, times, initial, store_states=True, basis=basis, **kw)
    brute = Brute(model)
    rhos = brute.evolve(initial, times)
    errs = {}
    for name, op in _moment_ops(model).items():
        errs[name] = float(np.max(np.abs(res.expect(op) - brute.expect(rhos, op))))
    ens = model.ensemble_names
    # the dataset path (Jz, JpJm arrays) must agree too
    for i, e in enumerate(ens):
        errs[f"ds_Jz_{e}"] = float(np.max(np.abs(res.Jz[:, i] - brute.expect(rhos, Jz(e)).real)))
        for k, f in enumerate(ens):
            errs[f"ds_JpJm_{e}{f}"] = float(
                np.max(np.abs(res.JpJm[:, i, k] - brute.expect(rhos, Jp(e) * Jm(f))))
            )
    for m in model.mode_names:
        n_b = brute.expect(rhos, create(m) * destroy(m))
        a_b = brute.expect(rhos, destroy(m))
        k = model.mode_names.index(m)
        errs[f"n_{m}"] = float(np.max(np.abs(res.n_mode[:, k] - n_b.real)))
        errs[f"a_{m}"] = float(np.max(np.abs(res.a[:, k] - a_b)))
    return res, errs


# sizes with 6 spins in total (brute force Liouvillian 4096 x 4096)
SIZES = {1: (4, 2), 2: (4, 1), 3: (3, 1)}


@pytest.mark.parametrize("m", [1, 2, 3])
@pytest.mark.parametrize("gamma_up,nbar", [(0.0, 0.0), (1.0, 0.0), (0.0, 0.2), (1.0, 0.2)])
def test_dias_collective_matches_brute_force(m, gamma_up, nbar):
    N_C, N_B = SIZES[m]
    model = c.dias2024(reservoirs=m, N_C=N_C, N_B=N_B, gamma_up=gamma_up, nbar=nbar)
    init = InitialState.from_energy({"C": 1.0})
    res, errs = _compare(model, init, method="bdf", **BDF_TOL)
    assert max(errs.values()) < AGREE, errs
    assert res.options.basis == "auto" and not res.sectors[0].system.pi_ensembles


@pytest.mark.parametrize("method", ["bdf", "expm"])
def test_dias_mixed_initial_state_sectors(method):
    """|sz| < 1 puts weight on every total spin j: each sector evolves with its own Dicke basis."""
    model = c.dias2024(reservoirs=2, N_C=3, N_B=[2, 1], gamma_up=0.5, nbar=0.2)
    init = InitialState(spins={"C": (0.0, 0.0, 0.4), "B1": (0.0, 0.0, -0.5), "B2": (0.0, 0.0, 1.0)})
    res, errs = _compare(model, init, method=method, **BDF_TOL)
    assert len(res.sectors) == 4  # j_C in {3/2, 1/2}, j_B1 in {1, 0}
    assert sum(s.weight for s in res.sectors) == pytest.approx(1.0, abs=1e-14)
    assert max(errs.values()) < AGREE, errs


@pytest.mark.parametrize("kind", ["decay", "pump", "dephasing"])
def test_local_processes_permutation_invariant_basis(kind):
    base = c.dias2024(reservoirs=1, N_C=4, N_B=2, gamma_up=0.7, nbar=0.2)
    model = _rebuild(
        base,
        local_dissipators=(
            LocalDissipator(ensemble="C", kind=kind, rate=0.3),
            LocalDissipator(ensemble="C", kind="dephasing", rate=0.25, convention="L"),
        ),
    )
    init = InitialState(spins={"C": (0.0, 0.0, 0.6), "B1": (0.0, 0.0, -0.3)})
    res, errs = _compare(model, init, method="bdf", **BDF_TOL)
    assert res.sectors[0].system.pi_ensembles == ("C",)
    assert len(res.sectors) == 2  # B1 stays symmetric: sectors j_B1 = 1, 0
    assert max(errs.values()) < AGREE, errs


def test_local_processes_on_two_ensembles_odd_sizes():
    base = c.dias2024(reservoirs=1, N_C=3, N_B=3, gamma_up=0.4)
    model = _rebuild(
        base,
        local_dissipators=(
            LocalDissipator(ensemble="C", kind="decay", rate=0.3),
            LocalDissipator(ensemble="B1", kind="pump", rate=0.2),
            LocalDissipator(ensemble="B1", kind="dephasing", rate=0.1),
        ),
    )
    init = InitialState(spins={"C": (0.0, 0.0, 0.8)})
    res, errs = _compare(model, init, method="expm")
    assert max(errs.values()) < AGREE, errs


def test_pi_basis_for_collective_model_equals_symmetric():
    model = c.dias2024(reservoirs=1, N_C=4, N_B=2, gamma_up=0.5, nbar=0.1)
    init = InitialState(spins={"C": (0.0, 0.0, 0.5)})
    a = ex.evolve(model, TIMES, init, method="expm")
    b = ex.evolve(model, TIMES, init, method="expm", basis="pi")
    np.testing.assert_allclose(a.Jz, b.Jz, atol=1e-12)
    np.testing.assert_allclose(a.JpJm, b.JpJm, atol=1e-12)


def _tavis_cummings(local=()):
    g, w, kappa, drive = c.param("g"), c.param("w"), c.param("kappa"), c.param("drive")
    H = (
        g * (create("a") * Jm("S") + destroy("a") * Jp("S"))
        + w * Jz("S")
        + drive * (create("a") + destroy("a"))
        + 0.3 * Jp("S") * Jm("T")
        + 0.3 * Jp("T") * Jm("S")
    )
    return Model(
        name="tc",
        ensembles=(c.Ensemble(name="S", N=3), c.Ensemble(name="T", N=2)),
        modes=(c.Mode(name="a", cutoff=5),),
        hamiltonian=H,
        dissipators=(
            c.Dissipator(jump=destroy("a"), rate=kappa),
            c.Dissipator(jump=Jm("T"), rate=0.4),
        ),
        local_dissipators=tuple(local),
        parameters=(
            c.Parameter(name="g", value=0.8),
            c.Parameter(name="w", value=0.3),
            c.Parameter(name="kappa", value=0.5, nonnegative=True),
            c.Parameter(name="drive", value=0.2),
        ),
    )


def test_hamiltonian_coherent_state_and_mode():
    """No U(1) (drive): the full space is built; coherent spin state and displaced thermal mode."""
    model = _tavis_cummings()
    init = InitialState(
        spins={"S": (0.6, 0.3, 0.74), "T": (0.0, 0.0, 1.0)}, modes={"a": (0.3 + 0.2j, 0.1)}
    )
    res, errs = _compare(model, init, np.array([0.0, 0.3, 0.8]), method="expm")
    assert max(errs.values()) < AGREE, errs


def test_hamiltonian_mixed_coherent_with_local_dephasing():
    model = _tavis_cummings(local=(LocalDissipator(ensemble="S", kind="dephasing", rate=0.2),))
    init = InitialState(spins={"S": (0.3, -0.2, 0.5), "T": (0.0, 0.5, 0.0)})
    # method="auto" picks expm_multiply here (||L|| t small; no U(1): an LU would fill in)
    res, errs = _compare(model, init, np.array([0.0, 0.3, 0.8]))
    assert res.stats["methods"] == "expm"
    assert max(errs.values()) < AGREE, errs


def test_reduced_state_spectrum_matches_partial_trace():
    base = c.dias2024(reservoirs=1, N_C=3, N_B=2, gamma_up=0.5, nbar=0.2)
    model = _rebuild(
        base, local_dissipators=(LocalDissipator(ensemble="B1", kind="decay", rate=0.3),)
    )
    init = InitialState(spins={"C": (0.0, 0.0, 0.7), "B1": (0.0, 0.0, -0.2)})
    times = np.array([0.0, 0.5])
    res = ex.evolve(model, times, init, method="expm", store_states=True)
    brute = Brute(model)
    rhos = brute.evolve(init, times)
    for it, rho in enumerate(rhos):
        full = rho.toarray() if hasattr(rho, "toarray") else rho
        # partial trace over the charger (first 3 qubits) -> battery (2 qubits)
        r4 = full.reshape(8, 4, 8, 4)
        red = np.einsum("ijik->jk", r4)
        spec_b = np.sort(np.linalg.eigvalsh(red))
        blocks = res.reduced_states("B1")[it]
        spec = np.sort(
            np.concatenate([np.repeat(np.linalg.eigvalsh(r), d) for d, r in blocks.values()])
        )
        np.testing.assert_allclose(spec, spec_b, atol=1e-10)
        assert sum(d * np.trace(r).real for d, r in blocks.values()) == pytest.approx(
            1.0, abs=1e-12
        )
        w = res.reduced_states("B1", weighted=True)[it]
        assert sum(np.trace(r).real for _, r in w.values()) == pytest.approx(1.0, abs=1e-12)
