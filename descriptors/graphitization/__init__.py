"""Carbon graphitization: the featurizer (XRD d002 by Mering–Maire, Raman L_a by Cançado, structural class, sp²
fraction; :mod:`.featurizer`) and Raman D/G band fitting of measured spectra (:mod:`.raman`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "GraphitizationFeaturizer": "featurizer",
    "cancado_la_nm": "featurizer",
    "mering_maire": "featurizer",
    "RamanFit": "raman",
    "fit_d_g": "raman",
    "fit_file": "raman",
    "read_spectrum": "raman",
}
__all__ = sorted(_EXPORTS)
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .featurizer import (
        GraphitizationFeaturizer as GraphitizationFeaturizer,
        cancado_la_nm as cancado_la_nm,
        mering_maire as mering_maire,
    )
    from .raman import RamanFit as RamanFit, fit_d_g as fit_d_g, fit_file as fit_file, read_spectrum as read_spectrum
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
