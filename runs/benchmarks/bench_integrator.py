"""Integrator benchmark: collective (Rodas4, jitted table kernel) vs scipy Radau (Python RHS) vs
numbalsoda LSODA (numba cfunc RHS), all on the *same* generated equations, in one run.

Problems
  (a) one ensemble under collective decay, N = 1e7, order 2, from the fully inverted state;
  (b) Dias et al. m = 3, gamma_up = 2 gamma_down, N_C = 1e7, N_B = 100, order 2.
Both over the superradiant burst and the plateau, t in [0, 2e-5], 200 log-spaced outputs.

Reported per problem and solver: time per trajectory alone and in a batch of 1000 points, steps,
max |energy density - reference| (reference: scipy Radau, rtol 1e-12, atol 1e-16, exact Jacobian),
and the ratios.  Cold / warm start are measured in fresh subprocesses (empty / filled numba cache).

Run:  .venv/bin/python runs/benchmarks/bench_integrator.py  [--batch 1000]
numbalsoda is benchmark-only (pip install numbalsoda; needs gfortran); if it is missing, scipy LSODA
with a numba RHS is used instead and the table says so.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.integrate import solve_ivp

import collective as c
from collective.engine import compile_model
from collective.integrate import jacobian, rhs

RTOL, ATOL = 1e-8, 1e-12
TIMES = np.geomspace(1e-9, 2e-5, 200)


def problems():
    g = c.param("g")
    decay = c.Model(
        name="collective decay",
        ensembles=[c.Ensemble(name="A", N=10_000_000)],
        dissipators=[c.Dissipator(jump=c.Jm("A"), rate=g, convention="L")],
        parameters=[c.Parameter(name="g", value=1.0)],
    )
    dias = c.dias2024(reservoirs=3, N_C=10_000_000, N_B=100, gamma_up=2.0)
    return [
        ("(a) decay N=1e7", decay, c.InitialState.from_energy({"A": 1.0}), "A"),
        ("(b) Dias m=3 pump", dias, c.InitialState.from_energy({"C": 1.0}), "B1"),
    ]


def energy_index(low, ens):
    re, _, _ = low.component(c.Moment(((ens, 0, 0, 1),), ()))
    return re


def timeit(fn, repeat=3):
    best = np.inf
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def python_rhs_factory(low, coef):
    """A plain Python/numpy right-hand side of the same tables (what a user of solve_ivp writes)."""
    out, cidx, fac = low.out, low.cidx, low.fac
    mask = fac >= 0
    facc = np.where(mask, fac, 0)
    cvals = coef[cidx]

    def f(t, y):
        vals = cvals * np.prod(np.where(mask, y[facc], 1.0), axis=1)
        dy = np.zeros(low.n)
        np.add.at(dy, out, vals)
        return dy

    return f


def reference(low, coef, y0):
    def f(t, y):
        dy = np.zeros_like(y)
        rhs(y, coef, low.out, low.cidx, low.fac, dy)
        return dy

    def jac(t, y):
        J = np.zeros((low.n, low.n))
        jacobian(y, coef, low.out, low.cidx, low.fac, J)
        return J

    sol = solve_ivp(
        f, (0, TIMES[-1]), y0, method="Radau", t_eval=TIMES, rtol=1e-12, atol=1e-16, jac=jac
    )
    assert sol.success, sol.message
    return sol.y.T


def bench_numbalsoda(low, coef, y0, batch):
    try:
        import numba as nb
        from numbalsoda import lsoda, lsoda_sig
    except ImportError:
        return None
    out_, cidx_, fac_ = low.out.copy(), low.cidx.copy(), low.fac.copy()
    n = low.n
    T, D = fac_.shape

    @nb.cfunc(lsoda_sig)
    def f(t, u, du, p):
        for i in range(n):
            du[i] = 0.0
        for k in range(T):
            v = p[cidx_[k]]
            for j in range(D):
                idx = fac_[k, j]
                if idx < 0:
                    break
                v *= u[idx]
            du[out_[k]] += v

    addr = f.address
    teval = np.concatenate([[0.0], TIMES])
    lsoda(addr, y0, teval, data=coef, rtol=RTOL, atol=ATOL)  # compile/warm

    def one():
        usol, ok = lsoda(addr, y0, teval, data=coef, rtol=RTOL, atol=ATOL)
        return usol[1:], ok

    t1, (usol, ok) = timeit(one)

    @nb.njit
    def many(y0, coefs, teval):
        P = coefs.shape[0]
        okc = 0
        for p in range(P):
            u, okp = lsoda(addr, y0, teval, data=coefs[p], rtol=RTOL, atol=ATOL)
            okc += okp
        return okc

    coefs = np.tile(coef, (batch, 1))
    many(y0, coefs[:2], teval)
    tb, _ = timeit(lambda: many(y0, coefs, teval), repeat=1)
    return t1, tb / batch, usol, bool(ok), "numbalsoda LSODA"


def bench_scipy_lsoda(low, coef, y0, batch):
    def f(t, y):
        dy = np.zeros_like(y)
        rhs(y, coef, low.out, low.cidx, low.fac, dy)
        return dy

    def one():
        return solve_ivp(f, (0, TIMES[-1]), y0, method="LSODA", t_eval=TIMES, rtol=RTOL, atol=ATOL)

    t1, sol = timeit(one, repeat=1)
    return t1, t1, sol.y.T, sol.success, "scipy LSODA + numba RHS (numbalsoda missing)"


def cold_warm_start():
    """Fresh processes: derive + lower + first solve, with an empty then a filled numba cache."""
    code = (
        "import time; t0=time.perf_counter(); import collective as c, numpy as np; t1=time.perf_counter();"
        "m=c.dias2024(reservoirs=3, N_C=10**7, N_B=100, gamma_up=2.0);"
        "ds=c.solve(m, np.geomspace(1e-9,2e-5,200), initial=c.InitialState.from_energy({'C':1.0}));"
        "t2=time.perf_counter(); print(t1-t0, t2-t1)"
    )
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, NUMBA_CACHE_DIR=d)
        res = []
        for _ in range(2):
            p = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            )
            imp, run = map(float, p.stdout.split())
            res.append((imp, run))
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument(
        "--skip-start", action="store_true", help="skip the cold/warm start subprocesses"
    )
    args = ap.parse_args()
    rows = []
    for name, model, init, ens in problems():
        eqs, low = compile_model(model, 2)
        coef = low.coefficients(model.numeric_values())
        y0 = low.initial_state(model, init)
        k = energy_index(low, ens)
        ref = reference(low, coef, y0)
        e_ref = 0.5 * ref[:, k] + 0.5

        # ours
        c.solve(model, TIMES, initial=init, rtol=RTOL, atol=ATOL)
        t1, ds = timeit(lambda: c.solve(model, TIMES, initial=init, rtol=RTOL, atol=ATOL))
        err = float(np.max(np.abs(ds.energy_density.sel(ensemble=ens).values - e_ref)))
        pts = [{}] * args.batch
        tb, dsb = timeit(
            lambda: c.sweep(model, TIMES, pts, initials=init, rtol=RTOL, atol=ATOL), repeat=1
        )
        rows.append((name, "collective Rodas4", t1, tb / args.batch, int(ds.n_steps), err))
        # equal-error comparisons: collective Rodas4 at 10x looser tolerance (its error at rtol is
        # ~10x smaller than LSODA's at the same rtol); collective BDF at 10x tighter tolerance
        for label, kw in [
            ("collective Rodas4 (rtol x10)", dict(rtol=RTOL * 10, atol=ATOL * 10)),
            ("collective BDF (rtol /10)", dict(method="bdf", rtol=RTOL / 10, atol=ATOL / 10)),
        ]:
            c.solve(model, TIMES, initial=init, **kw)
            t1l, dsl = timeit(lambda: c.solve(model, TIMES, initial=init, **kw))
            errl = float(np.max(np.abs(dsl.energy_density.sel(ensemble=ens).values - e_ref)))
            tbl, _ = timeit(lambda: c.sweep(model, TIMES, pts, initials=init, **kw), repeat=1)
            rows.append((name, label, t1l, tbl / args.batch, int(dsl.n_steps), errl))

        # scipy Radau with a Python RHS (finite-difference Jacobian, as a typical user would run it)
        f = python_rhs_factory(low, coef)
        tr, sol = timeit(
            lambda: solve_ivp(
                f, (0, TIMES[-1]), y0, method="Radau", t_eval=TIMES, rtol=RTOL, atol=ATOL
            ),
            repeat=1,
        )
        err_r = float(np.max(np.abs(0.5 * sol.y[k] + 0.5 - e_ref))) if sol.success else np.nan
        rows.append((name, "scipy Radau + Python RHS", tr, tr, int(sol.t.size and sol.nfev), err_r))

        nb_res = bench_numbalsoda(low, coef, y0, args.batch) or bench_scipy_lsoda(
            low, coef, y0, args.batch
        )
        tn1, tnb, usol, ok, label = nb_res
        err_n = float(np.max(np.abs(0.5 * np.asarray(usol)[:, k] + 0.5 - e_ref))) if ok else np.nan
        rows.append((name, label, tn1, tnb, -1, err_n))

    print(
        f"\nrtol={RTOL}, atol={ATOL}; outputs: {TIMES.size} log-spaced times to {TIMES[-1]}; batch={args.batch}"
    )
    print(
        f"{'problem':<20} {'solver':<44} {'t/traj alone':>13} {'t/traj batch':>13} {'steps|nfev':>10} {'max|dE|':>10}"
    )
    for r in rows:
        print(
            f"{r[0]:<20} {r[1]:<44} {r[2] * 1e3:>10.3f} ms {r[3] * 1e3:>10.4f} ms {r[4]:>10} {r[5]:>10.2e}"
        )
    print("\nratios (peer time / collective time; > 1 means collective is faster)")
    for i in range(0, len(rows), 5):
        ours, loose, bdf, radau, lsoda = rows[i : i + 5]
        peer = lsoda[1].split()[0]
        print(f"{ours[0]}:")
        print(
            f"   Radau / Rodas4        alone {radau[2] / ours[2]:7.0f}x   batch {radau[3] / ours[3]:7.0f}x"
        )
        print(
            f"   {peer} / Rodas4     alone {lsoda[2] / ours[2]:7.2f}x   batch {lsoda[3] / ours[3]:7.2f}x  (equal rtol)"
        )
        print(
            f"   {peer} / Rodas4 x10 alone {lsoda[2] / loose[2]:7.2f}x   batch {lsoda[3] / loose[3]:7.2f}x  (about equal error)"
        )
        print(
            f"   {peer} / BDF /10    alone {lsoda[2] / bdf[2]:7.2f}x   batch {lsoda[3] / bdf[3]:7.2f}x  (about equal error)"
        )
    print(
        "(steps|nfev: accepted steps for collective, RHS evaluations for Radau; -1 not reported by LSODA)"
    )
    if not args.skip_start:
        (ci, cr), (wi, wr) = cold_warm_start()
        print(
            f"\ncold start (empty numba cache): import {ci:.2f} s + derive/lower/compile/solve {cr:.2f} s"
        )
        print(f"warm start (cached kernels):    import {wi:.2f} s + derive/lower/solve {wr:.2f} s")


if __name__ == "__main__":
    main()
