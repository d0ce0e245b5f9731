"""The compiled fast path (`Problem`) gives exactly what `solve`/`sweep` give, and fails loudly."""

import numpy as np
import pytest

import collective as c
from tests.conftest import assert_fresh_process_imports_no_dask, assert_is_xarrays_own_dataset

T = np.geomspace(1e-9, 2e-5, 60)
INIT = c.InitialState.from_energy({"C": 1.0})


@pytest.fixture(scope="module")
def dias():
    return c.dias2024(reservoirs=3, N_C=10_000_000, N_B=100, gamma_up=2.0)


def test_integrate_equals_solve_and_dataset_round_trip(dias):
    prob = c.Problem(dias, initial=INIT, rtol=1e-9, atol=1e-13)
    tr = prob.integrate(T)
    ds = c.solve(dias, T, initial=INIT, rtol=1e-9, atol=1e-13)
    assert int(tr.status) == 0 and tr.y.shape == (T.size, len(prob.names))
    np.testing.assert_array_equal(prob.energy_density(tr), ds.energy_density.values)
    assert list(ds.ensemble.values) == list(prob.ensembles)
    d2 = prob.dataset(tr)
    np.testing.assert_array_equal(d2.energy_density.values, ds.energy_density.values)
    np.testing.assert_allclose(d2.energy_rate.values, ds.energy_rate.values, rtol=1e-12, atol=0)
    for k in ("n_steps", "nfev", "n_stiff_steps", "n_switches"):
        assert int(d2[k]) == int(ds[k]) == int(tr.stats[k])


def test_values_override_matches_a_model_with_those_values(dias):
    prob = c.Problem(dias, initial=INIT, rtol=1e-9, atol=1e-13)
    tr = prob.integrate(T, {"gamma_up": 1.0, "N_C": 1e6})
    other = c.dias2024(reservoirs=3, N_C=1_000_000, N_B=100, gamma_up=1.0)
    ds = c.solve(other, T, initial=INIT, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(prob.energy_density(tr), ds.energy_density.values, atol=1e-12)


def test_integrate_many_equals_sweep_and_flags_a_bad_point(dias):
    prob = c.Problem(dias, initial=INIT, rtol=1e-8, atol=1e-12)
    pts = [{"gamma_up": g} for g in (0.0, 1.0, 2.0)] + [{"gamma_up": float("nan")}]
    tr = prob.integrate_many(T, pts)
    sw = c.sweep(dias, T, pts, initials=INIT, rtol=1e-8, atol=1e-12)
    assert tr.y.shape == (4, T.size, len(prob.names))
    assert list(tr.status) == [0, 0, 0, 4] == list(sw.status.values)
    good = slice(0, 3)
    np.testing.assert_array_equal(prob.energy_density(tr)[good], sw.energy_density.values[good])
    assert np.all(np.isnan(tr.y[3]))
    # plateaus of Fig. 2(d) and (f) (m = 3, no pump / gamma_up = 2 gamma_down)
    e = prob.energy_density(tr)[:, -1, list(prob.ensembles).index("B1")]
    assert abs(e[0] - 0.25) < 0.005 and e[2] > 0.98


@pytest.mark.parametrize("method", ["auto", "rodas4", "bdf"])
def test_repeated_calls_reuse_scratch_without_carrying_state(dias, method):
    """``Problem.integrate`` binds the kernel's work arrays once and reuses them: a call after
    other calls (other values, other output times, a failed point) gives bit for bit what a
    fresh Problem gives, and results of earlier calls are not overwritten."""
    kw = dict(initial=INIT, rtol=1e-7, atol=1e-11, method=method)
    if method != "bdf":
        kw["event"] = c.StopEvent(ensemble="B1", threshold=0.5)
    fresh = c.Problem(dias, **kw).integrate(T, {"gamma_up": 2.0})
    prob = c.Problem(dias, **kw)
    first = prob.integrate(T[:20], {"gamma_up": 0.5, "N_C": 1e5})
    kept = first.y.copy()
    bad = prob.integrate(T, {"gamma_up": float("nan")})
    assert int(bad.status) == 4 and np.all(np.isnan(bad.y))
    rng = np.random.default_rng(1)
    for a in prob._call[2]:  # the bound work arrays: what a kernel must not read before writing
        a[...] = rng.integers(0, 7, a.shape) if a.dtype.kind == "i" else rng.normal(0, 1e3, a.shape)
    again = prob.integrate(T, {"gamma_up": 2.0})
    assert int(again.status) == int(fresh.status) == 0
    np.testing.assert_array_equal(again.y, fresh.y)
    assert again.stats == fresh.stats
    np.testing.assert_array_equal(again.event_time, fresh.event_time)
    np.testing.assert_array_equal(first.y, kept)
    if method != "bdf":
        assert np.isfinite(again.event_time)


def test_order1_seed_follows_the_size(dias):
    prob = c.Problem(dias, order=1, initial=INIT)
    small = prob.integrate(T, {"N_C": 1e4})
    direct = c.sweep(dias, T, [{"N_C": 1e4}], order=1, initials=INIT)
    np.testing.assert_allclose(
        prob.energy_density(small), direct.energy_density.values[0], atol=1e-12
    )


def test_bad_input_is_named(dias):
    prob = c.Problem(dias, initial=INIT)
    with pytest.raises(c.ModelError, match="`values` must be a mapping"):
        prob.integrate(T, [1.0])
    with pytest.raises(c.ModelError, match="unequal sizes"):
        prob.integrate(T, {"N_B1": 50})
    with pytest.raises(c.ModelError, match="`points` must be a non-empty sequence"):
        prob.integrate_many(T, [])
    with pytest.raises(c.ModelError, match="`t0`"):
        prob.integrate(T, t0=1.0)
    with pytest.raises(c.ModelError, match="`initial` must be an InitialState"):
        c.Problem(dias, initial={"C": 1.0})
    with pytest.raises(c.ModelError, match="unknown solver option"):
        c.Problem(dias, initial=INIT, tolerance=1e-3)
    # a full (unreduced) Problem accepts unequal battery sizes
    full = c.Problem(dias, initial=INIT, symmetry=False)
    assert int(full.integrate(T, {"N_B1": 50}).status) == 0


def test_event_time_matches_solve_and_terminal_event_pads(dias):
    ev = c.StopEvent(ensemble="B1", threshold=0.9)
    prob = c.Problem(dias, initial=INIT, event=ev, rtol=1e-9, atol=1e-13)
    tr = prob.integrate(T)
    ds = c.solve(dias, T, initial=INIT, event=ev, rtol=1e-9, atol=1e-13)
    assert np.isfinite(tr.event_time) and tr.event_time == float(ds.event_time)
    # the crossing lies between the output times that bracket it
    e = prob.energy_density(tr)[:, list(prob.ensembles).index("B1")]
    k = int(np.searchsorted(T, tr.event_time))
    assert e[k - 1] < 0.9 <= e[k]
    many = prob.integrate_many(T, [{"gamma_up": 2.0}, {"gamma_up": 0.0}])
    assert many.event_time[0] == tr.event_time and np.isnan(many.event_time[1])  # 0.25 < 0.9
    # terminal: nothing after the event, even outputs inside the step that crossed it (a dense grid
    # puts several output times in that step)
    dense = np.geomspace(1e-9, 2e-5, 4000)
    for method in ("auto", "bdf"):
        term = c.Problem(
            dias,
            initial=INIT,
            event=c.StopEvent(ensemble="B1", threshold=0.9, terminal=True),
            method=method,
        ).integrate(dense)
        after = dense > term.event_time
        assert after.any() and np.all(np.isnan(term.y[after])), method
        assert np.all(np.isfinite(term.y[~after])), method


def test_numpy_evaluator_equals_the_kernel_rhs(dias):
    """``Lowered.evaluate`` (one-point datasets, the benchmark's Python RHS) and the jitted RHS
    (integrators, many-point datasets) agree, and so do the energy rates of solve and sweep."""
    from collective.integrate import rhs

    prob = c.Problem(dias, initial=INIT)
    low, coef = prob.lowered, prob.coefficients({"gamma_up": 1.5})
    Y = np.random.default_rng(1).normal(size=(3, 4, low.n))
    got = low.evaluate(coef, Y)
    for idx in np.ndindex(3, 4):
        ref = np.zeros(low.n)
        rhs(Y[idx], coef, low.out, low.cidx, low.fac, ref)
        np.testing.assert_allclose(got[idx], ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
    one = c.solve(dias, T, initial=INIT)
    two = c.sweep(dias, T, [{}, {}], initials=INIT)
    np.testing.assert_allclose(
        one.energy_rate.values, two.energy_rate.values[0], rtol=1e-10, atol=1e-6
    )


def test_solve_is_the_one_point_sweep_and_does_not_import_dask(dias):
    """`solve` (and `Problem.dataset` of one trajectory) build the one-point dataset directly from
    their own numpy arrays and pandas indexes, without xarray's duck-array and dask-collection
    checks (which import dask and dask.array, ~0.1-0.3 s of a first solve) and without `isel`:
    the result must be what `sweep(...).isel(point=0, drop=True)` gives, and what xarray's own
    constructor makes of the same arrays, for spins and for bosonic modes.  A one-process solve
    or sweep does not import dask at all."""
    import xarray as xr

    from collective.presets import nonreciprocal_battery

    boson = nonreciprocal_battery(
        Gamma=0.4, kappa_a=0.3, kappa_b=0.2, J=0.13, phi=0.7, epsilon=0.05, Delta=0.11
    )
    b_init = c.InitialState(modes={"a": (0.1 + 0.05j, 0.2), "b": (0.0, 0.1)})
    for model, init, times in ((dias, INIT, T[:20]), (boson, b_init, np.linspace(0, 10, 6))):
        one = c.solve(model, times, initial=init)
        ref = c.sweep(model, times, [{}], initials=init).isel(point=0, drop=True)
        prob = c.Problem(model, initial=init)
        via_problem = prob.dataset(prob.integrate(times))
        for d in (one, ref, via_problem):
            d.attrs.pop("wall_time_s")
        xr.testing.assert_identical(one, ref)
        xr.testing.assert_identical(one, via_problem)
        # what xarray's own constructor makes of the same arrays, indexes included
        assert_is_xarrays_own_dataset(one)

    code = (
        "import sys, numpy as np, collective as c;"
        "m = c.dias2024(reservoirs=2, N_C=1000, N_B=10);"
        "ds = c.solve(m, np.linspace(0, 1e-3, 5), initial=c.InitialState.from_energy({'C': 1.0}));"
        "assert ds.energy_density.dims == ('time', 'ensemble');"
        "c.sweep(m, np.linspace(0, 1e-3, 5), [{}, {'gamma_up': 1.0}]);"
        "print('dask' in sys.modules)"
    )
    assert_fresh_process_imports_no_dask(code)


def test_labelled_dataset_direct_and_public_constructors_agree(dias, monkeypatch):
    """`_xr.labelled_dataset` hands its variables to xarray's private direct constructor; when
    that path fails (an xarray without it, or items whose dimension sizes disagree) the public
    constructor decides.  Both give the same dataset, and inconsistent items still get xarray's
    own error, not a silently wrong dataset."""
    import xarray as xr

    from collective import _xr

    ds = c.solve(dias, T[:20], initial=INIT)
    ds.attrs.pop("wall_time_s")

    def broken(*args, **kwargs):
        raise AttributeError("no direct constructor in this xarray")

    monkeypatch.setattr(_xr, "_direct", broken)
    public = c.solve(dias, T[:20], initial=INIT)
    public.attrs.pop("wall_time_s")
    xr.testing.assert_identical(ds, public)
    assert list(ds.variables) == list(public.variables)
    monkeypatch.undo()

    bad = {"x": ("time", np.zeros(3), {}), "y": ("time", np.zeros(4), {})}
    coords = {"time": ("time", np.arange(3.0), {})}
    with pytest.raises(ValueError, match="time"):
        _xr.labelled_dataset(bad, coords)
    with pytest.raises(ValueError, match="time"):
        _xr._direct(
            {k: _xr.variable(*v) for k, v in bad.items()},
            {k: _xr.variable(*v) for k, v in coords.items()},
            {},
            None,
        )


def test_model_facts_are_computed_once_per_object(monkeypatch):
    """`solve` asks for the exchangeable classes and the structure key on every call; both are
    derived from the frozen model once per object (the class check compares sympy coefficients),
    a new object starts afresh, and the memo goes with the object."""
    import gc

    from collective import model as model_mod

    calls = []
    real = model_mod.Model._exchangeable_classes

    def counting(self):
        calls.append(id(self))
        return real(self)

    monkeypatch.setattr(model_mod.Model, "_exchangeable_classes", counting)
    m = c.dias2024(reservoirs=3, N_C=1000, N_B=10)
    for _ in range(3):
        c.solve(m, T[:5], initial=INIT)
    assert calls == [id(m)]
    assert m.exchangeable_classes() == (("B1", "B2", "B3"),)
    other = c.dias2024(reservoirs=3, N_C=1000, N_B=10, gamma_down=[1.0, 1.0, 2.0])
    assert other.exchangeable_classes() == () and len(calls) == 2
    key = id(m)
    assert key in model_mod._MEMO
    del m
    gc.collect()
    assert key not in model_mod._MEMO


@pytest.mark.parametrize("order", [1, 2])
def test_pair_correlations_are_hermitian_and_match_the_state_vector(order):
    """`JpJm[a, b]` = <J+_a J-_b> is a Hermitian matrix in (ensemble, ensemble_b): its real part
    symmetric, its imaginary part antisymmetric and, with complex jump weights, not zero.  This
    checks the read-out's conjugated moments (one of each pair of ensembles is stored as the
    conjugate of the other) and, at order 2, the values against the state vector itself."""
    g = c.param("g")
    model = c.Model(
        name="complex weights",
        ensembles=[c.Ensemble(name="A", N=50), c.Ensemble(name="B", N=20)],
        dissipators=[c.Dissipator(jump=c.Jm("A") + (0.3 + 0.8j) * c.Jm("B"), rate=g)],
        parameters=[c.Parameter(name="g", value=1.0)],
    )
    init = c.InitialState(spins={"A": (0.3, 0.1, 0.8), "B": (0.0, 0.5, -0.2)})
    times = np.linspace(0.0, 0.05, 12)
    ds = c.sweep(model, times, [{}, {"g": 2.0}], initials=init, order=order)
    re = ds.JpJm.transpose(..., "ensemble", "ensemble_b").values
    im = ds.JpJm_imag.transpose(..., "ensemble", "ensemble_b").values
    np.testing.assert_allclose(re, np.swapaxes(re, -1, -2), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(im, -np.swapaxes(im, -1, -2), rtol=1e-12, atol=1e-12)
    assert np.abs(im[:, 1:, 0, 1]).min() > 1e-3  # the weights' phase makes it complex
    if order == 2:
        # the state vector holds <s-_A s+_B>; <J+_A J-_B> = N_A N_B conj(<s-_A s+_B>)
        stored = ds["re_m_sm_A__sp_B"] + 1j * ds["im_m_sm_A__sp_B"]
        got = ds.JpJm.sel(ensemble="A", ensemble_b="B") + 1j * ds.JpJm_imag.sel(
            ensemble="A", ensemble_b="B"
        )
        np.testing.assert_allclose(got.values, 50 * 20 * np.conj(stored.values), rtol=1e-12)
