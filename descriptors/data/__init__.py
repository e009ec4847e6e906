"""Curated data and element data: schemas and sha256-checked loading of ``datasets/`` (:mod:`.curated`), element
properties from pymatgen/ase (:mod:`.elements`), and validation of computed descriptors against the curated
phase-diagram record (:mod:`.validation`); where the tables live and their sha256 checks (:mod:`.files`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .curated import (
        ARCHITECTURES as ARCHITECTURES,
        LI_LOCATIONS as LI_LOCATIONS,
        carbon_presets as carbon_presets,
        load_table as load_table,
        read_validated_csv as read_validated_csv,
    )
    from .elements import ElementData as ElementData, check_metal as check_metal, element_data as element_data
    from .files import (
        data_hashes as data_hashes,
        datasets_dir as datasets_dir,
        load_metadata as load_metadata,
        verify_hash as verify_hash,
    )
    from .validation import (
        phase_presence_validation as phase_presence_validation,
        solubility_class as solubility_class,
        solubility_rank_validation as solubility_rank_validation,
    )
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
