"""What an energy source gives the hull: :class:`HullEntry` points, and the :class:`EnergySource` protocol every
source (Miedema, tabulated, CHGNet cache, a user's file) follows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["EnergySource", "HullEntry"]


@dataclass(frozen=True)
class HullEntry:
    """One point for the Li–M hull.

    Attributes:
        formula: reduced formula (e.g. ``"LiAg"``) or a label for solution points.
        x_li: atomic fraction of Li.
        formation_energy_eV_atom: formation energy (or free energy for solution points), eV/atom.
        kind: ``"compound"`` or ``"solution"``.
        label: where the entry came from (e.g. ``"B2:LiMg"`` for a relaxed prototype); empty if the formula says it all.
    """

    formula: str
    x_li: float
    formation_energy_eV_atom: float
    kind: str = "compound"
    label: str = ""


class EnergySource(Protocol):
    """What the intermediate-phase featurizer needs from an energy source."""

    name: str

    def entries(self, metal: str) -> list[HullEntry]:
        """Hull entries for Li–``metal`` (empty list: the source has no data)."""
        ...

    def citations(self) -> list[str]:
        """References for the energies."""
        ...
