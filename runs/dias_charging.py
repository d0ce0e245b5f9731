"""Charging time, power and efficiency for the Dias et al. protocols at N_C = 1e7
(shared/papers/004_3737e21b5a1ad236.txt, Eq. (4), Fig. 2 (a), (c), (f)), from the cumulant engine
(order 2), plus the exact ergotropy of one battery at small N.

Protocols (gamma_down = 1 sets the time unit [t] = 1/gamma_down, paper's L-convention):
  a: one battery, no pump;  c: two batteries, gamma_up = gamma_down;  f: three batteries,
  gamma_up = 2 gamma_down.  Charger fully excited, batteries (N_B = 100) in the ground state.

Writes ``outdir`` (default results/dias_charging): ``trajectories.nc`` (energy, power, average
power, efficiency vs time), ``charging.nc`` (event-based charging times to energy densities
0.5, 0.9, 0.99 and derived powers), ``battery_ergotropy_small.nc`` (exact, N_C = 8, N_B = 4).

Usage: python runs/dias_charging.py [outdir]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

import collective.exact as ex
from collective import InitialState, dias2024, solve
from collective.observables import charging_time, exact_ergotropy, thermodynamics

PROTOCOLS = {"a": (1, 0.0), "c": (2, 1.0), "f": (3, 2.0)}  # reservoirs, gamma_up/gamma_down
TARGETS = (0.5, 0.9, 0.99)
N_C, N_B = 10_000_000, 100
OPTS = {"rtol": 1e-8, "atol": 1e-10, "h0": 1e-12}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    t = np.concatenate([[0.0], np.geomspace(1e-9, 1e-4, 400)])
    trajs, rows = [], []
    for key, (m, up) in PROTOCOLS.items():
        model = dias2024(reservoirs=m, N_C=N_C, N_B=N_B, gamma_up=up)
        init = InitialState.from_energy({"C": 1.0})
        start = time.perf_counter()
        ds = thermodynamics(solve(model, t, initial=init, **OPTS), batteries="B1", sources="C")
        ds["efficiency_of_initial_charge"] = (
            (ds.stored_energy - ds.stored_energy.isel(time=0))
            * m
            / float(ds.energy.sel(ensemble="C").isel(time=0))
        ).assign_attrs(
            long_name="energy gained by all batteries / initial charger energy", units="1"
        )
        keep = [
            "energy",
            "power",
            "average_power",
            "efficiency",
            "efficiency_of_initial_charge",
            "energy_density",
        ]
        sub = ds[keep].sel(ensemble=["C", "B1"])
        sub = sub.drop_vars([c for c in sub.coords if c not in ("time", "ensemble")])
        trajs.append(sub.expand_dims(protocol=[key]))
        for target in TARGETS:
            ct = charging_time(model, target, ensemble="B1", t_max=1e-4, initial=init, **OPTS)
            tc = float(ct.charging_time)
            k = int(np.nanargmax(ds.power.sel(ensemble="B1").values))
            rows.append(
                {
                    "protocol": key,
                    "reservoirs": m,
                    "gamma_up": up,
                    "target": target,
                    "charging_time": tc,
                    "average_power_to_target": float(ct.average_power_to_target),
                    "peak_power": float(ds.power.sel(ensemble="B1").values[k]),
                    "time_of_peak_power": float(ds.time.values[k]),
                    "final_energy_density_B1": float(
                        ds.energy_density.sel(ensemble="B1").values[-1]
                    ),
                    "efficiency_final": float(ds.efficiency.values[-1]),
                }
            )
        print(f"protocol {key}: {time.perf_counter() - start:.1f} s")
    traj = xr.concat(trajs, "protocol", coords="minimal", compat="override")
    traj["protocol"].attrs.update(long_name="Dias et al. Fig. 2 panel", units="1")
    traj.attrs.update(
        N_C=N_C, N_B=N_B, method="cumulant order 2", reference="Dias et al. (2024) Eq. (4), Fig. 2"
    )
    traj["ensemble"] = [str(e) for e in traj.ensemble.values]
    traj.to_netcdf(out / "trajectories.nc")
    units = {
        "charging_time": "[t]",
        "average_power_to_target": "hbar*omega_0/([t])",
        "peak_power": "hbar*omega_0/([t])",
        "time_of_peak_power": "[t]",
        "final_energy_density_B1": "1",
        "efficiency_final": "1",
        "target": "1",
        "gamma_up": "1/[t]",
        "reservoirs": "1",
    }
    idx = np.arange(len(rows))
    charging = xr.Dataset(
        {
            k: (
                "row",
                [r[k] for r in rows],
                {"long_name": k.replace("_", " "), "units": units.get(k, "1")},
            )
            for k in rows[0]
            if k != "protocol"
        },
        coords={
            "row": idx,
            "protocol": (
                "row",
                [r["protocol"] for r in rows],
                {"long_name": "Fig. 2 panel", "units": "1"},
            ),
        },
        attrs={
            "N_C": N_C,
            "N_B": N_B,
            "time_unit": "[t] = 1/gamma_down",
            "energy_unit": "hbar*omega_0",
            "method": "cumulant order 2, event-based (StopEvent)",
        },
    )
    charging.to_netcdf(out / "charging.nc")
    # exact ergotropy of one battery (charger traced out), small N, protocol a
    te = np.linspace(0.0, 1.5, 31)
    model = dias2024(reservoirs=1, N_C=8, N_B=4)
    res = ex.evolve(model, te, InitialState.from_energy({"C": 1.0}), store_states=True)
    erg = exact_ergotropy(res, "B1")
    erg.attrs.update(N_C=8, N_B=4, protocol="a")
    erg.to_netcdf(out / "battery_ergotropy_small.nc")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("results/dias_charging"))
