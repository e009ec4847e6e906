"""Does a metal consume the electrolyte at the lithium potential? A grand-potential reaction calculation (pymatgen).

For each anion of the electrolyte (:mod:`descriptors.reactivity.electrolytes`) the Li–M–X system is built from the
elements (0 eV), the Li–M entries of an energy source (the same hull as the intermediate-phase descriptor), the
lithium binary that holds X at the lithium potential and every M–X compound of ``datasets/thermochemistry.csv``
(measured enthalpies of formation). Lithium is open at the chemical potential of Li metal (μ_Li = 0 on this energy
scale), so the metal meets the anion as its most lithiated stable phase, as it does under plated lithium. pymatgen's
``GrandPotentialInterfacialReactivity`` then gives the most negative reaction energy between the metal's phase and the
lithium binary over every mixing ratio, and the products. A metal reacts when that energy is below
``-tolerance_eV_atom`` (default 0.02 eV/atom, about 2 kJ/mol per atom: fixed in advance as a margin for the
tables' errors, whose size was not read; no outcome was looked at to choose it).

Enthalpies stand in for Gibbs energies (the entropy of a solid-state exchange reaction is small at room temperature).
What the tables lack is said, never filled: Li3P has no tabulated enthalpy, so no metal's reaction with the
phosphide is computed; an anion for which the table holds no compound of the metal is listed in ``uncovered``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from descriptors.contract.featurizer import Featurizer
from descriptors.data.elements import check_metal
from descriptors.data.memo import disk_memo
from descriptors.phases.energy_sources import DEFAULT_ENERGY_SOURCE
from descriptors.reactivity.electrolytes import electrolyte


@cache
def _thermochemistry() -> dict[str, float]:
    """Reduced formula -> measured enthalpy of formation, eV/atom (``datasets/thermochemistry.csv``, hash-checked)."""
    from descriptors.data.curated import load_table

    df = load_table("thermochemistry.csv")
    return dict(zip(df["formula"], df["formation_enthalpy_eV_atom"].astype(float)))


@dataclass(frozen=True)
class AnionReaction:
    """The most negative reaction of the metal's lithiated phase with one anion's lithium binary at μ_Li = 0."""

    anion: str
    energy_eV_atom: float | None  # per atom of the lithium-free mixture; None where it cannot be computed
    products: tuple[str, ...]
    note: str = ""


def anion_reaction(metal: str, anion: str, reservoir: str, li_m_entries: list[Any]) -> AnionReaction:
    """Reaction energy (eV/atom) and products of ``metal``'s most lithiated phase with ``reservoir`` (e.g. Li2S)."""
    from pymatgen.analysis.interface_reactions import GrandPotentialInterfacialReactivity
    from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram, PDEntry, PhaseDiagram
    from pymatgen.core import Composition, Element

    table = _thermochemistry()
    if reservoir not in table:
        return AnionReaction(anion, None, (), f"{anion}: no tabulated enthalpy of {reservoir}")
    compounds = [f for f in table if {str(e) for e in Composition(f).elements} == {metal, anion}]
    if not compounds:
        return AnionReaction(anion, 0.0, (), f"{anion}: no {metal}-{anion} compound in the table")
    entries = [PDEntry(Composition(el), 0.0) for el in ("Li", metal, anion)]
    entries += [PDEntry(Composition({"Li": e.x_li, metal: 1.0 - e.x_li}), e.formation_energy_eV_atom)
                for e in li_m_entries if 0.0 < e.x_li < 1.0]  # one atom's worth of each Li–M point
    entries += [PDEntry(Composition(f), table[f] * Composition(f).num_atoms) for f in (reservoir, *compounds)]
    plain = PhaseDiagram(entries)
    grand = GrandPotentialPhaseDiagram(entries, {Element("Li"): 0.0})
    reactivity = GrandPotentialInterfacialReactivity(Composition(metal), Composition(reservoir), grand, plain,
                                                     norm=True, use_hull_energy=True)
    _, energy = reactivity.minimum
    products: tuple[str, ...] = ()
    for _, _, e, reaction, _ in reactivity.get_kinks():
        if abs(e - energy) < 1e-9:
            products = tuple(sorted(c.reduced_formula for c in reaction.products if c.reduced_formula != "Li"))
            break
    return AnionReaction(anion, float(energy), products)


class ElectrolyteReactivityFeaturizer(Featurizer):
    """Whether a metal, lithiated as under plated Li, takes anions from the electrolyte's reduced interphase.

    Args:
        electrolyte: a name of :data:`descriptors.reactivity.electrolytes.ELECTROLYTES` (``Li6PS5Cl`` by default).
        energy_source: the Li–M energies that set the metal's most lithiated phase (the descriptor default).
        tolerance_eV_atom: a reaction counts when its energy is below minus this (eV per atom of the mixture).
    """

    entry_name = "metal"

    def __init__(self, electrolyte: str = "Li6PS5Cl", energy_source: str = DEFAULT_ENERGY_SOURCE,
                 tolerance_eV_atom: float = 0.02) -> None:
        self.electrolyte = electrolyte
        self.energy_source = energy_source
        self.tolerance_eV_atom = tolerance_eV_atom

    def feature_labels(self) -> list[str]:
        return ["reacts_with_electrolyte", "reaction_energy_eV_atom", "reaction_products", "anions_taken",
                "uncovered", "electrolyte"]

    def units(self) -> list[str]:
        return ["", "eV/atom", "", "", "", ""]

    def citations(self) -> list[str]:
        from descriptors.contract.citations import cite

        e = electrolyte(self.electrolyte)
        return ["SGTE, Thermodynamic Properties of Inorganic Materials, Landolt-Börnstein New Series IV/19 (Springer, "
                "1999), via https://github.com/wolverton-research-group/qmpy/blob/master/qmpy/data/thermodata/ssub.dat",
                f"reduction products of {e.name}: {e.reduction_source}", *cite("pymatgen")]

    def _validate_entry(self, x: Any) -> str:
        return check_metal(str(x))

    def reactions(self, metal: str) -> list[AnionReaction]:
        """One :class:`AnionReaction` per anion of the electrolyte."""
        from descriptors.phases.energy_sources import make_source

        metal = self._validate_entry(metal)
        source = make_source(self.energy_source)
        return [anion_reaction(metal, a, r, source.entries(metal)) for a, r in electrolyte(self.electrolyte).reservoirs.items()]

    def featurize(self, x: Any) -> list[Any]:
        found = self.reactions(x)
        computed = [(r, r.energy_eV_atom) for r in found if r.energy_eV_atom is not None]
        taken = [r for r, e in computed if e < -self.tolerance_eV_atom]
        energy = min((e for _, e in computed), default=float("nan"))
        products = sorted({p for r in taken for p in r.products})
        return [bool(taken), energy, ";".join(products), ";".join(r.anion for r in taken),
                "; ".join(r.note for r in found if r.note), electrolyte(self.electrolyte).name]


def metal_reactivity(metal: str, electrolyte_name: str = "Li6PS5Cl", energy_source: str = DEFAULT_ENERGY_SOURCE) -> dict[str, Any]:
    """:class:`ElectrolyteReactivityFeaturizer`'s features of one metal as a dict (kept in the disk memo: some sixty
    metals' grand-potential diagrams take seconds); ``none`` (a bare collector) reacts with nothing."""
    if metal == "none":
        return {"reacts_with_electrolyte": False, "reaction_energy_eV_atom": 0.0, "reaction_products": "",
                "anions_taken": "", "uncovered": "", "electrolyte": electrolyte(electrolyte_name).name}
    return dict(_memo_reactivity(metal, electrolyte(electrolyte_name).name, energy_source))


@disk_memo("electrolyte_reactivity")
def _memo_reactivity(metal: str, electrolyte_name: str, energy_source: str) -> dict[str, Any]:
    f = ElectrolyteReactivityFeaturizer(electrolyte=electrolyte_name, energy_source=energy_source)
    return dict(zip(f.feature_labels(), f.featurize(metal)))
