"""Study config validation: every error names the key in backticks, the value and what is valid."""

from __future__ import annotations

import re

import numpy as np
import pytest

from collective.errors import ConfigError
from collective.studies import build_grid, load_config, make_chunks, parse_config

BASE = {
    "model": 'preset = "dias2024"\nN_C = 1e7\nN_B = 100\nreservoirs = 3\ngamma_down = 1.0\ngamma_up = 0.0\n'
    "nbar = 0.0\ncharger_energy = 1.0\nbattery_energy = 0.0",
    "method": 'kind = "cumulant"\norder = 2\nrtol = 1e-8\natol = 1e-10',
    "times": "values = [1e-7, 1e-6, 1e-5]",
}


def make(extra: str = "", **tables: str) -> str:
    parts = {**BASE, **tables}
    text = "".join(f"[{k}]\n{v}\n" for k, v in parts.items() if v is not None)
    return text + extra


def test_minimum_schema_from_the_issue():
    cfg = parse_config(make("[sweep]\ngamma_up = [0.0, 1.0, 2.0]\nreservoirs = [1, 2, 3]\n"))
    assert cfg.preset == "dias2024"
    assert cfg.model["N_C"] == 10_000_000 and isinstance(cfg.model["N_C"], int)
    assert cfg.times == (1e-7, 1e-6, 1e-5)
    assert cfg.grid_size == 9
    grid = build_grid(cfg)
    assert grid.dims == ("gamma_up", "reservoirs") and grid.shape == (3, 3)
    specs, chunks = make_chunks(grid)
    assert len(specs) == 3  # one derivation per reservoir count
    assert sorted(p.index for c in chunks for p in c.points) == list(range(9))


def test_times_start_stop_num_log():
    cfg = parse_config(make(times="start = 1e-9\nstop = 1e-4\nnum = 6\nspacing = 'log'"))
    np.testing.assert_allclose(cfg.times, np.geomspace(1e-9, 1e-4, 6))


def test_cases_and_sweep_grid():
    text = make(
        '[[case]]\nlabel = "a"\nreservoirs = 1\n[[case]]\nlabel = "b"\ngamma_up = 2.0\n'
        "[sweep]\nnbar = [0.0, 0.1]\n"
    )
    grid = build_grid(parse_config(text))
    assert grid.dims == ("case", "nbar") and grid.shape == (2, 2)
    assert list(grid.case_coords["reservoirs"]) == [1, 3]
    assert list(grid.case_coords["gamma_up"]) == [0.0, 2.0]


def test_shipped_study_configs_validate():
    import pathlib

    runs = pathlib.Path(__file__).resolve().parents[2] / "runs"
    files = sorted(runs.glob("*.toml"))
    assert files, "no study configs in runs/"
    for f in files:
        load_config(f)


def _raises(text: str, *fragments: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    msg = str(info.value)
    for frag in fragments:
        assert frag in msg, (frag, msg)
    assert re.search(r"`[^`]+`", msg), msg  # names a key in backticks
    return msg


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        # unknown keys, at every level
        (make("[foo]\nx = 1\n"), ["`foo`", "valid keys"]),
        (make(model=BASE["model"] + "\nN_D = 3"), ["`model.N_D`", "3", "gamma_up"]),
        (make(method=BASE["method"] + "\nsolver = 'rk4'"), ["`method.solver`", "'rk4'", "rtol"]),
        (
            make(method=BASE["method"] + "\nintegrator = 'rk4'"),
            ["`method.integrator`", "'rk4'", "not an integrator", "auto", "rodas4"],
        ),
        (make(times="values = [1.0]\nunit = 's'"), ["`times.unit`", "values"]),
        (make("[sweep]\ngamma_sideways = [1.0]\n"), ["`sweep.gamma_sideways`", "gamma_up"]),
        (make('[[case]]\nlabel = "a"\nfoo = 1\n'), ["`case[0].foo`", "label"]),
        (make("[derived]\ntargett = 0.9\n"), ["`derived.targett`", "target"]),
        (make("[run]\nchunks = 3\n"), ["`run.chunks`", "chunk_size"]),
        # wrong types
        (
            make(model=BASE["model"].replace("N_C = 1e7", 'N_C = "1e7"')),
            ["`model.N_C`", "'1e7'", "string", "integer"],
        ),
        (
            make(model=BASE["model"].replace("gamma_up = 0.0", "gamma_up = true")),
            ["`model.gamma_up`", "True", "number"],
        ),
        (
            make(model=BASE["model"].replace("reservoirs = 3", "reservoirs = 2.5")),
            ["`model.reservoirs`", "2.5", "integer >= 1"],
        ),
        (
            make(model=BASE["model"].replace("gamma_up = 0.0", "gamma_up = [0.0, 1.0]")),
            ["`model.gamma_up`", "[sweep]"],
        ),
        (
            make(method=BASE["method"].replace("rtol = 1e-8", "rtol = '1e-8'")),
            ["`method.rtol`", "'1e-8'", "> 0"],
        ),
        (
            make(method=BASE["method"].replace("order = 2", "order = 3")),
            ["`method.order`", "3", "[1, 2]"],
        ),
        (
            make(method=BASE["method"].replace('"cumulant"', '"euler"')),
            ["`method.kind`", "'euler'", "exact"],
        ),
        (make("[sweep]\ngamma_up = 2.0\n"), ["`sweep.gamma_up`", "2.0", "list"]),
        (make("[sweep]\ngamma_up = [0.0, 'x']\n"), ["`sweep.gamma_up[1]`", "'x'"]),
        (make("[run]\nchunk_size = 0\n"), ["`run.chunk_size`", "0", ">= 1"]),
        (make("[derived]\ntarget = 1.5\n"), ["`derived.target`", "1.5", "(0, 1]"]),
        (make('[derived]\nensemble = "B9"\n'), ["`derived.ensemble`", "'B9'", "B3"]),
        ("title = 3\n" + make(), ["`title`", "3", "string"]),
        # unknown preset / missing tables
        (make(model='preset = "dicke1954"'), ["`model.preset`", "'dicke1954'", "dias2024"]),
        (make(model="N_C = 10"), ["`model.preset`", "dias2024"]),
        (make(times=None), ["`[times]`"]),
        # empty lists
        (make("[sweep]\ngamma_up = []\n"), ["`sweep.gamma_up`", "[]", "at least one"]),
        (make(times="values = []"), ["`times.values`", "[]", "at least one"]),
        # negative rates and out-of-range values
        (
            make(model=BASE["model"].replace("gamma_up = 0.0", "gamma_up = -1.0")),
            ["`model.gamma_up`", "-1.0", ">= 0"],
        ),
        (make("[sweep]\ngamma_down = [1.0, -0.5]\n"), ["`sweep.gamma_down[1]`", "-0.5", ">= 0"]),
        (make('[[case]]\nlabel = "a"\nnbar = -0.1\n'), ["`case[0].nbar`", "-0.1", ">= 0"]),
        (
            make(model=BASE["model"].replace("charger_energy = 1.0", "charger_energy = 1.5")),
            ["`model.charger_energy`", "1.5", "[0, 1]"],
        ),
        (
            make(method=BASE["method"].replace("atol = 1e-10", "atol = -1e-10")),
            ["`method.atol`", "> 0"],
        ),
        (
            make(model=BASE["model"].replace("N_B = 100", "N_B = 0")),
            ["`model.N_B`", "0", "integer >= 1"],
        ),
        # times
        (make(times="values = [1e-6, 1e-7]"), ["`times.values`", "increasing"]),
        (make(times="values = [-1.0, 1.0]"), ["`times.values[0]`", "-1.0", ">= 0"]),
        (make(times="start = 0.0\nstop = 1.0\nnum = 5\nspacing = 'log'"), ["`times.start`", "> 0"]),
        (
            make(times="start = 0.0\nstop = 1.0\nnum = 5\nspacing = 'cubic'"),
            ["`times.spacing`", "'cubic'", "log"],
        ),
        (make(times="start = 0.0\nstop = 1.0"), ["`times.num`"]),
        (make(times="values = [1.0]\nnum = 3"), ["`times.values`", "`times.num`"]),
        # cases
        (make("[[case]]\nreservoirs = 1\n"), ["`case[0].label`"]),
        (
            make('[[case]]\nlabel = "a"\n[[case]]\nlabel = "a"\n'),
            ["`case[1].label`", "'a'", "distinct"],
        ),
        (
            make('[[case]]\nlabel = "a"\ngamma_up = 1.0\n[sweep]\ngamma_up = [1.0]\n'),
            ["`sweep.gamma_up`", "case"],
        ),
        (make("[sweep]\ngamma_up = [1.0, 1.0]\n"), ["`sweep.gamma_up`", "distinct"]),
        # unused option
        (make(method='kind = "exact"\norder = 2'), ["`method.order`", "exact"]),
        # not TOML
        ("[model\npreset = 1", ["`config`", "TOML"]),
    ],
)
def test_config_errors(text, fragments):
    _raises(text, *fragments)


def test_config_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_config(make(model='preset = "nope"'))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="`config`"):
        load_config(tmp_path / "absent.toml")


def test_config_text_is_never_evaluated():
    # an expression where a number is expected is rejected, not computed
    _raises(
        make(
            model=BASE["model"].replace(
                "gamma_up = 0.0", "gamma_up = \"__import__('os').getcwd()\""
            )
        ),
        "`model.gamma_up`",
        "number",
    )
    _raises(make(model="preset = \"__import__('os')\""), "`model.preset`")
