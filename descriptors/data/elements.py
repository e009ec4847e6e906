"""Element checks and element data from pymatgen and ase.

All element properties used by the descriptors come from here, so the
source of each (pymatgen's periodic table, ase's reference states) is in
one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from descriptors.errors import InputError

#: Elements that are accepted as interlayer "metals": pymatgen metals plus the
#: metalloids Si, Ge and Sb, which are used as Li alloy hosts.
_ALLOWED_METALLOIDS = {"Si", "Ge", "Sb"}

#: Simple metallic structures; Hume-Rothery's structure rule compares these.
SIMPLE_METALLIC = ("bcc", "fcc", "hcp")


def check_metal(symbol: Any) -> str:
    """Return the canonical symbol of a metal, or raise :class:`InputError`.

    Accepts a symbol in any capitalisation (``"mg"`` → ``"Mg"``), a pymatgen ``Element`` or ``Species``, or a
    ``Composition`` of a single element (``Composition("Mg")``). Rejects unknown symbols, non-metals, compositions of
    several elements and Li itself (Li is the plated element).
    """
    from pymatgen.core.periodic_table import Element

    s = _symbol_of(symbol).strip()
    canon = s[:1].upper() + s[1:].lower()
    if not canon or not Element.is_valid_symbol(canon):
        raise InputError(f"unknown element symbol '{symbol}'")
    if canon == "Li":
        raise InputError("'Li' is the plated element; name the interlayer metal (e.g. Mg, Ag)")
    el = Element(canon)
    if not (el.is_metal or canon in _ALLOWED_METALLOIDS):
        raise InputError(f"'{canon}' is not a metal")
    return canon


def _symbol_of(x: Any) -> str:
    """The element symbol of a pymatgen ``Element``/``Species``/single-element ``Composition``, or ``str(x)``."""
    from pymatgen.core import Composition
    from pymatgen.core.periodic_table import Element, Species

    if isinstance(x, Element):
        return x.symbol
    if isinstance(x, Species):
        return x.element.symbol
    if isinstance(x, Composition):
        if len(x.elements) != 1:
            raise InputError(f"composition {x.reduced_formula} has {len(x.elements)} elements; an interlayer metal is one element")
        return _symbol_of(x.elements[0])
    return str(x)


@dataclass(frozen=True)
class ElementData:
    """Element properties used by the Hume-Rothery factors.

    Attributes:
        symbol: element symbol.
        radius_A: metallic radius (CN 12) in Å from pymatgen; pymatgen's
            ``atomic_radius`` where no metallic radius is tabulated (Sn, Bi, Si, Ge).
        radius_kind: ``"metallic"`` or ``"atomic"`` (which radius was used).
        electronegativity: Pauling electronegativity (dimensionless).
        valence: Hume-Rothery valence (s-block: group; group 11: 1; group 12: 2;
            p-block: group - 10; lanthanides: 3; other d-block: lowest positive
            common oxidation state).
        structure: ground-state structure symbol from ase's reference states
            (``bcc``, ``fcc``, ``hcp``, ``diamond``, ``bct``, ...).
        molar_mass_g_mol: atomic mass in g/mol.
        density_g_cm3: density of the solid in g/cm³ (pymatgen).
    """

    symbol: str
    radius_A: float
    radius_kind: str
    electronegativity: float
    valence: int
    structure: str
    molar_mass_g_mol: float
    density_g_cm3: float


@cache
def element_data(symbol: str) -> ElementData:
    """Element properties for ``symbol`` (Li is allowed here)."""
    import warnings

    from ase.data import atomic_numbers, reference_states
    from pymatgen.core.periodic_table import Element

    el = Element(symbol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metallic = el.metallic_radius
        density = el.density_of_solid
    if metallic is not None and float(metallic) > 0:
        radius, kind = float(metallic), "metallic"
    elif el.atomic_radius is not None:
        radius, kind = float(el.atomic_radius), "atomic"
    else:
        raise InputError(f"{symbol}: neither a metallic nor an atomic radius in pymatgen's element data")
    group = int(el.group)
    if el.block == "s":
        valence = group
    elif group == 11:
        valence = 1
    elif group == 12:
        valence = 2
    elif el.block == "p":
        valence = group - 10
    elif el.block == "f" or group == 3:
        valence = 3
    else:
        positive = [o for o in el.common_oxidation_states if o > 0]
        valence = min(positive) if positive else 0
    ref = reference_states[atomic_numbers[symbol]] or {}
    return ElementData(
        symbol=symbol,
        radius_A=radius,
        radius_kind=kind,
        electronegativity=float(el.X),
        valence=int(valence),
        structure=str(ref.get("symmetry", "unknown")),
        molar_mass_g_mol=float(el.atomic_mass),
        density_g_cm3=float(density) / 1000.0 if density else float("nan"),
    )
