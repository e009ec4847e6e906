"""The featurizer contract shared by every descriptor family (matminer/scikit-learn style: ``featurize``,
``featurize_many``, ``feature_labels``, ``units``, ``citations``, ``precheck``; ``clone``/``get_params``) and the
citation records each featurizer carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "Citation": "citations",
    "cite": "citations",
    "Featurizer": "featurizer",
    "stack_features": "featurizer",
}
__all__ = sorted(_EXPORTS)
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .citations import Citation as Citation, cite as cite
    from .featurizer import Featurizer as Featurizer, stack_features as stack_features
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
