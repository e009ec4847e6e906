"""Solid electrolytes and the lithium binaries that hold their anions at the lithium potential.

At the potential of plated lithium a sulfide, oxide or oxynitride electrolyte is reduced: each anion ends in its
lithium binary (S in Li2S, Cl in LiCl, P in Li3P, O in Li2O, N in Li3N). Those binaries are what a metal (or its
lithium alloy) meets where it touches the electrolyte's interphase, so whether the metal takes an anion from them at
the lithium chemical potential decides whether it consumes the electrolyte.
"""

from __future__ import annotations

from dataclasses import dataclass

from descriptors.errors import InputError

#: The lithium binary that holds each anion at the lithium potential.
LITHIUM_BINARY: dict[str, str] = {"S": "Li2S", "Cl": "LiCl", "P": "Li3P", "O": "Li2O", "N": "Li3N"}


@dataclass(frozen=True)
class Electrolyte:
    """A solid electrolyte by its anions (``anions``: element symbols) and where its reduction products are stated."""

    name: str
    formula: str
    anions: tuple[str, ...]
    reduction_source: str

    @property
    def reservoirs(self) -> dict[str, str]:
        """Anion -> the lithium binary holding it at the lithium potential."""
        return {a: LITHIUM_BINARY[a] for a in self.anions}


_COMPOSITION = ("assumed from the composition: at 0 V against Li every anion is held by its lithium binary "
                "(not read for this electrolyte)")
#: The electrolytes known by name, with the source of their reduction products at the lithium potential.
ELECTROLYTES: dict[str, Electrolyte] = {e.name: e for e in (
    Electrolyte("Li6PS5Cl", "Li6PS5Cl", ("S", "Cl", "P"),
                "https://pubs.rsc.org/en/content/articlehtml/2026/ta/d6ta00922k (Li/Li6PS5Cl interfaces decompose to "
                "an interphase of Li3P, Li2S and LiCl; abstract read)"),
    Electrolyte("Li3PS4", "Li3PS4", ("S", "P"), _COMPOSITION),
    Electrolyte("Li7P3S11", "Li7P3S11", ("S", "P"), _COMPOSITION),
    Electrolyte("Li10GeP2S12", "Li10GeP2S12", ("S", "P"), _COMPOSITION + "; Ge ends as a Li-Ge alloy, not an anion"),
    Electrolyte("LLZO", "Li7La3Zr2O12", ("O",), _COMPOSITION + "; La and Zr stay as their oxides or metals"),
    Electrolyte("LiPON", "Li2.88PO3.73N0.14", ("O", "N", "P"),
                "https://paperzz.com/doc/8017714/si-final-new---royal-society-of-chemistry (Zhu, He, Mo, J. Mater. "
                "Chem. A 4, 3253 (2016), Table S1: Li3N, Li2O and Li3P at 0.01 V; supporting information read)"),
)}


def electrolyte(name: str) -> Electrolyte:
    """The electrolyte called ``name`` (case-insensitive); one-line error naming the known ones otherwise."""
    for key, value in ELECTROLYTES.items():
        if key.lower() == str(name).strip().lower() or value.formula.lower() == str(name).strip().lower():
            return value
    raise InputError(f"unknown electrolyte '{name}' (known: {', '.join(ELECTROLYTES)})")
