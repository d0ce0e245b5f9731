"""Benchmark: collective.exact vs QuTiP mesolve on the Dias et al. (2024) model, Eq. (4).

m = 1 battery, N_B = 2, gamma_up = gamma_down = 1, charger fully excited, battery empty, evolved to
t = 4 ln(N)/N with N = N_C + N_B.  Prints, in one run:

* wall time per N_C for ours and for QuTiP mesolve (in the product of symmetric Dicke spaces,
  the representation the issue author timed), each run in a child process killed after the budget;
* agreement max_t |E_B(ours) - E_B(QuTiP)| where both finish;
* the largest N_C each finishes within the budget (default 60 s) and the ratio;
* the same ladder for ours with m = 3, N_B = 2;
* peak resident memory of every run (ru_maxrss of its child process).

QuTiP is a benchmark-only dependency: when it is missing the QuTiP column is skipped (and said so).

Usage: python runs/benchmarks/bench_exact.py [--budget 60] [--quick]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import resource
import sys
import time

import numpy as np

RTOL, ATOL = 1e-10, 1e-12  # ours
QT_RTOL, QT_ATOL = (
    1e-10,
    1e-12,
)  # QuTiP (tight so that the comparison tests agreement, not tolerance)
NT = 41


def _times(N_C: int, N_B: int) -> np.ndarray:
    N = N_C + N_B
    return np.linspace(0.0, 4 * math.log(N) / N, NT)


def _ours(N_C: int, m: int, N_B: int, q) -> None:
    import collective as c
    import collective.exact as ex

    t0 = time.perf_counter()
    model = c.dias2024(reservoirs=m, N_C=N_C, N_B=N_B, gamma_down=1.0, gamma_up=1.0)
    res = ex.evolve(
        model, _times(N_C, N_B), c.InitialState.from_energy({"C": 1.0}), rtol=RTOL, atol=ATOL
    )
    wall = time.perf_counter() - t0
    E_B = res.Jz[:, 1] / N_B + 0.5
    size = sum(s.system.size for s in res.sectors)
    q.put(
        (
            wall,
            E_B,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            size,
            res.stats["methods"],
        )
    )


def _qutip(N_C: int, m: int, N_B: int, q) -> None:
    import qutip as qt

    t0 = time.perf_counter()
    jC, jB = N_C / 2, N_B / 2
    IC, IB = qt.qeye(N_C + 1), qt.qeye(N_B + 1)
    JmC = qt.tensor(qt.jmat(jC, "-"), IB)
    JmB = qt.tensor(IC, qt.jmat(jB, "-"))
    JzB = qt.tensor(IC, qt.jmat(jB, "z"))
    g_down = g_up = 1.0  # Dias L-convention: gamma L[O] = 2 gamma D[O]  ->  c_op = sqrt(2 gamma) O
    c_ops = [math.sqrt(2 * g_down) * (JmC + JmB), math.sqrt(2 * g_up) * JmC.dag()]
    psi0 = qt.tensor(qt.basis(N_C + 1, 0), qt.basis(N_B + 1, N_B))  # jmat basis starts at m = +j
    rho0 = qt.ket2dm(psi0)
    H = 0 * JzB
    out = qt.mesolve(
        H,
        rho0,
        _times(N_C, N_B),
        c_ops=c_ops,
        e_ops=[JzB],
        options={"atol": QT_ATOL, "rtol": QT_RTOL, "nsteps": 10**7, "progress_bar": False},
    )
    wall = time.perf_counter() - t0
    E_B = np.real(np.asarray(out.expect[0])) / N_B + 0.5
    q.put(
        (
            wall,
            E_B,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            (N_C + 1) ** 2 * (N_B + 1) ** 2,
            "qutip",
        )
    )


def _run(target, N_C: int, m: int, N_B: int, budget: float):
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(N_C, m, N_B, q))
    t0 = time.perf_counter()
    p.start()
    try:
        out = q.get(timeout=budget + 5)
    except Exception:
        out = None
    if p.is_alive():
        p.kill()
    p.join()
    elapsed = time.perf_counter() - t0
    if out is None or out[0] > budget:
        return None, elapsed
    return out, elapsed


def ladder(target, Ns, m, N_B, budget, label):
    results = {}
    for N_C in Ns:
        out, elapsed = _run(target, N_C, m, N_B, budget)
        if out is None:
            print(
                f"  {label:6s} m={m} N_C={N_C:>7d}: did not finish within {budget:.0f} s (stopped at {elapsed:.0f} s)",
                flush=True,
            )
            break
        wall, E_B, rss, size, how = out
        results[N_C] = out
        print(
            f"  {label:6s} m={m} N_C={N_C:>7d}: {wall:8.2f} s  peak RSS {rss:8.0f} MiB  "
            f"state size {size:>10d}  [{how}]  E_B(t_f) = {E_B[-1]:.10f}",
            flush=True,
        )
    return results


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--budget", type=float, default=60.0, help="seconds per run (default 60)")
    ap.add_argument("--quick", action="store_true", help="short ladders (smoke test)")
    args = ap.parse_args()
    budget = args.budget
    try:
        import qutip  # noqa: F401

        have_qutip = True
        qt_version = qutip.__version__
    except ImportError:
        have_qutip = False
        qt_version = None
    import collective

    print(
        f"collective {collective.__version__}; QuTiP {qt_version or 'NOT INSTALLED: QuTiP column skipped'}; "
        f"budget {budget:.0f} s per run; python {sys.version.split()[0]}"
    )
    print("Dias et al. (2024) Eq. (4): m = 1, N_B = 2, gamma_up = gamma_down = 1, t_f = 4 ln(N)/N")
    if args.quick:
        ours_N = [20, 40, 1000]
        qt_N = [20, 40]
        m3_N = [10, 20]
    else:
        ours_N = [
            20,
            40,
            60,
            80,
            100,
            200,
            500,
            1000,
            2000,
            5000,
            10_000,
            20_000,
            50_000,
            100_000,
            200_000,
        ]
        qt_N = [20, 40, 60, 80, 100, 120, 140, 160, 200]
        m3_N = [10, 20, 30, 40, 60, 80, 100, 150, 200]
    print("\n[ours, m = 1]")
    ours = ladder(_ours, ours_N, 1, 2, budget, "ours")
    qt = {}
    if have_qutip:
        print("\n[QuTiP mesolve, m = 1]")
        qt = ladder(_qutip, qt_N, 1, 2, budget, "qutip")
    print("\n[ours, m = 3]")
    m3 = ladder(_ours, m3_N, 3, 2, budget, "ours")

    print("\n" + "=" * 96)
    print(
        f"{'N_C':>8} | {'ours [s]':>9} | {'ours MiB':>8} | {'QuTiP [s]':>9} | {'QuTiP MiB':>9} | {'max|dE_B|':>10}"
    )
    print("-" * 96)
    for N_C in sorted(set(ours) | set(qt)):
        o, q = ours.get(N_C), qt.get(N_C)
        diff = f"{np.max(np.abs(o[1] - q[1])):.2e}" if (o and q) else "-"
        print(
            f"{N_C:>8} | {o[0] if o else float('nan'):9.2f} | {o[2] if o else float('nan'):8.0f} | "
            f"{q[0] if q else float('nan'):9.2f} | {q[2] if q else float('nan'):9.0f} | {diff:>10}"
        )
    print("-" * 96)
    big_o = max(ours) if ours else 0
    big_q = max(qt) if qt else 0
    print(
        f"largest N_C within {budget:.0f} s, m = 1: ours {big_o}"
        + (" (ladder top, not a limit)" if big_o == ours_N[-1] else "")
        + (f", QuTiP {big_q}, ratio {big_o / big_q:.0f}x" if big_q else ", QuTiP: not run")
    )
    both = [N for N in ours if N in qt]
    if both:
        worst = max(np.max(np.abs(ours[N][1] - qt[N][1])) for N in both)
        print(f"agreement where both run (N_C = {both}): max |E_B ours - E_B QuTiP| = {worst:.2e}")
    big3 = max(m3) if m3 else 0
    print(
        f"largest N_C within {budget:.0f} s, m = 3, N_B = 2: ours {big3}"
        + (" (ladder top, not a limit)" if big3 == m3_N[-1] else "")
    )
    print(
        f"peak memory (ru_maxrss of the child) ours m=1: {max((v[2] for v in ours.values()), default=0):.0f} MiB, "
        f"m=3: {max((v[2] for v in m3.values()), default=0):.0f} MiB, "
        f"QuTiP: {max((v[2] for v in qt.values()), default=0):.0f} MiB"
    )


if __name__ == "__main__":
    main()
