"""Intermediate Li–M phases from a convex hull (:mod:`.featurizer`) with a pluggable formation-energy source
(:mod:`.energy_sources`: Miedema, tabulated DFT, your CSV/JSON; :mod:`.chgnet_source`: CHGNet-relaxed structures
from the cache of :mod:`descriptors.mlip`)."""

from __future__ import annotations

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "ChgnetSource": "chgnet_source",
    "EnergySource": "hull_entries",
    "HullEntry": "hull_entries",
    "MiedemaSource": "energy_sources",
    "SOURCE_SPECS": "energy_sources",
    "TabulatedSource": "energy_sources",
    "make_source": "energy_sources",
    "IntermediatePhaseFeaturizer": "featurizer",
    "hull_table": "featurizer",
    "li_m_phase_diagram": "featurizer",
    "stable_compounds": "featurizer",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
