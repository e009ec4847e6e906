"""Pluggable sources of Li–M formation energies for the convex hull.

An energy source returns, for a metal M, a list of :class:`HullEntry`
(composition, formation energy per atom, kind). ``kind`` is ``"compound"``
for candidate ordered phases and ``"solution"`` for points of a competing
disordered solid solution (these compete on the hull but are never counted
as intermediate phases).

Sources shipped:

* :class:`MiedemaSource` — Miedema ordered-compound enthalpies at standard
  stoichiometries, competing with the random solid solution's free energy
  ``dH_ss - T S_ideal`` at the chosen temperature.
* ``descriptors.phases.chgnet_source.ChgnetSource`` — CHGNet-relaxed prototypes, solutions and
  dilute cells from the structure cache (spec ``chgnet``; computed with
  ``interlayer compute-binaries``).
* :class:`TabulatedSource` — formation energies from a file: the shipped OQMD
  legacy set (``datasets/dft_formation_energies.csv``), a user CSV with the
  same columns, or a JSON file (a list of ``{"formula", "formation_energy_eV_atom"}``
  objects, or pymatgen ``ComputedEntry``/``PDEntry`` dicts such as a Materials
  Project export, which must include the elemental Li and M entries).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from descriptors.contract.citations import cite
from descriptors.errors import InputError
from descriptors.phases.hull_entries import EnergySource, HullEntry
from descriptors.solubility import miedema

#: Candidate stoichiometries (Li atoms, M atoms) for ordered compounds.
CANDIDATE_STOICHIOMETRIES: tuple[tuple[int, int], ...] = (
    (1, 4), (1, 3), (1, 2), (2, 3), (1, 1), (3, 2), (2, 1), (3, 1), (4, 1),
)


def _formula(n_li: int, n_m: int, metal: str) -> str:
    def part(el: str, n: int) -> str:
        return el if n == 1 else f"{el}{n}"

    return part("Li", n_li) + part(metal, n_m)


@dataclass
class MiedemaSource:
    """Miedema ordered compounds vs. the random solid solution.

    Args:
        temperature_K: temperature of the solution's ideal mixing entropy (K).
        grid: number of solid-solution points between the elements.
    """

    temperature_K: float = 298.15
    grid: int = 49
    name: str = "miedema"

    def entries(self, metal: str) -> list[HullEntry]:
        if self.temperature_K < 0:
            raise InputError(f"temperature must be >= 0 K, got {self.temperature_K}")
        out: list[HullEntry] = []
        xs = np.array([a / (a + b) for a, b in CANDIDATE_STOICHIOMETRIES])
        h = miedema.ordered_enthalpy(xs, "Li", metal) / miedema.KJ_PER_EV
        for (a, b), x, e in zip(CANDIDATE_STOICHIOMETRIES, xs, h):
            out.append(HullEntry(_formula(a, b, metal), float(x), float(e), "compound"))
        xg = np.linspace(0, 1, self.grid + 2)[1:-1]
        g = (miedema.solution_enthalpy(xg, "Li", metal) - self.temperature_K * miedema.ideal_mixing_entropy(xg)) / miedema.KJ_PER_EV
        out += [HullEntry(f"ss(x_Li={x:.3f})", float(x), float(e), "solution") for x, e in zip(xg, g)]
        return out

    def citations(self) -> list[str]:
        return cite("miedema_book", "niessen_1983")


#: pymatgen entry classes whose dicts a formation-energy JSON may hold (read as data: composition, energy, correction).
PYMATGEN_ENTRY_CLASSES = ("ComputedEntry", "ComputedStructureEntry", "PDEntry", "GibbsComputedStructureEntry")


class TabulatedSource:
    """Formation energies read from a file (CSV or JSON).

    Args:
        path: a file, or ``"oqmd_legacy"`` for the shipped OQMD legacy set.
    """

    def __init__(self, path: str | Path = "oqmd_legacy") -> None:
        self.path = path
        self.name = "oqmd_legacy" if str(path) == "oqmd_legacy" else f"file:{Path(path).name}"
        self._by_metal: dict[str, list[HullEntry]] = self._load()

    def _load(self) -> dict[str, list[HullEntry]]:
        from descriptors.data.curated import FormationEnergyRow, load_table, read_validated_csv

        if str(self.path) == "oqmd_legacy":
            df = load_table("dft_formation_energies.csv")
        else:
            p = Path(self.path)
            if not p.is_file():
                raise InputError(f"{p}: energy file not found")
            if p.suffix.lower() == ".json":
                return self._load_json(p)
            df = read_validated_csv(p, FormationEnergyRow)
        out: dict[str, list[HullEntry]] = {}
        for i, r in enumerate(df.to_dict("records"), start=2):
            out.setdefault(r["metal"], []).append(self._entry(r["formula"], r["metal"], r["formation_energy_eV_atom"], i))
        return out

    def _entry(self, formula: str, metal: str, e: float, where: int | str) -> HullEntry:
        from pymatgen.core import Composition

        try:
            comp = Composition(formula)
        except Exception:
            raise InputError(f"{self.path}: entry {where}: cannot parse formula '{formula}'") from None
        els = {str(el) for el in comp.elements}
        if els != {"Li", metal}:
            raise InputError(f"{self.path}: entry {where}: '{formula}' is not a Li-{metal} compound")
        return HullEntry(comp.reduced_formula, float(comp.get_atomic_fraction("Li")), float(e), "compound")

    def _load_json(self, p: Path) -> dict[str, list[HullEntry]]:
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{p}: not valid JSON ({exc})") from None
        if isinstance(data, dict) and "entries" in data:
            data = data["entries"]
        if not isinstance(data, list) or not data:
            raise InputError(f"{p}: expected a non-empty list of entries")
        if all(isinstance(d, dict) and "@class" in d for d in data):
            return self._from_pymatgen(p, data)
        out: dict[str, list[HullEntry]] = {}
        for i, d in enumerate(data):
            if not isinstance(d, dict) or "formula" not in d or "formation_energy_eV_atom" not in d:
                raise InputError(f"{p}: entry {i}: needs 'formula' and 'formation_energy_eV_atom'")
            e = d["formation_energy_eV_atom"]
            if not isinstance(e, (int, float)) or not np.isfinite(e):
                raise InputError(f"{p}: entry {i}: formation_energy_eV_atom must be a finite number")
            from pymatgen.core import Composition

            try:
                els = sorted(str(el) for el in Composition(d["formula"]).elements if str(el) != "Li")
            except Exception:
                raise InputError(f"{p}: entry {i}: cannot parse formula '{d['formula']}'") from None
            if len(els) != 1:
                raise InputError(f"{p}: entry {i}: '{d['formula']}' is not a Li-M binary")
            out.setdefault(els[0], []).append(self._entry(d["formula"], els[0], float(e), i))
        return out

    def _from_pymatgen(self, p: Path, data: list[dict]) -> dict[str, list[HullEntry]]:
        """pymatgen entry dicts read as plain data: the class named in the file is checked against a list and never
        imported, so a file cannot make the tool load a module (no MontyDecoder)."""
        from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
        from pymatgen.core import Composition

        entries = []
        for i, d in enumerate(data):
            cls = d.get("@class")
            if cls not in PYMATGEN_ENTRY_CLASSES:
                raise InputError(f"{p}: entry {i}: '@class' {cls!r} is not one of {', '.join(PYMATGEN_ENTRY_CLASSES)}")
            try:
                comp = Composition({str(k): float(v) for k, v in dict(d["composition"]).items()})
                energy = float(d["energy"]) + float(d.get("correction", 0.0) or 0.0)
            except (KeyError, TypeError, ValueError) as exc:
                raise InputError(f"{p}: entry {i}: needs a 'composition' mapping and a numeric 'energy' ({exc})") from None
            if not np.isfinite(energy):
                raise InputError(f"{p}: entry {i}: energy must be finite")
            entries.append(PDEntry(comp, energy))
        metals = {str(el) for e in entries for el in e.composition.elements} - {"Li"}
        out: dict[str, list[HullEntry]] = {}
        for metal in sorted(metals):
            sub = [e for e in entries if {str(el) for el in e.composition.elements} <= {"Li", metal}]
            elements_present = {str(e.composition.elements[0]) for e in sub if e.composition.is_element}
            if not {"Li", metal} <= elements_present:
                raise InputError(f"{p}: the Li-{metal} entries need elemental Li and {metal} references")
            pd_ = PhaseDiagram(sub)
            out[metal] = [
                HullEntry(e.composition.reduced_formula, float(e.composition.get_atomic_fraction("Li")),
                          float(pd_.get_form_energy_per_atom(e)), "compound")
                for e in sub if not e.composition.is_element
            ]
        return out

    def entries(self, metal: str) -> list[HullEntry]:
        return list(self._by_metal.get(metal, []))

    def citations(self) -> list[str]:
        return cite("oqmd") if self.name == "oqmd_legacy" else [f"user-supplied energies: {self.path}"]


#: The energy source every command and the screen use unless told otherwise: tabulated DFT energies of the phases the
#: OQMD team computed (a metal it lacks has no phases, and ``call_source`` says so). Miedema's smooth enthalpy puts
#: every candidate stoichiometry below the solid solution on the hull (a Li3Cu where Li–Cu has no compound), so it
#: answers presence only and is never the default.
DEFAULT_ENERGY_SOURCE = "oqmd_legacy"

#: Energy-source specs understood by :func:`make_source` (besides a .csv/.json path).
SOURCE_SPECS = ("miedema", "oqmd_legacy", "chgnet", "chgnet-raw")


@cache
def _shared_oqmd_legacy(data_sha256: str) -> TabulatedSource:
    """One read-only OQMD legacy source per content of its data file (building it parses every formula)."""
    return TabulatedSource("oqmd_legacy")


def make_source(spec: str, temperature_K: float = 298.15) -> EnergySource:
    """Build an energy source from a CLI-style spec.

    ``miedema``; ``oqmd_legacy``; ``chgnet`` (CHGNet-relaxed structures from the cache, phases
    resolved beyond the potential's energy error); ``chgnet-raw`` (the same, raw hull); or a
    .csv/.json file of formation energies.
    """
    if spec == "miedema":
        return MiedemaSource(temperature_K=temperature_K)
    if spec == "oqmd_legacy":
        from descriptors.data.files import verify_hash

        return _shared_oqmd_legacy(verify_hash("dft_formation_energies.csv"))
    if spec in ("chgnet", "chgnet-raw"):
        from descriptors.phases.chgnet_source import shared_source

        return shared_source(temperature_K, **({"resolution_eV_atom": 0.0} if spec == "chgnet-raw" else {}))
    p = Path(spec)
    if p.suffix.lower() in {".csv", ".json"}:
        return TabulatedSource(p)
    raise InputError(f"unknown energy source '{spec}' (use {', '.join(SOURCE_SPECS)}, or a .csv/.json file)")
