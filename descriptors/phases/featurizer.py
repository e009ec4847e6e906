"""Intermediate Li–M phases from a convex hull (pymatgen ``PhaseDiagram``).

For each metal the hull is built from the elemental references (0 eV/atom)
and the entries of an energy source (see ``descriptors.phases.energy_sources``).
A compound counts as a stable intermediate phase when it lies within
``tolerance_eV_atom`` of the hull *and* below the elements. Membership of
``PhaseDiagram.stable_entries`` is not used, because collinear phases have
``e_above_hull = 0`` but are left out of ``stable_entries``.

A source may declare an energy resolution (``resolution_eV_atom``, e.g. the
test-set error of a machine-learned potential); then a compound also has to lie
at least that far below the hull of all other entries (its phase-separation
energy), so phases the source cannot resolve are not counted.

What the count means depends on the source: with tabulated DFT energies it
counts phases; with Miedema's smooth enthalpy curve every candidate
stoichiometry below the solid solution tends to lie on the hull, so only the
*presence* (and the hull depth) is informative. The ``call_source`` column
says which source made each call. With ``prefer_curated=True`` the curated
record in ``li_binaries.csv`` decides presence, phases and Li uptake where it
exists (the hull depth is still computed).
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from descriptors.contract.citations import cite
from descriptors.contract.featurizer import Featurizer
from descriptors.data.elements import check_metal
from descriptors.errors import InputError
from descriptors.phases.energy_sources import EnergySource, HullEntry, MiedemaSource


def _curated_records() -> dict[str, dict[str, Any]]:
    from descriptors.data.curated import load_table

    # pandas-stubs keys records by Hashable; these column labels are str
    rows = cast("list[dict[str, Any]]", load_table("li_binaries.csv").to_dict("records"))
    return {r["metal"]: r for r in rows}


def _li_uptake(formula: str) -> float | None:
    """Li atoms per M atom in a formula, or None if it is not a plain formula."""
    from pymatgen.core import Composition

    try:
        comp = Composition(formula)
    except Exception:
        return None
    amounts = comp.get_el_amt_dict()
    if "Li" not in amounts or len(amounts) != 2:
        return None
    m = [v for k, v in amounts.items() if k != "Li"][0]
    return float(amounts["Li"] / m)


def _diagram(entries: list[HullEntry], metal: str) -> tuple[Any, list[Any]]:
    from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
    from pymatgen.core import Composition

    pd_entries = [PDEntry(Composition("Li"), 0.0), PDEntry(Composition(metal), 0.0)]
    mapped = []
    for e in entries:
        comp = Composition({"Li": e.x_li, metal: 1.0 - e.x_li})
        pe = PDEntry(comp, e.formation_energy_eV_atom * comp.num_atoms, name=e.formula)
        pd_entries.append(pe)
        mapped.append(pe)
    return PhaseDiagram(pd_entries), mapped


def li_m_phase_diagram(metal: Any, source: str | EnergySource = "miedema", temperature_K: float = 298.15) -> Any:
    """The pymatgen ``PhaseDiagram`` of Li–``metal`` from an energy source (``miedema``, ``oqmd_legacy``, ``chgnet``,
    a CSV/JSON file, or an :class:`EnergySource`): elemental references at 0 eV/atom, one ``PDEntry`` per candidate
    phase (named by its formula, energies in eV per formula unit as pymatgen expects). ``metal`` may be a symbol or a
    pymatgen ``Element``/``Composition``."""
    from descriptors.phases.energy_sources import make_source

    metal = check_metal(metal)
    src = make_source(source, temperature_K) if isinstance(source, str) else source
    entries = src.entries(metal)
    if not entries:
        raise InputError(f"energy source '{src.name}' has no Li-{metal} entries")
    return _diagram(entries, metal)[0]


def _classify(entries: list[HullEntry], metal: str, tolerance_eV_atom: float, resolution_eV_atom: float,
              all_separations: bool = False) -> list[tuple[HullEntry, float, float, bool]]:
    """One hull pass: ``(entry, e_above_hull, separation_energy, counted)`` per entry (eV/atom).

    A compound is counted when it is within ``tolerance_eV_atom`` of the hull, below the elements,
    and, if ``resolution_eV_atom > 0``, at least that far below the hull of all *other* entries
    (pymatgen's phase-separation energy ``<= -resolution``). The separation energy is computed for
    candidates when the resolution test is on, for every entry on the hull with ``all_separations``,
    and is NaN otherwise.
    """
    diagram, mapped = _diagram(entries, metal)
    tol, res = float(tolerance_eV_atom), float(resolution_eV_atom)
    out = []
    for e, pe in zip(entries, mapped):
        d = float(diagram.get_e_above_hull(pe, allow_negative=True))
        candidate = e.kind == "compound" and e.formation_energy_eV_atom < -tol and d <= tol
        sep = float("nan")
        if d <= tol and (all_separations or (candidate and res > 0)):
            sep = float(diagram.get_decomp_and_phase_separation_energy(pe)[1])
        out.append((e, d, sep, candidate and (res <= 0 or sep <= -res)))
    return out


def stable_compounds(entries: list[HullEntry], metal: str, tolerance_eV_atom: float = 1e-3,
                     resolution_eV_atom: float = 0.0) -> list[tuple[HullEntry, float, float]]:
    """Compounds counted as phases, as ``(entry, e_above_hull, separation_energy)`` (eV/atom).

    See :func:`_classify` for the rule: on the hull, below the elements and, with a resolution, at
    least that far below the hull of the others, so a phase whose stability is smaller than the
    energy error of the source is not resolved. ``separation_energy`` is NaN when the test is off.
    """
    return [(e, d, sep) for e, d, sep, counted in _classify(entries, metal, tolerance_eV_atom, resolution_eV_atom) if counted]


def hull_table(entries: list[HullEntry], metal: str, tolerance_eV_atom: float = 1e-3, resolution_eV_atom: float = 0.0) -> Any:
    """Every hull entry with its distance above the hull and whether it counts as a phase (a DataFrame).

    Columns: ``entry`` (label), ``formula``, ``kind``, ``x_li``, ``energy_eV_atom`` (formation energy, or free energy for
    solution points), ``e_above_hull_eV_atom``, ``separation_eV_atom`` (below the hull of the others;
    NaN unless the entry is on the hull), ``counted``.
    """
    import pandas as pd

    rows = [{"entry": e.label or e.formula, "formula": e.formula, "kind": e.kind, "x_li": e.x_li,
             "energy_eV_atom": e.formation_energy_eV_atom, "e_above_hull_eV_atom": d, "separation_eV_atom": sep,
             "counted": counted}
            for e, d, sep, counted in _classify(entries, metal, tolerance_eV_atom, resolution_eV_atom, all_separations=True)]
    return pd.DataFrame(rows).sort_values(["x_li", "energy_eV_atom"]).reset_index(drop=True)


class IntermediatePhaseFeaturizer(Featurizer):
    """Stable intermediate Li–M phases from a convex hull.

    Args:
        source: an energy source (default: ``MiedemaSource()`` at 298.15 K).
        tolerance_eV_atom: distance to the hull within which a compound counts as stable.
        prefer_curated: use the curated phase-diagram record where it exists.
    """

    entry_name = "metal"

    def __init__(self, source: EnergySource | None = None, tolerance_eV_atom: float = 1e-3, prefer_curated: bool = False) -> None:
        self.source = source
        self.tolerance_eV_atom = tolerance_eV_atom
        self.prefer_curated = prefer_curated

    @property
    def resolution_eV_atom(self) -> float:
        """Energy resolution of the source (eV/atom): its ``resolution_eV_atom`` attribute, else 0."""
        return float(getattr(self._source(), "resolution_eV_atom", 0.0) or 0.0)

    def _validate_entry(self, x: Any) -> str:
        return check_metal(x)

    def _source(self) -> EnergySource:
        return self.source if self.source is not None else MiedemaSource()

    def feature_labels(self) -> list[str]:
        return [
            "has_intermediate_phases", "n_stable_intermediates", "stable_phases", "hull_depth_eV_atom",
            "li_richest_phase", "li_uptake_per_M", "n_candidates", "energy_source", "call_source",
        ]

    def units(self) -> list[str]:
        return ["", "", "", "eV/atom", "", "Li atoms per M atom", "", "", ""]

    def citations(self) -> list[str]:
        return cite("pymatgen") + self._source().citations()

    def hull_table(self, x: Any) -> Any:
        """Every entry of the source for ``x`` with its hull distance and whether it counts (see :func:`hull_table`)."""
        metal = self._validate_entry(x)
        entries = self._source().entries(metal)
        if not entries:
            raise InputError(f"energy source '{self._source().name}' has no Li-{metal} entries")
        return hull_table(entries, metal, self.tolerance_eV_atom, self.resolution_eV_atom)

    def phase_stability_margin(self, x: Any, max_shift_eV_atom: float = 1.0) -> float:
        """Uniform shift of every compound's formation energy (eV/atom) at which the phase call flips.

        Positive for a metal with intermediate phases (how far its compounds may rise before
        none is stable), negative for one without (how far they must fall before one is), so
        ``has_intermediate_phases`` under an energy error ``e`` is ``e < margin``. Found by
        bisection on the hull (pymatgen ``PhaseDiagram``) to 1e-4 eV/atom; clamped to
        ``±max_shift_eV_atom`` (and ``-max_shift`` when the source lists no compound).
        """
        import dataclasses

        metal = self._validate_entry(x)
        entries = self._source().entries(metal)
        if not any(e.kind == "compound" for e in entries):
            return -float(max_shift_eV_atom)
        tol, res = float(self.tolerance_eV_atom), self.resolution_eV_atom

        def has(shift: float) -> bool:
            moved = [dataclasses.replace(e, formation_energy_eV_atom=e.formation_energy_eV_atom + shift) if e.kind == "compound" else e
                     for e in entries]
            return bool(stable_compounds(moved, metal, tol, res))

        lo, hi = -float(max_shift_eV_atom), float(max_shift_eV_atom)
        if not has(lo):
            return lo
        if has(hi):
            return hi
        while hi - lo > 1e-4:
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if has(mid) else (lo, mid)
        return 0.5 * (lo + hi)

    def featurize(self, x: Any) -> list[Any]:
        metal = self._validate_entry(x)
        src = self._source()
        entries = src.entries(metal)
        found = stable_compounds(entries, metal, self.tolerance_eV_atom, self.resolution_eV_atom) if entries else []
        lowest: dict[str, HullEntry] = {}  # one entry per formula (two polytypes can tie on the hull, e.g. C14/C15)
        for e, _, _ in found:
            if e.formula not in lowest or e.formation_energy_eV_atom < lowest[e.formula].formation_energy_eV_atom:
                lowest[e.formula] = e
        stable = list(lowest.values())
        stable.sort(key=lambda e: e.x_li)
        depth = min((e.formation_energy_eV_atom for e in stable), default=0.0)
        n_cand = sum(e.kind == "compound" for e in entries)
        has = bool(stable)
        phases = [e.formula for e in stable]
        richest = phases[-1] if phases else ""
        uptake = _li_uptake(richest) if richest else np.nan
        call = src.name if n_cand else f"{src.name} (no entries for {metal})"
        if self.prefer_curated:
            rec = _curated_records().get(metal)
            if rec is not None and rec["has_intermediate_phases"] is not None:
                has = bool(rec["has_intermediate_phases"])
                phases = [p.strip() for p in (rec["intermediate_phases"] or "").split(";") if p.strip()]
                uptakes = [(u, p) for p in phases if (u := _li_uptake(p)) is not None]
                richest, uptake = (max(uptakes)[1], max(uptakes)[0]) if uptakes else ("", np.nan)
                call = "curated (li_binaries.csv)"
        return [has, len(phases), ";".join(phases), depth, richest, uptake, n_cand, src.name, call]
