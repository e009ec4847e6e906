"""The candidate schema: column names (= ``interlayer predict`` options), units and defaults.

Kept free of heavy imports so the command line can build its ``--help`` from it.
Defaults are the source paper's Mg/C bilayer cell (Wu et al., ACS Appl. Mater.
Interfaces 2026, doi:10.1021/acsami.6c01094; room temperature taken as 25 C).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Allowed architectures (see the gap model for what each means).
ARCHITECTURES: tuple[str, ...] = ("bilayer", "carbon_under_metal", "nanocomposite", "single_layer", "none")


@dataclass(frozen=True)
class Field:
    """One candidate column: name, unit, default and what it means."""

    name: str
    unit: str
    default: float | str | None
    help: str
    #: the largest value accepted: far beyond any cell in datasets/literature_outcomes.csv, so that a typo such as
    #: 1e308 is refused instead of predicted
    maximum: float | None = None


#: The cell whose conditions are the defaults.
SOURCE_CELL = "doi:10.1021/acsami.6c01094"

#: Candidate columns in CLI order. ``None`` default: required (metal, carbon) or taken from the carbon preset.
FIELDS: tuple[Field, ...] = (
    Field("metal", "", None, "metal element symbol, or 'none' (carbon-only layer / bare collector)"),
    Field("carbon", "", None, "carbon preset from datasets/carbons.csv, or 'none' (metal only / bare collector)"),
    Field("architecture", "", "bilayer", "bilayer (metal under carbon), carbon_under_metal, nanocomposite, single_layer, none"),
    Field("metal_nm", "nm", 500.0, "metal layer thickness", 1e6),
    Field("carbon_nm", "nm", 100.0, "carbon layer thickness", 1e6),
    Field("current_ma_cm2", "mA/cm2", 0.1, "plating current density", 100.0),
    Field("stack_mpa", "MPa", 15.0, "stack pressure during cycling", 1000.0),
    Field("fab_mpa", "MPa", 250.0, "fabrication (lamination / pelletizing) pressure", 5000.0),
    Field("temperature_c", "degC", 25.0, "cell temperature (source paper: room temperature, 25 C assumed)", 400.0),
    Field("carbon_particle_nm", "nm", None, "carbon primary particle size", 1e6),
    Field("cycles", "cycles", 1.0, "the plating/stripping cycle asked about (1: first plating; later cycles count the "
          "interlayer metal carried off by lost Li, a prior-set term)", 1e6),
    Field("capacity_mah_cm2", "mAh/cm2", 2.0, "areal capacity plated per cycle (source paper's half-cells: 2)", 1000.0),
)
FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
NUMERIC_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.unit)
CANDIDATE_COLUMNS: tuple[str, ...] = tuple(f.name for f in FIELDS)
