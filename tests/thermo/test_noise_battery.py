r"""The claims of seed 002 (Ahmadi et al., abstract only) as tests with numbers.

Closed forms derived here from the master equation (see collective/presets/noise.py):

* collective thermal noise conserves j; in each block the Dicke ladder obeys detailed balance,
  p_j(n + 1)/p_j(n) = x = nbar/(nbar + 1), so the steady block is
  p_j(n) = w_j x^n (1 - x)/(1 - x^{2j+1}) with w_j the initial weight of block j;
* from the ground (or fully excited) state only j = N/2 is populated; its eigenvalues
  lambda_n = x^n (1 - x)/(1 - x^{N+1}) all fit, after lambda_0 on the ground level, into the
  N-fold first excited level, so W_N = sum_n n lambda_n - (1 - lambda_0)
  -> nbar^2/(nbar + 1) for N >> nbar, and -> N/2 - N/(N + 1) for nbar -> infinity.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import collective.exact as ex
from collective import ModelError
from collective.exact import multiplicity
from collective.observables import ergotropy, exact_ergotropy, reduced_blocks
from collective.presets import PRESETS, noise_battery, noise_initial

CLOSED_FORM_ATOL = 1e-10  # exact steady blocks vs closed form
LONG_TIME_ATOL = 1e-8  # steady state vs evolution to long times


def w_closed(N: int, nbar: float) -> float:
    """Steady-state ergotropy of the symmetric sector (derived above), units hbar omega_0."""
    x = nbar / (nbar + 1)
    n = np.arange(N + 1)
    lam = x**n * (1 - x) / (1 - x ** (N + 1))
    return float(np.dot(n, lam) - (1 - lam[0]))


def block_weights(N: int, p_exc: float) -> dict[float, float]:
    """Weight of each j block in the product state with excitation probability p_exc per spin."""
    out = {}
    for k in range(N // 2 + 1):
        j = N / 2 - k
        n = np.arange(int(round(2 * j)) + 1)
        out[j] = multiplicity(N, j) * float(
            np.sum(p_exc ** (n + k) * (1 - p_exc) ** (2 * j - n + k))
        )
    return out


def steady_W(N, nbar, f=1.0, nbar_local=None, kind="ground"):
    m = noise_battery(N=N, nbar=nbar, collective_fraction=f, nbar_local=nbar_local)
    res = ex.steady(m, noise_initial(kind, nbar), store_states=True)
    return float(exact_ergotropy(res, "B").ergotropy), res


def test_preset_registered_and_validates():
    assert "noise_battery" in PRESETS
    m = noise_battery(N=5, nbar=0.5)
    assert m.is_collective and len(m.dissipators) == 2
    assert not noise_battery(N=5, collective_fraction=0.5).is_collective
    assert not noise_battery(N=5, local=True).is_collective
    with pytest.raises(ModelError, match="`collective_fraction`"):
        noise_battery(collective_fraction=1.5)
    with pytest.raises(ModelError, match="`local`"):
        noise_battery(collective_fraction=0.5, local=False)
    with pytest.raises(ModelError, match="`kind`"):
        noise_initial("hot")


@pytest.mark.parametrize("N,nbar,p0", [(4, 1.5, 0.1), (7, 0.4, 0.3), (6, 3.0, 0.8)])
def test_collective_steady_blocks_match_closed_form(N, nbar, p0):
    """Each j block relaxes to x^n inside the block with its initial weight (j conserved)."""
    m = noise_battery(N=N, nbar=nbar)
    init = noise_initial("ground")
    init = type(init)(spins={"B": (0.0, 0.0, 2 * p0 - 1)})
    res = ex.steady(m, init, store_states=True, sector_atol=0.0)
    blocks = reduced_blocks(res, "B")
    x = nbar / (nbar + 1)
    for j, w in block_weights(N, p0).items():
        n = np.arange(int(round(2 * j)) + 1)
        ref = w * x**n * (1 - x) / (1 - x ** (2 * j + 1))
        got = np.asarray(blocks[j][1])
        assert np.max(np.abs(got - ref)) < CLOSED_FORM_ATOL, (j, got, ref)


@pytest.mark.parametrize("case", ["collective", "mixed"])
def test_steady_state_equals_long_time_evolution(case):
    if case == "collective":
        m = noise_battery(N=6, nbar=1.0)
        init = noise_initial("thermal", 0.2)
    else:
        m = noise_battery(N=4, nbar=1.0, collective_fraction=0.6, nbar_local=0.0)
        init = noise_initial("ground")
    st = ex.steady(m, init, store_states=True, sector_atol=0.0)
    ev = ex.evolve(m, [200.0], init, store_states=True, method="expm", sector_atol=0.0)
    a, b = reduced_blocks(st, "B"), reduced_blocks(ev, "B")
    assert set(a) == set(b)
    for j in a:
        assert np.max(np.abs(np.asarray(a[j][1]) - np.asarray(b[j][1]))) < LONG_TIME_ATOL
    wa = float(exact_ergotropy(st, "B").ergotropy)
    wb = float(exact_ergotropy(ev, "B").ergotropy[0])
    assert abs(wa - wb) < LONG_TIME_ATOL


# --- claim 1: non-passive steady state without drive ------------------------------------------------
@pytest.mark.parametrize("N", [2, 3, 4, 6, 8, 10])
def test_claim_positive_ergotropy_without_drive(N):
    """From the ground state at nbar = 1: W_N = 1/7, ..., -> 1/2 (closed form)."""
    w, _ = steady_W(N, 1.0)
    assert abs(w - w_closed(N, 1.0)) < CLOSED_FORM_ATOL
    assert w > 0.1
    w_exc, _ = steady_W(N, 1.0, kind="excited")  # same j = N/2 sector: same steady state
    assert abs(w_exc - w) < CLOSED_FORM_ATOL


def test_single_spin_and_bath_temperature_start_are_passive():
    assert abs(steady_W(1, 2.0)[0]) < CLOSED_FORM_ATOL  # N = 1: thermal qubit
    for N in (4, 7):  # Gibbs state of the bath temperature is stationary and passive
        assert abs(steady_W(N, 1.0, kind="thermal")[0]) < CLOSED_FORM_ATOL


# --- claim 2: scaling with N --------------------------------------------------------------------------
def test_claim_scaling_with_N_saturates():
    """W_N grows monotonically with N and saturates at nbar^2/(nbar+1) once N >> nbar; per spin it
    falls as 1/N.  For N << nbar it grows linearly, W ~ N/2 - N/(N+1)."""
    for nbar in (0.5, 1.0, 4.0):
        ws = [w_closed(N, nbar) for N in range(1, 200)]
        assert np.all(np.diff(ws[:20]) > 0) and np.all(np.diff(ws) >= -1e-15)
        assert abs(ws[-1] - nbar**2 / (nbar + 1)) < 1e-9
    w1000, _ = steady_W(1000, 1.0)  # exact solver, one symmetric block of size 1001
    assert abs(w1000 - 0.5) < CLOSED_FORM_ATOL
    # hot bath: linear growth
    for N in (4, 16, 64):
        assert abs(w_closed(N, 1e7) - (N / 2 - N / (N + 1))) < 1e-3 * N


# --- claim 3: finite-temperature optimum --------------------------------------------------------------
def test_claim_temperature_optimum():
    """Purely collective: W increases with nbar up to N/2 - N/(N+1) (no finite optimum).
    Collective thermal + zero-temperature local decay (f = 0.9): finite optimum nbar* ~ 1.3-1.9."""
    for N in (4, 8):
        grid = [0.1, 0.5, 1, 2, 5, 20]
        ws = [steady_W(N, nb)[0] for nb in grid]
        assert np.all(np.diff(ws) > 0)
    opt = {}
    for N in (4, 8):
        grid = np.exp(np.linspace(math.log(0.3), math.log(8.0), 15))
        ws = np.array([steady_W(N, nb, 0.9, 0.0)[0] for nb in grid])
        k = int(np.argmax(ws))
        assert 0 < k < grid.size - 1  # interior maximum
        opt[N] = grid[k]
    # optimum located by a fine bounded search (runs/noise_battery.py): 1.278 (N=4), 1.945 (N=8)
    assert 1.0 < opt[4] < 1.7 and 1.5 < opt[8] < 2.5


# --- claim 4: robustness to local noise ---------------------------------------------------------------
@pytest.mark.parametrize("N", [4, 6])
def test_claim_same_bath_local_noise_makes_state_passive(N):
    """Local noise from the same bath (nbar_local = nbar): the unique steady state is the global
    Gibbs state for every f < 1, so W = 0: no f < 1 keeps ergotropy in the steady state."""
    nbar = 1.0
    p = nbar / (2 * nbar + 1)
    for f in (0.3, 0.9, 0.99):
        w, res = steady_W(N, nbar, f)
        assert abs(w) < CLOSED_FORM_ATOL
        assert abs(res.Jz[0, 0] - N * (p - 0.5)) < CLOSED_FORM_ATOL


@pytest.mark.parametrize("N", [4, 6, 8])
def test_claim_cold_local_noise_keeps_ergotropy_for_any_f(N):
    """Zero-temperature local decay: W > 0 for every f > 0 with W ~ f^2 at small f."""
    w3, _ = steady_W(N, 1.0, 1e-3, 0.0)
    w2, _ = steady_W(N, 1.0, 1e-2, 0.0)
    assert w3 > 0 and w2 > 0
    assert 0.8e-2 < w3 / w2 < 1.3e-2  # quadratic onset
    assert steady_W(N, 1.0, 0.5, 0.0)[0] > 0.05


def test_ergotropy_bounds_on_trajectory():
    m = noise_battery(N=5, nbar=2.0)
    res = ex.evolve(
        m, np.linspace(0, 20, 11), noise_initial("ground"), store_states=True, method="expm"
    )
    ds = exact_ergotropy(res, "B")
    assert np.all(ds.ergotropy.values >= -1e-12)
    assert np.all(ds.ergotropy.values <= ds.energy.values + 1e-12)
    assert float(ds.ergotropy[-1]) == pytest.approx(w_closed(5, 2.0), abs=1e-6)
    assert ergotropy(reduced_blocks(res, "B", 0), N=5, weighted=True) == pytest.approx(
        0.0, abs=1e-14
    )
