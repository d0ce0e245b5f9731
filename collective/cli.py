"""The ``collective`` command: a thin shell over :mod:`collective.studies`.

::

    collective run CONFIG.toml [-o OUT.nc] [--scheduler ADDRESS] [--workers N] [--resume]
    collective validate CONFIG.toml      # check a config and print the run plan, compute nothing
    collective info FILE.nc              # what a result file holds
    collective models                    # registered presets, their parameters and units
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TextIO

__all__ = ["main", "ProgressBar"]


class ProgressBar:
    """A plain-text progress bar on a stream (stderr): ``[#####.....] 12/40 chunks 30%  eta 18s``.

    On a terminal it redraws one line; otherwise it prints a line at most every 10 %.
    """

    def __init__(
        self, label: str = "chunks", stream: TextIO | None = None, width: int = 30
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.t0 = time.time()
        self.first: int | None = None
        self.last_decile = -1
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int) -> None:
        if self.first is None:
            self.first = done
            self.t0 = time.time()
        frac = done / total if total else 1.0
        filled = int(round(frac * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.time() - self.t0
        new = done - self.first
        eta = ""
        if 0 < new and done < total:
            eta = f"  eta {elapsed / new * (total - done):.0f}s"
        line = f"[{bar}] {done}/{total} {self.label} {100 * frac:3.0f}%  {elapsed:.0f}s{eta}"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
            self.stream.flush()
        else:
            decile = int(frac * 10)
            if decile != self.last_decile or done >= total:
                self.last_decile = decile
                self.stream.write(line + "\n")
                self.stream.flush()


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _cmd_run(args: argparse.Namespace) -> int:
    from .studies import load_config, plan_study, run_study

    cfg = load_config(args.config)
    if not args.quiet:
        _err(plan_study(cfg).summary())
    t0 = time.time()
    out = run_study(
        cfg,
        args.output,
        scheduler=args.scheduler,
        workers=args.workers,
        resume=args.resume,
        progress=None if args.quiet else ProgressBar(),
        log=None if args.quiet else _err,
    )
    if not args.quiet:
        _err(f"wrote {out} in {time.time() - t0:.1f} s")
    print(out)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .studies import load_config, plan_study

    cfg = load_config(args.config)
    print(plan_study(cfg).summary())
    print(f"config ok (sha256 {cfg.sha256})")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from .studies import describe_file

    print(describe_file(args.file))
    if args.config:
        from .studies import read_netcdf

        print("\nconfig text:\n" + str(read_netcdf(args.file).attrs.get("config_text", "")))
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    from .presets import PRESETS
    from .studies import INITIAL_KEYS, key_info

    for name in sorted(PRESETS):
        info = PRESETS[name]
        print(f"{name}: {info.description}")
        if info.reference:
            print(f"  reference: {info.reference}")
        if not any(k in INITIAL_KEYS for k in key_info(name)):
            print("  (no spin ensembles: not usable in `collective run` studies)")
        print(f"  {'parameter':<16} {'default':>12}  {'units':<8} {'valid':<22} description")
        for k, ki in key_info(name).items():
            flag = " [structural]" if ki.structural else ""
            init = " [initial state]" if k in INITIAL_KEYS else ""
            print(
                f"  {k:<16} {ki.default!s:>12}  {ki.units:<8} {ki.valid():<22} {ki.description}{flag}{init}"
            )
        print()
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="collective",
        description="Cumulant and exact solvers for collective "
        "spin ensembles: run studies, inspect results.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a study config (TOML) and write one netCDF file")
    r.add_argument("config", help="study config (TOML)")
    r.add_argument(
        "-o", "--output", default=None, help="output netCDF file (default results/<config>.nc)"
    )
    r.add_argument(
        "--scheduler",
        default=None,
        help="dask scheduler address (tcp://host:port); default: a local cluster on this "
        "machine; 'inline' runs without dask",
    )
    r.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes of the local cluster (default 1, using every core)",
    )
    r.add_argument(
        "--resume", action="store_true", help="continue an interrupted run of the same config"
    )
    r.add_argument("-q", "--quiet", action="store_true", help="no plan, progress bar or messages")
    r.set_defaults(func=_cmd_run)
    v = sub.add_parser("validate", help="check a config and print the run plan")
    v.add_argument("config")
    v.set_defaults(func=_cmd_validate)
    i = sub.add_parser("info", help="describe a result file")
    i.add_argument("file")
    i.add_argument(
        "--config", action="store_true", help="also print the config text stored in the file"
    )
    i.set_defaults(func=_cmd_info)
    m = sub.add_parser("models", help="list registered presets and their parameters with units")
    m.set_defaults(func=_cmd_models)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from .errors import CollectiveError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CollectiveError as exc:
        _err(f"collective {args.command}: error: {exc}")
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        _err("interrupted: rerun with --resume to continue")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
