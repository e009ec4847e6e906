"""Suggest the next experiments end to end: :func:`run_suggest` (the Python face of ``interlayer suggest``).

Study file -> model from the registry -> the study's grid (best design per pair) -> pool of cells under the
``[suggest]`` conditions -> the expected information over the posterior draws about the parameters (BALD) or about
the study's top designs (``goal``) -> a diverse batch (:mod:`screen.analysis.suggest`, :mod:`screen.analysis.decision`).
Writes ``<output>/suggest/``: ``suggestions.csv`` (each cell, its predicted
P(under carbon) with interval, the expected information and why), ``to_retrain.csv`` (the same cells as
``literature_outcomes.csv`` rows with the outcome columns empty: fill in the results and a source, then
``interlayer retrain``) and ``run.json``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from descriptors.atomic import staged_run
from descriptors.data.files import data_hashes
from descriptors.errors import InputError
from screen.workflows.folders import make_output_folder, require_own_folder

SUGGESTION_COLUMNS = ["suggestion", "metal", "carbon", "architecture", "metal_nm", "carbon_nm", "fab_mpa", "current_ma_cm2",
                      "temperature_c", "stack_mpa", "areal_capacity_mah_cm2", "p_under_carbon", "p_lo", "p_hi",
                      "information_nats", "informs_parameter", "parameter_status", "parameter_correlation", "decides",
                      "cell_cost_usd", "why"]


def run_suggest(study: str | Path | None = None, *, n: int | None = None, budget_usd: float | None = None,
                exclude_tested: bool | None = None, goal: str | None = None, output: str | Path | None = None,
                model_version: int | None = None,
                model_dir: str | Path | None = None, progress: bool = True) -> pd.DataFrame:
    """Propose the ``n`` cells whose outcome would teach the model most; write them (see the module docstring).

    Args:
        study: study file (``None``: the shipped default study); its ``[suggest]`` table sets the defaults.
        n: number of cells.
        budget_usd: most one suggested cell's interlayer may cost (material, plus deposition where the study gives
            a cost), for the ``[suggest] area_cm2`` cell area (USD).
        exclude_tested: leave out metal/carbon/architecture combinations the curated literature already holds.
        goal: ``parameters`` (BALD) or ``ranking`` (information about the study's top ``[suggest] top`` designs).
        output: folder for ``suggest/`` (default the study's output folder).
        model_version: which registered model version (``None``: the study's, else the registry's default).
        model_dir: the model registry folder (``None``: ``$INTERLAYER_MODEL_DIR`` or the user folder).
        progress: show a progress bar while the model loads.

    Returns:
        The suggestions (columns :data:`SUGGESTION_COLUMNS`).
    """
    from screen.analysis.suggest import as_retrain_rows, candidate_pool, choose, score_pool
    from screen.model.registry import ModelRegistry, library_versions, package_version
    from screen.search.evaluator import DesignEvaluator
    from screen.search.grid import best_per_pair, refine, run_exhaustive
    from screen.search.spec import load_study

    if n is not None and n < 1:
        raise InputError(f"--n must be at least 1, got {n}")
    spec = load_study(study, overrides={"study": {"model_version": model_version,
                                                  "output": str(output) if output is not None else None},
                                        "suggest": {"n": n, "budget_usd": budget_usd, "exclude_tested": exclude_tested, "goal": goal}})
    out = spec.output_dir() / "suggest"
    require_own_folder(out)
    t0 = time.perf_counter()
    registry = ModelRegistry(model_dir)
    pipeline, meta = registry.load(spec.study.model_version, progress=progress)
    evaluator = DesignEvaluator(spec, pipeline)
    grid, _ = run_exhaustive(spec, pipeline, evaluator)
    best = refine(spec, evaluator, best_per_pair(grid))
    pool = candidate_pool(spec, evaluator, best)
    sg = spec.suggest
    scored, members = score_pool(evaluator, pool, pipeline.named_steps["gap"], sg.goal, best, sg.top)
    chosen = choose(scored, members, sg.n, sg.same_metal_factor, sg.same_pair_factor)
    chosen["stack_mpa"], chosen["areal_capacity_mah_cm2"] = spec.cell.stack_mpa, spec.cell.areal_capacity_mah_cm2
    run = {"study": {"name": spec.study.name, "file": spec.source_path, "file_sha256": spec.source_sha256},
           "suggest": sg.model_dump(), "pool_cells": int(len(pool)), "suggested": int(len(chosen)),
           "criterion": ("BALD over the posterior draws (nats)" if sg.goal == "parameters" else
                         f"expected information about the top {sg.top} designs (nats)") + ", greedy; 1 - rho^2 and "
                        "metal/pair down-weighting",
           "model": {"version": meta["version"], "data_sha256": meta["data_sha256"], "registry": str(registry.root)},
           "data_sha256": data_hashes(), "package_version": package_version(), "library_versions": library_versions(),
           "total_seconds": None}
    make_output_folder(out)
    with staged_run(out, run, t0) as staging:
        chosen[SUGGESTION_COLUMNS].to_csv(staging / "suggestions.csv", index=False)
        as_retrain_rows(chosen, spec).to_csv(staging / "to_retrain.csv", index=False)
    result = chosen[SUGGESTION_COLUMNS].copy()
    result.attrs["output"] = str(out)
    return result
