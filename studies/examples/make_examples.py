"""Write the example inputs the docs name: ``spectrum.csv``, ``graphite.xyz`` and ``my_entries.json`` in this folder.

Run from anywhere: ``python studies/examples/make_examples.py``. No number here is a measurement: the spectrum is
synthetic (parameters below), the structure is ideal graphite built with ASE, the energies are the project's own
Miedema estimates. ``tests/test_docs_commands.py`` checks that the shipped files are what this script writes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

#: Synthetic Raman spectrum: baseline ``b0 + b1 * (shift - 1400)`` plus a D and a G Lorentzian, no noise. The band
#: parameters (height, centre in cm-1, full width at half maximum in cm-1) are chosen to look like a disordered carbon
#: such as carbon black; they are not fitted to any measurement. Area ratio I_D/I_G = 0.85*180 / (1.00*80) = 1.9125.
BASELINE = (0.05, 1.0e-5)
D_BAND = (0.85, 1345.0, 180.0)
G_BAND = (1.00, 1590.0, 80.0)
SHIFTS_CM1 = np.arange(800.0, 2000.0 + 1e-9, 4.0)

#: Graphite cell: a = sqrt(3) x the 1.42 A C-C bond, c = 2 x the ideal interlayer spacing d002 = 0.3354 nm that the
#: graphitization index uses (descriptors.graphitization.featurizer.D002_GRAPHITE_NM); 2 x 2 x 1 cells, 16 atoms.
CC_BOND_A = 1.42
GRAPHITE_SIZE = (2, 2, 1)

#: Metal of the formation-energy example (the docs run ``interlayer descriptors Ag --source .../my_entries.json``).
ENTRIES_METAL = "Ag"


def spectrum_text() -> str:
    """The synthetic spectrum as CSV text, its recipe in ``#`` comment lines."""
    from descriptors.graphitization.raman import lorentzian

    x = SHIFTS_CM1
    y = BASELINE[0] + BASELINE[1] * (x - 1400.0) + lorentzian(x, *D_BAND) + lorentzian(x, *G_BAND)
    head = [
        "# SYNTHETIC Raman spectrum, not a measurement (studies/examples/make_examples.py)",
        f"# baseline {BASELINE[0]} + {BASELINE[1]:g} * (shift - 1400); Lorentzians (height, centre cm-1, FWHM cm-1): "
        f"D {D_BAND}, G {G_BAND}",
        f"# area ratio I_D/I_G = {D_BAND[0] * D_BAND[2] / (G_BAND[0] * G_BAND[2]):.4f}",
        "shift_cm-1,intensity",
    ]
    return "\n".join(head + [f"{a:.1f},{b:.6f}" for a, b in zip(x, y)]) + "\n"


def graphite_text() -> str:
    """An ideal graphite cell as extended XYZ; the comment line says how it was built."""
    import io

    from ase.io import write
    from ase.lattice.hexagonal import Graphite

    from descriptors.graphitization.featurizer import D002_GRAPHITE_NM

    a, c = math.sqrt(3.0) * CC_BOND_A, 2.0 * D002_GRAPHITE_NM * 10.0
    atoms = Graphite(symbol="C", latticeconstant={"a": a, "c": c}, size=GRAPHITE_SIZE)
    cells = " x ".join(map(str, GRAPHITE_SIZE))
    atoms.info["comment"] = (f"ideal graphite built with ase.lattice.hexagonal.Graphite, a = sqrt(3) x {CC_BOND_A} A, "
                             f"c = 2 x {D002_GRAPHITE_NM} nm, {cells} cells (studies/examples/make_examples.py)")
    buf = io.StringIO()
    write(buf, atoms, format="extxyz")
    return buf.getvalue()


def entries_text() -> str:
    """Li-Ag formation energies in the JSON form ``--source FILE.json`` reads, from the Miedema model."""
    from descriptors.phases.energy_sources import MiedemaSource

    entries = [{"formula": e.formula, "formation_energy_eV_atom": round(e.formation_energy_eV_atom, 6)}
               for e in MiedemaSource().entries(ENTRIES_METAL) if e.kind == "compound"]
    source = ("computed-here: Miedema ordered-compound enthalpies (descriptors.phases.energy_sources.MiedemaSource, "
              "parameters of de Boer et al., Cohesion in Metals, 1988, ISBN 0444870989), written by "
              "studies/examples/make_examples.py; a stand-in for your own DFT energies, not a measurement")
    rows = ",\n  ".join(json.dumps(e) for e in entries)  # one entry per line
    return f'{{\n "source": {json.dumps(source)},\n "entries": [\n  {rows}\n ]\n}}\n'


#: File name -> the function that writes its text.
RECIPES = {"spectrum.csv": spectrum_text, "graphite.xyz": graphite_text, "my_entries.json": entries_text}


def main() -> None:
    for name, make in RECIPES.items():
        (HERE / name).write_text(make(), encoding="utf-8")
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
