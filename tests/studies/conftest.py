"""Shared fixtures of the studies tests: small, fast configs (N_C = 1000, N_B = 10)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

SMALL = """
title = "small test study"
[model]
preset = "dias2024"
N_C = 1000
N_B = 10
reservoirs = 1
gamma_down = 1.0
gamma_up = 0.0
nbar = 0.0
charger_energy = 1.0
battery_energy = 0.0
[method]
kind = "cumulant"
order = 2
rtol = 1e-7
atol = 1e-10
[times]
start = 1e-5
stop = 1.0
num = 25
spacing = "log"
[derived]
target = 0.9
ensemble = "B1"
[run]
chunk_size = 1
[sweep]
reservoirs = [1, 2]
gamma_up = [0.0, 1.0, 2.0]
"""

CLI = [sys.executable, "-m", "collective.cli"]


@pytest.fixture
def small_text() -> str:
    return SMALL


@pytest.fixture
def small_config(tmp_path: Path) -> Path:
    p = tmp_path / "small.toml"
    p.write_text(SMALL)
    return p


@pytest.fixture
def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("NUMBA_NUM_THREADS", "1")
    return env
