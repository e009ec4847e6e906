"""Descriptors for metal/carbon interlayers, computed from element data and physics.

Families:

* :class:`~descriptors.solubility.LiSolubilityFeaturizer` — Li–M mutual solubility
  (Miedema heats of solution, Hume-Rothery factors, a solubility score).
* :class:`~descriptors.phases.IntermediatePhaseFeaturizer` — intermediate Li–M phases
  from a convex hull with a pluggable energy source (``descriptors.energy_sources``).
* :class:`~descriptors.graphitization.GraphitizationFeaturizer` — carbon graphitization
  index from XRD, Raman (``descriptors.raman``), sp² fraction or structures.

Curated data are read through :mod:`descriptors.data` (schemas and sha256 checks).
Submodules are imported on use so that ``import descriptors`` stays light.
"""

__all__ = ["base", "data", "elements", "energy_sources", "graphitization", "miedema", "phases", "raman", "solubility", "validation"]
