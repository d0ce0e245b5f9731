"""The kernels' right-hand side and Jacobian on raw term tables, against plain numpy sums.

The tables are random (any term width, trailing ``-1`` padding as the lowering writes it), so the
kernel is checked independently of the generator; width 2 (every spin model at orders 1 and 2)
takes its own written-out path in ``_rhs_t``, the other widths the generic loop."""

from __future__ import annotations

import numpy as np
import pytest

from collective.integrate import jacobian, rhs


def _tables(rng, n, T, D, n_coef):
    out = np.sort(rng.integers(0, n, T))  # the lowering sorts terms by output component
    cidx = rng.integers(0, n_coef, T)
    fac = -np.ones((T, D), dtype=np.int64)
    for t in range(T):
        k = rng.integers(0, D + 1)  # 0..D factors: constant terms too
        fac[t, :k] = rng.integers(0, n, k)
    return out.astype(np.int64), cidx.astype(np.int64), fac


def _reference(y, coef, out, cidx, fac):
    dy = np.zeros_like(y)
    J = np.zeros((y.size, y.size))
    for t in range(out.size):
        f = [j for j in fac[t] if j >= 0]
        dy[out[t]] += coef[cidx[t]] * np.prod(y[f])
        for k, j in enumerate(f):
            J[out[t], j] += coef[cidx[t]] * np.prod(y[f[:k] + f[k + 1 :]])
    return dy, J


@pytest.mark.parametrize("D", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", range(3))
def test_rhs_and_jacobian_equal_numpy_sums_for_any_term_width(D, seed):
    rng = np.random.default_rng(seed)
    n, T = 7, 40
    out, cidx, fac = _tables(rng, n, T, D, 5)
    coef = rng.normal(size=5)
    y = rng.normal(size=n)
    dy_ref, J_ref = _reference(y, coef, out, cidx, fac)
    dy = np.full(n, np.nan)
    rhs(y, coef, out, cidx, fac, dy)
    np.testing.assert_allclose(dy, dy_ref, rtol=1e-13, atol=1e-14)
    J = np.full((n, n), np.nan)
    jacobian(y, coef, out, cidx, fac, J)
    np.testing.assert_allclose(J, J_ref, rtol=1e-13, atol=1e-14)


def test_empty_table_gives_zero():
    y = np.ones(3)
    dy = np.full(3, np.nan)
    empty = np.zeros(0, np.int64)
    rhs(y, np.zeros(1), empty, empty, -np.ones((0, 2), np.int64), dy)
    assert np.array_equal(dy, np.zeros(3))
