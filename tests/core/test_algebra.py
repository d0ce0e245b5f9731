"""Operator algebra against explicit matrices (hypothesis: random products)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import collective as c
from collective.algebra import expand_to_sites, op_matrix, site_expr_matrix

SIZES = {"A": 2, "B": 1}
CUTOFF = 7
LOW = 3  # compare boson blocks with n <= LOW (truncation-free for words of length <= 3)

GENS = [
    c.Jp("A"),
    c.Jm("A"),
    c.Jz("A"),
    c.Jp("B"),
    c.Jm("B"),
    c.Jz("B"),
    c.destroy("a"),
    c.create("a"),
]


def low_block(M):
    spin_dim = 2 ** sum(SIZES.values())
    idx = [s * CUTOFF + n for s in range(spin_dim) for n in range(LOW + 1)]
    return M[np.ix_(idx, idx)]


words = st.lists(
    st.tuples(
        st.sampled_from(range(len(GENS))),
        st.complex_numbers(max_magnitude=2, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=3,
)


def build(terms_):
    op = c.Op()
    for k, (i, w) in enumerate(terms_):
        word = GENS[i]
        for j in range(k % 3):
            word = word * GENS[(i + j + 1) % len(GENS)]
        op = op + w * word
    return op


@settings(max_examples=40, deadline=None)
@given(words, words)
def test_products_reduce_to_the_right_matrix(x, y):
    X, Y = build(x), build(y)
    P = X * Y
    direct = op_matrix(P, SIZES, {"a": CUTOFF})
    reduced = site_expr_matrix(expand_to_sites(P, SIZES), SIZES, {"a": CUTOFF})
    assert np.allclose(low_block(direct), low_block(reduced), atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(words)
def test_adjoint_and_commutator(x):
    X = build(x)
    M = op_matrix(X, SIZES, {"a": CUTOFF})
    Md = op_matrix(X.dag(), SIZES, {"a": CUTOFF})
    assert np.allclose(low_block(Md), low_block(M.conj().T), atol=1e-10)
    Y = c.Jp("A") * c.destroy("a") + c.Jz("B")
    C = c.commutator(X, Y)
    My = op_matrix(Y, SIZES, {"a": CUTOFF})
    Mc = site_expr_matrix(expand_to_sites(C, SIZES), SIZES, {"a": CUTOFF})
    full = M @ My - My @ M
    assert np.allclose(low_block(Mc), low_block(full), atol=1e-9)


def test_su2_and_canonical_commutators():
    for e in ("A", "B"):
        assert expand_to_sites(c.commutator(c.Jp(e), c.Jm(e)) - 2 * c.Jz(e), SIZES) == {}
        assert expand_to_sites(c.commutator(c.Jz(e), c.Jp(e)) - c.Jp(e), SIZES) == {}
    a = c.destroy("a")
    assert expand_to_sites(c.commutator(a, a.dag()) - 1, SIZES) == {}
    assert expand_to_sites(c.commutator(c.Jp("A"), c.Jm("B")), SIZES) == {}


def test_operator_equality_ignores_order_across_spaces():
    assert c.Jp("A") * c.Jm("B") == c.Jm("B") * c.Jp("A")
    assert c.Jp("A") * c.Jm("A") != c.Jm("A") * c.Jp("A")
