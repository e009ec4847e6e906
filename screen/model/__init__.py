"""The nucleation-overpotential-gap model: cell candidates to descriptors (:mod:`.cells`, :mod:`.fields`), the
classifier and its equations (:mod:`.gap_model`), training and cross-validation on the curated outcomes
(:mod:`.training`), and the versioned JSON model registry (:mod:`.registry`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .cells import (
        CellFeaturizer as CellFeaturizer,
        read_candidates as read_candidates,
        validate_candidates as validate_candidates,
    )
    from .gap_model import NucleationGapModel as NucleationGapModel
    from .parameters import PARAMETERS as PARAMETERS
    from .registry import ModelRegistry as ModelRegistry, default_model_dir as default_model_dir
    from .training import cross_validate as cross_validate, make_pipeline as make_pipeline, training_set as training_set
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
