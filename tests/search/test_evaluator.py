"""The typed evaluator of generated designs and the full, validating evaluator must agree: the search ranks on the
first, the reports print the second. The layer quantities are one function both call
(:func:`screen.cell.materials.layer_quantities`); what each still computes its own way is checked here: the gap model's
terms (deduplicated, with intervals from one sort of the draws), the sealed fraction, the constraints and the score."""

from __future__ import annotations

import numpy as np
import pandas as pd

from screen.cell.objectives import CONSTRAINTS, evaluate
from screen.search.evaluator import DesignEvaluator
from screen.search.grid import exhaustive_grid
from screen.search.spec import load_study


def test_typed_evaluator_matches_the_full_evaluator_on_the_model_and_the_constraints(registry):
    """At first plating and after cycling (``cycles = 3``: the metal's thickness sets how much of it the lost Li has
    carried off, a term the evaluator once fed another molar volume than the model's)."""
    pipeline, _ = registry.load(0)
    for cycles in (1, 3):
        spec = load_study(None, {"cell": {"cycles": cycles}})
        designs = exhaustive_grid(spec).sample(2500, random_state=3).reset_index(drop=True)  # above the deduplication threshold
        full = evaluate(spec, pipeline, designs)
        ev = DesignEvaluator(spec, pipeline)
        for batch in (designs, designs.head(40)):
            fast = ev.evaluate_table(batch)
            ref = full.head(len(batch))
            for col in ("robustness", "p_under_carbon", "sealed_fraction", *CONSTRAINTS, "score"):
                np.testing.assert_allclose(fast[col], ref[col].to_numpy(float), rtol=1e-9, atol=1e-12, err_msg=f"{col}, cycles={cycles}")
            assert (fast["feasible"] == ref["feasible"].to_numpy(bool)).all()


def test_metals_that_consume_the_argyrodite_are_left_out_unless_the_study_allows_them(registry):
    """With Li6PS5Cl, Ca (CaS) is infeasible by default and feasible-capable once the study switches the constraint
    off; Mg is never touched by it. Both evaluators agree (the grid's and optuna's)."""
    pipeline, _ = registry.load(0)
    space = {"metals": ["Ca", "Mg"], "carbons": ["carbon_black"], "include_carbon_only": False}
    designs = pd.DataFrame({"metal": ["Ca", "Mg"], "carbon": "carbon_black", "architecture": "bilayer",
                            "metal_nm": 50.0, "carbon_nm": 1000.0})
    for allow in (False, True):
        spec = load_study(None, {"space": space, "constraints": {"exclude_electrolyte_reactive": not allow}})
        full = evaluate(spec, pipeline, designs).set_index("metal")
        fast = DesignEvaluator(spec, pipeline).evaluate_table(designs)
        assert full.at["Ca", "reaction_products"] == "CaS" and bool(full.at["Ca", "reacts_with_electrolyte"])
        assert bool(full.at["Ca", "c_reactive"] > 0) == (not allow) and full.at["Mg", "c_reactive"] < 0
        np.testing.assert_array_equal(fast["c_reactive"], full["c_reactive"].to_numpy(float))


def test_an_unknown_electrolyte_in_a_study_file_is_one_line(tmp_path):
    from descriptors.errors import InputError

    p = tmp_path / "s.toml"
    p.write_text('[study]\nname = "x"\n[cell]\nelectrolyte = "Li9XY"\n')
    try:
        load_study(p)
    except InputError as exc:
        assert "unknown electrolyte 'Li9XY'" in str(exc) and "\n" not in str(exc)
    else:
        raise AssertionError("accepted an unknown electrolyte")
