"""Power, average power, charging time and efficiency on cumulant and exact datasets."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import collective.exact as ex
from collective import InitialState, ModelError, dias2024, solve
from collective.observables import (
    average_power,
    charging_time,
    efficiency,
    exact_dataset,
    exact_energy_rate,
    power,
    thermodynamics,
)
from collective.presets import noise_battery, noise_initial

FD_RTOL = 1e-4  # right-hand-side power vs centred differences of a dense grid
EVENT_ATOL = 1e-7  # energy density at the located charging time vs the target
RATE_ATOL = 1e-10  # exact energy rate vs closed form


@pytest.fixture(scope="module")
def dias_ds():
    m = dias2024(N_C=2000, N_B=50)
    init = InitialState.from_energy({"C": 1.0})
    return m, init, solve(m, np.linspace(0.0, 0.02, 801), initial=init, rtol=1e-10, atol=1e-12)


def test_thermodynamics_variables_have_units(dias_ds, tmp_path):
    _, _, ds = dias_ds
    th = thermodynamics(ds, batteries="B1", sources="C")
    for v in (
        "energy",
        "power",
        "average_power",
        "peak_power",
        "time_of_peak_power",
        "stored_energy",
        "efficiency",
    ):
        assert "units" in th[v].attrs and "long_name" in th[v].attrs, v
    assert th.power.attrs["units"] == "hbar*omega_0/([t])"
    assert th.energy.attrs["units"] == "hbar*omega_0"
    assert th.efficiency.attrs["units"] == "1"
    # round trip through netCDF keeps values and labels
    sub = xr.Dataset({k: th[k] for k in ("energy", "power", "efficiency")}).drop_vars(
        ["ensemble", "ensemble_b"], errors="ignore"
    )
    sub = sub.assign_coords(ensemble=[str(e) for e in th.ensemble.values])
    sub.to_netcdf(tmp_path / "th.nc")
    with xr.open_dataset(tmp_path / "th.nc") as back:
        xr.testing.assert_allclose(back.load(), sub)
        assert back.power.attrs["units"] == th.power.attrs["units"]


def test_power_from_rhs_matches_differences(dias_ds):
    _, _, ds = dias_ds
    P = power(ds).sel(ensemble="B1").values
    E = (ds.energy_density * ds.N).sel(ensemble="B1").values
    t = ds.time.values
    fd = np.gradient(E, t, edge_order=2)
    scale = np.max(np.abs(P))
    assert np.max(np.abs(P[5:-5] - fd[5:-5])) < 50 * FD_RTOL * scale  # FD error O(dt^2 P''')
    # energy conservation of the closed system is not expected (reservoir), but the battery energy
    # integrates its power: trapezoid of P recovers E(T) - E(0)
    assert np.trapezoid(P, t) == pytest.approx(E[-1] - E[0], rel=1e-4)


def test_average_power_and_efficiency(dias_ds):
    _, _, ds = dias_ds
    avg = average_power(ds).sel(ensemble="B1")
    E = (ds.energy_density * ds.N).sel(ensemble="B1")
    assert np.isnan(avg.values[0])
    assert float(avg[-1]) == pytest.approx(float(E[-1] - E[0]) / float(ds.time[-1]), rel=1e-14)
    eta = efficiency(ds, "B1", "C")
    Ec = (ds.energy_density * ds.N).sel(ensemble="C")
    assert float(eta[-1]) == pytest.approx(float(E[-1] - E[0]) / float(Ec[0] - Ec[-1]), rel=1e-14)
    assert 0 < float(eta[-1]) < 1
    eta2 = efficiency(ds, ["B1"], supplied=2000.0)
    assert float(eta2[-1]) == pytest.approx(float(E[-1] - E[0]) / 2000.0, rel=1e-14)
    with pytest.raises(ModelError, match="`batteries`"):
        efficiency(ds, "X", "C")
    with pytest.raises(ModelError, match="`sources`"):
        efficiency(ds, "B1")


def test_charging_time_is_event_based(dias_ds):
    m, init, ds = dias_ds
    target = 0.8
    ct = charging_time(m, target, ensemble="B1", t_max=0.02, initial=init, rtol=1e-10, atol=1e-12)
    tc = float(ct.charging_time)
    assert ct.charging_time.attrs["units"] == "[t]"
    # the coarse dataset brackets it; a solve to exactly t_c lands on the target
    e = ds.energy_density.sel(ensemble="B1").values
    k = int(np.argmax(e >= target))
    assert ds.time.values[k - 1] < tc <= ds.time.values[k]
    at = solve(m, [0.0, tc], initial=init, rtol=1e-10, atol=1e-12)
    assert float(at.energy_density.sel(ensemble="B1")[-1]) == pytest.approx(target, abs=EVENT_ATOL)
    assert float(ct.average_power_to_target) == pytest.approx(50 * target / tc, rel=1e-12)
    never = charging_time(m, 0.999999, ensemble="B1", t_max=1e-4, initial=init)
    assert np.isnan(float(never.charging_time))
    with pytest.raises(ModelError, match="`target`"):
        charging_time(m, 1.5, ensemble="B1", t_max=1.0)


def test_exact_energy_rate_from_liouvillian():
    """Ground state under collective thermal noise: dE/dt = gamma nbar <J^- J^+> = gamma nbar N."""
    N, gamma, nbar = 5, 0.7, 1.3
    m = noise_battery(N=N, gamma=gamma, nbar=nbar)
    res = ex.evolve(
        m, np.linspace(0, 1, 41), noise_initial("ground"), store_states=True, method="expm"
    )
    rate = exact_energy_rate(res)
    assert rate[0, 0] == pytest.approx(gamma * nbar * N, abs=RATE_ATOL)
    ds = thermodynamics(exact_dataset(res))
    fd = np.gradient(ds.energy.values[:, 0], ds.time.values, edge_order=2)
    assert np.allclose(ds.power.values[2:-2, 0], fd[2:-2], rtol=1e-2, atol=1e-3)
    assert ds.power.attrs["units"] == "hbar*omega_0/(1/gamma)"
    with pytest.raises(ModelError, match="store_states"):
        exact_energy_rate(ex.evolve(m, [0.0, 1.0], noise_initial("ground")))
