"""Curated data and element data: schemas and sha256-checked loading of ``datasets/`` (:mod:`.curated`), element
properties from pymatgen/ase (:mod:`.elements`), and validation of computed descriptors against the curated
phase-diagram record (:mod:`.validation`); where the tables live and their sha256 checks (:mod:`.files`)."""

from __future__ import annotations

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "ARCHITECTURES": "curated",
    "LI_LOCATIONS": "curated",
    "carbon_presets": "curated",
    "data_hashes": "files",
    "datasets_dir": "files",
    "load_metadata": "files",
    "load_table": "curated",
    "read_validated_csv": "curated",
    "verify_hash": "files",
    "ElementData": "elements",
    "check_metal": "elements",
    "element_data": "elements",
    "phase_presence_validation": "validation",
    "solubility_class": "validation",
    "solubility_rank_validation": "validation",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
