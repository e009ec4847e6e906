"""``interlayer sensitivity`` end to end: the study's screen (run first if missing) -> pool of ranked designs ->
Sobol, Morris, one-at-a-time and rank stability -> ``<output>/sensitivity/`` and a section of ``report.html``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

from descriptors.errors import InputError
from screen.analysis.sensitivity import SensitivityAnalysis

__all__ = ["run_sensitivity"]


def _pool_from_run(out: Path, pool_size: int) -> pd.DataFrame:
    from screen.analysis.ranks import read_ranking

    ranking = read_ranking(out)
    if ranking.empty:
        raise InputError(f"{out}: the ranking is empty (no feasible design); nothing to analyse")
    return ranking.head(pool_size)


def run_sensitivity(study: str | Path | None = None, *, output: str | Path | None = None, seed: int | None = None,
                    n_base: int | None = None, model_version: int | None = None, model_dir: str | Path | None = None,
                    progress: bool = True, plots: bool = True) -> dict[str, Any]:
    """Run the sensitivity analysis of a screening study; write ``<output>/sensitivity/`` and a report section.

    The study's screening run in its output folder supplies the pool of designs (its ranking);
    if that folder holds no finished run of the same study file, the screen is run first.

    Returns:
        The run record (also ``sensitivity/sensitivity.json``) with the output paths.
    """
    from screen.model.registry import ModelRegistry, library_versions, package_version
    from screen.search.spec import load_study, require_kind
    from screen.workflows.study import run_study

    overrides: dict[str, dict[str, Any]] = {
        "study": {"seed": seed, "model_version": model_version, "output": str(output) if output is not None else None},
        "sensitivity": {"n_base": n_base}}
    spec = load_study(study, overrides=overrides)
    require_kind(spec, "screen", "interlayer sensitivity")
    out = spec.output_dir()
    t0 = time.perf_counter()
    run_file = out / "run.json"
    screened = False
    if run_file.is_file():
        prior = json.loads(run_file.read_text(encoding="utf-8"))
        if prior.get("study", {}).get("file_sha256") != spec.source_sha256:
            raise InputError(f"{out}: holds a run of a different study file; use another --output or rerun the screen with --overwrite")
        model_v = prior["model"]["version"]
        if model_version is not None and model_version != model_v:
            raise InputError(f"{out}: its screen used model v{model_v}, not v{model_version}; rerun the screen with that model "
                             "(interlayer screen --model ... --overwrite) or use another --output")
    else:
        run_study(spec.source_path, output=out, seed=spec.study.seed, model_version=spec.study.model_version,
                  model_dir=model_dir, progress=progress, plots=plots)
        screened = True
        model_v = json.loads(run_file.read_text(encoding="utf-8"))["model"]["version"]
    registry = ModelRegistry(model_dir)
    pipeline, meta = registry.load(model_v, progress=progress)
    pool = _pool_from_run(out, spec.sensitivity.pool)
    steps = ["setup", "sobol", "morris", "one-at-a-time", "rank stability", "outputs"]
    bar = _progress(steps, progress)
    sa = SensitivityAnalysis(spec, pipeline, pool, spec.study.seed)
    timings = {}
    t = time.perf_counter()
    bar.update(1)
    sobol = sa.sobol()
    timings["sobol_s"] = round(time.perf_counter() - t, 3)
    bar.update(1)
    t = time.perf_counter()
    morris = sa.morris()
    timings["morris_s"] = round(time.perf_counter() - t, 3)
    bar.update(1)
    t = time.perf_counter()
    oat = sa.oat()
    timings["oat_s"] = round(time.perf_counter() - t, 3)
    bar.update(1)
    t = time.perf_counter()
    stab_summary, stab = sa.rank_stability()
    timings["rank_stability_s"] = round(time.perf_counter() - t, 3)
    bar.update(1)
    from descriptors.data.files import data_hashes

    record = {
        "study": {"name": spec.study.name, "file": spec.source_path, "file_sha256": spec.source_sha256},
        "seed": spec.study.seed, "screen_run_first": screened, "pool_designs": int(len(pool)),
        "settings": spec.sensitivity.model_dump(), "factors": sa.factor_table().to_dict("records"),
        "sobol_evaluations": sa.sobol_evaluations, "morris_evaluations": sa.morris_evaluations,
        "outputs_analysed": sorted(sobol["output"].unique().tolist()), "rank_stability": stab_summary,
        "first_order_sums": sobol.groupby("output")["S1"].sum().round(4).to_dict(),
        "model": {"version": meta["version"], "data_sha256": meta["data_sha256"]}, "data_sha256": data_hashes(),
        "package_version": package_version(), "library_versions": library_versions() | {"SALib": _salib_version()},
        "timings": timings,
    }
    from screen.report.sensitivity_report import write_sensitivity_outputs

    record["output"] = str(out / "sensitivity")
    write_sensitivity_outputs(out, spec, sa, sobol, morris, oat, stab, record, t0, plots=plots)
    bar.update(1)
    bar.close()
    return record


def _salib_version() -> str:
    from importlib.metadata import version

    return version("SALib")


def _progress(steps: list[str], enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=len(steps), desc="sensitivity", unit="step", disable=not enabled, leave=False)
