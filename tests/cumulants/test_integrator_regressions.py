"""Regressions found by the studies (issue 4)."""

from __future__ import annotations

import numpy as np
import pytest

import collective as c


@pytest.mark.parametrize("method", ["rodas4", "bdf"])
@pytest.mark.parametrize("t_end", [1e-5, 1e-2, 1.0])
def test_automatic_first_step_does_not_skip_the_superradiant_instability(method, t_end):
    """From the fully inverted charger f(y0) is tiny while the Jacobian has growth rates ~ gamma N:
    the first step must resolve 1/||J|| or an L-stable method steps over the burst (this once gave
    a battery of 0 instead of 0.5 with status ok for t_end = 1e-2)."""
    m = c.dias2024(reservoirs=2, N_C=10_000_000, N_B=100)
    ds = c.solve(
        m,
        np.geomspace(1e-9, t_end, 50),
        initial=c.InitialState.from_energy({"C": 1.0}),
        method=method,
    )  # default tolerances: the case that failed
    e = ds.energy_density.sel(ensemble="B1")
    assert abs(float(e.interp(time=min(1e-4, t_end))) - 0.5) < 0.005


@pytest.mark.parametrize("method", ["rodas4", "bdf"])
def test_no_spurious_step_underflow_at_the_last_output_time(method):
    """Rounding in t + (t_end - t) once left a sliver of the interval and a 'step size underflow'
    on ~5 % of a pump-strength grid."""
    m = c.dias2024(reservoirs=3, N_C=10_000_000, N_B=100)
    pts = [{"gamma_up": g} for g in np.linspace(0.0, 8.0, 161)]
    ds = c.sweep(
        m,
        np.geomspace(1e-9, 1e-4, 60),
        pts,
        initials=c.InitialState.from_energy({"C": 1.0}),
        method=method,
    )
    bad = ds.status.values != 0
    assert not bad.any(), ds.status_message.values[bad][:3]
    assert np.isfinite(ds.energy_density.values).all()


def test_dop853_dense_output_skips_only_zero_weights():
    """The kernel's dense-output combination skips stages 1-4 (``collective/integrate.py``): their
    weights in Hairer's continuous extension are zero, and every other weight is used."""
    from collective import _dop853

    assert not _dop853.D[:, 1:5].any()
    assert _dop853.D[:, 0].all() and _dop853.D.shape == (4, 16)


@pytest.mark.parametrize("method", ["auto", "dop853"])
def test_first_explicit_step_grows_past_the_usual_growth_limit(method):
    """After its first accepted step DOP853 may grow the step up to 1e4x (``_FIRST_GROWTH``), not
    the usual 6x: the capped first step of an inverted ensemble was ~1e-10 with an error estimate
    of ~1e-21, and four or five steps went to growing out of it.  From h0 = 1e-10 (about the
    automatic first step here), steps growing at most 6x reach t = 1e-10 (6^k - 1) / 5 after k
    steps, so t = 1e-7 takes 5 or more; the delay before the burst must take fewer."""
    decay = c.Model(
        ensembles=[c.Ensemble(name="A", N=10_000_000)],
        dissipators=[c.Dissipator(jump=c.Jm("A"), rate=1.0, convention="L")],
    )
    init = c.InitialState.from_energy({"A": 1.0})
    p = c.Problem(decay, order=2, initial=init, method=method, rtol=1e-6, atol=1e-10, h0=1e-10)
    r = p.integrate([1e-7])
    assert r.status == 0
    assert r.stats["n_steps"] <= 4, r.stats
    ref = c.Problem(decay, order=2, initial=init, method=method, rtol=1e-11, atol=1e-15)
    assert np.allclose(r.y, ref.integrate([1e-7]).y, rtol=1e-5, atol=1e-9)
