"""Li–M mutual solubility: Miedema heats of solution (:mod:`.miedema`) and the Hume-Rothery featurizer with its
solubility score and electron-concentration limit (:mod:`.featurizer`)."""

from __future__ import annotations

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "LiSolubilityFeaturizer": "featurizer",
    "ec_limit": "featurizer",
    "heat_of_solution": "miedema",
    "ordered_enthalpy": "miedema",
    "solution_enthalpy": "miedema",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
