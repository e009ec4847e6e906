"""Benchmark: cost of the CHGNet energy source on this machine.

Run: ``python benchmarks/bench_chgnet.py [--metal Zn] [--workers 1 2]`` (prints a JSON report).

Two figures:

1. **From the shipped cache** (no torch needed): the wall time every relaxation took
   when ``interlayer compute-binaries --all-curated`` built it (the ``seconds``
   column), summed per metal and in total, with structures relaxed per minute and
   atoms per structure. This is the full cost of computing all curated metals.
2. **Live** (needs the ``mlip`` extra): relaxes one metal's complete set again into a
   temporary cache, serially and with each ``--workers`` count, and reports
   structures per minute, so the parallel speed-up is measured, not assumed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path


def from_cache() -> dict:
    import pandas as pd

    from descriptors.data.curated import load_table
    from descriptors.data.files import datasets_dir
    from descriptors.mlip.structure_cache import SHIPPED_NAME, read_cache

    rows = pd.DataFrame(read_cache(datasets_dir() / SHIPPED_NAME).rows)
    per_metal = rows.groupby("metal")["seconds"].sum()
    curated = set(load_table("li_binaries.csv")["metal"]) | {"Li"}
    cur = rows[rows["metal"].isin(curated)]
    return {
        "curated_metals": {"metals": len(curated) - 1, "structures": int(len(cur)),
                           "total_relaxation_min": round(float(cur["seconds"].sum()) / 60, 1)},
        "structures": int(len(rows)),
        "metals": int(rows.loc[rows["metal"] != "Li", "metal"].nunique()),
        "total_relaxation_s": round(float(rows["seconds"].sum()), 1),
        "structures_per_minute": round(60.0 * len(rows) / float(rows["seconds"].sum()), 1),
        "median_s_per_structure": round(float(rows["seconds"].median()), 2),
        "median_atoms": int(rows["n_atoms"].median()),
        "s_per_structure_by_role": {k: round(float(v), 2) for k, v in rows.groupby("role")["seconds"].mean().items()},
        "slowest_metals_s": {k: round(float(v), 1) for k, v in per_metal.sort_values(ascending=False).head(5).items()},
        "not_converged": int((~rows["converged"]).sum()),
        "settings": sorted(rows["settings"].unique().tolist()),
        "threads_when_built": "torch 2 threads, 1 process (2-core machine)",
    }


def live(metal: str, workers: list[int]) -> dict:
    from descriptors.mlip.compute import compute_binaries
    from descriptors.mlip.relax import RelaxSettings

    out = {}
    for w in workers:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            # a settings tag of its own, so the shipped rows are not counted as done
            s = RelaxSettings(fmax=0.05, max_steps=399, threads=max(1, (os.cpu_count() or 1) // w))
            rep = compute_binaries([metal], Path(tmp) / "c.csv", settings=s, workers=w, progress=False)
            out[f"workers={w}"] = {"structures": rep.computed, "wall_s": round(time.perf_counter() - t0, 1),
                                   "relax_loop_s": round(rep.seconds, 1), "structures_per_minute": round(rep.per_minute, 1),
                                   "atoms_relaxed": rep.atoms_relaxed}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--metal", default="Zn", help="metal whose full set is relaxed live (default Zn)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time (default 1 2)")
    ap.add_argument("--cache-only", action="store_true", help="only the figures from the shipped cache")
    args = ap.parse_args()
    report: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, "shipped_cache": from_cache()}
    if not args.cache_only:
        from descriptors.mlip.relax import potential_versions, require_mlip

        try:
            require_mlip()
        except Exception as exc:  # the live part needs the extra; the cache figures stand alone
            report["live"] = f"skipped: {exc}"
        else:
            report["versions"] = potential_versions()
            report["live"] = live(args.metal, args.workers)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
