"""Bad input gets clear errors naming the argument, the value and what is valid."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import collective as c
from collective.cumulants import Moment
from collective.cumulants import derive as derive_raw


def test_negative_rate():
    with pytest.raises(c.ModelError, match=r"gamma_up.*>= 0"):
        c.dias2024(gamma_up=-1.0)
    with pytest.raises(c.ModelError, match="non-negative"):
        c.Model(
            ensembles=[c.Ensemble(name="A", N=3)],
            dissipators=[c.Dissipator(jump=c.Jm("A"), rate=-0.5)],
        )


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_rate(bad):
    with pytest.raises(c.ModelError, match="finite"):
        c.dias2024(gamma_down=bad)


@pytest.mark.parametrize("N", [0, -3, 2.5, math.nan, "10", True])
def test_bad_ensemble_size(N):
    with pytest.raises(c.ModelError, match=r"`N` of ensemble 'A' must be a positive integer"):
        c.Ensemble(name="A", N=N)


def test_unknown_ensemble_and_parameter_names():
    with pytest.raises(c.ModelError, match=r"unknown ensemble 'Z'"):
        c.Model(ensembles=[c.Ensemble(name="A", N=3)], dissipators=[c.Dissipator(jump=c.Jm("Z"))])
    with pytest.raises(c.ModelError, match=r"undeclared parameter\(s\) \['kappa'\]"):
        c.Model(
            ensembles=[c.Ensemble(name="A", N=3)],
            dissipators=[c.Dissipator(jump=c.Jm("A"), rate=c.param("kappa"))],
        )
    m = c.dias2024(reservoirs=2)
    with pytest.raises(c.ModelError, match=r"unknown parameter 'gamma'"):
        c.sweep(m, [1e-6], [{"gamma": 1.0}])
    with pytest.raises(c.ModelError, match="initial state names unknown ensemble 'B7'"):
        c.solve(m, [1e-6], initial=c.InitialState.from_energy({"B7": 1.0}))
    with pytest.raises(c.ModelError, match=r"`event.ensemble` is 'X'"):
        c.solve(m, [1e-6], event=c.StopEvent(ensemble="X", threshold=0.5))


@pytest.mark.parametrize("order", [0, 3, 1.5, True])
def test_order_not_1_or_2(order):
    m = c.dias2024()
    with pytest.raises(c.CollectiveError, match="`order` must be 1"):
        c.solve(m, [1e-6], order=order)
    with pytest.raises(c.CollectiveError, match="`order` must be 1"):
        derive_raw(m, order=order)


def test_moment_set_that_cannot_be_closed():
    m = c.dias2024(reservoirs=3)
    with pytest.raises(c.ClosureError, match="max_variables"):
        derive_raw(m, order=2, max_variables=5)
    with pytest.raises(c.ClosureError, match="order 3 > closure `order`=2"):
        derive_raw(m, order=2, moments=[Moment((("C", 1, 1, 1),), ())])


def test_solver_options_and_times():
    m = c.dias2024()
    with pytest.raises(c.ModelError, match=r"unknown solver option\(s\) \['rtoll'\]"):
        c.solve(m, [1e-6], rtoll=1e-3)
    with pytest.raises(c.ModelError, match="`rtol` must be"):
        c.solve(m, [1e-6], rtol=-1.0)
    with pytest.raises(c.ModelError, match="strictly increasing"):
        c.solve(m, [2e-6, 1e-6])
    with pytest.raises(c.ModelError, match="`times` is empty"):
        c.solve(m, [])


@pytest.mark.parametrize(
    "times, message",
    [
        ([0.0, 1e-6, float("nan")], "finite and >= 0"),
        ([float("nan"), 1e-6], "finite and >= 0"),
        ([-1e-6, 1e-6], "finite and >= 0"),
        ([0.0, float("inf")], "finite and >= 0"),
        ([0.0, 1e-6, 1e-6], "strictly increasing"),
        ("abc", "sequence of numbers"),
    ],
)
def test_bad_output_times_through_the_fast_path(times, message):
    # Problem.integrate validates the times on every call with a short-cut for good input
    prob = c.Problem(c.dias2024(reservoirs=1, N_C=100, N_B=10))
    with pytest.raises(c.ModelError, match=message):
        prob.integrate(times)


@pytest.mark.parametrize("method", ["auto", "bdf"])
@pytest.mark.parametrize(
    "times, t0, message",
    [
        ([0.0, 1e-6, float("nan")], 0.0, "finite and >= 0"),
        ([float("nan"), 1e-6], 0.0, "finite and >= 0"),
        ([-1e-6, 1e-6], 0.0, "finite and >= 0"),
        ([0.0, float("inf")], 0.0, "finite and >= 0"),
        ([float("-inf"), 0.0], 0.0, "finite and >= 0"),
        ([0.0, 1e-6, 1e-6], 0.0, "strictly increasing"),
        ([0.0, 2e-6, 1e-6, 3e-6], 0.0, "strictly increasing"),
        ([1e-6, 2e-6], 1.5e-6, "is after the first output time"),
    ],
)
def test_bad_float64_times_take_the_checked_path(method, times, t0, message):
    # a contiguous float64 array is checked by the jitted times_valid instead of check_times'
    # numpy comparisons; what it refuses goes to check_times for the message
    prob = c.Problem(c.dias2024(reservoirs=1, N_C=100, N_B=10), method=method)
    with pytest.raises(c.ModelError, match=message):
        prob.integrate(np.asarray(times, dtype=float), t0=t0)
    # good times pass, also as a strided view (converted by check_times)
    good = prob.integrate(np.geomspace(1e-7, 1e-5, 8)[::2], t0=0.0)
    assert good.status == 0 and good.y.shape == (4, prob.lowered.n)
    assert np.isfinite(good.y).all()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([0.0, 1e-6, 2e-6, 3e-6, -1e-6, float("nan"), float("inf")]),
        min_size=0,
        max_size=6,
    ),
    st.sampled_from([0.0, 1e-6, -1.0, 5e-6]),
)
def test_times_valid_agrees_with_check_times(times, t0):
    from collective._times import check_times, times_valid

    t = np.asarray(times, dtype=float)
    try:
        check_times(t, t0)
        accepted = True
    except c.ModelError:
        accepted = False
    assert times_valid(t, t0) == accepted


def test_non_hermitian_hamiltonian_and_bad_convention():
    with pytest.raises(c.ModelError, match="not Hermitian"):
        c.Model(ensembles=[c.Ensemble(name="A", N=2)], hamiltonian=c.Jp("A"))
    with pytest.raises(c.ModelError, match="`convention` must be one of"):
        c.Dissipator(jump=c.Jm("A"), convention="Q")


def test_failed_integration_is_flagged_not_raised_in_sweep():
    m = c.dias2024(reservoirs=1, N_C=10_000, N_B=10)
    init = c.InitialState.from_energy({"C": 1.0})
    ds = c.sweep(
        m,
        np.geomspace(1e-6, 1e-2, 5),
        [{"gamma_up": 0.0}, {"gamma_up": 1.0}],
        initials=init,
        max_steps=3,
    )
    assert (ds.status.values != 0).all()
    assert "maximum number of steps" in str(ds.status_message.values[0])
    ok = c.sweep(
        m, np.geomspace(1e-6, 1e-2, 5), [{"gamma_up": 0.0}, {"gamma_up": 1.0}], initials=init
    )
    assert (ok.status.values == 0).all()
    with pytest.raises(c.IntegrationError, match="maximum number of steps"):
        c.solve(m, np.geomspace(1e-6, 1e-2, 5), initial=init, max_steps=3)


@pytest.mark.parametrize("method", ["rodas4", "bdf"])
def test_non_finite_point_is_flagged_bad_input(method):
    m = c.dias2024(reservoirs=1, N_C=10_000, N_B=10)
    ds = c.sweep(
        m,
        [1e-6, 1e-4],
        [{"gamma_up": 1.0}, {"gamma_up": math.nan}],
        initials=c.InitialState.from_energy({"C": 1.0}),
        method=method,
    )
    assert list(ds.status.values) == [0, 4]
    assert "invalid input" in str(ds.status_message.values[1])
    assert np.isnan(ds.energy_density.isel(point=1)).all()
    assert np.isfinite(ds.energy_density.isel(point=0)).all()


@pytest.mark.parametrize(
    "times, message",
    [
        ([[0.0, 1e-6], [2e-6, 3e-6]], "1-d sequence"),
        ([0.0, float("nan")], "finite and >= 0"),
        ([1e-6, 0.0], "strictly increasing"),
        ([], "empty"),
    ],
)
def test_cumulant_and_exact_solvers_check_times_alike(times, message):
    m = c.dias2024(reservoirs=1, N_C=4, N_B=2)
    init = c.InitialState.from_energy({"C": 1.0})
    with pytest.raises(c.ModelError, match=message):
        c.solve(m, times, initial=init)
    with pytest.raises(c.ModelError, match=message):
        c.mesolve(m, times, init)
