"""Seed 001 (Ahmadi et al., shared/papers/001_0303df5991573d7c.txt): closed forms, exceptional
points, physicality of the effective parameters, elimination of the auxiliary mode."""

from __future__ import annotations

import math
import warnings

import ahmadi2025_formulas as paper
import numpy as np
import pytest

from collective.batteries_bosonic import charging, critical_time
from collective.errors import ModelError, PhysicalityWarning
from collective.linear import (
    evolve_linear,
    exceptional_point,
    is_hurwitz_stable,
    linear_system,
    passivity_margin,
    phase_diagram,
    spectral_abscissa,
)
from collective.presets.bosonic import (
    ep_battery,
    ep_battery_eliminated,
    ep_effective_parameters,
    ep_microscopic_parameters,
    ep_physicality_violations,
)

CLOSED_FORM_RTOL = 1e-10
TIMES = np.array([0.3, 1.0, 3.0, 7.5, 15.0])


def eliminated(delta_r, gamma_a, gamma_b, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PhysicalityWarning)
        return linear_system(
            ep_battery_eliminated(delta_r=delta_r, gamma_a=gamma_a, gamma_b=gamma_b, **kw)
        )


def coherent_EB(sysm, times=TIMES):
    ds = evolve_linear(sysm, times)
    b = ds.a_re.sel(mode="b") + 1j * ds.a_im.sel(mode="b")
    return np.abs(b.values) ** 2, b.values


def assert_rel(ours, ref, rtol=CLOSED_FORM_RTOL):
    ours, ref = np.asarray(ours, float), np.asarray(ref, float)
    assert np.all(np.abs(ours - ref) <= rtol * np.abs(ref)), (
        ours,
        ref,
        np.abs(ours - ref) / np.abs(ref),
    )


@pytest.mark.parametrize(
    "dr,alpha,gb",
    [(0.3, 0.2, 1.2), (1.7, -0.1, 0.8), (0.5, 0.4, 0.6), (2.5, 0.3, 0.4), (0.0, -0.2, 1.5)],
)
def test_eq3_eq30_general(dr, alpha, gb):
    EB, b = coherent_EB(eliminated(dr, gb + 2 * alpha, gb))
    assert_rel(EB, [paper.EB_eq3(t, dr, alpha, gb) for t in TIMES])
    # our drive is that of Eq. (8): <b> = -i b_paper (Eq. (17) writes +E_r)
    ref = np.array([complex(paper.b_eq30(t, dr, alpha, gb)) for t in TIMES])
    np.testing.assert_allclose(b, -1j * ref, rtol=CLOSED_FORM_RTOL)


@pytest.mark.parametrize(
    "dr,g", [(1.5, 1.3), (1.2, 0.5), (3.0, 2.0), (1 + 1e-7, 1.1), (1 + 1e-10, 0.7)]
)
def test_eq5_unbroken_oscillatory(dr, g):
    EB, _ = coherent_EB(eliminated(dr, g, g))
    assert_rel(EB, [paper.EB_eq5(t, dr, g) for t in TIMES])


@pytest.mark.parametrize(
    "dr,g", [(0.5, 1.3), (0.3, 0.5), (0.9, 0.2), (1 - 1e-10, 1.1), (0.0, 1.0 + 1e-9)]
)
def test_eq6_hyperbolic(dr, g):
    EB, _ = coherent_EB(eliminated(dr, g, g))
    assert_rel(EB, [paper.EB_eq6(t, dr, g) for t in TIMES])


@pytest.mark.parametrize("g", [0.5, 1.0, 1.5])
@pytest.mark.parametrize("dr", [1.0, -1.0])
def test_eq4_eq29_at_the_exceptional_point(dr, g):
    sysm = eliminated(dr, g, g)
    EB, _ = coherent_EB(sysm)
    assert_rel(EB, [paper.EB_eq4(t, g) for t in TIMES])
    rep = exceptional_point(sysm.numeric().drift)
    assert rep.is_ep and rep.condition > 1e6


@pytest.mark.parametrize("g", [0.5, 0.8, 1.0])
def test_phase_boundary_limit(g):
    """K = delta_r^2 + gamma^2 - 1 = 0 (0/0 in Eq. (6)): secular growth E_r^2 (t/2g - (1-e^{-2gt})/4g^2)^2;
    at float delta_r the 50-digit Eq. (6) and the limit agree with ours; 1e-9 either side too."""
    dr = math.sqrt(1 - g * g)
    EB, _ = coherent_EB(eliminated(dr, g, g))
    assert_rel(EB, [paper.EB_boundary(t, g) for t in TIMES], rtol=1e-9)
    if dr > 0:
        assert_rel(EB, [paper.EB_eq6(t, dr, g) for t in TIMES])
    for eps in (1e-9, -1e-9):
        d2 = dr + eps if dr > 0 else abs(eps)
        EB2, _ = coherent_EB(eliminated(d2, g, g))
        assert_rel(EB2, [paper.EB_eq6(t, d2, g) for t in TIMES])


def test_eq33_critical_time_vs_exact_first_passage():
    """Fig. 6 setting (alpha = 0, gamma_b = 0.5, E_max = 1e3 E_r^2): exact first passage of the
    coherent energy |b|^2, the 50-digit root of Eq. (6), and the approximation Eq. (33)."""
    import mpmath as mp

    exact = {}
    for dr in (0.0, 0.4, 0.8, 0.85, 0.86, 0.87):
        sysm = eliminated(dr, 0.5, 0.5)
        tc = critical_time(sysm, 1e3, energy="coherent")
        assert tc.status == "reached"
        root = float(mp.findroot(lambda t, dr=dr: mp.mpf(paper.EB_eq6(t, dr, 0.5)) - 1000, tc.t))
        assert tc.t == pytest.approx(root, rel=1e-10)
        exact[dr] = tc.t
    # Eq. (33) drops the '1 -' of Eq. (31): fine deep in the broken phase, wrong near the boundary
    assert paper.t_crit_eq33(0.0, 0.5, 1e3) == pytest.approx(exact[0.0], rel=0.02)
    assert paper.t_crit_eq33(0.4, 0.5, 1e3) == pytest.approx(exact[0.4], rel=0.02)
    assert paper.t_crit_eq33(0.8, 0.5, 1e3) < 0.9 * exact[0.8]
    assert paper.t_crit_eq33(0.85, 0.5, 1e3) < 0 < exact[0.85]
    # no 'sharp drop' at the boundary (delta_r = 0.866): the exact t_crit rises through it
    assert exact[0.0] < exact[0.4] < exact[0.8] < exact[0.85] < exact[0.86] < exact[0.87] < 40


def test_number_energy_exceeds_coherent_energy_with_gain():
    """Outside the physical set the drift needs gain; its noise adds to <b^+ b>: the paper's
    E_B = |b|^2 undercounts the battery's energy, and t_crit for omega <b^+ b> is shorter."""
    sysm = eliminated(0.0, 0.5, 0.5)
    ds = charging(sysm, np.linspace(0, 10, 11))
    assert np.all(ds.E_B.values[1:] > ds.E_B_coherent.values[1:])
    assert critical_time(sysm, 1e3).t < critical_time(sysm, 1e3, energy="coherent").t
    phys = eliminated(0.3, 1.2, 1.5)
    ds = charging(phys, np.linspace(0, 10, 11))
    np.testing.assert_allclose(ds.E_B.values, ds.E_B_coherent.values, rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------------------------------------
# physicality
# ------------------------------------------------------------------------------------------------
def test_physical_set_conditions_and_warning():
    assert ep_physicality_violations(1.2, 1.5) == []
    assert ep_physicality_violations(1.0, 1.0) == []
    bad = ep_physicality_violations(0.5, 0.5)
    assert len(bad) == 1 and "gamma_a * gamma_b >= 1" in bad[0]
    assert len(ep_physicality_violations(-0.1, 2.0)) == 2
    with pytest.warns(PhysicalityWarning, match="gamma_a \\* gamma_b >= 1"):
        ep_battery_eliminated(gamma_a=0.5, gamma_b=1.0)


def test_random_microscopic_rates_only_produce_the_physical_set():
    """Eq. (9) with random non-negative rates: the drift is passive (Hermitian part <= 0), never
    unstable, and the eliminated normalised parameters satisfy gamma_a gamma_b >= 1."""
    rng = np.random.default_rng(7)
    base = linear_system(ep_battery())
    for _ in range(40):
        v = dict(
            delta=rng.normal(),
            delta_c=0.0,
            kappa_a=rng.exponential(0.3),
            kappa_b=rng.exponential(0.3),
            kappa_c=rng.exponential(2.0),
            Gamma=rng.exponential(2.0),
            p_a=rng.normal(),
            p_b=rng.normal(),
            pc_a=rng.normal(),
            pc_b=rng.normal(),
            E=0.1,
        )
        M = base.numeric(**v).drift
        assert passivity_margin(M) <= 1e-14
        assert spectral_abscissa(M) <= 1e-14
        eff = ep_effective_parameters(base, **v)
        assert eff["gamma_a"] >= 0 and eff["gamma_b"] >= 0
        assert eff["gamma_a"] * eff["gamma_b"] >= 1 - 1e-12


@pytest.mark.parametrize("target", [(0.3, 1.2, 1.5), (1.0, 1.0, 1.0), (-0.7, 4.0, 0.3)])
def test_microscopic_construction_reaches_every_physical_target(target):
    dr, ga, gb = target
    v = ep_microscopic_parameters(dr, ga, gb, aux_rate=50.0)
    assert min(v["kappa_a"], v["kappa_b"], v["kappa_c"], v["Gamma"]) >= 0
    eff = ep_effective_parameters(ep_battery(**v))
    assert eff["unit"] == pytest.approx(1.0, rel=1e-12)
    for k, x in (("delta_r", dr), ("gamma_a", ga), ("gamma_b", gb)):
        assert eff[k] == pytest.approx(x, rel=1e-12, abs=1e-14)
    with pytest.raises(ModelError, match="gamma_a \\* gamma_b >= 1"):
        ep_microscopic_parameters(0.0, 0.5, 0.5)


def test_eliminated_converges_to_full_three_mode_model():
    """|E_B^full - E_B^elim| / max E_B over t in [0, 20] falls like 1/aux_rate."""
    target = (0.4, 1.1, 1.3)
    t = np.linspace(0, 20, 81)
    E_el, _ = coherent_EB(eliminated(*target), t)
    errs = []
    for aux in (10.0, 100.0, 1000.0):
        full = linear_system(ep_battery(**ep_microscopic_parameters(*target, aux_rate=aux)))
        E_f, _ = coherent_EB(full, t)
        errs.append(np.abs(E_f - E_el).max() / E_el.max())
    assert errs[0] < 0.15 and errs[2] < 2e-3
    assert 5 < errs[0] / errs[1] < 20 and 5 < errs[1] / errs[2] < 20


# ------------------------------------------------------------------------------------------------
# spectra, EPs, stability, phase diagram
# ------------------------------------------------------------------------------------------------
def test_exceptional_point_detection_distinguishes_diabolic_points():
    assert not exceptional_point(np.eye(2)).is_ep  # degenerate, diagonalisable
    assert not exceptional_point(eliminated(1.1, 1.0, 1.0).numeric().drift).is_ep
    rep = exceptional_point(eliminated(1.0, 1.0, 1.0).numeric().drift)
    assert rep.is_ep and rep.parallel > 1 - 1e-12 and "exceptional point" in str(rep)


def test_hurwitz_agrees_with_spectral_abscissa():
    rng = np.random.default_rng(3)
    for _ in range(200):
        M = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3)) - 0.3 * np.eye(3)
        sa = spectral_abscissa(M)
        if abs(sa) > 1e-3:
            assert is_hurwitz_stable(M) == (sa < 0)


def test_phase_diagram_dataset():
    sysm = eliminated(0.0, 1.0, 1.0)
    ds = phase_diagram(
        sysm,
        {"delta_r": np.linspace(-2, 2, 41), "alpha": np.linspace(-0.25, 1.0, 26)},
        fixed={"gamma_b": 0.5},
        derived={"gamma_a": lambda v: v["gamma_b"] + 2 * v["alpha"]},
    )
    assert ds.spectral_abscissa.dims == ("delta_r", "alpha")
    for v in ds.data_vars.values():
        assert "long_name" in v.attrs and "units" in v.attrs
    at = ds.sel(alpha=0.0, method="nearest")
    # alpha = 0, gamma = 0.5: leading Re = sqrt(1 - dr^2) - gamma inside |dr| < 1, -gamma outside
    dr = at.delta_r.values
    expect = np.where(np.abs(dr) < 1, np.sqrt(np.clip(1 - dr**2, 0, None)), 0) - 0.5
    np.testing.assert_allclose(at.spectral_abscissa.values, expect, atol=1e-7)
    ep = at.is_ep.values
    assert ep[np.isclose(dr, 1.0)].all() and ep[np.isclose(dr, -1.0)].all() and ep.sum() == 2
    # stability boundary at delta_r = 0: gamma_a gamma_b = 1 exactly (= edge of the physical set)
    at0 = ds.sel(delta_r=0.0)
    ga = 0.5 + 2 * at0.alpha.values
    np.testing.assert_array_equal(at0.stable.values, ga * 0.5 > 1 + 1e-12)
    np.testing.assert_array_equal(at0.passivity_margin.values <= 1e-12, ga * 0.5 >= 1 - 1e-12)
