"""Relaxation with a universal machine-learned interatomic potential (CHGNet).

Optional: needs the ``mlip`` extra (``pip install "interlayer-screen[mlip]"``,
which pins the CPU build ``torch==2.13.0`` and installs ``chgnet``). Nothing
else in the project imports torch; :func:`require_mlip` turns a missing install
into one line that says what to install.

:func:`relax_task` is the unit of work shipped to process pools and Dask
workers: it takes a plain dict (a :class:`~descriptors.mlip.prototypes.StructureTask`
as a dict plus the relaxation settings) and returns a plain dict (one cache
row). The model is loaded once per process.

Relaxation: ase ``FIRE`` on a ``FrechetCellFilter`` (cell shape, volume and
positions together) until every force and stress component is below ``fmax``
(eV/Å) or ``max_steps`` is reached; the row records whether it converged, the
steps taken, the residual force and the space group before and after
(pymatgen ``SpacegroupAnalyzer``, symprec 0.1 Å), so a prototype that relaxed
into another structure is visible. CHGNet: Deng et al., Nat. Mach. Intell. 5,
1031 (2023), doi:10.1038/s42256-023-00716-3.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from descriptors.errors import InputError

#: The potential this module drives, and its reference.
POTENTIAL = "CHGNet"
POTENTIAL_DOI = "doi:10.1038/s42256-023-00716-3"

#: What to install for the CHGNet route (the ``mlip`` extra); ends the error raised when torch or chgnet is missing.
MLIP_INSTALL_HINT = (
    'the CHGNet energy source needs the optional "mlip" extra: pip install "interlayer-screen[mlip]" '
    '(from a checkout: pip install ".[mlip]"; it installs torch==2.13.0 (CPU) and chgnet)'
)


@dataclass(frozen=True)
class RelaxSettings:
    """Relaxation settings (recorded with every row; a change makes earlier rows stale).

    Attributes:
        fmax: force (eV/Å) and scaled-stress convergence threshold.
        max_steps: FIRE step limit; a relaxation that reaches it is flagged not converged.
        threads: torch intra-op threads per process.
    """

    fmax: float = 0.05
    max_steps: int = 400
    threads: int = 1

    def check(self) -> RelaxSettings:
        if not self.fmax > 0:
            raise InputError(f"fmax must be positive (eV/Å), got {self.fmax}")
        if int(self.max_steps) < 1:
            raise InputError(f"max_steps must be >= 1, got {self.max_steps}")
        if int(self.threads) < 1:
            raise InputError(f"threads must be >= 1, got {self.threads}")
        return self

    def tag(self) -> str:
        """Short settings label stored in each row (``fmax=0.05;steps=400``)."""
        return f"fmax={self.fmax:g};steps={int(self.max_steps)}"


def require_mlip() -> None:
    """Raise :class:`InputError` with the install line when torch or chgnet is missing."""
    import importlib.util

    missing = [m for m in ("torch", "chgnet") if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(f"{' and '.join(missing)} not installed: {MLIP_INSTALL_HINT}")


def potential_versions() -> dict[str, str]:
    """Versions of the potential (model weights), its package and torch."""
    from importlib.metadata import version

    require_mlip()
    return {"potential": POTENTIAL, "potential_version": _model().version or "", "chgnet": version("chgnet"), "torch": version("torch")}


_MODEL: Any = None
_CALCULATOR: Any = None


def _quiet() -> Any:
    """A context that silences CHGNet's prints and warnings."""
    import contextlib
    import io
    import warnings

    stack = contextlib.ExitStack()
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    return stack


def _model() -> Any:
    global _MODEL
    if _MODEL is None:
        require_mlip()
        from chgnet.model import CHGNet

        with _quiet():
            _MODEL = CHGNet.load(verbose=False)
    return _MODEL


def _calculator() -> Any:
    global _CALCULATOR
    if _CALCULATOR is None:
        from chgnet.model.dynamics import CHGNetCalculator

        with _quiet():
            _CALCULATOR = CHGNetCalculator(model=_model(), use_device="cpu", on_isolated_atoms="ignore")
    return _CALCULATOR


def _spacegroup(structure: Any) -> str:
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    try:
        return str(SpacegroupAnalyzer(structure, symprec=0.1).get_space_group_symbol())
    except Exception:  # spglib gives up on badly distorted cells; the row says so
        return "?"


def relax_task(task: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """Relax one structure and return its cache row (plain dict; see ``descriptors.mlip.structure_cache``).

    Args:
        task: a ``StructureTask`` as a dict (``dataclasses.asdict``).
        settings: a ``RelaxSettings`` as a dict.

    A relaxation that raises (e.g. atoms pushed too close) gives a row with
    ``status="failed: ..."`` and no energy, so one bad structure never loses the rest.
    """
    import numpy as np

    s = RelaxSettings(**settings).check()
    require_mlip()
    import torch
    from ase.filters import FrechetCellFilter
    from ase.optimize import FIRE
    from pymatgen.core import Structure
    from pymatgen.io.ase import AseAtomsAdaptor

    torch.set_num_threads(int(s.threads))
    structure = Structure.from_dict(task["structure"])
    row: dict[str, Any] = {
        "metal": task["metal"], "key": task["key"], "role": task["role"], "prototype": task["prototype"],
        "parent_lattice": task["parent"], "formula": structure.composition.formula.replace(" ", ""),
        "reduced_formula": structure.composition.reduced_formula,
        "n_atoms": len(structure), "x_li": float(structure.composition.get_atomic_fraction("Li")),
        "spacegroup_initial": _spacegroup(structure), "settings": s.tag(),
    } | {k if k.startswith("potential") else f"{k}_version": v for k, v in potential_versions().items()}
    t0 = time.perf_counter()
    try:
        atoms = AseAtomsAdaptor.get_atoms(structure)
        atoms.calc = _calculator()
        filtered = FrechetCellFilter(atoms)
        with _quiet():
            opt = FIRE(filtered, logfile=None)
            converged = bool(opt.run(fmax=float(s.fmax), steps=int(s.max_steps)))
        energy = float(atoms.get_potential_energy()) / len(atoms)
        fres = float(np.sqrt((filtered.get_forces() ** 2).sum(axis=1)).max())
        final = AseAtomsAdaptor.get_structure(atoms)
        if not np.isfinite(energy):
            raise ValueError("non-finite energy")
        row |= {
            "energy_eV_atom": energy, "volume_A3_atom": float(final.volume / len(final)), "converged": converged,
            "n_steps": int(opt.nsteps), "fmax_final_eV_A": fres, "spacegroup_final": _spacegroup(final),
            "status": "ok" if converged else f"not converged in {int(s.max_steps)} steps (residual {fres:.3f} eV/A)",
        }
    except Exception as exc:  # noqa: BLE001 - any failure becomes a flagged row
        row |= {"energy_eV_atom": float("nan"), "volume_A3_atom": float("nan"), "converged": False, "n_steps": 0,
                "fmax_final_eV_A": float("nan"), "spacegroup_final": "", "status": f"failed: {type(exc).__name__}: {exc}"[:200]}
    row["seconds"] = round(time.perf_counter() - t0, 3)
    return row


def task_payload(task: Any) -> dict[str, Any]:
    """A ``StructureTask`` as the plain dict :func:`relax_task` takes."""
    return asdict(task)
