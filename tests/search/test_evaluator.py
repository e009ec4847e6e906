"""The typed evaluator of generated designs and the full, validating evaluator must give the same numbers: the search
ranks on the first, the reports print the second."""

from __future__ import annotations

import numpy as np
import pandas as pd

from screen.search.evaluator import DesignEvaluator
from screen.search.grid import exhaustive_grid
from screen.search.objectives import CONSTRAINTS, OBJECTIVE_NAMES, evaluate
from screen.search.spec import load_study


def test_typed_evaluator_matches_the_full_evaluator(registry):
    pipeline, _ = registry.load(0)
    spec = load_study(None)
    grid = exhaustive_grid(spec)
    designs = grid.sample(2500, random_state=3).reset_index(drop=True)  # above the deduplication threshold
    full = evaluate(spec, pipeline, designs)
    ev = DesignEvaluator(spec, pipeline)
    for batch in (designs, designs.head(40)):
        fast = ev.evaluate_table(batch)
        ref = full.head(len(batch))
        for col in (*OBJECTIVE_NAMES, *CONSTRAINTS, "score", "sealed_fraction", "p_under_carbon"):
            np.testing.assert_allclose(fast[col], ref[col].to_numpy(float), rtol=1e-9, atol=1e-12, err_msg=col)
        assert (fast["feasible"] == ref["feasible"].to_numpy(bool)).all()
    assert isinstance(full, pd.DataFrame)
