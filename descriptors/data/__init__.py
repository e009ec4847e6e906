"""Curated data and element data: schemas and sha256-checked loading of ``datasets/`` (:mod:`.curated`), element
properties from pymatgen/ase (:mod:`.elements`), and validation of computed descriptors against the curated
phase-diagram record (:mod:`.validation`)."""

from __future__ import annotations

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "ARCHITECTURES": "curated",
    "LI_LOCATIONS": "curated",
    "carbon_presets": "curated",
    "data_hashes": "curated",
    "datasets_dir": "curated",
    "load_metadata": "curated",
    "load_table": "curated",
    "read_validated_csv": "curated",
    "verify_hash": "curated",
    "ElementData": "elements",
    "check_metal": "elements",
    "element_data": "elements",
    "phase_presence_validation": "validation",
    "solubility_class": "validation",
    "solubility_rank_validation": "validation",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
