"""Crystal structures for a Li–M binary: elemental references, ordered prototypes, solutions.

Everything here is geometry from crystallography (Strukturbericht types and
their Wyckoff positions, as in the AFLOW Library of Crystallographic Prototypes,
doi:10.1016/j.commatsci.2017.01.017; free parameters such as C14's z and x are
that library's values); no energies. The structures are starting points for a
relaxation (``descriptors.mlip.relax``): each is scaled to the volume that Vegard's
law gives from the elements' atomic volumes (pymatgen ``molar_volume``), and the
relaxation finds the cell and positions.

**Ordered prototypes** (``PROTOTYPES``), each built both Li-rich and M-rich where
the stoichiometry is not 1:1. The parent lattice is recorded because it decides
what an ordered phase competes with:

=======  =============  ======  ============  =================================================
name     type           AB_n    parent        Li–M examples (assessed or DFT)
=======  =============  ======  ============  =================================================
B2       CsCl           AB      bcc           LiAg, LiHg, LiTl, LiPd (β phases)
B32      NaTl           AB      bcc           LiAl, LiZn, LiCd, LiGa, LiIn (Zintl-like)
L1_0     CuAu           AB      fcc           ordered fcc equiatomic
D0_3     BiF3 / Fe3Al   A3B     bcc           Li3Bi, Li3Sb, Li3Au
L1_2     Cu3Au          A3B     fcc           Al3Li (metastable δ')
A15      Cr3Si          A3B     (tcp)         topologically close packed
D0_19    Ni3Sn          A3B     hcp           ordered hcp (Mg, Zn, Cd hosts)
C15      MgCu2 Laves    AB2     (tcp)         LiPt2 / Li2Pt-type Laves phases
C14      MgZn2 Laves    AB2     (tcp)         CaLi2
D1a      Ni4Mo          A4B     fcc           Li-rich / M-rich ordered fcc
=======  =============  ======  ============  =================================================

**Elemental references**: Li in bcc, fcc and hcp; M in bcc, fcc, hcp and its
ase reference state when that is another structure (diamond Si/Ge, β-Sn,
tetragonal In, A7 Bi/Sb, A10 Hg, A11 α-Ga built from its Wyckoff positions).
The hull uses the lowest relaxed energy of each element.

**Solution cells** (competing disordered phases, never counted as compounds):

* dilute Li in M: one Li in a supercell (≥ 30 atoms) of M's reference structure;
* dilute M in Li: one M in a 54-atom bcc Li supercell;
* random bcc Li–M at x_Li ≈ 1/4, 1/2, 3/4: 54-atom bcc cells with a seeded random
  occupation (one configuration each, a stand-in for a special quasirandom structure).

An ordered bcc superstructure (B2, B32, D0_3) and the bcc solid solution share
a lattice; ``descriptors.phases.chgnet_source`` tells them apart by energy: the ordered
cell counts as a distinct phase only if it lies below the solution's free energy
``E_random(x) - T S_ideal(x)`` at the hull temperature.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from descriptors.data.elements import check_metal
from descriptors.errors import InputError

if TYPE_CHECKING:
    from pymatgen.core import Structure

_FCC_T = ((0, 0, 0), (0, 0.5, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0))

#: Atoms in the dilute and random solution supercells (bcc 3x3x3 conventional).
BCC_SUPERCELL = (3, 3, 3)

#: Li fractions of the random bcc solution cells.
RANDOM_BCC_X = (0.25, 0.5, 0.75)

#: Smallest number of atoms in the dilute Li-in-M supercell.
MIN_DILUTE_ATOMS = 30


@dataclass(frozen=True)
class Prototype:
    """An ordered binary prototype ``A_a B_b`` (A and B are assigned Li or M when built)."""

    name: str
    strukturbericht: str
    parent: str
    a_count: int
    b_count: int


#: The ordered binary prototypes relaxed for each Li–M pair (built Li-rich and M-rich where not 1:1), by Strukturbericht name.
PROTOTYPES: tuple[Prototype, ...] = (
    Prototype("B2", "B2 (CsCl)", "bcc", 1, 1),
    Prototype("B32", "B32 (NaTl)", "bcc", 1, 1),
    Prototype("L1_0", "L1_0 (CuAu)", "fcc", 1, 1),
    Prototype("D0_3", "D0_3 (BiF3)", "bcc", 3, 1),
    Prototype("L1_2", "L1_2 (Cu3Au)", "fcc", 3, 1),
    Prototype("A15", "A15 (Cr3Si)", "tcp", 3, 1),
    Prototype("D0_19", "D0_19 (Ni3Sn)", "hcp", 3, 1),
    Prototype("C15", "C15 (MgCu2)", "tcp", 1, 2),
    Prototype("C14", "C14 (MgZn2)", "tcp", 1, 2),
    Prototype("D1a", "D1a (Ni4Mo)", "fcc", 4, 1),
)

#: Structures whose parent lattice is bcc (they compete with the bcc solid solution).
BCC_SUPERSTRUCTURES = frozenset(p.name for p in PROTOTYPES if p.parent == "bcc")


@dataclass(frozen=True)
class StructureTask:
    """One structure to relax.

    Attributes:
        key: unique id within a metal, e.g. ``"B2:LiMg"`` or ``"ref:Mg:hcp"``.
        metal: the alloying metal M.
        role: ``"reference"``, ``"compound"``, ``"dilute"`` or ``"random"``.
        prototype: prototype or structure name.
        parent: parent lattice (``bcc``, ``fcc``, ``hcp``, ``tcp`` or the element's structure).
        structure: pymatgen ``Structure`` as a dict (JSON-safe, to ship to workers).
    """

    key: str
    metal: str
    role: str
    prototype: str
    parent: str
    structure: dict[str, Any]


def atomic_volume_A3(symbol: str) -> float:
    """Atomic volume (Å³/atom) from pymatgen's molar volume (cm³/mol)."""
    from pymatgen.core.periodic_table import Element

    v = Element(symbol).molar_volume
    if v is None or not float(v) > 0:
        raise InputError(f"{symbol}: no molar volume in pymatgen's element data; cannot build a starting structure")
    return float(v) * 1e24 / 6.02214076e23


def _structure(lattice: np.ndarray, species: list[str], frac: list[tuple[float, float, float]]) -> Structure:
    from pymatgen.core import Lattice, Structure

    return Structure(Lattice(lattice), species, frac)


def _cubic(species_sites: dict[str, list[tuple[float, float, float]]]) -> Structure:
    species = [s for s, sites in species_sites.items() for _ in sites]
    frac = [f for sites in species_sites.values() for f in sites]
    return _structure(4.0 * np.eye(3), species, frac)


def _fcc_translate(points: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    return [tuple((np.array(t) + np.array(p)) % 1.0) for t in _FCC_T for p in points]


def _build(proto: str, a: str, b: str) -> Structure:
    """Unscaled structure of prototype ``proto`` with species ``a`` (majority or first) and ``b``."""
    from pymatgen.core import Lattice, Structure

    if proto == "B2":
        s = _cubic({a: [(0, 0, 0)], b: [(0.5, 0.5, 0.5)]})
    elif proto == "B32":
        s = _cubic({a: _fcc_translate([(0, 0, 0), (0.25, 0.25, 0.25)]), b: _fcc_translate([(0.5, 0.5, 0.5), (0.75, 0.75, 0.75)])})
    elif proto == "L1_0":
        s = _cubic({a: [(0, 0, 0), (0.5, 0.5, 0)], b: [(0.5, 0, 0.5), (0, 0.5, 0.5)]})
    elif proto == "D0_3":
        s = _cubic({b: _fcc_translate([(0, 0, 0)]), a: _fcc_translate([(0.5, 0.5, 0.5), (0.25, 0.25, 0.25), (0.75, 0.75, 0.75)])})
    elif proto == "L1_2":
        s = _cubic({b: [(0, 0, 0)], a: [(0, 0.5, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0)]})
    elif proto == "A15":
        s = _cubic({b: [(0, 0, 0), (0.5, 0.5, 0.5)],
                    a: [(0.25, 0, 0.5), (0.75, 0, 0.5), (0.5, 0.25, 0), (0.5, 0.75, 0), (0, 0.5, 0.25), (0, 0.5, 0.75)]})
    elif proto == "D0_19":
        s = Structure.from_spacegroup(194, Lattice.hexagonal(5.0, 5.0 * 0.8165), [b, a], [(1 / 3, 2 / 3, 0.25), (5 / 6, 2 / 3, 0.25)])
    elif proto == "C15":
        # a: the large atom on the diamond sites (8a), b: the small atoms on 16d
        s = _cubic({a: _fcc_translate([(0, 0, 0), (0.25, 0.25, 0.25)]),
                    b: _fcc_translate([(0.625, 0.625, 0.625), (0.625, 0.875, 0.875), (0.875, 0.625, 0.875), (0.875, 0.875, 0.625)])})
    elif proto == "C14":
        s = Structure.from_spacegroup(194, Lattice.hexagonal(5.0, 5.0 * 1.64), [a, b, b],
                                      [(1 / 3, 2 / 3, 0.0629), (0, 0, 0), (0.8305, 0.661, 0.25)])
    elif proto == "D1a":
        s = Structure.from_spacegroup(87, Lattice.tetragonal(4.0 * np.sqrt(2.5), 4.0), [b, a], [(0, 0, 0), (0.4, 0.2, 0.0)])
    else:
        raise InputError(f"unknown prototype '{proto}' (known: {', '.join(p.name for p in PROTOTYPES)})")
    return s.get_primitive_structure()


def _scale_to_vegard(s: Structure) -> Structure:
    vol = sum(atomic_volume_A3(str(site.specie)) for site in s)
    s.scale_lattice(vol)
    return s


def prototype_structure(proto: Prototype, n_li_side: str, metal: str) -> Structure:
    """Prototype ``proto`` with Li on the A (``n_li_side="A"``) or B sites, Vegard-scaled."""
    a, b = ("Li", metal) if n_li_side == "A" else (metal, "Li")
    return _scale_to_vegard(_build(proto.name, a, b))


def _alpha_ga() -> Structure:
    """α-Ga (A11, Cmce No. 64): Ga on 8f (0, 0.1549, 0.0810); a, b, c = 4.5192, 7.6586, 4.5258 Å.

    Values of the AFLOW prototype A_oC8_64_f (``citations.CITATIONS["strukturbericht"]``); only a starting
    geometry, rescaled to pymatgen's atomic volume and relaxed.
    """
    from pymatgen.core import Lattice, Structure

    return Structure.from_spacegroup(64, Lattice.orthorhombic(4.5192, 7.6586, 4.5258), ["Ga"], [(0, 0.1549, 0.0810)])


def element_structures(symbol: str) -> dict[str, Structure]:
    """Candidate structures of a pure element: bcc, fcc, hcp and its ase reference state."""
    from ase.build import bulk
    from ase.data import atomic_numbers, reference_states
    from pymatgen.io.ase import AseAtomsAdaptor

    v = atomic_volume_A3(symbol)
    out = {
        "bcc": bulk(symbol, "bcc", a=(2 * v) ** (1 / 3)),
        "fcc": bulk(symbol, "fcc", a=(4 * v) ** (1 / 3)),
        "hcp": bulk(symbol, "hcp", a=(v * 2 / (np.sqrt(3) / 2 * 1.633)) ** (1 / 3), covera=1.633),
    }
    ref = reference_states[atomic_numbers[symbol]] or {}
    sym = str(ref.get("symmetry", ""))
    structs = {k: AseAtomsAdaptor.get_structure(at) for k, at in out.items()}
    if symbol == "Ga":
        structs["A11"] = _alpha_ga()
    elif sym and sym not in structs:
        try:
            structs[sym] = AseAtomsAdaptor.get_structure(bulk(symbol))
        except Exception:  # an ase reference state that ase cannot build: bcc/fcc/hcp still stand
            pass
    for s in structs.values():
        s.scale_lattice(v * len(s))
    return structs


def reference_structure_name(symbol: str) -> str:
    """Name (key of :func:`element_structures`) of the element's reference state."""
    from ase.data import atomic_numbers, reference_states

    if symbol == "Ga":
        return "A11"
    sym = str((reference_states[atomic_numbers[symbol]] or {}).get("symmetry", ""))
    return sym if sym in element_structures(symbol) else "bcc"


def _supercell_for(s: Structure, min_atoms: int) -> Structure:
    """Replicate ``s`` along each axis until it has at least ``min_atoms`` atoms, keeping it near-isotropic."""
    n = [1, 1, 1]
    lengths = np.array(s.lattice.abc)
    while len(s) * int(np.prod(n)) < min_atoms:
        i = int(np.argmin(lengths * np.array(n)))
        n[i] += 1
    return s * n


def _seed(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def solution_structures(metal: str) -> dict[str, tuple[str, str, Structure]]:
    """Dilute and random-solution cells: ``key -> (role, parent, structure)``."""
    out: dict[str, tuple[str, str, Structure]] = {}
    host_name = reference_structure_name(metal)
    host = _supercell_for(element_structures(metal)[host_name], MIN_DILUTE_ATOMS)
    host.replace(0, "Li")
    out[f"dilute:Li_in_{metal}:{host_name}"] = ("dilute", host_name, _scale_to_vegard(host))
    li = element_structures("Li")["bcc"].get_primitive_structure()
    from pymatgen.core import Lattice, Structure

    a = (2 * atomic_volume_A3("Li")) ** (1 / 3)
    conv = Structure(Lattice.cubic(a), ["Li", "Li"], [(0, 0, 0), (0.5, 0.5, 0.5)])
    li = conv * BCC_SUPERCELL
    dil = li.copy()
    dil.replace(0, metal)
    out[f"dilute:{metal}_in_Li:bcc"] = ("dilute", "bcc", _scale_to_vegard(dil))
    n = len(li)
    for x in RANDOM_BCC_X:
        n_li = int(round(x * n))
        rng = np.random.default_rng(_seed(metal, x))
        species = np.array([metal] * n, dtype=object)
        species[rng.choice(n, size=n_li, replace=False)] = "Li"
        r = Structure(li.lattice, list(species), li.frac_coords)
        out[f"random:bcc:x={x:.2f}"] = ("random", "bcc", _scale_to_vegard(r))
    return out


def li_reference_tasks() -> list[StructureTask]:
    """Relaxation tasks for elemental Li (shared by all metals; ``metal`` is ``"Li"``)."""
    return [StructureTask(f"ref:Li:{k}", "Li", "reference", k, k, s.as_dict()) for k, s in element_structures("Li").items()]


def metal_tasks(metal: str, prototypes: list[str] | None = None, solutions: bool = True) -> list[StructureTask]:
    """Relaxation tasks for Li–``metal``: M references, ordered prototypes (both sides) and solution cells.

    Args:
        metal: the alloying metal.
        prototypes: prototype names to include (default: all of ``PROTOTYPES``).
        solutions: include the dilute and random-solution cells.
    """
    metal = check_metal(metal)
    known = {p.name: p for p in PROTOTYPES}
    names = list(known) if prototypes is None else list(prototypes)
    bad = [p for p in names if p not in known]
    if bad:
        raise InputError(f"unknown prototype(s) {', '.join(bad)} (known: {', '.join(known)})")
    tasks = [StructureTask(f"ref:{metal}:{k}", metal, "reference", k, k, s.as_dict()) for k, s in element_structures(metal).items()]
    for name in names:
        p = known[name]
        sides = ("A",) if p.a_count == p.b_count else ("A", "B")
        for side in sides:
            s = prototype_structure(p, side, metal)
            formula = s.composition.reduced_formula
            tasks.append(StructureTask(f"{p.name}:{formula}", metal, "compound", p.name, p.parent, s.as_dict()))
    if solutions:
        for key, (role, parent, s) in solution_structures(metal).items():
            tasks.append(StructureTask(key, metal, role, key.split(":")[0] if role == "random" else "dilute", parent, s.as_dict()))
    return tasks


def min_distance_ratio(structure: Structure) -> float:
    """Shortest interatomic distance over the mean atomic diameter of the cell (1 for touching spheres)."""
    s = structure * (2, 2, 2)
    d = s.distance_matrix + np.eye(len(s)) * 1e9
    diameter = 2 * (3 * structure.volume / len(structure) / (4 * np.pi)) ** (1 / 3)
    return float(d.min() / diameter)


__all__ = [
    "BCC_SUPERSTRUCTURES", "PROTOTYPES", "Prototype", "RANDOM_BCC_X", "StructureTask",
    "element_structures", "li_reference_tasks", "metal_tasks", "prototype_structure", "reference_structure_name",
    "solution_structures", "min_distance_ratio",
]
