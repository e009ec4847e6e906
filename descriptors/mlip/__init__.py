"""The ML-potential route: prototype structures (:mod:`.prototypes`), CHGNet relaxation (:mod:`.relax`, needs the
``mlip`` extra; torch is imported only inside it), the versioned structure cache (:mod:`.structure_cache`) and the
resumable, parallel ``compute-binaries`` driver (:mod:`.compute`). The hull built from the cache is an energy source
of :mod:`descriptors.phases`."""

from __future__ import annotations

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
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
