"""Run a screening study end to end: :func:`run_study` (the Python face of ``interlayer screen``).

Data flow: study file -> model from the registry -> optuna loop (:mod:`screen.search.optimize`) ->
re-evaluation of every completed trial -> ranking, Pareto set, optional exhaustive check ->
outputs (:mod:`screen.report.study_report`). Outputs are staged in a hidden folder and moved into the
output folder when complete, ``run.json`` last, so a folder with ``run.json`` is a finished run.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from descriptors.atomic import move_folder, remove_folder, staged_run
from descriptors.data.files import data_hashes
from descriptors.errors import InputError
from screen.analysis.optimum import optimum_reasons
from screen.analysis.ranks import posterior_ranking
from screen.cell.objectives import CONSTRAINTS, evaluate
from screen.search.dashboard import add_grid_trials, loop_study, loop_trials
from screen.search.evaluator import DesignEvaluator
from screen.search.grid import DESIGN_COLUMNS, best_per_pair, grid_size, refine, run_exhaustive
from screen.search.optimize import JOURNAL_NAME, completed_designs, optimize
from screen.search.ranking import RANKING_COLUMNS, exhaustive_check, pareto_mask, rank_designs
from screen.workflows.folders import LOCK_NAME, folder_lock, make_output_folder, require_own_folder

OUTPUT_FILES = ("ranking.csv", "ranking.json", "pareto.csv", "trials.csv", "exhaustive_top.csv", "explanations.csv",
                "vs_reference.csv", "pareto.png", "tradeoffs.png", "importances.png", "ranking.png", "report.html", "run.json")
#: The resolved study of a run, written when it starts; ``--resume`` continues only the same study.
STUDY_RECORD = "study.json"
#: Files that mark a folder as a run of this tool (finished, unfinished, or killed before its journal existed).
RUN_MARKERS = ("run.json", JOURNAL_NAME, STUDY_RECORD)


#: What the tool resolves a study file to (not keys of the file): a new version or new data may change them.
RESOLVED_CHOICES = ("metal_choices", "carbon_choices", "carbon_merged")


def _resolved(spec: Any) -> dict[str, Any]:
    """What a resumed run must share with the run it continues: the resolved study, less the trial count (a resume
    may add trials) and where the file lay."""
    import json

    d = spec.model_dump(mode="json", exclude={"source_path", "source_sha256"})
    d["study"].pop("n_trials", None)
    resolved: dict[str, Any] = json.loads(json.dumps(d, sort_keys=True))
    return resolved


def _check_same_study(out: Path, spec: Any, resume: bool) -> None:
    """Record the resolved study of a new run; refuse a resume whose study differs from the recorded one."""
    import json

    from descriptors.atomic import atomic_target

    record = out / STUDY_RECORD
    if resume and record.is_file():
        try:
            before = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            raise InputError(f"--resume: {record} is not readable ({type(exc).__name__}); start again with --overwrite") from None
        if not isinstance(before, dict):
            raise InputError(f"--resume: {record} is not a study record this tool wrote; start again with --overwrite")
        now = _resolved(spec)
        changed = []
        for t in sorted(set(before) | set(now)):
            a, b = before.get(t), now.get(t)
            if isinstance(a, dict) and isinstance(b, dict):
                changed += [f"{t}.{k}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
            elif a != b:
                changed.append(t)
        if changed and set(changed) <= set(RESOLVED_CHOICES):
            raise InputError(f"--resume: the run in {out} has other choices ({', '.join(changed)}) than this version resolves "
                             "the same study file to (forbidden elements are no longer metal choices, or the data changed); "
                             "start again with --overwrite or another --output")
        if changed:
            raise InputError(f"--resume: the study differs from the run in {out} ({', '.join(changed[:4])}"
                             f"{', ...' if len(changed) > 4 else ''}); only n_trials may change: resume with the same "
                             "study file, or start again with --overwrite or another --output")
        return
    with atomic_target(record) as tmp:
        tmp.write_text(json.dumps(_resolved(spec), indent=1, sort_keys=True), encoding="utf-8")

#: Where a finished run of the same study is kept when the study is run again into its folder.
PREVIOUS_SUFFIX = ".prev"


def previous_folder(out: Path) -> Path:
    """``runs/default`` -> ``runs/default.prev``: the finished run a rerun of the same study replaced."""
    return out.with_name(out.name + PREVIOUS_SUFFIX)


def _is_finished_run_of(out: Path, spec: Any) -> bool:
    """True when ``out`` holds a finished run (``run.json``) of this very study (the recorded resolved study equals
    this one, the trial count aside) whose journal nobody has written to since (a later, unfinished resume is not a
    finished run: it must be resumed or overwritten on purpose)."""
    import json

    done, journal = out / "run.json", out / JOURNAL_NAME
    if not done.is_file() or not (out / STUDY_RECORD).is_file():
        return False
    if journal.is_file() and journal.stat().st_mtime_ns > done.stat().st_mtime_ns:
        return False

    def where_left_out(d: object) -> object:  # the same folder, named with or without --output
        if isinstance(d, dict) and isinstance(d.get("study"), dict):
            d["study"].pop("output", None)
        return d

    try:
        before = where_left_out(json.loads((out / STUDY_RECORD).read_text(encoding="utf-8")))
    except (OSError, ValueError, RecursionError):
        return False
    return before == where_left_out(_resolved(spec))


def _set_aside_finished_run(out: Path) -> Path:
    """Move a run out of the way (to ``<out>.prev``, replacing an older one of this tool) so the study can run
    again into ``out``; returns the folder it went to. Refused while another process runs in ``out``."""
    prev = previous_folder(out)
    if prev.exists():
        require_own_folder(prev, RUN_MARKERS)
    with folder_lock(out):  # nobody is running in it now, and nobody can start while it moves
        if prev.exists():
            remove_folder(prev)
        move_folder(out, prev)
    (prev / LOCK_NAME).unlink(missing_ok=True)
    return prev


def _restore_finished_run(out: Path, prev: Path) -> None:
    """Put the set-aside run back after the rerun failed or was interrupted (the partial rerun is discarded)."""
    if out.exists() and not (out / "run.json").exists():
        shutil.rmtree(out, ignore_errors=True)
    if not out.exists():
        move_folder(prev, out)


def study_extras(spec: Any, pipeline: Any, ranked: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The ``[report]`` tables: ``explanations`` (why the top metals rank high) and ``vs_reference``."""
    from screen.analysis.explain import explain_top, versus_reference

    extras = {}
    if spec.report.explain_top and len(ranked):
        extras["explanations"] = explain_top(spec, pipeline, ranked, spec.report.explain_top)
    if spec.report.reference_metal and len(ranked):
        extras["vs_reference"] = versus_reference(spec, ranked, spec.report.reference_metal)
    return {k: v for k, v in extras.items() if len(v)}


def _grid_stage(spec: Any, pipeline: Any, evaluator: DesignEvaluator) -> tuple[pd.DataFrame | None, dict[str, Any] | None]:
    """The grid's best design per pair (best first) and what the stage did, or (None, None) when it does not run."""
    ex = spec.exhaustive
    n = grid_size(spec)
    if not ex.grid_first or n > ex.max_grid_designs:
        return None, None
    t0 = time.perf_counter()
    grid, seconds = run_exhaustive(spec, pipeline, evaluator)
    best = refine(spec, evaluator, best_per_pair(grid))
    return best, {"designs": int(n), "evaluate_seconds": round(seconds, 3), "total_seconds": round(time.perf_counter() - t0, 3),
                  "pairs_feasible": int(len(best)), "started_optuna_from": int(min(len(best), spec.study.population_size))}


def _add_grid_trials(study: Any, spec: Any, evaluator: DesignEvaluator, grid_best: pd.DataFrame | None) -> dict[str, Any] | None:
    """The grid's ranked designs added to the study as trials, for optuna-dashboard (after the loop, whose sampler
    they would otherwise steer); what was added, how many the study holds, and the seconds it took."""
    if grid_best is None or grid_best.empty:
        return None
    t0 = time.perf_counter()
    added = add_grid_trials(study, spec, evaluator, grid_best)
    held = len(study.get_trials(deepcopy=False)) - len(loop_trials(study))
    return {"added": added, "in_study": held, "seconds": round(time.perf_counter() - t0, 3)}


def _prepare_output(out: Path, resume: bool, overwrite: bool, shared_storage: bool) -> None:
    done = (out / "run.json").exists()
    journal = (out / JOURNAL_NAME).exists()
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    if resume and not shared_storage and not journal:
        raise InputError(f"--resume: {out} holds no study journal ({JOURNAL_NAME})")
    if not resume and not overwrite and (done or (journal and not shared_storage)):
        raise InputError(f"{out}: already holds a study; use --resume to continue it or --overwrite to start again")
    if overwrite and out.is_dir():
        for name in (*OUTPUT_FILES, JOURNAL_NAME, STUDY_RECORD):
            (out / name).unlink(missing_ok=True)
        for p in out.glob("sampler-w*.pkl"):  # left by versions that pickled the sampler
            p.unlink()
    make_output_folder(out)


def run_study(study: str | Path | None = None, *, output: str | Path | None = None, n_trials: int | None = None,
              seed: int | None = None, workers: int = 1, storage: str | None = None, resume: bool = False,
              overwrite: bool = False, exhaustive: bool = False, model_version: int | None = None,
              model_dir: str | Path | None = None, progress: bool = True, plots: bool = True) -> pd.DataFrame:
    """Run a screening study and write its outputs; return the ranking.

    Args:
        study: study file (TOML); ``None`` = the shipped ``studies/default.toml``.
        output: output folder (default: the study file's ``output``, else ``runs/<name>``).
        n_trials: total trials (overrides the study file).
        seed: sampler seed (overrides the study file).
        workers: parallel worker processes on this machine.
        storage: database URL shared by workers on several machines (default: a journal file in the output folder).
        resume: continue the study in the output folder / storage.
        overwrite: discard an earlier run in the output folder.
        exhaustive: also evaluate a dense grid and report the top-10 recall of the optuna ranking.
        model_version: registry version of the gap model (default: the study file's, else the latest).
        model_dir: registry root (default ``$INTERLAYER_MODEL_DIR`` or the user data folder).
        progress: show a progress bar.
        plots: write the PNG plots and the HTML report.

    Returns:
        The ranking (one row per metal/carbon/architecture, best feasible design, ranked by score).

    Running a study again into a folder that holds a finished run of the *same* study (the trial count may differ)
    replaces it: the earlier run is moved to ``<output>.prev`` (replacing an older one) and moved back if the new run
    fails or is interrupted. ``overwrite`` does the same for any run of this tool in the folder. A folder holding another
    study or an unfinished run (without ``overwrite``), or files not of this tool, is refused.
    """
    from screen.model.registry import ModelRegistry
    from screen.search.spec import load_study, require_kind

    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    if resume and overwrite:
        raise InputError("--resume and --overwrite contradict each other (continue the run, or discard it and start "
                         "again): give one")
    spec = load_study(study, overrides={"study": {"n_trials": n_trials, "seed": seed, "model_version": model_version,
                                                  "output": str(Path(output).expanduser()) if output is not None else None}})
    require_kind(spec, "screen", "interlayer screen")
    out = spec.output_dir()
    registry = ModelRegistry(model_dir)
    t0 = time.perf_counter()
    pipeline, model_meta = registry.load(spec.study.model_version, progress=progress)
    if storage is not None:
        from screen.search.optimize import make_storage

        make_storage(storage, out)  # fail before anything is written if the database is unreachable
    set_aside = None
    if not resume and storage is None and out.is_dir():
        if overwrite and any((out / m).exists() for m in RUN_MARKERS):
            require_own_folder(out, RUN_MARKERS)
            # --overwrite: the earlier run is set aside, not deleted, until this run has finished
            set_aside = _set_aside_finished_run(out)
        elif not overwrite and _is_finished_run_of(out, spec):
            # a rerun of the same study: the finished run moves to <out>.prev and comes back if this run does not finish
            set_aside = _set_aside_finished_run(out)
    try:
        result = _run_in_folder(spec, out, registry, pipeline, model_meta, t0, storage=storage, resume=resume,
                                overwrite=overwrite, exhaustive=exhaustive, workers=workers, progress=progress, plots=plots)
    except BaseException:
        if set_aside is not None:
            _restore_finished_run(out, set_aside)
        raise
    if set_aside is not None:
        result.attrs["previous_run"] = str(set_aside)
    return result


def _run_in_folder(spec: Any, out: Path, registry: Any, pipeline: Any, model_meta: dict[str, Any], t0: float, *,
                   storage: str | None, resume: bool, overwrite: bool, exhaustive: bool, workers: int, progress: bool,
                   plots: bool) -> pd.DataFrame:
    """The run itself, inside the output folder's lock (see :func:`run_study`)."""
    from screen.model.registry import library_versions, package_version
    from screen.report.study_report import write_outputs

    created = not out.exists()
    if not resume:
        # before the lock file is made in somebody else's folder; a folder holding only the study record is a run of
        # this tool killed before its journal existed
        require_own_folder(out, RUN_MARKERS)
    locked = False
    try:
        with folder_lock(out):
            locked = True
            _prepare_output(out, resume, overwrite, storage is not None)
            _check_same_study(out, spec, resume)
            evaluator = DesignEvaluator(spec, pipeline)
            grid_best, grid_facts = _grid_stage(spec, pipeline, evaluator)
            study_obj, facts = optimize(spec, pipeline, out_dir=out, storage_url=storage, model_root=registry.root,
                                        model_version=model_meta["version"], resume=resume, workers=workers, progress=progress,
                                        evaluator=evaluator, start_from=grid_best)
            facts["grid_trials"] = _add_grid_trials(study_obj, spec, evaluator, grid_best)
            from optuna.trial import TrialState

            designs = completed_designs(study_obj).assign(found_by="optuna")
            if grid_best is not None and len(grid_best):
                extra = grid_best[DESIGN_COLUMNS].assign(trial=-1 - np.arange(len(grid_best)), found_by="grid")
                designs = pd.concat([designs, extra], ignore_index=True)
            table = evaluate(spec, pipeline, designs[DESIGN_COLUMNS])
            table.insert(0, "trial", designs["trial"].to_numpy())
            table.insert(1, "found_by", designs["found_by"].to_numpy())
            table["pareto"] = pareto_mask(table)
            opt = table[table["found_by"] == "optuna"]
            ranked = rank_designs(table)
            if ranked.empty:
                broken = {c: int((table[c] > 0).sum()) for c in CONSTRAINTS if (table[c] > 0).any()}
                raise InputError(f"study '{spec.study.name}': no feasible design in {len(table)} evaluated; every design breaks a "
                                 f"constraint ({', '.join(f'{k}: {v}' for k, v in broken.items())}); relax [constraints] or widen [space]")
            ranked = posterior_ranking(spec, pipeline, ranked)
            ranked["optimum"] = optimum_reasons(spec, pipeline, ranked, evaluator)
            states = pd.Series([t.state.name for t in loop_trials(study_obj)]).value_counts().to_dict()
            ex_summary, ex_top = (exhaustive_check(spec, pipeline, table, ranked,
                                                   order=lambda r: posterior_ranking(spec, pipeline, r))
                                  if exhaustive else (None, pd.DataFrame()))
            from screen.search.optimize import redact_url

            run = {
                "study": {"name": spec.study.name, "file": spec.source_path, "file_sha256": spec.source_sha256,
                          "resolved": spec.model_dump(exclude={"source_path", "source_sha256"})},
                "seed": spec.study.seed, "n_trials": spec.study.n_trials, "sampler": spec.study.sampler,
                "storage": redact_url(storage) if storage else f"journal file {out / JOURNAL_NAME}",
                "trial_states": {k: int(v) for k, v in states.items()},
                "completed_trials": int(len(opt)), "infeasible_trials": int((~opt["feasible"]).sum()),
                "infeasible_by_constraint": {c: int((opt[c] > 0).sum()) for c in CONSTRAINTS},
                "grid_designs_added": int((table["found_by"] == "grid").sum()),
                "failed_trials": int(states.get(TrialState.FAIL.name, 0)),
                "pareto_trials": int(table["pareto"].sum()), "ranked_designs": int(len(ranked)),
                "carbons_merged": spec.carbon_merged, "reference_stack": spec.stack.reference,
                "model": {"version": model_meta["version"], "data_sha256": model_meta["data_sha256"], "registry": str(registry.root),
                          "seed": model_meta.get("seed"), "study_ids": model_meta.get("study_ids")},
                "data_sha256": data_hashes(), "package_version": package_version(), "library_versions": library_versions(),
                "exhaustive": ex_summary, "grid_first": grid_facts, **facts, "total_seconds": None,
            }
            extras = study_extras(spec, pipeline, ranked)
            run["extras"] = sorted(extras)
            with staged_run(out, run, t0) as staging:
                write_outputs(staging, spec, table, ranked, ex_top, run, loop_study(study_obj), plots=plots, extras=extras)
            result = ranked[[c for c in RANKING_COLUMNS if c in ranked.columns]].copy()
            result.attrs["output"] = str(out)
    except InputError:
        if created and locked:  # a folder this run made; never one another process holds
            shutil.rmtree(out, ignore_errors=True)
        raise
    return result
