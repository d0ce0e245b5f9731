"""Mis-specified inputs of the bosonic presets and linear analysis give clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from collective.algebra import create, destroy
from collective.errors import ModelError
from collective.linear import (
    eliminate_numeric,
    exceptional_point,
    linear_system,
    phase_diagram,
    quadratic_model,
)
from collective.model import Dissipator, Mode, Model
from collective.presets import dias2024
from collective.presets.bosonic import (
    ep_battery,
    ep_battery_eliminated,
    ep_effective_parameters,
    nonreciprocal_battery,
)


@pytest.mark.parametrize("arg", ["kappa_a", "kappa_b", "kappa_c", "Gamma"])
def test_negative_loss_in_ep_battery(arg):
    with pytest.raises(ModelError, match=f"`{arg}`.*non-negative.*-0.5"):
        ep_battery(**{arg: -0.5})


@pytest.mark.parametrize("arg", ["kappa_a", "kappa_b", "Gamma"])
def test_negative_loss_in_nonreciprocal(arg):
    with pytest.raises(ModelError, match=f"`{arg}`"):
        nonreciprocal_battery(**{arg: -1e-3})


def test_negative_loss_via_with_values():
    with pytest.raises(ModelError, match="kappa_a"):
        ep_battery().with_values(kappa_a=-1.0)


def test_drive_on_missing_mode():
    with pytest.raises(ModelError, match="`drive_on`.*\\['a', 'b'\\].*'c'"):
        nonreciprocal_battery(drive_on="c")
    nonreciprocal_battery(drive_on="c", keep_c=True)  # fine with c kept
    with pytest.raises(ModelError, match="`drive_on`"):
        ep_battery_eliminated(drive_on="x")
    with pytest.raises(ModelError, match="`drive`.*'x'"):
        quadratic_model(["a", "b"], np.eye(2), drive={"x": 1.0})


def test_non_square_or_bad_coupling_matrices():
    with pytest.raises(ModelError, match="`hamiltonian` must be a square matrix.*\\(2, 3\\)"):
        quadratic_model(["a", "b"], np.zeros((2, 3)))
    with pytest.raises(ModelError, match="`hamiltonian` must be 2x2"):
        quadratic_model(["a", "b"], np.zeros((3, 3)))
    with pytest.raises(ModelError, match="`hamiltonian` must be Hermitian"):
        quadratic_model(["a", "b"], [[0, 1], [0, 0]])
    with pytest.raises(ModelError, match="`loss` must be positive semidefinite"):
        quadratic_model(["a", "b"], np.zeros((2, 2)), loss=[[1, 2], [2, 1]])
    with pytest.raises(ModelError, match="must be a non-empty square matrix"):
        exceptional_point(np.zeros((2, 3)))


def test_quadratic_model_round_trip():
    h = np.array([[0.3, 0.2 - 0.1j], [0.2 + 0.1j, -0.4]])
    G = np.array([[1.0, 0.5j], [-0.5j, 0.8]])
    m = quadratic_model(["a", "b"], h, loss=G, drive={"a": 0.1})
    M = linear_system(m).numeric().drift
    np.testing.assert_allclose(M, -1j * h - G / 2, atol=1e-14)


def test_singular_coupling_cannot_be_normalised_or_eliminated():
    with pytest.raises(ModelError, match="coupling vanishes"):
        ep_effective_parameters(p_a=0.0)
    with pytest.raises(ModelError, match="singular"):
        ep_effective_parameters(kappa_c=0.0, Gamma=0.0, delta_c=0.0)
    with pytest.raises(ModelError, match="singular"):
        linear_system(ep_battery(kappa_c=0.0, Gamma=0.0)).eliminate("c")
    with pytest.raises(ModelError, match="singular"):
        eliminate_numeric(np.diag([1.0, 0.0]), [0, 0], [1])


def test_non_linear_models_are_rejected():
    with pytest.raises(ModelError, match="spin ensembles"):
        linear_system(dias2024(N_C=2, N_B=2))
    kerr = Model(
        name="kerr",
        modes=(Mode(name="a"),),
        hamiltonian=create("a") * create("a") * destroy("a") * destroy("a"),
    )
    with pytest.raises(ModelError, match="a_i\\^\\+ a_j, a_i, a_i\\^\\+ terms only"):
        linear_system(kerr)
    sq = Model(
        name="sq",
        modes=(Mode(name="a"),),
        dissipators=(Dissipator(jump=destroy("a") + create("a")),),
    )
    with pytest.raises(ModelError, match="mixes annihilators and creators"):
        linear_system(sq)


def test_phase_diagram_bad_axes():
    sysm = linear_system(nonreciprocal_battery())
    with pytest.raises(ModelError, match="not a parameter"):
        phase_diagram(sysm, {"nope": [0, 1]})
    with pytest.raises(ModelError, match="unknown parameter `nope`"):
        sysm.numeric(nope=1.0)
