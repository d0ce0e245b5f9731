"""Exchangeable (identical) spin ensembles: structural detection, the orbit-reduced moment equations
against the full ones, the automatic fallback of ``sweep``/``solve`` and the size of the reduced
systems for many batteries."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

import collective as c
from collective import cumulants
from collective.cumulants import Moment, orbit_representative, permutation_representative

TIGHT = {"rtol": 1e-10, "atol": 1e-14}
CHARGER_FULL = c.InitialState.from_energy({"C": 1.0})


def with_hamiltonian(model: c.Model, ham: c.Op, *params: c.Parameter) -> c.Model:
    return dataclasses.replace(model, hamiltonian=ham, parameters=model.parameters + params)


def exchange_model(rate_D: str = "kd") -> c.Model:
    """Ensembles A, B, D coupled pairwise by flip-flops; A and B identical, D not (other rates)."""
    w, g, k, kd = (c.param(n) for n in ("w", "g", "k", "kd"))
    ham = w * (c.Jz("A") + c.Jz("B")) + 2 * w * c.Jz("D")
    for x, y in (("A", "B"), ("A", "D"), ("B", "D")):
        ham = ham + g * (c.Jp(x) * c.Jm(y) + c.Jp(y) * c.Jm(x))
    return c.Model(
        ensembles=[c.Ensemble(name=n, N=4) for n in ("A", "B", "D")],
        hamiltonian=ham,
        dissipators=[c.Dissipator(jump=c.Jm("A") + c.Jm("B") + c.Jm("D"), rate=k)],
        local_dissipators=[
            c.LocalDissipator(ensemble="A", kind="dephasing", rate=k),
            c.LocalDissipator(ensemble="B", kind="dephasing", rate=k),
            c.LocalDissipator(ensemble="D", kind="dephasing", rate=c.param(rate_D)),
        ],
        parameters=[
            c.Parameter(name=n, value=v, nonnegative=True)
            for n, v in (("w", 1.0), ("g", 0.3), ("k", 0.2), ("kd", 0.5))
        ],
    )


def cavity_model(N: int = 20) -> c.Model:
    """Three identical ensembles in a driven lossy cavity with local dephasing: no U(1) symmetry,
    complex coefficients."""
    g, eta, kap, gp, dlt = (c.param(n) for n in ("g", "eta", "kappa", "gphi", "delta"))
    ens = ("A", "B", "D")
    ham = dlt * c.create("a") * c.destroy("a") + eta * (c.create("a") + c.destroy("a"))
    for e in ens:
        ham = (
            ham + 0.5 * c.Jz(e) + g * (1j * c.create("a") * c.Jm(e) - 1j * c.Jp(e) * c.destroy("a"))
        )
    return c.Model(
        ensembles=[c.Ensemble(name=e, N=N) for e in ens],
        modes=[c.Mode(name="a", cutoff=4)],
        hamiltonian=ham,
        dissipators=[c.Dissipator(jump=c.destroy("a"), rate=kap)],
        local_dissipators=[c.LocalDissipator(ensemble=e, kind="dephasing", rate=gp) for e in ens],
        parameters=[
            c.Parameter(name="g", value=0.2),
            c.Parameter(name="eta", value=0.7),
            c.Parameter(name="kappa", value=1.0, nonnegative=True),
            c.Parameter(name="gphi", value=0.1, nonnegative=True),
            c.Parameter(name="delta", value=0.4),
        ],
    )


# --------------------------------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------------------------------
def test_dias_batteries_form_one_class():
    assert c.dias2024(reservoirs=3).exchangeable_classes() == (("B1", "B2", "B3"),)
    assert c.dias2024(reservoirs=3, gamma_up=2.0, nbar=0.3).exchangeable_classes() == (
        ("B1", "B2", "B3"),
    )
    assert c.dias2024(reservoirs=1).exchangeable_classes() == ()
    # sizes are not part of the structural check (sweep checks the numbers)
    assert c.dias2024(reservoirs=3, N_B=[100, 100, 50]).exchangeable_classes() == (
        ("B1", "B2", "B3"),
    )


def test_per_battery_rates_break_the_symmetry():
    assert c.dias2024(reservoirs=3, gamma_down=[1.0, 1.0, 2.0]).exchangeable_classes() == ()


def test_only_the_exchangeable_pair_is_found():
    assert exchange_model().exchangeable_classes() == (("A", "B"),)
    # the same rate symbol on D's dephasing still leaves D distinct (its Jz term has weight 2w)
    assert exchange_model(rate_D="k").exchangeable_classes() == (("A", "B"),)


def test_local_dissipators_take_part():
    k1, k2 = c.param("k1"), c.param("k2")
    params = [c.Parameter(name=n, value=1.0, nonnegative=True) for n in ("k1", "k2")]
    ens = [c.Ensemble(name=n, N=3) for n in ("A", "B")]
    jump = [c.Dissipator(jump=c.Jm("A") + c.Jm("B"), rate=k1)]
    same = c.Model(
        ensembles=ens,
        dissipators=jump,
        local_dissipators=[c.LocalDissipator(ensemble=e, kind="decay", rate=k2) for e in "AB"],
        parameters=params,
    )
    assert same.exchangeable_classes() == (("A", "B"),)
    other = dataclasses.replace(
        same, local_dissipators=[c.LocalDissipator(ensemble="A", kind="decay", rate=k2)]
    )
    assert other.exchangeable_classes() == ()


def test_hamiltonian_term_breaks_the_symmetry():
    w = c.Parameter(name="w", value=1.0)
    m2 = with_hamiltonian(c.dias2024(reservoirs=2), c.param("w") * c.Jz("B1"), w)
    assert m2.exchangeable_classes() == ()
    m3 = with_hamiltonian(c.dias2024(reservoirs=3), c.param("w") * c.Jz("B1"), w)
    assert m3.exchangeable_classes() == (("B2", "B3"),)
    # a symmetric coupling keeps it (words are re-sorted after renaming)
    sym = c.param("w") * (c.Jp("B1") * c.Jm("B2") + c.Jp("B2") * c.Jm("B1"))
    assert with_hamiltonian(c.dias2024(reservoirs=2), sym, w).exchangeable_classes() == (
        ("B1", "B2"),
    )


def test_symmetry_argument_of_derive_is_checked():
    m = c.dias2024(reservoirs=3)
    assert cumulants.symmetry_classes(m, [("B3", "B1")]) == (("B1", "B3"),)
    assert cumulants.symmetry_classes(m, True) == (("B1", "B2", "B3"),)
    assert cumulants.symmetry_classes(m, None) == cumulants.symmetry_classes(m, False) == ()
    with pytest.raises(c.ModelError, match="not a symmetry of the model"):
        cumulants.derive(m, 2, symmetry=[("B1", "C")])
    with pytest.raises(c.ModelError, match="unknown ensembles"):
        cumulants.derive(m, 2, symmetry=[("B1", "B9")])
    with pytest.raises(c.ModelError, match="`symmetry`"):
        cumulants.derive(m, 2, symmetry="B1")
    with pytest.raises(c.ModelError, match="disjoint"):
        cumulants.derive(m, 2, symmetry=[("B1", "B2"), ("B2", "B3")])


# --------------------------------------------------------------------------------------------------
# canonical forms and lookup
# --------------------------------------------------------------------------------------------------
def test_orbit_representatives():
    cls = (("B1", "B2", "B3"),)
    sp = lambda *e: Moment(tuple(sorted(e)), ())  # noqa: E731
    assert permutation_representative(sp(("B3", 0, 0, 1)), cls) == sp(("B1", 0, 0, 1))
    a = sp(("B2", 1, 0, 0), ("B3", 0, 1, 0))
    b = sp(("B1", 0, 1, 0), ("B3", 1, 0, 0))
    assert permutation_representative(a, cls) == permutation_representative(b, cls)
    assert orbit_representative(a, cls) == orbit_representative(a.conj(), cls)
    # a moment on the charger and one battery: conjugation is not a permutation
    x = sp(("B3", 1, 0, 0), ("C", 0, 1, 0))
    assert permutation_representative(x, cls) == sp(("B1", 1, 0, 0), ("C", 0, 1, 0))
    assert orbit_representative(x, cls) == orbit_representative(x.conj(), cls)
    assert orbit_representative(x, cls) == sp(("B1", 0, 1, 0), ("C", 1, 0, 0))
    assert orbit_representative(x, ()) == min(x, x.conj())
    assert permutation_representative(x, ()) == x


def test_index_accepts_any_moment():
    m = c.dias2024(reservoirs=3, gamma_up=2.0)
    eqs = c.derive(m, 2, symmetry=True)
    full = c.derive(m, 2)
    assert eqs.symmetry == (("B1", "B2", "B3"),) and full.symmetry == ()
    i1 = eqs.index(cumulants.sigma_z("B1"))
    for e in ("B2", "B3"):
        assert eqs.index(cumulants.sigma_z(e)) == i1 == (i1[0], False)
    a = eqs.index(Moment((("B3", 1, 0, 0), ("C", 0, 1, 0)), ()))
    b = eqs.index(Moment((("B2", 0, 1, 0), ("C", 1, 0, 0)), ()))
    assert a[0] == b[0] and a[1] != b[1]  # conjugate pair
    p = eqs.index(Moment((("B2", 1, 0, 0), ("B3", 0, 1, 0)), ()))
    q = eqs.index(Moment((("B1", 0, 1, 0), ("B3", 1, 0, 0)), ()))
    assert p[0] == q[0] and eqs.is_real(p[0])  # <sp_B sm_B'> is real on symmetric states
    assert not full.is_real(full.index(Moment((("B1", 1, 0, 0), ("B2", 0, 1, 0)), ()))[0])
    with pytest.raises(c.ModelError, match="not among the variables"):
        eqs.index(cumulants.sigma_plus("B2"))  # charged: dropped by the U(1) filter


# --------------------------------------------------------------------------------------------------
# reduced against full
# --------------------------------------------------------------------------------------------------
def _compare(red, full, tol=1e-8):
    assert red.attrs["symmetry_classes"] != "" and full.attrs["symmetry_classes"] == ""
    assert red.attrs["n_variables"] < full.attrs["n_variables"]
    assert red.attrs["n_real_components"] < full.attrs["n_real_components"]
    assert int(red.status) == 0 and int(full.status) == 0
    err = float(np.max(np.abs(red.energy_density - full.energy_density)))
    assert err < tol, err
    N = full.N.values
    scale = N[:, None] * N[None, :]
    for var in ("JpJm", "JpJm_imag"):
        d = np.abs(red[var].values - full[var].values) / scale
        assert d.max() < tol, (var, d.max())
    return err


@pytest.mark.parametrize("nbar", [0.0, 0.3])
@pytest.mark.parametrize("order", [1, 2])
def test_reduced_matches_full_dias(order, nbar):
    model = c.dias2024(reservoirs=3, N_B=100, gamma_up=2.0, nbar=nbar)
    for N_C in (1e4, 1e5, 1e6, 1e7):
        mod = model.with_values(N_C=N_C)
        t = np.geomspace(1e-9, 2e-5 * 1e7 / N_C, 50)
        red = c.solve(mod, t, order=order, initial=CHARGER_FULL, **TIGHT)
        full = c.solve(mod, t, order=order, initial=CHARGER_FULL, symmetry=False, **TIGHT)
        assert red.attrs["symmetry_classes"] == "B1,B2,B3"
        _compare(red, full)
        # the batteries really charge, and the full system keeps them identical
        e = full.energy_density.sel(ensemble=["B1", "B2", "B3"]).values
        assert e.max() > 0.5 and np.ptp(e, axis=-1).max() < 1e-8


def test_reduced_matches_full_without_u1_and_with_a_mode():
    """Coherent symmetric initial state, driven cavity: complex moments, real orbits and modes."""
    model = cavity_model()
    assert model.exchangeable_classes() == (("A", "B", "D"),)
    s = (0.4, -0.3, 0.2)
    init = c.InitialState(spins={"A": s, "B": s, "D": s}, modes={"a": (0.3 + 0.1j, 0.05)})
    t = np.linspace(0.0, 8.0, 41)
    red = c.solve(model, t, order=2, initial=init, **TIGHT)
    full = c.solve(model, t, order=2, initial=init, symmetry=False, **TIGHT)
    assert red.attrs["u1_filter"] == 0
    _compare(red, full)
    for var in ("n_mode", "a_re", "a_im"):
        assert float(np.max(np.abs(red[var] - full[var]))) < 1e-8


def test_event_on_a_represented_battery():
    """The event weight of B3 lands on its representative's component.  (The accuracy of the event
    location itself is the integrator's business: it is only bracketed by output times here.)"""
    model = c.dias2024(reservoirs=3, N_C=10**6, N_B=100, gamma_up=2.0)
    t = np.geomspace(1e-9, 2e-4, 50)
    ev = {e: c.StopEvent(ensemble=e, threshold=0.9) for e in ("B1", "B3")}
    red = c.solve(model, t, initial=CHARGER_FULL, event=ev["B3"], **TIGHT)
    red1 = c.solve(model, t, initial=CHARGER_FULL, event=ev["B1"], **TIGHT)
    full = c.solve(model, t, initial=CHARGER_FULL, symmetry=False, **TIGHT)
    assert red.attrs["symmetry_classes"] == "B1,B2,B3"
    assert float(red.event_time) == float(red1.event_time)
    e = full.energy_density.sel(ensemble="B3").values
    k = int(np.argmax(e > 0.9))
    assert k > 0 and t[k - 1] <= float(red.event_time) <= t[k]


# --------------------------------------------------------------------------------------------------
# automatic fallback and symmetry=True
# --------------------------------------------------------------------------------------------------
def _same_as_full(model, t, **kw):
    auto = c.solve(model, t, **kw, **TIGHT)
    full = c.solve(model, t, symmetry=False, **kw, **TIGHT)
    assert auto.attrs["symmetry_classes"] == ""
    assert auto.attrs["n_variables"] == full.attrs["n_variables"]
    np.testing.assert_allclose(auto.energy_density, full.energy_density, rtol=0, atol=1e-12)
    return auto


def _partly_reduced(model, t, classes, **kw):
    """Automatic reduction by the sub-classes ``classes`` (a model class split by sizes or initial
    state): fewer variables than the full system, the same dynamics."""
    red = c.solve(model, t, **kw, **TIGHT)
    full = c.solve(model, t, symmetry=False, **kw, **TIGHT)
    assert red.attrs["symmetry_classes"] == classes
    _compare(red, full)
    return red, full


def test_unequal_sizes_reduce_by_the_equal_sized_batteries():
    model = c.dias2024(reservoirs=3, N_C=10**6, N_B=[100, 100, 50], gamma_up=2.0)
    t = np.geomspace(1e-9, 2e-4, 40)
    ds, _ = _partly_reduced(model, t, "B1,B2", initial=CHARGER_FULL)
    e = ds.energy_density.sel(ensemble=["B2", "B3"]).values
    assert np.abs(e[:, 0] - e[:, 1]).max() > 1e-6  # the smaller battery really differs
    with pytest.raises(c.ModelError, match=r"unequal sizes.*N_B3=50"):
        c.solve(model, t, initial=CHARGER_FULL, symmetry=True)
    # all sizes different: no two batteries qualify, the full system
    _same_as_full(model.with_values(N_B2=70), t, initial=CHARGER_FULL)
    # two sub-classes of one class, at both orders
    five = c.dias2024(reservoirs=5, N_C=10**6, N_B=[100, 100, 50, 100, 50], gamma_up=2.0, nbar=0.3)
    for order in (1, 2):
        red, full = _partly_reduced(five, t, "B1,B2,B4;B3,B5", initial=CHARGER_FULL, order=order)
        assert full.attrs["n_variables"] >= 2 * red.attrs["n_variables"]
    # unequal sizes coming from a sweep point: B2 leaves the class, B1 and B3 stay together
    sym = c.dias2024(reservoirs=3, N_C=10**6, N_B=100, gamma_up=2.0)
    points = [{}, {"N_B2": 60}]
    sw = c.sweep(sym, t, points, initials=CHARGER_FULL, **TIGHT)
    full = c.sweep(sym, t, points, initials=CHARGER_FULL, symmetry=False, **TIGHT)
    assert sw.attrs["symmetry_classes"] == "B1,B3"
    np.testing.assert_allclose(sw.energy_density, full.energy_density, rtol=0, atol=1e-8)
    with pytest.raises(c.ModelError, match="point 1 has unequal sizes"):
        c.sweep(sym, t, points, initials=CHARGER_FULL, symmetry=True)
    # a Problem reduced by (B1, B3) takes any N_B2 but refuses values that make B1 and B3 differ
    prob = c.Problem(sym.with_values(N_B2=60), initial=CHARGER_FULL)
    assert prob._plan.classes == (("B1", "B3"),)
    assert prob.integrate(t[:3], {"N_B2": 80}).status == 0
    with pytest.raises(c.ModelError, match=r"unequal sizes \(N_B1=100, N_B3=60\)"):
        prob.integrate(t[:3], {"N_B3": 60})


def test_asymmetric_initial_state_reduces_by_the_batteries_that_start_alike():
    model = c.dias2024(reservoirs=3, N_C=10**6, N_B=100, gamma_up=2.0)
    t = np.geomspace(1e-9, 2e-4, 40)
    init = c.InitialState.from_energy({"C": 1.0, "B2": 0.5})
    ds, _ = _partly_reduced(model, t, "B1,B3", initial=init)
    e0 = ds.energy_density.isel(time=0)
    assert abs(float(e0.sel(ensemble="B2")) - 0.5) < 1e-6 and float(e0.sel(ensemble="B3")) < 1e-6
    with pytest.raises(c.ModelError, match="initial state 0 is not symmetric"):
        c.solve(model, t, initial=init, symmetry=True)
    # every battery starts differently: the full system
    _same_as_full(model, t, initial=c.InitialState.from_energy({"C": 1.0, "B2": 0.5, "B3": 0.2}))


def test_per_component_atol_naming_a_permuted_moment_uses_the_full_system():
    model = c.dias2024(reservoirs=3, N_C=10**6, N_B=100)
    t = np.geomspace(1e-9, 2e-4, 20)
    ds = c.solve(model, t, initial=CHARGER_FULL, atol={"m_sz_B3": 1e-13})
    assert ds.attrs["symmetry_classes"] == ""
    ds = c.solve(model, t, initial=CHARGER_FULL, atol={"m_sz_B1": 1e-13})
    assert ds.attrs["symmetry_classes"] == "B1,B2,B3"


def test_symmetry_keyword_is_checked():
    model = c.dias2024(reservoirs=2, N_C=1000, N_B=10)
    t = np.linspace(0.0, 1e-3, 5)
    with pytest.raises(c.ModelError, match=r"`symmetry` must be None .*got 'yes'"):
        c.solve(model, t, symmetry="yes")
    rates = c.dias2024(reservoirs=2, N_C=1000, N_B=10, gamma_down=[1.0, 1.0])
    with pytest.raises(c.ModelError, match="no exchangeable spin ensembles"):
        c.solve(rates, t, symmetry=True)
    assert c.solve(rates, t).attrs["symmetry_classes"] == ""


def test_cache_key_separates_reduced_and_full():
    model = c.dias2024(reservoirs=3, N_C=1000, N_B=10)
    red, _ = c.compile_model(model, 2, symmetry=True)
    full, _ = c.compile_model(model, 2)
    assert red.symmetry and not full.symmetry and len(red) < len(full)


# --------------------------------------------------------------------------------------------------
# many batteries
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("m", [6, 8])
def test_many_batteries_reduce_to_a_bounded_system(m):
    model = c.dias2024(reservoirs=m, N_C=10**6, N_B=100, gamma_up=2.0, nbar=0.3)
    start = time.perf_counter()
    eqs = cumulants.derive(model, 2, symmetry=True)
    elapsed = time.perf_counter() - start
    three = cumulants.derive(c.dias2024(reservoirs=3, gamma_up=2.0, nbar=0.3), 2, symmetry=True)
    assert len(eqs) == len(three) == 9
    assert elapsed < 5.0, elapsed
    t = np.geomspace(1e-9, 2e-4, 30)
    ds = c.solve(model, t, initial=CHARGER_FULL, **TIGHT)
    assert ds.attrs["symmetry_classes"] == ",".join(f"B{k}" for k in range(1, m + 1))
    e = ds.energy_density.values
    assert np.ptp(e[:, 1:], axis=-1).max() == 0.0 and e[:, 1:].max() > 0.01
    if m == 6:
        _compare(ds, c.solve(model, t, initial=CHARGER_FULL, symmetry=False, **TIGHT))


def test_disk_cache_keeps_the_reduction(monkeypatch, tmp_path):
    from collective import engine

    monkeypatch.setenv("COLLECTIVE_CACHE_DIR", str(tmp_path))
    model = c.dias2024(reservoirs=4, N_C=1000, N_B=10, nbar=0.2)
    engine._CACHE.clear()
    red1, low1 = c.compile_model(model, 2, symmetry=True)
    full1, _ = c.compile_model(model, 2)
    assert len(list(tmp_path.glob("eqs-*.pkl"))) == 2
    engine._CACHE.clear()
    red2, low2 = c.compile_model(model, 2, symmetry=True)  # restored from disk
    full2, _ = c.compile_model(model, 2)
    assert red2.variables == red1.variables and red2.symmetry == (("B1", "B2", "B3", "B4"),)
    assert full2.variables == full1.variables and not full2.symmetry
    assert [red2.is_real(i) for i in range(len(red2))] == [
        red1.is_real(i) for i in range(len(red1))
    ]
    assert red2.index(cumulants.sigma_z("B4")) == red1.index(cumulants.sigma_z("B1"))
    assert low2.names == low1.names
