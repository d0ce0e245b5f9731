"""Ergotropy of permutation-invariant states against explicit 2^N diagonalisation."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from thermo_brute import brute_ergotropy, embed

import collective.exact as ex
from collective import InitialState, ModelError, dias2024
from collective.exact import multiplicity
from collective.observables import (
    block_energy,
    ergotropy,
    exact_ergotropy,
    passive_energy,
    reduced_blocks,
)
from collective.presets import noise_battery, noise_initial

ERGO_ATOL = 1e-10  # block-sorted ergotropy vs brute force
BOUND_TOL = 1e-12  # 0 <= W <= E


def random_blocks(N: int, rng: np.random.Generator, diagonal: bool = False) -> dict:
    """Random permutation-invariant state: random subset of j blocks, random PSD rho_j."""
    js = [N / 2 - k for k in range(N // 2 + 1)]
    chosen = [j for j in js if rng.random() < 0.7] or [N / 2]
    weights = rng.dirichlet(np.ones(len(chosen)))
    out = {}
    for j, w in zip(chosen, weights):
        dim = int(round(2 * j)) + 1
        if diagonal:
            mat = np.diag(rng.random(dim))
        else:
            a = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
            mat = a @ a.conj().T
        d = multiplicity(N, j)
        out[j] = (d, mat * (w / np.trace(mat).real / d))
    return out


def assert_ergotropy_bounds(w: float, energy: float) -> None:
    assert -BOUND_TOL <= w <= energy + BOUND_TOL, (w, energy)


@pytest.mark.parametrize("N", [1, 2, 3, 4, 5, 6, 8, pytest.param(10, marks=pytest.mark.slow)])
def test_random_pi_states_against_brute_force(N):
    rng = np.random.default_rng(100 + N)
    for trial in range(3):
        blocks = random_blocks(N, rng, diagonal=(trial == 2))
        w = ergotropy(blocks, N=N)
        e_ref, w_ref = brute_ergotropy(embed(blocks, N), N)
        assert abs(block_energy(blocks, N=N) - e_ref) < ERGO_ATOL
        assert abs(w - w_ref) < ERGO_ATOL, (N, trial, w, w_ref)
        assert_ergotropy_bounds(w, e_ref)
        # weighted form and the dense-matrix entry point give the same number
        wb = {j: (d, d * m) for j, (d, m) in blocks.items()}
        assert abs(ergotropy(wb, N=N, weighted=True) - w_ref) < ERGO_ATOL
        if N <= 6:
            assert abs(ergotropy(embed(blocks, N)) - w_ref) < ERGO_ATOL


def test_degenerate_eigenvalues_across_blocks():
    """Maximally mixed and thermal (Gibbs) states are passive: W = 0 exactly (ties across blocks)."""
    N = 6
    for x in (1.0, 0.3):
        blocks = {}
        Z = (1 + x) ** N
        for k in range(N // 2 + 1):
            j = N / 2 - k
            n = np.arange(int(2 * j) + 1)
            blocks[j] = (multiplicity(N, j), x ** (n + N / 2 - j) / Z)
        assert abs(ergotropy(blocks, N=N)) < ERGO_ATOL
        assert abs(brute_ergotropy(embed(blocks, N), N)[1]) < ERGO_ATOL


@pytest.mark.parametrize("N,nbar", [(2, 0.5), (5, 1.0), (8, 2.0), (10, 0.3)])
def test_collective_steady_states_against_brute_force(N, nbar):
    res = ex.steady(noise_battery(N=N, nbar=nbar), noise_initial("ground"), store_states=True)
    blocks = reduced_blocks(res, "B")
    e_ref, w_ref = brute_ergotropy(embed(blocks, N, weighted=True), N)
    ds = exact_ergotropy(res, "B")
    assert abs(float(ds.ergotropy) - w_ref) < ERGO_ATOL
    assert abs(float(ds.energy) - e_ref) < ERGO_ATOL
    assert w_ref > 0.01
    assert ds.ergotropy.attrs["units"] == "hbar*omega_0"


@pytest.mark.parametrize("N", [4, 6])
def test_mixed_steady_states_against_brute_force(N):
    """Local (zero-temperature) + collective thermal noise: every j block populated, coherence-free."""
    m = noise_battery(N=N, nbar=1.0, collective_fraction=0.7, nbar_local=0.0)
    res = ex.steady(m, noise_initial("ground"), store_states=True)
    blocks = reduced_blocks(res, "B")
    assert len(blocks) == N // 2 + 1
    e_ref, w_ref = brute_ergotropy(embed(blocks, N, weighted=True), N)
    assert abs(float(exact_ergotropy(res, "B").ergotropy) - w_ref) < ERGO_ATOL
    assert_ergotropy_bounds(w_ref, e_ref)


def test_reduced_blocks_match_exact_package():
    """Our sparse reduction equals ExactResult.reduced_states (dense) on a coherent Dias state."""
    m = dias2024(N_C=3, N_B=2)
    init = InitialState(spins={"C": (0.6, 0.0, 0.8)})
    res = ex.evolve(m, [0.0, 0.3], init, store_states=True, method="expm")
    for it in range(2):
        dense = res.reduced_states("B1", weighted=True)[it]
        ours = reduced_blocks(res, "B1", it)
        assert set(dense) == set(ours)
        for j in dense:
            a, b = np.asarray(dense[j][1]), np.asarray(ours[j][1])
            b = np.diag(b) if b.ndim == 1 else b
            assert np.allclose(a, b, atol=1e-14)


def test_dias_battery_ergotropy_of_reduced_state():
    """One battery of the Dias model: energy matches <J^z_B> + N_B/2; ergotropy matches brute force."""
    m = dias2024(N_C=4, N_B=3)
    res = ex.evolve(
        m,
        [0.0, 0.2, 0.5, 2.0],
        InitialState(spins={"C": (0.0, 0.0, 1.0)}),
        store_states=True,
        method="expm",
    )
    ds = exact_ergotropy(res, "B1")
    assert np.allclose(ds.energy.values, res.Jz[:, 1] + 1.5, atol=1e-12)
    for it in range(4):
        blocks = reduced_blocks(res, "B1", it)
        e_ref, w_ref = brute_ergotropy(embed(blocks, 3, weighted=True), 3)
        assert abs(float(ds.ergotropy[it]) - w_ref) < ERGO_ATOL
        assert_ergotropy_bounds(float(ds.ergotropy[it]), float(ds.energy[it]))
    assert float(ds.ergotropy[-1]) > 0.1  # the charged battery stores extractable work


def test_large_N_symmetric_sector_is_cheap():
    """N = 10^4, only j = N/2 populated: O(N) groups, exact big-integer level counting."""
    N = 10_000
    x = 0.5
    n = np.arange(N + 1)
    p = x**n * (1 - x) / (1 - x ** (N + 1))
    start = time.perf_counter()
    w = ergotropy({N / 2: (1, p)}, N=N)
    elapsed = time.perf_counter() - start
    # closed form for one symmetric block: levels 1..N of the ladder all fit in the N-fold level 1
    w_ref = float(np.dot(n, p)) - (1 - p[0])
    assert abs(w - w_ref) < 1e-12
    print(f"N = 1e4 ergotropy in {elapsed:.3f} s")


def test_passive_energy_of_pure_dicke_state():
    """|j = N/2, m> with k excitations: pure, passive energy 0, W = k."""
    N = 7
    for k in range(N + 1):
        diag = np.zeros(N + 1)
        diag[k] = 1.0
        assert passive_energy({N / 2: (1, diag)}, N=N) == 0.0
        assert ergotropy({N / 2: (1, diag)}, N=N) == pytest.approx(k, abs=1e-14)


def test_errors_name_the_argument():
    with pytest.raises(ModelError, match="`N`"):
        ergotropy({1.0: (1, np.eye(3) / 3)})
    with pytest.raises(ModelError, match="multiplicity"):
        ergotropy({1.0: (2, np.eye(3) / 3)}, N=2)
    with pytest.raises(ModelError, match="trace"):
        ergotropy({1.0: (1, np.eye(3))}, N=2)
    with pytest.raises(ModelError, match="3x3"):
        ergotropy({1.0: (1, np.eye(2) / 2)}, N=2)
    with pytest.raises(ModelError, match="`state`"):
        ergotropy([1, 2], N=2)
    assert math.isfinite(ergotropy(np.eye(4) / 4))
