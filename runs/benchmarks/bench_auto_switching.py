"""Does ``method="auto"`` pick the faster method?  Dias pump cases, auto vs DOP853 alone vs Rodas4
alone.

The pumped plateaus of the Dias et al. model are moderately stiff for long times: Rodas4's
accuracy-limited steps and DOP853's stability-limited ones can be of the same size, and the
stiffness switch of ``auto`` decides which one runs.  This script times the three methods on the
cases that decide it:
  Dias m = 1-3, gamma_up in {0, gamma_down, 2 gamma_down}, charger excited or in its ground state,
  N_C = 1e3, 1e4, 1e5; unequal batteries and thermal reservoirs at N_C = 1e4;
  rtol 1e-5 .. 1e-8 (atol = 1e-4 rtol), 300 log-spaced outputs in [1e-9, 1].
For each case it prints the best-of-5 time per trajectory, steps and switches of ``auto``, and
``auto / min(dop853, rodas4)``: near 1 or below means the switch chose well.

To compare two versions of the kernels, run the script in both checkouts, alternating, and compare
``auto`` case by case (the machine drifts by 20-40 %: take the best of several runs).

Run:  .venv/bin/python runs/benchmarks/bench_auto_switching.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import collective as c

T = np.geomspace(1e-9, 1.0, 300)


def cases(quick: bool):
    out = []
    for m, gu, ec in [(2, 1.0, 1.0), (3, 1.0, 1.0), (3, 2.0, 1.0), (3, 2.0, 0.0), (1, 0.0, 1.0)]:
        for NC in (10**3, 10**4) if quick else (10**3, 10**4, 10**5):
            model = c.dias2024(reservoirs=m, N_C=NC, N_B=100, gamma_up=gu)
            out.append((f"m={m} up={gu:g} E_C0={ec:g} N_C={NC:.0e}", model, {"C": ec}))
    out.append(
        (
            "m=3 up=1 thermal nbar=0.5 N_C=1e4",
            c.dias2024(reservoirs=3, N_C=10**4, N_B=100, gamma_up=1.0, nbar=0.5),
            {"C": 1.0},
        )
    )
    out.append(
        (
            "m=3 up=2 N_B=50/100/200 N_C=1e4",
            c.dias2024(reservoirs=3, N_C=10**4, N_B=[50, 100, 200], gamma_up=2.0),
            {"C": 1.0},
        )
    )
    return out


def best(fn, repeat=5):
    b = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        b = min(b, time.perf_counter() - t)
    return b


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N_C = 1e3, 1e4 only; rtol 1e-6, 1e-8")
    args = ap.parse_args()
    rtols = (1e-6, 1e-8) if args.quick else (1e-5, 1e-6, 1e-7, 1e-8)
    print(
        f"{'case':<36} {'rtol':>6} {'auto ms':>8} {'dop853':>8} {'rodas4':>8} "
        f"{'steps':>6} {'switch':>6} {'auto/best':>9}"
    )
    ratios = []
    totals = {"auto": 0.0, "best single": 0.0}
    for name, model, energies in cases(args.quick):
        init = c.InitialState.from_energy(energies)
        for rt in rtols:
            t, stats = {}, {}
            for method in ("auto", "dop853", "rodas4"):
                p = c.Problem(model, initial=init, method=method, rtol=rt, atol=rt * 1e-4)
                tr = p.integrate(T)
                stats[method] = tr.stats
                ok = tr.status == 0
                t[method] = best(lambda p=p: p.integrate(T)) if ok else np.inf
            single = min(t["dop853"], t["rodas4"])
            ratios.append(t["auto"] / single)
            totals["auto"] += t["auto"]
            totals["best single"] += single
            print(
                f"{name:<36} {rt:>6.0e} {t['auto'] * 1e3:>8.3f} {t['dop853'] * 1e3:>8.3f} "
                f"{t['rodas4'] * 1e3:>8.3f} {int(stats['auto']['n_steps']):>6} "
                f"{int(stats['auto']['n_switches']):>6} {ratios[-1]:>9.2f}"
            )
    r = np.array(ratios)
    print(
        f"\nauto / best single method: median {np.median(r):.2f}, max {r.max():.2f}; "
        f"summed time auto {totals['auto'] * 1e3:.1f} ms, best single "
        f"{totals['best single'] * 1e3:.1f} ms (inf: that method failed)"
    )


if __name__ == "__main__":
    main()
