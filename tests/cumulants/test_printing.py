"""Equations print as text and LaTeX."""

from __future__ import annotations

import sympy as sp

import collective as c


def test_text_and_latex():
    m = c.dias2024(reservoirs=2, N_C=1000, N_B=10)
    eqs = c.derive(m, order=2)
    text = eqs.text()
    assert text.count("\n") + 1 == len(eqs.variables)
    assert "d<sz_C>/dt" in text and "N_C" in text and "<sp_C1 sm_C2>" in text
    tex = eqs.latex()
    assert tex.startswith("\\begin{aligned}") and tex.endswith("\\end{aligned}")
    assert "\\sigma^{+}_{C,1}" in tex and "\\gamma_{down}" in tex
    # every coefficient parses back as LaTeX-printable sympy
    for terms in eqs.rhs:
        for coef, _ in terms:
            assert isinstance(sp.latex(coef), str)


def test_mean_field_variables_without_u1():
    """Order 1 with coherence (seeded) keeps <sigma^+> as a complex variable."""
    m = c.dias2024(reservoirs=1, N_C=1000, N_B=10)
    eqs = c.derive(m, order=1, u1=False)
    labels = {v.label() for v in eqs.variables}
    assert {"<sz_C>", "<sz_B1>"} <= labels
    assert {"<sm_C>", "<sm_B1>"} <= labels or {"<sp_C>", "<sp_B1>"} <= labels
