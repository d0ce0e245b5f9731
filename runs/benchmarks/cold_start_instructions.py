"""Cold start measured in instructions, not seconds: a deterministic yardstick for compile-time work.

Wall time of a cold start (derive + lower + first solve with empty numba and equation caches) varies
by +-20-30 % on a shared machine, more than most compile-time changes are worth; valgrind's
instruction count of the same process is reproducible to ~0.01 % (with ``PYTHONHASHSEED`` fixed).
This script runs the cold path of ``bench_integrator.py`` (Dias m = 3 with pump, N_C = 1e7) under
``valgrind --tool=callgrind`` in a fresh process with empty caches and prints the total, the share
in LLVM (numba's back end) and in the Python interpreter (numba's front end, the generator, imports).

Run:  .venv/bin/python runs/benchmarks/cold_start_instructions.py [--ref PATH_TO_OTHER_CHECKOUT]
      [--method auto|rodas4|dop853|bdf]
(about 7 minutes per checkout: the process runs ~60x slower under valgrind; needs
``apt-get install valgrind``).  With ``--ref`` the other checkout is measured too (both processes
run in parallel) and the ratio printed: the way to tell whether a change to the kernels helps.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def cold_path(method: str) -> str:
    return (
        "import collective as c, numpy as np;"
        "m = c.dias2024(reservoirs=3, N_C=10**7, N_B=100, gamma_up=2.0);"
        "c.solve(m, np.geomspace(1e-9, 2e-5, 200), initial=c.InitialState.from_energy({'C': 1.0}),"
        f" method={method!r})"
    )


def start(checkout: Path, workdir: Path, method: str) -> subprocess.Popen:
    env = dict(
        os.environ,
        PYTHONPATH=str(checkout),
        PYTHONHASHSEED="0",
        NUMBA_CACHE_DIR=str(workdir / "numba"),
        COLLECTIVE_CACHE_DIR=str(workdir / "eqs"),
    )
    cmd = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={workdir / 'callgrind.out'}",
        sys.executable,
        "-c",
        cold_path(method),
    ]
    return subprocess.Popen(
        cmd, env=env, cwd=checkout, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def summary(proc: subprocess.Popen, workdir: Path) -> dict[str, float]:
    log, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"the cold path failed under valgrind:\n{log[-2000:]}")
    total = int(re.search(r"Collected : (\d+)", log).group(1))
    shares = {"total": total / 1e9, "llvm": 0.0, "python": 0.0}
    annot = shutil.which("callgrind_annotate")
    if annot:
        out = subprocess.run(
            [annot, "--inclusive=no", "--threshold=100", str(workdir / "callgrind.out")],
            capture_output=True,
            text=True,
        ).stdout
        for line in out.splitlines():
            m = re.match(r"\s*([\d,]+) \(.*\[(.*)\]\s*$", line)
            if m:
                n = int(m.group(1).replace(",", "")) / 1e9
                if "libllvmlite" in m.group(2):
                    shares["llvm"] += n
                elif "libpython" in m.group(2):
                    shares["python"] += n
    return shares


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--ref", type=Path, help="another checkout to measure alongside (e.g. a git worktree)"
    )
    ap.add_argument(
        "--method",
        default="auto",
        choices=["auto", "rodas4", "dop853", "bdf"],
        help="the solve's method: which kernel's cold compile is counted (default auto)",
    )
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    here = Path(__file__).resolve().parents[2]
    checkouts = {"this checkout": here}
    if args.ref is not None:
        checkouts["--ref"] = args.ref.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        dirs = {k: Path(tmp) / str(i) for i, k in enumerate(checkouts)}
        for d in dirs.values():
            d.mkdir()
        procs = {k: start(path, dirs[k], args.method) for k, path in checkouts.items()}
        res = {k: summary(p, dirs[k]) for k, p in procs.items()}
    print(
        f"cold start (import + derive + lower + compile + first solve, method={args.method!r}),"
        " instructions in 1e9:"
    )
    for k, r in res.items():
        print(
            f"  {k:14s} total {r['total']:7.2f}  llvm {r['llvm']:6.2f}  python {r['python']:6.2f}  ({checkouts[k]})"
        )
    if len(res) == 2:
        a, b = res["this checkout"]["total"], res["--ref"]["total"]
        print(f"  this / ref = {a / b:.4f}")


if __name__ == "__main__":
    main()
