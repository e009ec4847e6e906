"""Carbon graphitization index in [0, 1] from XRD, Raman, sp² fraction or structure.

The index is primarily the Mering–Maire degree of graphitization, which
measures three-dimensional stacking order from the (002) spacing::

    g = (0.3440 - d002) / (0.3440 - 0.3354)      d002 in nm, clipped to [0, 1]

(0.3440 nm: turbostratic carbon; 0.3354 nm: ideal graphite). Where no d002 is
known, proxies are used, in this order of preference, and the ``method``
column says which one produced the number:

1. ``xrd_d002`` — Mering–Maire from d002.
2. ``raman_La`` — in-plane crystallite size L_a from I_D/I_G (integrated
   areas) and the laser wavelength with Cançado et al. (2006),
   ``L_a [nm] = 2.4e-10 * lambda^4 / (I_D/I_G)`` (lambda in nm), mapped to
   ``log(L_a / 2 nm) / log(1000 nm / 2 nm)`` clipped to [0, 1]: 2 nm is where
   the Tuinstra–Koenig regime ends (Ferrari & Robertson stage 1/2 boundary)
   and 1 µm is single-crystal-like graphite. Valid for nanocrystalline
   (stage-1) carbons only; for amorphous carbons I_D/I_G falls with
   decreasing L_a and the relation is not used (see ``structural_class``).
3. ``iupac_class`` — carbons classified as non-graphitic (IUPAC 1995: no
   measurable three-dimensional order; carbon blacks, hard carbons,
   amorphous films) have d002 >= 0.344 nm by definition, hence g = 0.
   Carbons classed **graphitic** but turbostratic (few-layer graphene, reduced graphene oxide, multi-walled
   nanotubes) have d002 of 0.34–0.36 nm, so Mering–Maire gives 0 although their layers are ordered in-plane:
   the formula measures the three-dimensional stacking that heat treatment develops in graphitizing carbons, not the
   sp² order of a few stacked sheets. For them the in-plane coherence length L_a (Raman or the XRD (100) peak) is used
   instead, with the same log mapping (``inplane_La``), and Mering–Maire only where no L_a is known.
4. ``sp2_fraction`` — the sp² fraction (from XPS, EELS or an atomistic
   structure's 3-coordinated fraction). An sp² fraction of 1 does not imply
   graphite (C60 and carbon black are sp²), so this is an **upper bound**.

Values from different methods measure different kinds of order and are not
strictly comparable; always read the ``method`` column.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, cast

import numpy as np

from descriptors.contract.citations import cite
from descriptors.contract.featurizer import Featurizer
from descriptors.errors import InputError

D002_TURBOSTRATIC_NM = 0.3440
D002_GRAPHITE_NM = 0.3354
CANCADO_CONSTANT = 2.4e-10  # nm^-3, with lambda in nm and I_D/I_G as an area ratio
LA_MIN_NM, LA_MAX_NM = 2.0, 1000.0
CC_BOND_CUTOFF_A = 1.85


def _positive(name: str, v: float) -> float:
    if v is None or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
        raise InputError(f"{name} must be a positive finite number, got {v!r}")
    return float(v)


def mering_maire(d002_nm: float) -> float:
    """Mering–Maire degree of graphitization from the (002) spacing (nm), clipped to [0, 1]."""
    d = _positive("d002_nm", d002_nm)
    if not 0.30 < d < 0.50:
        raise InputError(f"d002_nm = {d} nm is outside the physical range 0.30-0.50 nm (did you give Angstrom?)")
    g = (D002_TURBOSTRATIC_NM - d) / (D002_TURBOSTRATIC_NM - D002_GRAPHITE_NM)
    return float(min(1.0, max(0.0, g)))


def cancado_la_nm(id_ig_area: float, laser_nm: float) -> float:
    """Crystallite size L_a (nm) from the I_D/I_G area ratio and laser wavelength (Cançado 2006)."""
    r = _positive("I_D/I_G", id_ig_area)
    lam = _positive("laser_nm", laser_nm)
    if not 200 <= lam <= 1100:
        raise InputError(f"laser_nm = {lam} is outside 200-1100 nm")
    return CANCADO_CONSTANT * lam**4 / r


def la_index(la_nm: float) -> float:
    """Map L_a (nm) to [0, 1] on a log scale between 2 nm and 1 µm."""
    la = _positive("la_nm", la_nm)
    return float(min(1.0, max(0.0, math.log(la / LA_MIN_NM) / math.log(LA_MAX_NM / LA_MIN_NM))))


def sp2_fraction_from_structure(structure: Any, cutoff_A: float = CC_BOND_CUTOFF_A) -> tuple[float, float, int]:
    """sp² and sp³ fractions of the carbon atoms of a structure by coordination counting.

    Args:
        structure: a file path readable by ase, an ``ase.Atoms`` or a pymatgen ``Structure``.
        cutoff_A: C–C bond cutoff (Å); 1.85 Å lies between the first (1.42–1.54 Å)
            and second (≥ 2.4 Å) neighbour shells of graphite and diamond.

    Returns:
        (fraction 3-coordinated, fraction 4-coordinated, number of C atoms).
    """
    from ase import Atoms
    from ase.neighborlist import neighbor_list

    if isinstance(structure, (str, Path)):
        from ase.io import read

        try:
            # one Atoms: without ``index`` ase reads the last image (its annotation does not tell the cases apart)
            atoms = cast(Atoms, read(str(structure)))
        except FileNotFoundError:
            raise InputError(f"{structure}: structure file not found") from None
        except Exception as exc:
            raise InputError(f"{structure}: cannot read structure ({type(exc).__name__}: {exc})") from None
    elif isinstance(structure, Atoms):
        atoms = structure
    else:
        from pymatgen.io.ase import AseAtomsAdaptor

        atoms = AseAtomsAdaptor.get_atoms(structure)
    mask = np.array(atoms.get_chemical_symbols()) == "C"
    if not mask.any():
        raise InputError("the structure contains no carbon atoms")
    i, j = neighbor_list("ij", atoms, cutoff_A)
    keep = mask[i] & mask[j]
    cn = np.bincount(i[keep], minlength=len(atoms))[mask]
    n = int(mask.sum())
    return float(np.mean(cn == 3)), float(np.mean(cn == 4)), n


def _is_structure(x: Any) -> bool:
    from ase import Atoms
    from pymatgen.core import IStructure, Molecule, Structure

    return isinstance(x, Atoms | Structure | IStructure | Molecule)


def _median_value(rows: list[dict[str, Any]] | None) -> tuple[float | None, str]:
    """Median of a preset property's values (several sources may report it) and their sources."""
    if not rows:
        return None, ""
    vals = [float(r["value"]) for r in rows]
    return float(np.median(vals)), " ; ".join(sorted({r["source"] for r in rows}))


class GraphitizationFeaturizer(Featurizer):
    """Graphitization index of a carbon preset or of a dict of measurements.

    An entry is either a preset key from ``datasets/carbons.csv`` (e.g.
    ``"graphite"``) or a dict with any of ``d002_nm``, ``id_ig_ratio`` and
    ``laser_nm`` (area ratio), ``la_nm``, ``sp2_fraction``, ``structural_class``.
    """

    entry_name = "carbon"

    def feature_labels(self) -> list[str]:
        return [
            "graphitization_index", "graphitization_method", "d002_nm", "la_nm", "sp2_fraction",
            "structural_class", "particle_size_nm", "density_g_cm3", "carbon_sources", "particle_size_basis",
        ]

    def units(self) -> list[str]:
        return ["", "", "nm", "nm", "", "", "nm", "g/cm3", "", ""]

    def citations(self) -> list[str]:
        return cite("mering_maire", "howe_2003", "tuinstra_koenig", "cancado_2006", "ferrari_robertson", "iupac_carbon", "ase")

    def _validate_entry(self, x: Any) -> dict[str, Any]:
        if isinstance(x, dict):
            return dict(x)
        if _is_structure(x):  # a pymatgen Structure/Molecule or an ase Atoms: its sp2 fraction by coordination
            sp2, _, _ = sp2_fraction_from_structure(x)
            return {"sp2_fraction": sp2, "_sources": {"computed here from the structure (C-C coordination)"}}
        from descriptors.data.curated import carbon_presets

        presets = carbon_presets()
        key = str(x).strip()
        if key not in presets:
            raise InputError(f"unknown carbon preset '{x}' (known: {', '.join(sorted(presets))})")
        props = presets[key]
        out: dict[str, Any] = {"_sources": set()}
        for name in ("d002_nm", "la_nm", "sp2_fraction", "particle_size_nm", "density_g_cm3", "bet_surface_m2_g"):
            v, src = _median_value(props.get(name))
            if v is not None:
                out[name] = v
                out["_sources"].add(src)
        if "id_ig_ratio" in props and "raman_laser_nm" in props:
            out["id_ig_ratio"], src = _median_value(props["id_ig_ratio"])
            out["laser_nm"], _ = _median_value(props["raman_laser_nm"])
            out["_sources"].add(src)
        if "structural_class" in props:
            out["structural_class"] = props["structural_class"][0]["value"]
            out["_sources"].add(props["structural_class"][0]["source"])
        return out

    def index(self, m: dict[str, Any]) -> tuple[float, str, float | None]:
        """(index, method, L_a in nm or None) from a dict of measurements."""
        la = m.get("la_nm")
        if la is None and m.get("id_ig_ratio") is not None:
            if m.get("laser_nm") is None:
                raise InputError("id_ig_ratio needs laser_nm (the Raman excitation wavelength)")
            la = cancado_la_nm(m["id_ig_ratio"], m["laser_nm"])
        if m.get("structural_class") == "graphitic" and la is not None:
            return la_index(la), "inplane_La (turbostratic graphitic)", la
        if m.get("d002_nm") is not None:
            return mering_maire(m["d002_nm"]), "xrd_d002", la
        if la is not None:
            return la_index(la), "raman_La", la
        cls = m.get("structural_class")
        if cls == "non_graphitic":
            return 0.0, "iupac_class", la
        if m.get("sp2_fraction") is not None:
            f = float(m["sp2_fraction"])
            if not 0.0 <= f <= 1.0:
                raise InputError(f"sp2_fraction must be within [0, 1], got {f}")
            return f, "sp2_fraction (upper bound)", la
        return float("nan"), "no data", la

    def featurize(self, x: Any) -> list[Any]:
        m = self._validate_entry(x)
        allowed = {"d002_nm", "id_ig_ratio", "laser_nm", "la_nm", "sp2_fraction", "structural_class",
                   "particle_size_nm", "density_g_cm3", "bet_surface_m2_g", "_sources"}
        unknown = set(m) - allowed
        if unknown:
            raise InputError(f"unknown carbon measurement(s): {', '.join(sorted(unknown))}")
        g, method, la = self.index(m)
        nan = float("nan")
        size, basis = particle_size(m)
        return [
            g, method, m.get("d002_nm", nan), la if la is not None else nan, m.get("sp2_fraction", nan),
            m.get("structural_class", ""), size, m.get("density_g_cm3", nan),
            " ; ".join(sorted(m.get("_sources", set()))) or "user input", basis,
        ]


def graphite_density() -> float:
    """Density of graphite (g/cm3) as recorded for the ``graphite`` preset in ``carbons.csv``: the densest carbon, so
    an equivalent-sphere diameter computed with it is a lower bound."""
    from descriptors.data.curated import carbon_presets

    return float(carbon_presets()["graphite"]["density_g_cm3"][0]["value"])


def particle_size(m: dict[str, Any]) -> tuple[float, str]:
    """(particle diameter in nm, basis): the recorded size, else the equivalent-sphere diameter ``d = 6 / (rho S)`` of
    the BET surface area ``S`` (m2/g) with the recorded skeletal density ``rho`` (g/cm3; graphite's when none is
    recorded, which makes ``d`` a lower bound); NaN when neither is known."""
    if m.get("particle_size_nm") is not None:
        return float(m["particle_size_nm"]), "recorded"
    bet = m.get("bet_surface_m2_g")
    if bet is None:
        return float("nan"), ""
    rho = m.get("density_g_cm3")
    d = 6000.0 / (float(rho or graphite_density()) * float(bet))  # 6 / (g/cm3 * m2/g) -> nm
    return d, "computed: equivalent sphere 6/(rho S) from the BET area" + ("" if rho else " with graphite's density (lower bound)")
