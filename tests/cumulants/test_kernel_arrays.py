"""``kernel_arrays`` lays out the one-point kernel's tables and work arrays in one page-aligned
block, in a fixed order (4K-aliasing between them made the same trajectory run at 55-107 us
depending on where ``malloc`` put each array)."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import collective as c
from collective import integrate
from collective.integrate import _WORK_ROWS, kernel_arrays


def _tables(n_terms: int, width: int = 2):
    rng = np.random.default_rng(n_terms)
    out = np.sort(rng.integers(0, 7, n_terms)).astype(np.int64)
    cidx = rng.integers(0, 5, n_terms).astype(np.int64)
    fac = rng.integers(-1, 7, (n_terms, width)).astype(np.int64)
    return out, cidx, fac


@pytest.mark.parametrize("n, n_terms", [(1, 1), (3, 7), (10, 51), (27, 300), (64, 1000)])
def test_layout_copies_and_flags(n, n_terms):
    tables = _tables(n_terms)
    (out, cidx, fac), (work, piv, cval) = kernel_arrays(n, tables)
    for copy, orig in zip((out, cidx, fac), tables):
        assert copy.dtype == orig.dtype and copy.shape == orig.shape
        assert np.array_equal(copy, orig)
        assert not np.shares_memory(copy, orig)
    assert work.shape == (_WORK_ROWS + 2 * n, n) and work.dtype == np.float64
    assert piv.shape == (n,) and piv.dtype == np.int64
    assert cval.shape == (n_terms,) and cval.dtype == np.float64
    arrays = [work, cval, out, cidx, fac, piv]  # the documented order
    addr = [a.ctypes.data for a in arrays]
    assert addr[0] % 4096 == 0  # work starts a page
    assert all(x % 64 == 0 for x in addr)
    assert addr == sorted(addr)
    for a, b in zip(arrays, arrays[1:]):  # no overlap, at most 63 bytes of padding between
        assert 0 <= b.ctypes.data - (a.ctypes.data + a.nbytes) < 64
    for a in arrays:  # what the kernel was compiled for: C-contiguous, aligned, writeable
        assert a.flags.c_contiguous and a.flags.aligned and a.flags.writeable
    # one block: every view keeps it alive
    base = work.base
    while base.base is not None:
        base = base.base
    assert all(np.shares_memory(a, base) for a in arrays)


def test_views_outlive_the_call():
    (out, _, fac), (work, _, _) = kernel_arrays(10, _tables(51))
    want = fac.copy()
    gc.collect()
    junk = [np.ones(4096) for _ in range(64)]  # reuse freed memory if the block were freed
    work[...] = 1.0
    assert np.array_equal(fac, want) and junk[0][0] == 1.0


def test_problem_uses_the_block_without_a_new_kernel_specialisation():
    m = c.dias2024(reservoirs=2, N_C=1000, N_B=10)
    init = c.InitialState.from_energy({"C": 1.0})
    times = np.geomspace(1e-6, 1e-2, 30)
    p = c.Problem(m, initial=init, method="auto")
    r = p.integrate(times)
    n_sigs = len(integrate.integrate_one.signatures)
    fn, fixed, scratch = p._call[:3]
    low = p.lowered
    # the kernel got copies in the block, equal to the plan's tables
    assert fixed[0] is not low.out and np.array_equal(fixed[0], low.out)
    assert np.array_equal(fixed[2], low.fac)
    assert scratch[0].ctypes.data % 4096 == 0
    # the same results as a run through the batch driver (the plan's own tables)
    many = p.integrate_many(times, [{}])
    assert np.array_equal(r.y, many.y[0])
    q = c.Problem(m, initial=init, method="auto")
    q.integrate(times)
    assert len(integrate.integrate_one.signatures) == n_sigs
