"""Li–M mutual solubility: Miedema heats of solution (:mod:`.miedema`) and the Hume-Rothery featurizer with its
solubility score and electron-concentration limit (:mod:`.featurizer`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "LiSolubilityFeaturizer": "featurizer",
    "ec_limit": "featurizer",
    "heat_of_solution": "miedema",
    "ordered_enthalpy": "miedema",
    "solution_enthalpy": "miedema",
}
__all__ = sorted(_EXPORTS)
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .featurizer import LiSolubilityFeaturizer as LiSolubilityFeaturizer, ec_limit as ec_limit
    from .miedema import (
        heat_of_solution as heat_of_solution,
        ordered_enthalpy as ordered_enthalpy,
        solution_enthalpy as solution_enthalpy,
    )
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
