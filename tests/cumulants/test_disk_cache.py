"""The on-disk cache of derived equations restores identical tables and solutions."""

from __future__ import annotations

import numpy as np

import collective as c
from collective import engine as solve_mod


def test_disk_cache_round_trip(monkeypatch, tmp_path):
    monkeypatch.setenv("COLLECTIVE_CACHE_DIR", str(tmp_path))
    m = c.dias2024(reservoirs=2, N_C=10_000, N_B=10, gamma_up=0.5)
    solve_mod._CACHE.clear()
    eqs1, low1 = solve_mod.compile_model(m, 2)
    files = list(tmp_path.glob("eqs-*.pkl"))
    assert len(files) == 1
    solve_mod._CACHE.clear()
    eqs2, low2 = solve_mod.compile_model(m, 2)  # restored from disk
    assert eqs2.variables == eqs1.variables and eqs2.rhs == eqs1.rhs
    for a, b in zip(low1.tables()[4:7], low2.tables()[4:7]):
        np.testing.assert_array_equal(a, b)
    vals = m.numeric_values()
    np.testing.assert_array_equal(low1.coefficients(vals), low2.coefficients(vals))


def test_disk_cache_can_be_disabled(monkeypatch, tmp_path):
    monkeypatch.setenv("COLLECTIVE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("COLLECTIVE_NO_DISK_CACHE", "1")
    solve_mod._CACHE.clear()
    solve_mod.compile_model(c.dias2024(reservoirs=1, N_C=100, N_B=3), 1)
    assert not list(tmp_path.glob("eqs-*.pkl"))
