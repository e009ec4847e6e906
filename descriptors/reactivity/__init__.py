"""Reactivity of a metal with the solid electrolyte at the lithium potential (grand-potential reactions, pymatgen)."""

from descriptors.reactivity.electrolytes import ELECTROLYTES, Electrolyte, electrolyte
from descriptors.reactivity.featurizer import AnionReaction, ElectrolyteReactivityFeaturizer, anion_reaction, metal_reactivity

__all__ = ["ELECTROLYTES", "AnionReaction", "Electrolyte", "ElectrolyteReactivityFeaturizer", "anion_reaction",
           "electrolyte", "metal_reactivity"]
