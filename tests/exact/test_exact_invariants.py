"""Invariants along exact trajectories, sector decomposition, steady states, errors and the
dataset contract of collective.exact."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import xarray as xr

import collective as c
import collective.exact as ex
from collective import InitialState, LocalDissipator, MemoryEstimateError, Model, ModelError
from collective.exact import ensemble_sectors, multiplicity
from tests.conftest import assert_fresh_process_imports_no_dask, assert_is_xarrays_own_dataset

TRACE_TOL = 1e-10
HERM_TOL = 1e-12
POS_TOL = -1e-10  # smallest eigenvalue allowed


def _rebuild(model: Model, **changes) -> Model:
    return Model(**{f: getattr(replace(model, **changes), f) for f in Model.__dataclass_fields__})


def _assert_physical(res):
    for it in range(len(res.times)):
        tr = 0.0
        for w, _, _, mat in res.density_blocks(it):
            tr += w * np.trace(mat).real
            assert np.max(np.abs(mat - mat.conj().T)) < HERM_TOL
            if mat.shape[0]:
                assert np.linalg.eigvalsh(0.5 * (mat + mat.conj().T)).min() >= POS_TOL
        assert abs(tr - 1) < TRACE_TOL
        assert abs(res.trace[it] - 1) < TRACE_TOL
        # |<J^z>| <= N/2 and <J^+J^-> >= 0
        N = np.array([e.N for e in res.model.ensembles])
        assert np.all(np.abs(res.Jz[it]) <= N / 2 + 1e-9)
        assert np.all(np.diagonal(res.JpJm[it]).real >= -1e-9)


@pytest.mark.parametrize("method", ["bdf", "expm"])
def test_invariants_collective_dias(method):
    model = c.dias2024(reservoirs=2, N_C=8, N_B=3, gamma_up=1.0, nbar=0.2)
    init = InitialState(spins={"C": (0.0, 0.0, 0.9), "B2": (0.0, 0.0, 0.1)})
    res = ex.evolve(model, np.linspace(0, 1.0, 6), init, store_states=True, method=method)
    _assert_physical(res)


def test_invariants_local_processes():
    base = c.dias2024(reservoirs=1, N_C=7, N_B=2, gamma_up=0.5)
    model = _rebuild(
        base,
        local_dissipators=(
            LocalDissipator(ensemble="C", kind="decay", rate=0.4),
            LocalDissipator(ensemble="C", kind="dephasing", rate=0.3),
            LocalDissipator(ensemble="C", kind="pump", rate=0.1),
        ),
    )
    res = ex.evolve(
        model, np.linspace(0, 2.0, 5), InitialState.from_energy({"C": 1.0}), store_states=True
    )
    _assert_physical(res)
    # local processes leak weight out of j = N/2
    blocks = res.reduced_states("C")[-1]
    assert sum(d * np.trace(r).real for j, (d, r) in blocks.items() if j < 3.5) > 1e-3


def test_sector_decomposition_of_product_states():
    N = 9
    for bloch in [(0.0, 0.0, 0.3), (0.4, -0.3, 0.5), (0.0, 0.0, -1.0), (0.6, 0.8, 0.0)]:
        secs = ensemble_sectors(N, bloch)
        assert sum(p for _, p, _ in secs) == pytest.approx(1.0, abs=1e-13)
        jz = sum(p * np.trace(np.diag(np.arange(r.shape[0]) - j) @ r).real for j, p, r in secs)
        assert jz == pytest.approx(N * bloch[2] / 2, abs=1e-12)
        jp = 0
        for _j, p, r in secs:
            dim = r.shape[0]
            n = np.arange(dim - 1)
            Jp = np.zeros((dim, dim))
            Jp[n + 1, n] = np.sqrt((dim - 1 - n) * (n + 1))
            jp += p * np.trace(Jp @ r)
        # <J^+> = N <sigma^+> = N (sx + i sy)/2
        assert jp == pytest.approx(N * (bloch[0] + 1j * bloch[1]) / 2, abs=1e-12)
    assert [multiplicity(6, j) for j in (3, 2, 1, 0)] == [1, 5, 9, 5]
    assert sum(multiplicity(40, j) * (2 * j + 1) for j in ex.j_values(40)) == 2**40


def test_sector_truncation_reports_dropped_weight():
    model = c.dias2024(reservoirs=1, N_C=40, N_B=2)
    init = InitialState(spins={"C": (0.0, 0.0, 0.9)})
    res = ex.evolve(model, [0.0, 0.05], init, sector_atol=1e-6)
    assert 0 < res.dropped_weight < 1e-6
    assert len(res.sectors) < 21
    ds = res.to_dataset()
    assert ds.attrs["dropped_weight"] == pytest.approx(res.dropped_weight)


def test_u1_block_is_small():
    model = c.dias2024(reservoirs=1, N_C=200, N_B=2, gamma_up=1.0, nbar=0.2)
    system = ex.build_system(model)
    full = (201 * 3) ** 2
    # difference vectors (d_C, d_B) with d_C + d_B = 0: about 9 (N_C + 1) elements
    assert system.size == sum((3 - abs(d)) * (201 - abs(d)) for d in range(-2, 3))
    assert system.size < full / 60
    assert set(map(tuple, system.diffs)) == {(-d, d) for d in range(-2, 3)}


def test_finer_blocks_when_jumps_do_not_mix_ensembles():
    """Separate collective decay of two ensembles conserves each difference separately."""
    model = Model(
        name="separate",
        ensembles=(c.Ensemble(name="A", N=6), c.Ensemble(name="B", N=4)),
        dissipators=(c.Dissipator(jump=c.Jm("A")), c.Dissipator(jump=c.Jm("B"))),
    )
    system = ex.build_system(model)
    assert system.diffs.tolist() == [[0, 0]]
    assert system.size == 7 * 5


def test_steady_state_with_local_processes_matches_long_time():
    base = c.dias2024(reservoirs=1, N_C=5, N_B=2, gamma_up=0.8, nbar=0.3)
    model = _rebuild(
        base, local_dissipators=(LocalDissipator(ensemble="B1", kind="decay", rate=0.5),)
    )
    ss = ex.steadystate(model)
    long = ex.mesolve(model, [60.0], method="expm")
    xr.testing.assert_allclose(ss.Jz, long.Jz.isel(time=0, drop=True), atol=1e-9)
    xr.testing.assert_allclose(ss.JpJm, long.JpJm.isel(time=0, drop=True), atol=1e-9)
    assert "time" not in ss.dims


def test_steady_state_not_unique_is_a_clear_error():
    model = c.dias2024(reservoirs=1, N_C=4, N_B=2)  # pure collective decay: dark states
    with pytest.raises(c.IntegrationError, match="not unique"):
        ex.steadystate(model, InitialState.from_energy({"C": 1.0}))


def test_memory_estimate_error_for_large_local_ensemble():
    base = c.dias2024(reservoirs=1, N_C=20_000, N_B=2)
    model = _rebuild(
        base, local_dissipators=(LocalDissipator(ensemble="C", kind="decay", rate=0.1),)
    )
    with pytest.raises(MemoryEstimateError, match=r"limit") as info:
        ex.evolve(model, [0.0, 1.0], max_memory=2 * 1024**3)
    msg = str(info.value)
    assert "elements" in msg and "GiB" in msg and "['C']" in msg
    assert isinstance(info.value, MemoryError)


def test_symmetric_basis_refuses_local_processes():
    base = c.dias2024(reservoirs=1, N_C=4, N_B=2)
    model = _rebuild(
        base, local_dissipators=(LocalDissipator(ensemble="B1", kind="dephasing", rate=0.1),)
    )
    with pytest.raises(ModelError, match="`basis`='symmetric' supports collective terms only"):
        ex.evolve(model, [0.0, 1.0], basis="symmetric")


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"method": "rk4"}, "`method` must be one of"),
        ({"basis": "full"}, "`basis` must be one of"),
        ({"rtol": -1.0}, "`rtol` must be"),
    ],
)
def test_argument_errors(kwargs, match):
    model = c.dias2024(reservoirs=1, N_C=4, N_B=2)
    with pytest.raises(ModelError, match=match):
        ex.evolve(model, [0.0, 1.0], **kwargs)
    with pytest.raises(ModelError, match="`times` must be"):
        ex.evolve(model, [1.0, 0.5])
    with pytest.raises(ModelError, match="unknown ensemble"):
        ex.evolve(model, [1.0], InitialState(spins={"X": (0, 0, 1)}))


def test_dataset_contract_and_netcdf_round_trip(tmp_path):
    model = c.dias2024(reservoirs=2, N_C=8, N_B=2, gamma_up=1.0)
    ds = ex.mesolve(model, np.linspace(0, 0.5, 4), InitialState.from_energy({"C": 1.0}))
    assert set(ds.data_vars) == {"energy_density", "Jz", "JpJm", "JpJm_imag"}
    assert ds.energy_density.dims == ("time", "ensemble")
    assert ds.JpJm.dims == ("time", "ensemble", "ensemble_b")
    assert list(ds.ensemble.values) == ["C", "B1", "B2"] == list(ds.ensemble_b.values)
    assert ds.time.attrs == {"long_name": "time", "units": model.time_unit}
    for v in ds.data_vars.values():
        assert "long_name" in v.attrs and v.attrs["units"] == "1"
    assert ds.attrs["method"] == "exact" and ds.attrs["model"] == "dias2024"
    assert ds.attrs["package_version"] == c.__version__
    assert ds.attrs["model_summary"] == model.summary()
    np.testing.assert_allclose(ds.energy_density, ds.Jz / [8, 2, 2] + 0.5)
    np.testing.assert_allclose(ds.energy_density.isel(time=0), [1.0, 0.0, 0.0])
    path = tmp_path / "exact.nc"
    ds.to_netcdf(path)
    back = xr.load_dataset(path)
    xr.testing.assert_allclose(back, ds)


def _jc_model() -> Model:
    """Two spins coupled to a lossy mode (Tavis-Cummings), Fock cutoff 4."""
    g = c.param("g")
    return Model(
        name="jc",
        ensembles=(c.Ensemble(name="S", N=2),),
        modes=(c.Mode(name="a", cutoff=4),),
        hamiltonian=g * (c.create("a") * c.Jm("S") + c.destroy("a") * c.Jp("S")),
        dissipators=(c.Dissipator(jump=c.destroy("a"), rate=0.3),),
        parameters=(c.Parameter(name="g", value=1.0),),
    )


def test_dataset_with_modes():
    model = _jc_model()
    ds = ex.mesolve(model, [0.0, 0.5, 1.0], InitialState.from_energy({"S": 1.0}))
    assert {"n_mode", "a_re", "a_im"} <= set(ds.data_vars)
    assert ds.n_mode.dims == ("time", "mode")
    # excitation number N_exc = Jz + N/2 + n is conserved by H and lost through the mode only
    exc = ds.Jz.sel(ensemble="S") + 1 + ds.n_mode.sel(mode="a")
    assert float(exc.isel(time=0)) == pytest.approx(2.0)
    assert np.all(np.diff(exc.values) <= 1e-9)
    assert math.isfinite(float(ds.a_re.sum()))


def test_exact_dataset_is_xarrays_own_and_does_not_import_dask():
    """The exact solver's dataset is assembled like the cumulant engine's (collective/_xr.py):
    identical to what xarray's own constructor makes of the same arrays, indexes and their dtypes
    included (spins, and a model with a bosonic mode and a time-independent steady state), and a
    fresh process that runs an exact solve has not imported dask."""
    jc = _jc_model()
    datasets = [
        ex.mesolve(
            c.dias2024(reservoirs=2, N_C=4, N_B=2),
            np.linspace(0, 0.5, 3),
            InitialState.from_energy({"C": 1.0}),
        ),
        ex.mesolve(jc, [0.0, 0.5], InitialState.from_energy({"S": 1.0})),
        ex.steadystate(c.dias2024(reservoirs=1, N_C=2, N_B=1, gamma_up=1.0)),
    ]
    assert "time" not in datasets[2].dims
    for one in datasets:
        assert_is_xarrays_own_dataset(one)
    code = (
        "import sys, numpy as np, collective as c, collective.exact as ex;"
        "ds = ex.mesolve(c.dias2024(reservoirs=2, N_C=3, N_B=2), np.linspace(0, 0.5, 3),"
        " c.InitialState.from_energy({'C': 1.0}));"
        "assert ds.energy_density.dims == ('time', 'ensemble');"
        "print('dask' in sys.modules)"
    )
    assert_fresh_process_imports_no_dask(code)


def test_dicke_diagonal_initial_factors_are_sparse_and_steady_states_reach_large_N():
    """A state without transverse Bloch components is diagonal in the Dicke basis; the exact solver
    keeps its sector factors as sparse diagonals (``sector_factors``).  Dense ones hold
    ``(2j + 1)^2`` numbers: the steady state at N_C = 1e5 below would need 2 x 80 GB and fail;
    at N_C = 1e4 it took 5.7 s and now takes ~0.5 s here.  The public ``ensemble_sectors`` still
    returns dense matrices, equal to the sparse ones."""
    import scipy.sparse as sps

    from collective.exact import sector_factors

    for bloch in ((0.0, 0.0, 0.3), (0.0, 0.0, 1.0), (0.0, 0.0, -1.0)):
        fs, dense = sector_factors(7, bloch), ensemble_sectors(7, bloch)
        assert [(j, p) for j, p, _ in fs] == [(j, p) for j, p, _ in dense]
        for (_, _, f), (_, _, d) in zip(fs, dense):
            assert sps.issparse(f) and f.nnz <= f.shape[0]
            np.testing.assert_array_equal(f.toarray(), d)
    coherent = sector_factors(7, (0.6, 0.0, 0.0))
    assert all(isinstance(rho, np.ndarray) for _, _, rho in coherent)

    ds = ex.steady(c.dias2024(reservoirs=1, N_C=100_000, N_B=2, gamma_up=1.0)).to_dataset()
    e = ds.energy_density.values.ravel()
    assert np.all(np.isfinite(e)) and np.all((e >= 0) & (e <= 1))
    # pump = decay on the charger: its steady energy density is 1/2 + O(1/N_C)
    assert abs(e[0] - 0.5) < 1e-4
