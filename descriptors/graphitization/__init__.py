"""Carbon graphitization: the featurizer (XRD d002 by Mering–Maire, Raman L_a by Cançado, structural class, sp²
fraction; :mod:`.featurizer`) and Raman D/G band fitting of measured spectra (:mod:`.raman`)."""

from __future__ import annotations

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
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
