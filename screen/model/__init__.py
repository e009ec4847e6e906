"""The nucleation-overpotential-gap model: cell candidates to descriptors (:mod:`.cells`, :mod:`.fields`), the
classifier and its equations (:mod:`.gap_model`), training and cross-validation on the curated outcomes
(:mod:`.training`), and the versioned JSON model registry (:mod:`.registry`)."""

from __future__ import annotations

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "CellFeaturizer": "cells",
    "read_candidates": "cells",
    "validate_candidates": "cells",
    "NucleationGapModel": "gap_model",
    "PARAMETERS": "parameters",
    "ModelRegistry": "registry",
    "default_model_dir": "registry",
    "cross_validate": "training",
    "make_pipeline": "training",
    "training_set": "training",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
