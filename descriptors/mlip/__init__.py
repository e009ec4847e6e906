"""The ML-potential route: prototype structures (:mod:`.prototypes`), CHGNet relaxation (:mod:`.relax`, needs the
``mlip`` extra; torch is imported only inside it), the versioned structure cache (:mod:`.structure_cache`) and the
resumable, parallel ``compute-binaries`` driver (:mod:`.compute`). The hull built from the cache is an energy source
of :mod:`descriptors.phases`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "ComputeReport": "compute",
    "compute_binaries": "compute",
    "plan": "compute",
    "PROTOTYPES": "prototypes",
    "StructureTask": "prototypes",
    "metal_tasks": "prototypes",
    "prototype_structure": "prototypes",
    "MLIP_INSTALL_HINT": "relax",
    "RelaxSettings": "relax",
    "potential_versions": "relax",
    "require_mlip": "relax",
    "SHIPPED_NAME": "structure_cache",
    "StructureCache": "structure_cache",
    "default_user_cache": "structure_cache",
    "read_cache": "structure_cache",
}
__all__ = sorted(_EXPORTS)
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .compute import ComputeReport as ComputeReport, compute_binaries as compute_binaries, plan as plan
    from .prototypes import (
        PROTOTYPES as PROTOTYPES,
        StructureTask as StructureTask,
        metal_tasks as metal_tasks,
        prototype_structure as prototype_structure,
    )
    from .relax import (
        MLIP_INSTALL_HINT as MLIP_INSTALL_HINT,
        RelaxSettings as RelaxSettings,
        potential_versions as potential_versions,
        require_mlip as require_mlip,
    )
    from .structure_cache import (
        SHIPPED_NAME as SHIPPED_NAME,
        StructureCache as StructureCache,
        default_user_cache as default_user_cache,
        read_cache as read_cache,
    )
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
