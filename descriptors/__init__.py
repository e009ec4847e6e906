"""Descriptors for metal/carbon interlayers, computed from element data and physics.

Families:

* :class:`~descriptors.solubility.LiSolubilityFeaturizer` — Li–M mutual solubility
  (Miedema heats of solution, Hume-Rothery factors, a solubility score).
* :class:`~descriptors.phases.IntermediatePhaseFeaturizer` — intermediate Li–M phases
  from a convex hull with a pluggable energy source (``descriptors.energy_sources``;
  CHGNet-relaxed structures in ``descriptors.chgnet_source``, built by
  ``descriptors.prototypes``, ``descriptors.mlip`` and ``descriptors.compute_binaries``
  and cached by ``descriptors.structure_cache``).
* :class:`~descriptors.graphitization.GraphitizationFeaturizer` — carbon graphitization
  index from XRD, Raman (``descriptors.raman``), sp² fraction or structures.

Curated data are read through :mod:`descriptors.data` (schemas and sha256 checks).
Submodules are imported on use so that ``import descriptors`` stays light.
"""

__all__ = ["base", "chgnet_source", "compute_binaries", "data", "elements", "energy_sources", "graphitization", "miedema", "mlip",
           "phases", "prototypes", "raman", "solubility", "structure_cache", "validation"]
