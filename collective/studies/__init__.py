"""Studies as data: TOML configs, parameter grids on dask, resumable runs, netCDF with provenance.

A study config names a registered preset and numbers (see :mod:`collective.studies.config`);
:func:`run_study` splits its grid into chunks of one model structure each, runs them on a dask
cluster (a local one by default), keeps every finished chunk on disk so an interrupted run resumes,
and writes one netCDF file with units and provenance.
"""

from __future__ import annotations

from .compute import STATUS_NOT_COMPUTED, STATUS_WORKER_ERROR, run_chunk
from .config import (
    INITIAL_KEYS,
    Case,
    DerivedConfig,
    MethodConfig,
    RunConfig,
    StudyConfig,
    key_info,
    load_config,
    parse_config,
)
from .derived import add_derived, first_crossing
from .grid import Chunk, Grid, GroupSpec, PointSpec, build_grid, make_chunks
from .io import describe_file, provenance, read_netcdf, write_netcdf
from .runner import VOLATILE_ATTRS, Plan, assemble, default_output, parts_dir, plan_study, run_study

__all__ = [
    # configs
    "StudyConfig",
    "MethodConfig",
    "Case",
    "DerivedConfig",
    "RunConfig",
    "load_config",
    "parse_config",
    "key_info",
    "INITIAL_KEYS",
    # grids and chunks
    "Grid",
    "GroupSpec",
    "PointSpec",
    "Chunk",
    "build_grid",
    "make_chunks",
    # running
    "Plan",
    "plan_study",
    "run_study",
    "run_chunk",
    "assemble",
    "parts_dir",
    "default_output",
    "STATUS_WORKER_ERROR",
    "STATUS_NOT_COMPUTED",
    "VOLATILE_ATTRS",
    # files and derived quantities
    "read_netcdf",
    "write_netcdf",
    "describe_file",
    "provenance",
    "add_derived",
    "first_crossing",
]
