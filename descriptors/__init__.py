"""Descriptors for metal/carbon interlayers, computed from element data and physics.

Rooms, lowest first (a module imports only from its own room or rooms above it in this list)::

    errors, atomic, lazy   error types; the one atomic-write module; lazy package exports
    contract/              the featurizer contract (matminer/scikit-learn) and citations
    data/                  curated datasets (schemas, sha256), element data, validation statistics
    solubility/            Li–M mutual solubility: Miedema heats of solution + Hume-Rothery featurizer
    graphitization/        carbon graphitization index (XRD, Raman, sp², structures); Raman fitting
    mlip/                  ML-potential route: prototypes, CHGNet relaxation, structure cache, compute-binaries
    phases/                intermediate Li–M phases: convex hull over pluggable energy sources (Miedema,
                           tabulated DFT, CHGNet cache, your file)
    maintain               maintainers' entry point (``python -m descriptors.maintain --update-hashes``)

The featurizers: :class:`descriptors.solubility.LiSolubilityFeaturizer`,
:class:`descriptors.phases.IntermediatePhaseFeaturizer`, :class:`descriptors.graphitization.GraphitizationFeaturizer`.
Each subpackage names what it offers in ``__all__`` and imports it on first use, so ``import descriptors`` stays light.
"""

__all__ = ["contract", "data", "graphitization", "mlip", "phases", "solubility"]
