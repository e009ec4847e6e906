"""The cell: what a layer costs and what a design is worth, below the search that looks for the best one.

Layer materials, their Li uptake, cost and swelling, and the one vectorised implementation of those formulas
(:mod:`.materials`: :func:`~screen.cell.materials.layer_quantities`), what makes a layer too thin (:mod:`.integrity`),
the reference cell stack and the energy density an interlayer costs it (:mod:`.cell_stack`), the objectives,
constraints and score of a design on the gap model (:mod:`.objectives`), and the study settings all of these read
(:mod:`.settings`, a Protocol the search's study file satisfies)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "Stack": "cell_stack",
    "build_stack": "cell_stack",
    "stack_losses": "cell_stack",
    "integrity": "integrity",
    "CarbonArrays": "materials",
    "MetalArrays": "materials",
    "carbon_arrays": "materials",
    "carbon_layer": "materials",
    "layer_objectives": "materials",
    "layer_quantities": "materials",
    "metal_arrays": "materials",
    "metal_layer": "materials",
    "OBJECTIVES": "objectives",
    "OBJECTIVE_NAMES": "objectives",
    "evaluate": "objectives",
    "StudySettings": "settings",
}
__all__ = sorted(_EXPORTS)
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .cell_stack import Stack as Stack, build_stack as build_stack, stack_losses as stack_losses
    from .integrity import integrity as integrity
    from .materials import (
        CarbonArrays as CarbonArrays,
        MetalArrays as MetalArrays,
        carbon_arrays as carbon_arrays,
        carbon_layer as carbon_layer,
        layer_objectives as layer_objectives,
        layer_quantities as layer_quantities,
        metal_arrays as metal_arrays,
        metal_layer as metal_layer,
    )
    from .objectives import OBJECTIVE_NAMES as OBJECTIVE_NAMES, OBJECTIVES as OBJECTIVES, evaluate as evaluate
    from .settings import StudySettings as StudySettings
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
