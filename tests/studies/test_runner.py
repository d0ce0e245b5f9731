"""Running studies: failed points, kill -9 and --resume, dask cluster by address, netCDF round trip."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr
from xarray.testing import assert_identical

from collective.errors import ConfigError
from collective.studies import (
    STATUS_NOT_COMPUTED,
    STATUS_WORKER_ERROR,
    VOLATILE_ATTRS,
    assemble,
    parse_config,
    parts_dir,
    plan_study,
    read_netcdf,
    run_chunk,
    run_study,
    write_netcdf,
)

#: seconds the killed run sleeps after each chunk, so the test can kill it mid-sweep
CHUNK_DELAY = 0.7


def stable(ds: xr.Dataset) -> xr.Dataset:
    """Drop the provenance attributes that legitimately differ between runs (times, scheduler)."""
    ds = ds.copy()
    ds.attrs = {k: v for k, v in ds.attrs.items() if k not in VOLATILE_ATTRS}
    return ds


def test_small_study_inline(small_config, tmp_path):
    out = run_study(small_config, tmp_path / "s.nc", scheduler="inline")
    ds = read_netcdf(out)
    assert ds["energy_density"].dims == ("reservoirs", "gamma_up", "time", "ensemble")
    assert list(ds["ensemble"].values) == ["C", "B1", "B2"]
    assert (ds["status"].values == 0).all()
    # padding: one battery when reservoirs = 1
    assert np.isnan(ds["energy_density"].sel(reservoirs=1, ensemble="B2")).all()
    assert np.isfinite(ds["energy_density"].sel(reservoirs=2, ensemble="B2")).all()
    # CF labelling on everything, provenance attrs
    for name, var in ds.variables.items():
        assert "long_name" in var.attrs and "units" in var.attrs, name
    for key in (
        "package_version",
        "git_commit",
        "config_text",
        "config_sha256",
        "method",
        "rtol",
        "atol",
        "order",
        "start_time",
        "end_time",
        "host",
    ):
        assert key in ds.attrs, key
    assert ds.attrs["config_text"] == small_config.read_text()
    assert not parts_dir(out).exists()
    # energy densities are physical
    e = ds["energy_density"].values
    assert np.nanmin(e) >= -1e-6 and np.nanmax(e) <= 1 + 1e-6


def test_integrator_is_a_method_key_and_cases_can_differ_in_it(small_text, tmp_path):
    """Two cases with different integrators of the same study: labelled, both ok, same physics."""
    text = small_text.replace("[sweep]\nreservoirs = [1, 2]\ngamma_up = [0.0, 1.0, 2.0]\n", "")
    text = text.replace('kind = "cumulant"', 'kind = "cumulant"\nintegrator = "auto"')
    text += '[[case]]\nlabel = "auto"\n[[case]]\nlabel = "rodas4"\nintegrator = "rodas4"\n'
    cfg = tmp_path / "integrators.toml"
    cfg.write_text(text)
    ds = read_netcdf(run_study(cfg, tmp_path / "i.nc", scheduler="inline"))
    assert list(ds["method_integrator"].values) == ["auto", "rodas4"]
    assert ds.attrs["integrator"] == "auto"
    assert (ds["status"].values == 0).all()
    e = ds["energy_density"].sel(ensemble="B1")
    assert float(abs(e.sel(case="auto") - e.sel(case="rodas4")).max()) < 1e-5
    assert int(ds["n_stiff_steps"].sel(case="rodas4")) == int(ds["n_steps"].sel(case="rodas4"))


def test_failed_points_are_flagged_and_the_sweep_completes(small_text, tmp_path):
    text = small_text.replace("reservoirs = [1, 2]\n", "rtol = [1e-7, 1e-20]\n")
    text += '[[case]]\nlabel = "normal"\n[[case]]\nlabel = "starved"\nmax_steps = 3\n'
    cfg = parse_config(text, source="failing.toml")
    ds = read_netcdf(run_study(cfg, tmp_path / "f.nc", scheduler="inline"))
    st = ds["status"]
    assert st.dims == ("case", "rtol", "gamma_up")
    ok = st.sel(case="normal", rtol=1e-7)
    assert (ok == 0).all()
    assert np.isfinite(ds["energy_density"].sel(case="normal", rtol=1e-7, ensemble="B1")).all()
    impossible = st.sel(rtol=1e-20)
    assert (impossible == STATUS_WORKER_ERROR).all()
    msgs = ds["status_message"].sel(rtol=1e-20).values.ravel()
    assert all("rtol" in str(m) for m in msgs), msgs
    starved = st.sel(case="starved", rtol=1e-7)
    assert (starved != 0).all() and (starved != STATUS_WORKER_ERROR).all()
    assert all(
        "maximum number of steps" in str(m)
        for m in ds["status_message"].sel(case="starved", rtol=1e-7).values
    )
    assert np.isnan(ds["energy_density"].sel(rtol=1e-20)).all()
    assert np.isnan(ds["plateau_energy"].sel(rtol=1e-20)).all()


def test_kill_9_then_resume_is_identical(small_config, tmp_path, subprocess_env):
    out = tmp_path / "killed.nc"
    env = {**subprocess_env, "_COLLECTIVE_TEST_CHUNK_DELAY": str(CHUNK_DELAY)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "collective.cli",
            "run",
            str(small_config),
            "-o",
            str(out),
            "--workers",
            "1",
            "-q",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    parts = parts_dir(out)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not list(parts.glob("chunk-*.nc")):
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.05)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    n_done = len(list(parts.glob("chunk-*.nc")))
    assert 1 <= n_done < 6
    assert not out.exists()  # never a partial final file
    seen = []
    run_study(
        small_config,
        out,
        scheduler="inline",
        resume=True,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[0][0] >= n_done  # the finished chunks were kept, not recomputed
    assert seen[-1] == (6, 6)
    reference = run_study(small_config, tmp_path / "reference.nc", scheduler="inline")
    resumed = read_netcdf(out)
    assert_identical(stable(resumed), stable(read_netcdf(reference)))
    assert resumed.attrs["resumed"] == 1


def test_resume_is_a_no_op_on_a_complete_file_and_refuses_another_config(small_config, tmp_path):
    out = run_study(small_config, tmp_path / "a.nc", scheduler="inline")
    stamp = out.stat().st_mtime_ns
    run_study(small_config, out, scheduler="inline", resume=True)
    assert out.stat().st_mtime_ns == stamp
    # a partial run of another config is not silently mixed in
    parts = parts_dir(out)
    parts.mkdir()
    (parts / "manifest.json").write_text('{"config_sha256": "0000", "n_chunks": 6}')
    with pytest.raises(ConfigError, match="`--resume`"):
        run_study(small_config, out, scheduler="inline", resume=True)


def test_local_cluster_by_address_matches_default(small_config, tmp_path):
    from dask.distributed import LocalCluster

    default = read_netcdf(run_study(small_config, tmp_path / "default.nc", workers=1))
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, scheduler_port=0
    ) as cluster:
        remote = read_netcdf(
            run_study(small_config, tmp_path / "remote.nc", scheduler=cluster.scheduler_address)
        )
    assert remote.attrs["scheduler"].startswith("dask scheduler tcp://")
    assert_identical(stable(remote), stable(default))
    inline = read_netcdf(run_study(small_config, tmp_path / "inline.nc", scheduler="inline"))
    assert_identical(stable(inline), stable(default))


def test_unreachable_scheduler_is_a_config_error(small_config, tmp_path):
    with pytest.raises(ConfigError, match="`--scheduler`"):
        run_study(small_config, tmp_path / "x.nc", scheduler="tcp://127.0.0.1:9", connect_timeout=1)


def test_dataset_netcdf_round_trip(small_config, tmp_path):
    cfg = parse_config(small_config.read_text(), source=str(small_config))
    plan = plan_study(cfg)
    chunks = [
        run_chunk(plan.specs[c.group], c.points) for c in plan.chunks[:4]
    ]  # two chunks missing
    ds = assemble(plan, chunks)
    from collective.studies import provenance

    ds.attrs = provenance(cfg, n_chunks=len(plan.chunks))
    assert (ds["status"].values.ravel()[[4, 5]] == STATUS_NOT_COMPUTED).all()
    back = read_netcdf(write_netcdf(ds, tmp_path / "rt.nc"))
    assert_identical(back, ds)
    import netCDF4

    with netCDF4.Dataset(tmp_path / "rt.nc") as nc:  # variable-length strings, no complex type
        assert nc["status_message"].dtype is str and nc["ensemble"].dtype is str
        assert all(v.dtype.kind != "c" for v in nc.variables.values() if v.dtype is not str)


def test_exact_and_cumulant_cases_share_one_file(tmp_path):
    text = """
[model]
preset = "dias2024"
N_C = 4
N_B = 1
reservoirs = 1
[method]
kind = "cumulant"
order = 2
[times]
start = 1e-2
stop = 3.0
num = 12
spacing = "log"
[derived]
target = 0.5
ensemble = "B1"
[[case]]
label = "exact"
kind = "exact"
[[case]]
label = "order 2"
[sweep]
gamma_up = [0.0, 1.0]
"""
    cfg = parse_config(text, source="exact.toml")
    ds = read_netcdf(run_study(cfg, tmp_path / "e.nc", scheduler="inline"))
    assert list(ds["method_kind"].values) == ["exact", "cumulant"]
    assert list(ds["method_order"].values) == [-1, 2]
    assert (ds["status"] == 0).all(), ds["status_message"].values
    e = ds["energy_density"].sel(ensemble=["C", "B1"])
    assert np.isfinite(e).all()
    assert float(e.min()) >= -1e-6 and float(e.max()) <= 1 + 1e-6
    # both methods start from the same product state
    np.testing.assert_allclose(
        e.isel(time=0).sel(case="exact"), e.isel(time=0).sel(case="order 2"), atol=0.05
    )


# --------------------------------------------------------------------------------------------------
# property test: any study-shaped dataset survives dataset -> netCDF -> dataset unchanged
# --------------------------------------------------------------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_finite_or_nan = st.one_of(st.floats(allow_infinity=False, width=64), st.just(float("nan")))
_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    n_points=st.integers(1, 4),
    n_time=st.integers(1, 5),
    ensembles=st.lists(
        st.sampled_from(["C", "B1", "B2", "B3"]), min_size=1, max_size=4, unique=True
    ),
    data=st.data(),
)
def test_round_trip_property(tmp_path, n_points, n_time, ensembles, data):
    shape = (n_points, n_time, len(ensembles))
    values = np.array(
        data.draw(
            st.lists(_finite_or_nan, min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))
        )
    ).reshape(shape)
    messages = np.array(
        data.draw(st.lists(_text, min_size=n_points, max_size=n_points)), dtype=object
    )
    status = np.array(
        data.draw(st.lists(st.integers(0, 99), min_size=n_points, max_size=n_points)),
        dtype=np.int64,
    )
    ds = xr.Dataset(
        {
            "energy_density": (
                ("gamma_up", "time", "ensemble"),
                values,
                {"long_name": "energy density", "units": "1"},
            ),
            "status": ("gamma_up", status, {"long_name": "status", "units": "1"}),
            "status_message": ("gamma_up", messages, {"long_name": "message", "units": "1"}),
        },
        coords={
            "gamma_up": (
                "gamma_up",
                np.arange(n_points, dtype=float),
                {"long_name": "pump", "units": "1/[t]"},
            ),
            "time": ("time", np.linspace(0.0, 1.0, n_time), {"long_name": "time", "units": "[t]"}),
            "ensemble": (
                "ensemble",
                np.array(ensembles, dtype=object),
                {"long_name": "ensemble", "units": "1"},
            ),
            "N_C": ((), np.int64(10_000_000), {"long_name": "charger size", "units": "1"}),
        },
        attrs={"config_text": data.draw(_text), "rtol": 1e-8, "order": 2, "title": "round trip"},
    )
    back = read_netcdf(write_netcdf(ds, tmp_path / "p.nc"))
    assert_identical(back, ds)
