"""Intermediate Li–M phases from a convex hull (:mod:`.featurizer`) with a pluggable formation-energy source
(:mod:`.energy_sources`: Miedema, tabulated DFT, your CSV/JSON; :mod:`.chgnet_source`: CHGNet-relaxed structures
from the cache of :mod:`descriptors.mlip`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .chgnet_source import ChgnetSource as ChgnetSource
    from .energy_sources import (
        SOURCE_SPECS as SOURCE_SPECS,
        MiedemaSource as MiedemaSource,
        TabulatedSource as TabulatedSource,
        make_source as make_source,
    )
    from .featurizer import (
        IntermediatePhaseFeaturizer as IntermediatePhaseFeaturizer,
        hull_table as hull_table,
        li_m_phase_diagram as li_m_phase_diagram,
        stable_compounds as stable_compounds,
    )
    from .hull_entries import EnergySource as EnergySource, HullEntry as HullEntry
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
