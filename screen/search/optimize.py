"""The optuna loop: search space, samplers, storage, workers, resume, and the exhaustive grid.

**Define-by-run space** (:func:`suggest`): ``metal`` (categorical; ``none`` = carbon-only
layer), ``carbon`` (categorical presets), ``architecture`` (when the study allows more than
one), ``metal_nm`` (log-uniform; only when there is a metal) and ``carbon_nm`` (log-uniform).

**Batches.** Trials are asked in batches of ``population_size`` (one NSGA-II generation), evaluated together with the
vectorised model, and told back with their constraint values (stored where optuna and optuna-dashboard both read them,
:mod:`screen.search.dashboard`) and ``found_by = "optuna"``. NSGA-II assigns a generation from completed trials only,
so a batch asked before any of it is told is exactly one generation, as in a sequential run.

**Grid first.** A study whose exhaustive grid fits (:mod:`screen.search.grid`) starts optuna from the grid's best
design of each of the best ``population_size`` (metal, carbon, architecture) pairs (enqueued trials), so optuna
spends its trials refining continuous thicknesses rather than finding the pairs. Once the loop has finished, the
grid's ranked designs join the study as trials of their own (:func:`screen.search.dashboard.add_grid_trials`), which
the loop's counts leave out.

**Storage.** Default: optuna's journal file ``study.journal`` in the output folder (``optuna-dashboard
study.journal`` shows it). A single worker writes it once per batch (one lock and one fsync for the batch's trials,
:class:`BatchedJournalBackend`); several workers on one machine write it directly. A ``postgresql://`` (or any
SQLAlchemy) URL puts the study in a database that workers on several machines share; each worker stops when the
study holds ``n_trials`` finished or running trials.

**Seeds and resume.** Before each batch the sampler is reseeded from (study seed, worker, trials already in the
study), so a sampler's random state is never stored (NSGA-II and TPE keep nothing else that the storage does not
hold): a single-worker run killed at any point keeps only whole batches in its
journal, and ``--resume`` continues with exactly the trials the uninterrupted run would have made. In a shared
database study every running trial has a heartbeat (``$INTERLAYER_HEARTBEAT_S``, default 10 s): a worker joining or
working marks FAIL only trials whose heartbeat is older than three intervals (a dead worker's) and runs their slots
again, never a live worker's; a journal folder is locked to one process, so on ``--resume`` whatever it left RUNNING
is a killed run's and is marked FAIL; with
several workers the order in which they finish batches is up to the operating system, so such runs are
reproducible in what they find, not trial by trial. No pickle is read from a run folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from descriptors.errors import InputError
from screen.cell.objectives import CONSTRAINTS, DIRECTIONS, OBJECTIVE_NAMES
from screen.search.dashboard import CONSTRAINT_NAMES, FOUND_BY, loop_trials, outcomes, record_constraints
from screen.search.database import START_MARK, fail_own, one_worker_at_a_time, wait_for_database
from screen.search.evaluator import DesignEvaluator
from screen.search.journal import BatchedJournalBackend, flush_journal

JOURNAL_NAME = "study.journal"


def suggest(trial: Any, spec: Any) -> dict[str, Any]:
    """Sample one design from the study's space (define-by-run)."""
    sp = spec.space
    metal = trial.suggest_categorical("metal", spec.metal_choices)
    carbon = trial.suggest_categorical("carbon", spec.carbon_choices)
    archs = list(sp.architectures)
    arch = trial.suggest_categorical("architecture", archs) if len(archs) > 1 else archs[0]
    metal_nm = trial.suggest_float("metal_nm", *sp.metal_nm, log=True) if metal != "none" else np.nan
    carbon_nm = trial.suggest_float("carbon_nm", *sp.carbon_nm, log=True)
    return {"metal": metal, "carbon": carbon, "architecture": arch if metal != "none" else "single_layer",
            "metal_nm": metal_nm, "carbon_nm": carbon_nm}


def batch_seed(seed: int, worker: int, n_before: int) -> int:
    """Seed of the sampler for the batch that starts when the study holds ``n_before`` trials."""
    return int(np.random.SeedSequence([int(seed), int(worker), int(n_before)]).generate_state(1)[0])


def reseed(sampler: Any, seed: int) -> None:
    """Set the random state of an NSGA-II or TPE sampler (and of its random fallback) to ``seed``.

    optuna's ``reseed_rng`` draws fresh random seeds; this sets them from ``seed`` instead, keeping the sampler's
    cached search space (rebuilding the sampler each batch would recompute it over every trial).
    """
    rng, fallback = getattr(sampler, "_rng", None), getattr(sampler, "_random_sampler", None)
    if rng is None or not hasattr(rng, "rng") or fallback is None or not hasattr(fallback, "_rng"):
        raise RuntimeError(f"cannot reseed a {type(sampler).__name__}: this optuna version stores its random state elsewhere")
    seeds = np.random.SeedSequence(seed).generate_state(2)
    rng.rng.seed(int(seeds[0]))
    fallback._rng.rng.seed(int(seeds[1]))


def make_sampler(spec: Any, seed: int) -> Any:
    import optuna

    if spec.study.sampler == "nsga2":
        return optuna.samplers.NSGAIISampler(population_size=spec.study.population_size, seed=seed)
    return optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True)


def redact_url(url: str) -> str:
    """A database URL with its password hidden (for messages and run.json)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


#: Where a database password may come from instead of the command line (the URL then names only the user).
PASSWORD_ENV, PASSWORD_FILE_ENV = "INTERLAYER_DB_PASSWORD", "INTERLAYER_DB_PASSWORD_FILE"


def database_url(storage: str) -> str:
    """The SQLAlchemy URL for ``--storage``: ``postgresql://`` and ``postgres://`` use psycopg2 (the driver the
    ``postgres`` extra installs; SQLAlchemy 2.1 would otherwise pick psycopg 3), and a URL without a password takes it
    from ``$INTERLAYER_DB_PASSWORD`` or the file named by ``$INTERLAYER_DB_PASSWORD_FILE``."""
    import os

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(storage)
    except ArgumentError:
        raise InputError(f"--storage: '{redact_url(storage)}' is not a database URL (e.g. postgresql://user@127.0.0.1:5432/db)") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg2")
    if url.username and url.password is None:
        secret = os.environ.get(PASSWORD_ENV)
        path = os.environ.get(PASSWORD_FILE_ENV)
        if secret is None and path:
            try:
                secret = Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise InputError(f"${PASSWORD_FILE_ENV}: cannot read {path} ({exc.strerror})") from None
        if secret:
            url = url.set(password=secret)
    return url.render_as_string(hide_password=False)


def make_storage(storage: str | None, out_dir: Path, batched: bool = False) -> Any:
    """Journal file in ``out_dir`` (default; ``batched``: written once per batch by a single worker) or an RDB storage
    from a URL; fail early if unreachable."""
    import optuna
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    if storage is None:
        path = str(out_dir / JOURNAL_NAME)
        try:
            return JournalStorage(BatchedJournalBackend(path) if batched else JournalFileBackend(path))
        except JOURNAL_DAMAGE as exc:
            raise damaged_journal(path, exc) from None
    if "://" not in storage:
        raise InputError(f"--storage: '{storage}' is not a database URL (e.g. postgresql://user@127.0.0.1:5432/db)")
    try:
        import warnings

        beat = heartbeat_seconds()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(database_url(storage), engine_kwargs={"pool_pre_ping": True},
                                              heartbeat_interval=beat, grace_period=GRACE_BEATS * beat)
    except ModuleNotFoundError as exc:
        raise InputError(f"--storage {redact_url(storage)}: database driver missing ({exc.name}); "
                         "install it with pip install 'interlayer-screen[postgres]'") from None
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"--storage {redact_url(storage)}: cannot open the study storage ({first[:200]})") from None


#: What reading a damaged or crafted journal raises inside optuna (unknown op codes, lines that are not JSON objects,
#: binary bytes, absurd nesting): turned into one line naming the file.
JOURNAL_DAMAGE = (ValueError, TypeError, KeyError, AssertionError, AttributeError, IndexError, UnicodeDecodeError,
                  RecursionError)


def damaged_journal(path: str | Path, exc: BaseException) -> InputError:
    return InputError(f"{path}: not a study journal this tool can read ({type(exc).__name__}); keep it aside and start "
                      "again with --overwrite")


#: Environment variable: seconds between the heartbeats of a shared (database) study's running trials.
HEARTBEAT_ENV = "INTERLAYER_HEARTBEAT_S"
#: A running trial whose heartbeat is older than this many intervals belongs to a dead worker.
GRACE_BEATS = 3


def heartbeat_seconds() -> int:
    """Heartbeat interval of shared studies (``$INTERLAYER_HEARTBEAT_S``, default 10 s)."""
    import os

    raw = os.environ.get(HEARTBEAT_ENV, "10")
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= 3600:
        raise InputError(f"${HEARTBEAT_ENV}: need whole seconds in 1..3600, got '{raw}'")
    return value


def _heartbeat(study: Any) -> Any:
    """The storage when it keeps heartbeats (a database study), else None."""
    from optuna.storages import BaseStorage
    from optuna.storages._heartbeat import BaseHeartbeat, is_heartbeat_enabled

    storage: BaseStorage = study._storage
    return storage if isinstance(storage, BaseHeartbeat) and is_heartbeat_enabled(storage) else None


def fail_dead_workers_trials(study: Any) -> int:
    """Mark FAIL the running trials whose heartbeat went stale (their worker died); return how many. Trials of live
    workers keep running."""
    import warnings

    import optuna
    from optuna.trial import TrialState

    before = len(study.get_trials(deepcopy=False, states=(TrialState.FAIL,)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
    for trial_id in _never_beaten(study):
        try:
            study._storage.set_trial_state_values(trial_id, state=TrialState.FAIL)
        except optuna.exceptions.UpdateFinishedTrialError:
            pass
    return len(study.get_trials(deepcopy=False, states=(TrialState.FAIL,))) - before


def _never_beaten(study: Any) -> list[int]:
    """Running trials older than the grace period that never got a heartbeat: their worker died between asking the
    trial and recording its first heartbeat, a gap optuna's stale-trial check does not see (it skips trials without
    a heartbeat row; this reads that table through optuna's RDB models)."""
    from datetime import datetime, timedelta

    from optuna.storages._rdb import models
    from optuna.storages._rdb.storage import _create_scoped_session
    from optuna.trial import TrialState

    storage = getattr(study._storage, "_backend", study._storage)  # optuna wraps RDBStorage in a cache
    if not hasattr(storage, "scoped_session"):
        return []
    grace = timedelta(seconds=storage.grace_period or 2 * storage.heartbeat_interval)
    now = datetime.now()
    old = [t._trial_id for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
           if t.datetime_start is not None and now - t.datetime_start.replace(tzinfo=None) > grace]
    if not old:
        return []
    with _create_scoped_session(storage.scoped_session) as session:
        beaten = {h.trial_id for h in session.query(models.TrialHeartbeatModel)
                  .filter(models.TrialHeartbeatModel.trial_id.in_(old)).all()}
    return [i for i in old if i not in beaten]


def fail_stale(study: Any) -> int:
    """Mark trials left RUNNING (a killed worker's) as FAIL; return how many."""
    from optuna.trial import TrialState

    stale = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    for t in stale:
        study._storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL)
    return len(stale)


def n_taken(study: Any) -> int:
    """Trials of the loop finished or running (the grid's trials, added after the loop, are not the loop's)."""
    from optuna.trial import TrialState

    return len(loop_trials(study, (TrialState.COMPLETE, TrialState.RUNNING)))


def run_batches(study: Any, spec: Any, evaluator: DesignEvaluator, n_trials: int, *, worker: int = 0,
                on_batch: Callable[[int], object] | None = None) -> int:
    """Ask, evaluate and tell batches until the study holds ``n_trials`` finished or running trials.

    In a shared (database) study each asked trial gets a heartbeat; before each batch, running trials whose heartbeat
    went stale (a dead worker's) are failed and their slots run again, and a worker that finds the study full waits
    for the other workers' running trials to finish or go stale. A worker's own failure fails its own batch. When the
    database stops answering, the worker waits for it (``$INTERLAYER_DB_RETRY_S``, default 60 s, with backoff), fails
    its own interrupted batch once it is back and goes on; past the wait it stops with the database's error.
    """
    from optuna.exceptions import StorageInternalError, UpdateFinishedTrialError
    from optuna.trial import TrialState

    told = 0
    batch = spec.study.population_size
    beating = _heartbeat(study)
    while True:
        trials: list[Any] = []
        try:
            if beating is not None:
                fail_dead_workers_trials(study)
            before = n_taken(study)
            k = min(batch, n_trials - before)
            if k <= 0:
                if beating is None or not study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
                    return told
                time.sleep(beating.get_heartbeat_interval())  # other workers' trials: finish, or go stale and be re-run
                continue
            reseed(study.sampler, batch_seed(spec.study.seed, worker, before))
            trials = [study.ask() for _ in range(k)]
            if beating is not None:
                for t in trials:
                    beating.record_heartbeat(t._trial_id)
            try:
                designs = pd.DataFrame([suggest(t, spec) for t in trials])
                r = evaluator.evaluate_table(designs)
            except BaseException as exc:
                if not isinstance(exc, Exception):  # Ctrl-C or SIGTERM: leave the batch as a kill would, for an exact resume
                    raise
                for t in trials:
                    study.tell(t, state=TrialState.FAIL)
                flush_journal(study)
                if isinstance(exc, ValueError) and ("distribution" in str(exc).lower() or "value space" in str(exc)):
                    raise InputError(f"study '{spec.study.name}': the search space differs from the stored study's ({exc}): "
                                     "the study file changed, or this version resolves it to other choices (forbidden elements "
                                     "are no longer metal choices); restore the file or start again with --overwrite") from None
                raise
            values, cons = outcomes(r)
            for t, v, c, s in zip(trials, values, cons, r["score"]):
                try:
                    record_constraints(study, t._trial_id, c)
                    t.set_user_attr("score", float(s))
                    t.set_user_attr("feasible", bool(np.all(np.asarray(c) <= 0.0)))  # optuna-dashboard's best list ignores constraints
                    t.set_user_attr(FOUND_BY, "optuna")
                    study.tell(t, [float(x) for x in v])
                except UpdateFinishedTrialError:  # failed as stale by another worker meanwhile: its slot is run again
                    continue
            flush_journal(study)
            told += k
            if on_batch:
                on_batch(k)
        except StorageInternalError:
            if beating is None:  # a journal file: no database to wait for
                raise
            wait_for_database(study)  # the outage's own error once the wait is over
            fail_own(study, trials)  # this worker's batch, never left RUNNING by a live process


def _worker_main(spec_dict: dict[str, Any], storage_url: str | None, out_dir: str, worker: int, model_root: str,
                 model_version: int | None, n_trials: int, resume: bool) -> int:
    """Entry point of a worker process (spawned by :func:`optimize`)."""
    import optuna

    from screen.model.registry import ModelRegistry
    from screen.search.spec import StudySpec

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    spec = StudySpec.model_validate(spec_dict)
    pipeline, _ = ModelRegistry(model_root).load(model_version)
    storage = make_storage(storage_url, Path(out_dir))
    study = optuna.load_study(study_name=spec.study.name, storage=storage)
    return run_batches(study, spec, DesignEvaluator(spec, pipeline), n_trials, worker=worker)


def optimize(spec: Any, pipeline: Any, *, out_dir: Path, storage_url: str | None, model_root: Path,
             model_version: int | None, resume: bool, workers: int = 1, progress: bool = True,
             evaluator: DesignEvaluator | None = None, start_from: pd.DataFrame | None = None) -> tuple[Any, dict[str, Any]]:
    """Create or load the study and run it to ``n_trials``; return (study, run facts).

    ``start_from``: designs (``metal``, ``carbon``, ``architecture``, ``metal_nm``, ``carbon_nm``) enqueued as the
    first trials of a new study (the grid's best).
    """
    import optuna
    from tqdm.auto import tqdm

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    evaluator = evaluator or DesignEvaluator(spec, pipeline)
    storage = make_storage(storage_url, out_dir, batched=workers <= 1)
    try:
        names = [s.study_name for s in optuna.get_all_study_summaries(storage)] if resume or storage_url else []
    except JOURNAL_DAMAGE as exc:
        if storage_url:
            raise
        raise damaged_journal(out_dir / JOURNAL_NAME, exc) from None
    exists = spec.study.name in names
    if resume and not exists:
        raise InputError(f"--resume: no study '{spec.study.name}' in {'the storage' if storage_url else out_dir / JOURNAL_NAME}")
    study = optuna.create_study(study_name=spec.study.name, storage=storage, sampler=make_sampler(spec, spec.study.seed),
                                directions=DIRECTIONS, load_if_exists=True)
    if not exists:
        import warnings

        # workers that start together on one database all find no study: one of them, under a database lock, gives it
        # its metric names and its starting designs; the others find the mark it leaves and add nothing
        with one_worker_at_a_time(storage, spec.study.name):
            if not study.user_attrs.get(START_MARK):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                    study.set_metric_names(list(OBJECTIVE_NAMES))
                study.set_user_attr(CONSTRAINT_NAMES, list(CONSTRAINTS))
                starts = _enqueued(spec, start_from)
                for params in starts:
                    study.enqueue_trial(params)
                study.set_user_attr(START_MARK, len(starts) or -1)
    flush_journal(study)
    # a journal folder is held by this process alone (its lock), so anything RUNNING there is a killed run's; in a
    # shared database only trials whose heartbeat went stale are a dead worker's
    stale = fail_dead_workers_trials(study) if storage_url else (fail_stale(study) if resume else 0)
    n_trials = spec.study.n_trials
    start = n_taken(study)
    t0 = time.perf_counter()
    bar = tqdm(total=n_trials, initial=min(start, n_trials), desc=f"screen {spec.study.name}", unit="trial", disable=not progress)
    try:
        if workers <= 1:
            run_batches(study, spec, evaluator, n_trials, on_batch=bar.update)
        else:
            _run_workers(spec, storage_url, out_dir, model_root, model_version, n_trials, resume, workers, study, bar)
    finally:
        bar.close()
    elapsed = time.perf_counter() - t0
    facts = {"trials_before": start, "stale_running_marked_failed": stale, "optimize_seconds": round(elapsed, 3),
             "workers": workers}
    return study, facts


def _run_workers(spec: Any, storage_url: str | None, out_dir: Path, model_root: Path, model_version: int | None,
                 n_trials: int, resume: bool, workers: int, study: Any, bar: Any) -> None:
    from screen.search.workers import run_in_workers

    args = [(spec.model_dump(), storage_url, str(out_dir), w, str(model_root), model_version, n_trials, resume)
            for w in range(workers)]
    run_in_workers(_worker_main, args, on_poll=lambda: bar.update(max(0, min(n_taken(study), n_trials) - bar.n)))
    bar.update(max(0, min(n_taken(study), n_trials) - bar.n))


def completed_designs(study: Any) -> pd.DataFrame:
    """Params of every COMPLETE trial of the loop (one row per trial, with its number; the grid's trials left out)."""
    from optuna.trial import TrialState

    rows = []
    for t in loop_trials(study, (TrialState.COMPLETE,)):
        p = t.params
        rows.append({"trial": t.number, "metal": p["metal"], "carbon": p["carbon"],
                     "architecture": p.get("architecture", "single_layer" if p["metal"] == "none" else None),
                     "metal_nm": p.get("metal_nm", np.nan), "carbon_nm": p["carbon_nm"]})
    df = pd.DataFrame(rows)
    if df.empty:
        raise InputError("the study has no completed trial")
    return df.sort_values("trial").reset_index(drop=True)


def _enqueued(spec: Any, designs: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Trial parameters of the designs to start from (at most one generation)."""
    if designs is None or designs.empty:
        return []
    out = []
    # itertuples: pandas-stubs types every field as any scalar
    for r in cast("Iterable[Any]", designs.head(spec.study.population_size).itertuples(index=False)):
        params: dict[str, Any] = {"metal": r.metal, "carbon": r.carbon}
        if len(spec.space.architectures) > 1 and r.metal != "none":
            params["architecture"] = r.architecture
        if r.metal != "none":
            params["metal_nm"] = float(r.metal_nm)
        params["carbon_nm"] = float(r.carbon_nm)
        out.append(params)
    return out
