"""Li–M hull entries and dilute heats of solution from CHGNet-relaxed structures.

Reads the structure cache (``descriptors.mlip.structure_cache``: the shipped
``datasets/computed/chgnet_li_m_structures.csv`` plus the user's cache), so it
needs no torch. For a metal M:

* **references**: the lowest converged energy per atom of Li (bcc/fcc/hcp) and
  of M (bcc/fcc/hcp and its reference state) are the hull's end points;
* **compounds**: each converged ordered prototype gives
  ``E_f = e - x e_Li - (1 - x) e_M`` (eV/atom), kind ``"compound"``;
* **solutions**: the dilute cells and the random bcc cells give
  ``G = E_f - T S_ideal(x)`` (eV/atom, ideal configurational entropy at the
  hull temperature), kind ``"solution"``: they compete on the hull and are never
  counted as intermediate phases.

**Ordered bcc superstructures versus the bcc solid solution.** B2, B32 and D0_3
are orderings of the bcc lattice that Li itself has. Such a cell can have a
negative formation energy and still not be a distinct phase: the disordered
bcc solution on the same lattice gains ``-T S_ideal`` (17.8 meV/atom at
x = 1/2 and 298 K) and may lie lower. Because the random cells are on the same
hull, an ordered cell counts only if it lies below the solution's free energy,
i.e. its ordering energy beats the mixing entropy at the hull temperature
(:meth:`ChgnetSource.ordering_table` lists both numbers). This is how Li–Mg's
B2 LiMg (reported by atom-probe work, not in the assessed diagram) is told
apart from the bcc (Li) solution.

**Dilute heats of solution** (kJ/mol of solute), from the relaxed supercells::

    dH(Li in M) = E[Li M_(n-1)] - (n-1) e_M(host structure) - e_Li
    dH(M in Li) = E[M Li_(n-1)] - (n-1) e_Li(bcc)           - e_M

with the solute referred to its ground state and the solvent to the same
structure as the host. Relaxed cells include the elastic (size) term, so
``dH_elastic_*`` is 0 when these heats are used.

**Energy resolution.** CHGNet 0.3.0's test-set energy error is 29 meV/atom
(MAE on MPtrj; ``chgnet/pretrained/0.3.0/README.md`` in the chgnet package,
https://github.com/CederGroupHub/chgnet/blob/main/chgnet/pretrained/0.3.0/README.md).
By default a compound counts as an intermediate phase only if it lies at least
that far below the hull of all other structures (``resolution_eV_atom``; set 0
for the raw hull). ``interlayer validate-descriptors`` reports both.

Rows that did not converge or failed are left out of the hull and listed by
:meth:`ChgnetSource.flagged`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from descriptors.contract.citations import cite
from descriptors.errors import InputError
from descriptors.phases.hull_entries import HullEntry
from descriptors.solubility import miedema

#: CHGNet 0.3.0 test-set energy MAE (eV/atom), the default resolution of the phase call.
CHGNET_ENERGY_MAE_EV_ATOM = 0.029

#: Relaxation settings the shipped cache was made with (preferred where a structure was relaxed more than once).
DEFAULT_SETTINGS = "fmax=0.05;steps=400"


def _mixing_free_energy_eV(x: float, temperature_K: float) -> float:
    """``T S_ideal(x)`` in eV/atom (Miedema module's ideal mixing entropy)."""
    return float(temperature_K * miedema.ideal_mixing_entropy(x) / miedema.KJ_PER_EV)


class ChgnetSource:
    """CHGNet energies from the structure cache, as an energy source for the hull.

    Args:
        caches: cache files to read, in order (later rows replace earlier ones). Default:
            the shipped cache, then the user cache if it exists.
        extra_caches: more cache files read after ``caches`` (e.g. a ``compute-binaries --cache`` file).
        temperature_K: temperature of the solutions' ideal mixing entropy (K).
        settings: relaxation settings tag preferred where a structure was relaxed with several settings
            (see ``RelaxSettings.tag``); a structure relaxed only with other settings uses that row.
        include_unconverged: also use rows whose relaxation hit the step limit.
        resolution_eV_atom: how far below the hull of the other structures a compound must lie to
            count (eV/atom; default: CHGNet's test-set energy MAE; 0 for the raw hull).
        potential_version: model version whose rows are used (default: the version most rows have);
            rows of other versions are ignored, because energies of two potentials do not share a scale.
    """

    def __init__(self, caches: list[Path | str] | None = None, extra_caches: list[Path | str] | None = None, temperature_K: float = 298.15,
                 settings: str = DEFAULT_SETTINGS, include_unconverged: bool = False,
                 resolution_eV_atom: float = CHGNET_ENERGY_MAE_EV_ATOM, potential_version: str | None = None) -> None:
        if not temperature_K >= 0:
            raise InputError(f"temperature must be >= 0 K, got {temperature_K}")
        if not resolution_eV_atom >= 0:
            raise InputError(f"resolution must be >= 0 eV/atom, got {resolution_eV_atom}")
        self.resolution_eV_atom = float(resolution_eV_atom)
        self.temperature_K = float(temperature_K)
        self.settings = settings
        self.include_unconverged = include_unconverged
        self.messages: list[str] = []
        rows = self._load(caches, extra_caches or [])
        if potential_version is None:  # the version most rows have (the shipped file's, unless overridden)
            counts = Counter(r["potential_version"] for r in rows)
            potential_version = counts.most_common(1)[0][0] if counts else ""
        self.potential_version = potential_version
        self._rows = [r for r in rows if r["potential_version"] == potential_version]  # energies of one potential only
        self.name = f"chgnet-{self.potential_version}" if self.potential_version else "chgnet"

    def _load(self, caches: list[Path | str] | None, extra: list[Path | str]) -> list[dict[str, Any]]:
        from descriptors.mlip.structure_cache import SHIPPED_NAME, default_user_cache, read_cache, row_id

        if caches is None:
            from descriptors.data.files import datasets_dir, verify_hash

            verify_hash(SHIPPED_NAME)
            paths = [datasets_dir() / SHIPPED_NAME]
            if default_user_cache().is_file():
                paths.append(default_user_cache())
        else:
            paths = [Path(p) for p in caches]
        paths += [Path(p) for p in extra if Path(p).resolve() not in {q.resolve() for q in paths}]
        rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        for p in paths:
            contents = read_cache(p)
            self.messages += contents.messages()
            for r in contents.rows:
                rows[row_id(r)] = r
        chosen: dict[tuple[str, str, str], dict[str, Any]] = {}  # one row per structure and potential version
        for r in rows.values():
            k = (r["metal"], r["key"], r["potential_version"])
            if k not in chosen or (r["settings"] == self.settings) >= (chosen[k]["settings"] == self.settings):
                chosen[k] = r
        return list(chosen.values())

    def metals(self) -> list[str]:
        """Metals with at least one usable compound row."""
        return sorted({r["metal"] for r in self._rows if r["role"] == "compound" and self._usable(r)})

    def _usable(self, r: dict[str, Any]) -> bool:
        if r["status"] == "ok":
            return True
        return self.include_unconverged and r["status"].startswith("not converged")

    def flagged(self, metal: str | None = None) -> list[dict[str, Any]]:
        """Rows left out of the hull (not converged or failed), optionally for one metal."""
        return [r for r in self._rows if not self._usable(r) and (metal is None or r["metal"] in (metal, "Li"))]

    def _rows_for(self, metal: str) -> list[dict[str, Any]]:
        rows = [r for r in self._rows if r["metal"] == metal and self._usable(r)]
        if not any(r["role"] == "compound" for r in rows):
            raise InputError(f"no CHGNet structures for Li-{metal} in the cache; compute them with: "
                             f"interlayer compute-binaries {metal} --source chgnet")
        return rows

    def references(self, metal: str) -> tuple[float, float]:
        """Lowest converged energies per atom (eV/atom) of Li and of ``metal``."""
        e_li = [r["energy_eV_atom"] for r in self._rows if r["metal"] == "Li" and r["role"] == "reference" and self._usable(r)]
        e_m = [r["energy_eV_atom"] for r in self._rows_for(metal) if r["role"] == "reference"]
        if not e_li or not e_m:
            raise InputError(f"the CHGNet cache lacks converged elemental references for {'Li' if not e_li else metal}; "
                             f"run: interlayer compute-binaries {metal} --source chgnet")
        return min(e_li), min(e_m)

    def _reference_energy(self, symbol: str, structure: str) -> float | None:
        for r in self._rows:
            if r["metal"] == symbol and r["role"] == "reference" and r["prototype"] == structure and self._usable(r):
                return float(r["energy_eV_atom"])
        return None

    def formation_energies(self, metal: str) -> list[dict[str, Any]]:
        """Every usable non-reference row with its formation energy (eV/atom) and free energy at T."""
        e_li, e_m = self.references(metal)
        out = []
        for r in self._rows_for(metal):
            if r["role"] == "reference":
                continue
            x = float(r["x_li"])
            ef = float(r["energy_eV_atom"]) - x * e_li - (1 - x) * e_m
            g = ef - (_mixing_free_energy_eV(x, self.temperature_K) if r["role"] != "compound" else 0.0)
            out.append({"key": r["key"], "role": r["role"], "prototype": r["prototype"], "parent_lattice": r["parent_lattice"],
                        "formula": r["reduced_formula"], "x_li": x, "formation_energy_eV_atom": ef, "free_energy_eV_atom": g,
                        "spacegroup_initial": r["spacegroup_initial"], "spacegroup_final": r["spacegroup_final"]})
        return out

    def entries(self, metal: str) -> list[HullEntry]:
        return [HullEntry(f["formula"] if f["role"] == "compound" else f["key"], f["x_li"], f["free_energy_eV_atom"],
                          "compound" if f["role"] == "compound" else "solution", label=f["key"])
                for f in self.formation_energies(metal)]

    def heats_of_solution(self, metal: str) -> tuple[float, float]:
        """Dilute heats of solution (kJ/mol of solute): Li in M, and M in bcc Li (see the module docstring)."""
        e_li, e_m = self.references(metal)
        li_bcc = self._reference_energy("Li", "bcc")
        out = {}
        for r in self._rows_for(metal):
            if r["role"] != "dilute":
                continue
            n = int(r["n_atoms"])
            total = float(r["energy_eV_atom"]) * n
            if r["key"].startswith("dilute:Li_in_"):
                host = self._reference_energy(metal, r["parent_lattice"])
                if host is not None:
                    out["li_in_m"] = (total - (n - 1) * host - e_li) * miedema.KJ_PER_EV
            elif li_bcc is not None:
                out["m_in_li"] = (total - (n - 1) * li_bcc - e_m) * miedema.KJ_PER_EV
        if set(out) != {"li_in_m", "m_in_li"}:
            raise InputError(f"the CHGNet cache lacks a converged dilute cell for Li-{metal} "
                             f"({', '.join(sorted({'li_in_m', 'm_in_li'} - set(out)))}); run: interlayer compute-binaries {metal}")
        return out["li_in_m"], out["m_in_li"]

    def ordering_table(self, metal: str) -> list[dict[str, Any]]:
        """Ordered bcc superstructures beside the random bcc solution at the same x (eV/atom).

        ``E_random`` and ``G_random`` are linear interpolations between the random and dilute
        bcc cells (and pure Li); ``ordering_energy = E_f - E_random``; the cell is a distinct
        phase only if ``E_f < G_random`` (and it is on the hull).
        """
        import numpy as np

        from descriptors.mlip.prototypes import BCC_SUPERSTRUCTURES

        f = self.formation_energies(metal)
        sol = sorted((r["x_li"], r["formation_energy_eV_atom"]) for r in f
                     if r["parent_lattice"] == "bcc" and r["role"] in ("random", "dilute"))
        if not sol:
            return []
        xs = np.array([x for x, _ in sol] + [1.0])
        es = np.array([e for _, e in sol] + [0.0])
        out = []
        for r in f:
            if r["role"] == "compound" and r["prototype"] in BCC_SUPERSTRUCTURES:
                x = r["x_li"]
                e_rand = float(np.interp(x, xs, es))
                g_rand = e_rand - _mixing_free_energy_eV(x, self.temperature_K)
                out.append({"metal": metal, "structure": r["key"], "x_li": x, "formation_energy_eV_atom": r["formation_energy_eV_atom"],
                            "E_random_eV_atom": e_rand, "G_random_eV_atom": g_rand,
                            "ordering_energy_eV_atom": r["formation_energy_eV_atom"] - e_rand,
                            "below_solution": bool(r["formation_energy_eV_atom"] < g_rand)})
        return out

    def citations(self) -> list[str]:
        return cite("chgnet", "strukturbericht", "pymatgen", "ase")


_SHARED: dict[tuple, ChgnetSource] = {}


def shared_source(temperature_K: float = 298.15, resolution_eV_atom: float = CHGNET_ENERGY_MAE_EV_ATOM) -> ChgnetSource:
    """A :class:`ChgnetSource` on the default caches, reused while those files are unchanged (mtime and size)."""
    from descriptors.data.files import datasets_dir
    from descriptors.mlip.structure_cache import SHIPPED_NAME, default_user_cache

    stamp = []
    for p in (datasets_dir() / SHIPPED_NAME, default_user_cache()):
        st = p.stat() if p.is_file() else None
        stamp.append((str(p), st.st_mtime_ns if st else None, st.st_size if st else None))
    key = (float(temperature_K), float(resolution_eV_atom), tuple(stamp))
    if key not in _SHARED:
        if len(_SHARED) >= 4:
            _SHARED.clear()
        _SHARED[key] = ChgnetSource(temperature_K=temperature_K, resolution_eV_atom=resolution_eV_atom)
    return _SHARED[key]
