"""Benchmark: descriptor throughput on this machine.

Run: ``python benchmarks/bench_descriptors.py`` (prints a JSON report).
Measures, after a warm-up call, the wall time to featurize every curated
metal with each family/source, the carbon presets, and one Raman fit.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from importlib.metadata import version

import numpy as np


def _time(fn, repeat: int = 3) -> float:
    fn()  # warm-up (imports, caches)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # no options: --help says what it does
    from descriptors.data.curated import carbon_presets, load_table
    from descriptors.graphitization.featurizer import GraphitizationFeaturizer
    from descriptors.graphitization.raman import fit_d_g, lorentzian
    from descriptors.phases.energy_sources import MiedemaSource, TabulatedSource
    from descriptors.phases.featurizer import IntermediatePhaseFeaturizer
    from descriptors.solubility.featurizer import LiSolubilityFeaturizer

    metals = load_table("li_binaries.csv")["metal"].tolist()
    carbons = sorted(carbon_presets())
    x = np.linspace(900, 1900, 1000)
    y = 1 + lorentzian(x, 0.8, 1350, 150) + lorentzian(x, 1.0, 1590, 70)
    cases = {
        "solubility": lambda: LiSolubilityFeaturizer().featurize_many(metals),
        "phases_miedema": lambda: IntermediatePhaseFeaturizer(source=MiedemaSource()).featurize_many(metals),
        "phases_oqmd_legacy": lambda: IntermediatePhaseFeaturizer(source=TabulatedSource()).featurize_many(metals),
    }
    report = {"machine": platform.platform(), "python": platform.python_version(),
              "versions": {p: version(p) for p in ("numpy", "pandas", "pymatgen", "scipy")}, "n_metals": len(metals), "results": {}}
    for name, fn in cases.items():
        t = _time(fn)
        report["results"][name] = {"seconds": round(t, 4), "metals_per_second": round(len(metals) / t, 1)}
    t = _time(lambda: GraphitizationFeaturizer().featurize_many(carbons))
    report["results"]["graphitization_presets"] = {"seconds": round(t, 4), "carbons_per_second": round(len(carbons) / t, 1)}
    t = _time(lambda: fit_d_g(x, y))
    report["results"]["raman_fit"] = {"seconds": round(t, 4), "spectra_per_second": round(1 / t, 1)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
