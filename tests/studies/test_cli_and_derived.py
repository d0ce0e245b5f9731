"""The `collective` command line and the derived quantities of study files."""

from __future__ import annotations

import io

import numpy as np
import pytest

from collective.cli import ProgressBar, main
from collective.studies import first_crossing, read_netcdf

#: crossing times are interpolated linearly between samples: exact for piecewise-linear data
CROSSING_RTOL = 1e-12


def test_first_crossing_linear_interpolation():
    t = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array(
        [[0.0, 0.5, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [0.0, 0.1, 0.2, 0.3], [0.0, np.nan, 1.0, 1.0]]
    )
    out = first_crossing(t, y, 0.75)
    np.testing.assert_allclose(out[0], 1.5, rtol=CROSSING_RTOL)
    assert np.isnan(out[1])  # already above at t = 0
    assert np.isnan(out[2])  # never reaches the level
    assert np.isnan(out[3])  # NaN just before the crossing
    np.testing.assert_allclose(first_crossing(t, y[0], 0.25), 0.5, rtol=CROSSING_RTOL)


def test_cli_models_lists_parameters_with_units(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "dias2024" in out
    for word in ("reservoirs", "gamma_up", "1/[t]", "structural", "charger_energy"):
        assert word in out


def test_cli_reports_config_errors(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[model]\npreset = "nope"\n[method]\n[times]\nvalues = [1.0]\n')
    assert main(["run", str(bad), "-o", str(tmp_path / "x.nc")]) == 2
    err = capsys.readouterr().err
    assert "`model.preset`" in err and "'nope'" in err and "dias2024" in err
    assert not (tmp_path / "x.nc").exists()


def test_cli_run_validate_info(small_config, tmp_path, capsys):
    assert main(["validate", str(small_config)]) == 0
    assert "6 points" in capsys.readouterr().out
    out = tmp_path / "cli.nc"
    assert main(["run", str(small_config), "-o", str(out), "--scheduler", "inline"]) == 0
    captured = capsys.readouterr()
    assert "6/6 chunks" in captured.err  # the progress bar
    ds = read_netcdf(out)
    assert ds.sizes["reservoirs"] == 2 and ds.sizes["gamma_up"] == 3
    assert main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "energy_density" in info and "6 ok" in info and "config_sha256" in info


def test_cli_rejects_bad_workers(small_config, tmp_path, capsys):
    assert main(["run", str(small_config), "-o", str(tmp_path / "w.nc"), "--workers", "0"]) == 2
    assert "`--workers`" in capsys.readouterr().err


def test_progress_bar_text():
    buf = io.StringIO()
    bar = ProgressBar(stream=buf)
    for k in range(11):
        bar(k, 10)
    text = buf.getvalue()
    assert "10/10 chunks 100%" in text
    assert text.count("\n") <= 12


@pytest.mark.parametrize("target", [0.5])
def test_derived_quantities_of_a_run(small_config, tmp_path, target):
    from collective.studies import run_study

    ds = read_netcdf(run_study(small_config, tmp_path / "d.nc", scheduler="inline"))
    # m = 1, no pump: the battery charges (Dias et al. Fig. 2(a) at small N)
    sub = ds.sel(reservoirs=1, gamma_up=0.0)
    e = sub["energy_density"].sel(ensemble="B1").values
    tc = float(sub["charging_time"].sel(ensemble="B1"))
    assert float(sub["plateau_energy"].sel(ensemble="B1")) == pytest.approx(e[-1])
    k = int(np.argmax(e >= 0.9))
    t = ds["time"].values
    assert t[k - 1] <= tc <= t[k]
    # the integrator's event time agrees with the sampled crossing to the sampling resolution
    assert float(sub["event_time"]) == pytest.approx(tc, rel=0.5)
    assert float(sub["peak_power"].sel(ensemble="B1")) > 0
    assert np.isnan(float(sub["charging_time"].sel(ensemble="C")))  # starts charged
