"""What optuna and optuna-dashboard read from a study: constraint values, and the grid's designs as trials.

**Constraints.** Each trial's constraint values (:data:`screen.cell.objectives.CONSTRAINTS` order) are stored as one
list under the trial's system attribute ``constraints``. optuna reads that key (``FrozenTrial.constraints``, with keys
``"0"``, ``"1"``, ...; ``study.best_trials`` keeps feasible trials only; NSGA-II and TPE sum the positive values), and
it is the only key optuna-dashboard 0.21 reads (``Trial.set_constraint`` writes ``constraints:<name>``, which the
dashboard does not see). The study's user attribute ``constraint_names`` names the positions.

**The grid's designs.** When the study evaluated its grid first, the grid's ranked designs (the best of each pair,
refined) are added to the study as COMPLETE trials once the optuna loop has finished, valued by the same evaluator as
optuna's trials and with the same distributions as :func:`screen.search.optimize.suggest`, so the dashboard shows the
whole ranking. They carry the user attributes ``found_by = "grid"`` and ``grid_design = k`` (``trials.csv`` lists that
design as trial ``-k``); optuna's own trials carry ``found_by = "optuna"``. Every count of the loop (trials taken,
states, the designs re-evaluated for the ranking, the parameter importances) reads :func:`loop_trials`, which leaves
them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from screen.cell.objectives import CONSTRAINTS, OBJECTIVE_NAMES
from screen.search.database import one_worker_at_a_time
from screen.search.evaluator import DesignEvaluator
from screen.search.grid import DESIGN_COLUMNS
from screen.search.journal import flush_journal

__all__ = ["CONSTRAINT_NAMES", "CONSTRAINTS_KEY", "FOUND_BY", "GRID_DESIGN", "add_grid_trials", "loop_study", "loop_trials",
           "outcomes", "record_constraints", "search_distributions"]

#: The trial system attribute holding the constraint values (optuna's list form, the one optuna-dashboard reads).
CONSTRAINTS_KEY = "constraints"
#: Study user attribute: the constraints' names, in the order of each trial's list.
CONSTRAINT_NAMES = "constraint_names"
#: Trial user attribute: ``"optuna"`` (the loop asked it) or ``"grid"`` (a grid design added after the loop).
FOUND_BY = "found_by"
#: Trial user attribute of a grid trial: its place k (from 1) in the grid's ranking; trial ``-k`` in ``trials.csv``.
GRID_DESIGN = "grid_design"


def outcomes(values: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Objective values (NaN told as 0) and constraint values, one row per design, from an evaluator's output."""
    objectives = np.nan_to_num(np.column_stack([values[k] for k in OBJECTIVE_NAMES]), nan=0.0)
    return objectives, np.column_stack([values[c] for c in CONSTRAINTS]).astype(float)


def _constraint_list(row: Iterable[float]) -> list[float]:
    out = [float(v) for v in row]
    if any(np.isnan(out)):
        raise ValueError(f"NaN constraint value ({dict(zip(CONSTRAINTS, out))})")
    return out


def record_constraints(study: Any, trial_id: int, row: Iterable[float]) -> None:
    """Store a running trial's constraint values where optuna and optuna-dashboard read them."""
    study._storage.set_trial_system_attr(trial_id, CONSTRAINTS_KEY, _constraint_list(row))


def loop_trials(study: Any, states: Sequence[Any] | None = None) -> list[Any]:
    """The study's trials that the optuna loop asked (every trial but the grid's), optionally of some states only."""
    trials = study.get_trials(deepcopy=False, states=None if states is None else tuple(states))
    return [t for t in trials if t.user_attrs.get(FOUND_BY) != "grid"]


def loop_study(study: Any) -> Any:
    """An in-memory study holding the loop's completed trials only (for analyses that take a whole study)."""
    import optuna
    from optuna.trial import TrialState

    view = optuna.create_study(directions=study.directions)
    view.add_trials(loop_trials(study, (TrialState.COMPLETE,)))
    return view


def search_distributions(spec: Any) -> dict[str, Any]:
    """The distribution of each parameter, exactly as :func:`screen.search.optimize.suggest` asks for it
    (``architecture`` only when the study has more than one)."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    sp = spec.space
    dists: dict[str, Any] = {"metal": CategoricalDistribution(spec.metal_choices),
                             "carbon": CategoricalDistribution(spec.carbon_choices)}
    if len(sp.architectures) > 1:
        dists["architecture"] = CategoricalDistribution(list(sp.architectures))
    dists["metal_nm"] = FloatDistribution(sp.metal_nm[0], sp.metal_nm[1], log=True)
    dists["carbon_nm"] = FloatDistribution(sp.carbon_nm[0], sp.carbon_nm[1], log=True)
    return dists


def _params(spec: Any, design: Any, dists: dict[str, Any]) -> dict[str, Any]:
    """A design's trial parameters, shaped as the loop's: no metal thickness without a metal; an architecture whenever
    the study has several (the loop asks it of a carbon-only design too, so the samplers' common search space stays
    the same), thicknesses kept inside their bounds (a refined design may sit an ulp outside)."""
    params: dict[str, Any] = {"metal": design.metal, "carbon": design.carbon}
    if "architecture" in dists:
        none = design.metal == "none"
        params["architecture"] = spec.space.architectures[0] if none else design.architecture
    if design.metal != "none":
        params["metal_nm"] = float(np.clip(design.metal_nm, dists["metal_nm"].low, dists["metal_nm"].high))
    params["carbon_nm"] = float(np.clip(design.carbon_nm, dists["carbon_nm"].low, dists["carbon_nm"].high))
    return params


def add_grid_trials(study: Any, spec: Any, evaluator: DesignEvaluator, designs: pd.DataFrame) -> int:
    """Add the grid's ranked designs (best first) to the study as COMPLETE trials; return how many were added.

    Designs already in the study (by :data:`GRID_DESIGN`: a resumed run, or another worker of a shared study that
    finished first) are not added again; on a shared database one worker at a time adds them.
    """
    from optuna.trial import create_trial

    with one_worker_at_a_time(getattr(study._storage, "_backend", study._storage), spec.study.name):
        present = {t.user_attrs.get(GRID_DESIGN) for t in study.get_trials(deepcopy=False) if t.user_attrs.get(FOUND_BY) == "grid"}
        todo = [k for k in range(1, len(designs) + 1) if k not in present]
        if not todo:
            return 0
        missing = designs.iloc[[k - 1 for k in todo]][DESIGN_COLUMNS].reset_index(drop=True)
        values = evaluator.evaluate_table(missing)
        objectives, constraints = outcomes(values)
        dists = search_distributions(spec)
        trials = []
        # itertuples: pandas-stubs types every field as any scalar
        for k, design, v, c, s in zip(todo, cast("Iterable[Any]", missing.itertuples(index=False)), objectives, constraints,
                                      values["score"]):
            params = _params(spec, design, dists)
            trials.append(create_trial(
                values=[float(x) for x in v], params=params, distributions={p: dists[p] for p in params},
                user_attrs={FOUND_BY: "grid", GRID_DESIGN: k, "score": float(s), "feasible": bool(np.all(np.asarray(c) <= 0.0))},
                system_attrs={CONSTRAINTS_KEY: _constraint_list(c)}))
        study.add_trials(trials)
        flush_journal(study)
    return len(trials)

