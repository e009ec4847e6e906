"""The row schema (pydantic) of every curated table in ``datasets/``, and which schema each file has (:data:`SCHEMAS`).

A bad cell fails its row's validation with a message naming the column; :mod:`descriptors.data.curated` turns that
into a one-line error with the file and line. The same schemas validate user-supplied files (fresh lab results, a
user's formation energies), so the rules are identical for curated and new data.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from descriptors.data.elements import check_metal

ValueOrigin = Literal["text", "table", "figure-read", "estimated", "computed-here"]
VALUE_ORIGINS: tuple[str, ...] = ("text", "table", "figure-read", "estimated", "computed-here")

# --------------------------------------------------------------------------- cell parsing

def _none_if_empty(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        if v == "":
            return None
        if v.lower() in {"nan", "na", "n/a", "none", "inf", "-inf"}:
            raise ValueError(f"'{v}' is not allowed; leave the cell empty when the value is unknown")
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("NaN/inf is not allowed; leave the cell empty when the value is unknown")
    return v


def _bool_cell(v: Any) -> bool | None:
    if v is None or (isinstance(v, str) and v.strip() == ""):
        return None
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in {"true", "yes", "1"}:
        return True
    if s in {"false", "no", "0"}:
        return False
    raise ValueError(f"'{v}' is not true/false")


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: str = Field(min_length=1)
    value_origin: ValueOrigin

    @field_validator("source")
    @classmethod
    def _source_has_link(cls, v: str) -> str:
        if not re.search(r"(doi:\s*10\.|https?://|ISBN)", v, flags=re.IGNORECASE):
            raise ValueError("source must contain a DOI (doi:10....), a URL or an ISBN")
        return v


def _opt_float(lo: float | None = None, hi: float | None = None, positive: bool = False):
    """Validator factory: optional finite float within [lo, hi] (``positive``: and above 0)."""

    def check(v: Any) -> float | None:
        v = _none_if_empty(v)
        if v is None:
            return None
        x = float(v)
        if not math.isfinite(x):
            raise ValueError("NaN/inf is not allowed")
        if lo is not None and x < lo:
            raise ValueError(f"{x} is below the allowed minimum {lo}")
        if hi is not None and x > hi:
            raise ValueError(f"{x} is above the allowed maximum {hi}")
        if positive and x <= 0:
            raise ValueError(f"{x} must be positive (leave the cell empty when the value is unknown)")
        return x

    return check


_PCT = _opt_float(0.0, 100.0)
_NONNEG = _opt_float(0.0)
_TEMP_C = _opt_float(-273.15, 2000.0)
#: Layer thicknesses and particle sizes of a cell, nm: at most 1 mm (the gap model's inputs stop there too).
_LENGTH_NM = _opt_float(0.0, 1e6)

#: Bounds of the outcome columns: beyond any solid-state cell (the largest published stack pressures are ~1 GPa,
#: critical currents ~100 mA/cm2), so only typos and unit slips are refused.
_PRESSURE_MPA = _opt_float(0.0, 10_000.0)
_CURRENT_MA_CM2 = _opt_float(0.0, 1_000.0, positive=True)
_CAPACITY_MAH_CM2 = _opt_float(0.0, 1_000.0, positive=True)
_OVERPOTENTIAL_MV = _opt_float(0.0, 10_000.0, positive=True)
_TOUGHNESS_J_M2 = _opt_float(0.0, 100_000.0, positive=True)


class LiBinaryRow(_Row):
    """One Li–M system from assessed phase diagrams (``li_binaries.csv``)."""

    metal: str
    li_in_m_max_at_pct: float | None = None
    li_in_m_temperature_C: float | None = None
    li_in_m_text: str = ""
    m_in_li_max_at_pct: float | None = None
    m_in_li_temperature_C: float | None = None
    m_in_li_text: str = ""
    intermediate_phases: str = ""
    has_intermediate_phases: bool | None = None
    wide_solid_solution: bool | None = None
    confidence: str = ""
    notes: str = ""

    _pct = field_validator("li_in_m_max_at_pct", "m_in_li_max_at_pct", mode="before")(lambda v: _PCT(v))
    _tc = field_validator("li_in_m_temperature_C", "m_in_li_temperature_C", mode="before")(lambda v: _TEMP_C(v))
    _b = field_validator("has_intermediate_phases", "wide_solid_solution", mode="before")(lambda v: _bool_cell(v))

    @field_validator("metal")
    @classmethod
    def _metal(cls, v: str) -> str:
        return check_metal(v)

    @model_validator(mode="after")
    def _consistent(self) -> LiBinaryRow:
        if self.has_intermediate_phases is False and self.intermediate_phases:
            raise ValueError("has_intermediate_phases is false but intermediate_phases lists phases")
        return self


CARBON_PROPERTIES: dict[str, str] = {
    "description": "",
    "structural_class": "",
    "d002_nm": "nm",
    "id_ig_ratio": "",
    "raman_laser_nm": "nm",
    "la_nm": "nm",
    "sp2_fraction": "",
    "density_g_cm3": "g/cm3",
    "particle_size_nm": "nm",
    "thickness_nm": "nm",
    "lithiation_capacity_mAh_cm2": "mAh/cm2",
    "bet_surface_m2_g": "m2/g",
    "deposition": "",
}
#: How a carbon preset is laid down; a film process gives a continuous layer, otherwise the layer is particulate.
DEPOSITION_PROCESSES = ("thermal_evaporation", "magnetron_sputtering", "slurry_casting")
STRUCTURAL_CLASSES = ("graphite", "graphitic", "non_graphitic")


class CarbonPropertyRow(_Row):
    """One property of one carbon preset (``carbons.csv``, long format)."""

    preset: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    property: str
    value: str = Field(min_length=1)
    unit: str = ""
    confidence: str = ""
    notes: str = ""

    @model_validator(mode="after")
    def _check(self) -> CarbonPropertyRow:
        if self.property not in CARBON_PROPERTIES:
            raise ValueError(f"unknown property '{self.property}' (allowed: {', '.join(CARBON_PROPERTIES)})")
        unit = CARBON_PROPERTIES[self.property]
        if self.unit != unit:
            raise ValueError(f"property '{self.property}' must have unit '{unit}', got '{self.unit}'")
        if self.property == "structural_class" and self.value not in STRUCTURAL_CLASSES:
            raise ValueError(f"structural_class must be one of {STRUCTURAL_CLASSES}")
        if self.property == "deposition" and self.value not in DEPOSITION_PROCESSES:
            raise ValueError(f"deposition must be one of {DEPOSITION_PROCESSES}")
        if unit or self.property in {"id_ig_ratio", "sp2_fraction"}:
            x = _NONNEG(self.value)
            if x is None or x <= 0:
                raise ValueError(f"{self.property} must be a positive number, got '{self.value}'")
            if self.property == "sp2_fraction" and x > 1:
                raise ValueError("sp2_fraction must be within [0, 1]")
        return self


#: Interlayer architectures of a published cell (``literature_outcomes.csv`` column ``architecture``).
ARCHITECTURES = ("bilayer", "carbon_under_metal", "nanocomposite", "single_layer", "none")
#: Where a published cell plated Li relative to its carbon layer (``li_location``; ``not_applicable`` without carbon).
LI_LOCATIONS = ("under_carbon", "above_carbon", "mixed", "not_applicable")


class OutcomeRow(_Row):
    """One published cell experiment (``literature_outcomes.csv``)."""

    record_id: str = Field(min_length=1)
    study_id: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    current_collector: str = ""
    #: an element symbol, ``none`` (no metal layer), or empty when the source does not name the metal (never fitted)
    metal: str
    carbon: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    architecture: Literal["bilayer", "carbon_under_metal", "nanocomposite", "single_layer", "none"]
    metal_thickness_nm: float | None = None
    carbon_thickness_nm: float | None = None
    metal_carbon_mass_ratio: float | None = None
    metal_particle_size_nm: float | None = None
    carbon_particle_size_nm: float | None = None
    electrolyte: str = ""
    counter_electrode: str = ""
    fab_pressure_MPa: float | None = None
    stack_pressure_MPa: float | None = None
    temperature_C: float | None = None
    current_density_mA_cm2: float | None = None
    areal_capacity_mAh_cm2: float | None = None
    li_location: Literal["under_carbon", "above_carbon", "mixed", "not_applicable", ""] = ""
    nucleation_dip: Literal["yes", "no", ""] = ""
    nucleation_overpotential_mV: float | None = None
    initial_ce_pct: float | None = None
    average_ce_pct: float | None = None
    #: a critical current the source states as one number (the current at which the cell shorted), mA/cm2
    ccd_mA_cm2: float | None = None
    #: a critical current known only as an interval: the highest current the cell cycled at without shorting
    #: (``ccd_lower``) and the lowest at which it shorted (``ccd_upper``), mA/cm2; either may be empty (a one-sided bound).
    #: Fitted as an interval-censored observation, never as a point.
    ccd_lower_mA_cm2: float | None = None
    ccd_upper_mA_cm2: float | None = None
    interfacial_toughness_J_m2: float | None = None
    #: ``lower``/``upper`` when the paper gives only a bound (e.g. the tape failed before the interface did)
    toughness_bound: Literal["", "lower", "upper"] = ""
    binder: str = ""
    carbon_grade: str = ""
    #: the family of the electrolyte; only solid sulfide cells (or unstated) enter the gap model
    electrolyte_class: Literal["sulfide", "oxide", "lipon", "halide", "polymer", "liquid", ""] = ""
    #: ``anode_free`` (Li plated from the cathode or counter electrode onto a bare or coated collector) or
    #: ``li_metal_anode`` (a Li or Li-alloy anode with an interlayer); only anode-free (or unstated) cells are fitted
    cell_type: Literal["anode_free", "li_metal_anode", ""] = ""
    #: any other numeric outcome the paper states (capacity retention, rate ratio, ...), named with its unit
    metric: str = ""
    metric_value: float | None = None
    cycles: float | None = None
    #: what was read for this row: the paper's full text, a third-party digest of it, its abstract, or another paper's summary
    read_from: Literal["full_text", "full_text_digest", "abstract", "secondary", ""] = ""
    #: how the paper states the plating location (e.g. "cross-section SEM", "can occur", "implied")
    location_statement: str = ""
    confidence: str = ""
    estimated_fields: str = ""
    notes: str = ""
    #: what a second, independent reader read to check the row (curated rows; a lab's own cells may leave it empty)
    checked_from: str = ""
    #: the second reading's verdict: ``confirmed``, ``corrected`` (see datasets/README.md, CHANGES) or ``unverifiable``
    check: Literal["confirmed", "corrected", "unverifiable", ""] = ""

    _length = field_validator("metal_thickness_nm", "carbon_thickness_nm", "metal_particle_size_nm",
                              "carbon_particle_size_nm", mode="before")(lambda v: _LENGTH_NM(v))
    _nonneg = field_validator("metal_carbon_mass_ratio", "cycles", mode="before")(lambda v: _NONNEG(v))
    # physically possible ranges, far beyond any published cell: a typo (0 mA/cm2, 1e9 MPa) is refused, not fitted
    _pressure = field_validator("fab_pressure_MPa", "stack_pressure_MPa", mode="before")(lambda v: _PRESSURE_MPA(v))
    _current = field_validator("current_density_mA_cm2", "ccd_mA_cm2", "ccd_lower_mA_cm2", "ccd_upper_mA_cm2",
                               mode="before")(lambda v: _CURRENT_MA_CM2(v))
    _capacity = field_validator("areal_capacity_mAh_cm2", mode="before")(lambda v: _CAPACITY_MAH_CM2(v))
    _eta = field_validator("nucleation_overpotential_mV", mode="before")(lambda v: _OVERPOTENTIAL_MV(v))
    _tough = field_validator("interfacial_toughness_J_m2", mode="before")(lambda v: _TOUGHNESS_J_M2(v))
    _pct = field_validator("initial_ce_pct", "average_ce_pct", mode="before")(lambda v: _PCT(v))
    _tc = field_validator("temperature_C", mode="before")(lambda v: _TEMP_C(v))

    @field_validator("metal")
    @classmethod
    def _metal(cls, v: str) -> str:
        if v.strip() == "":
            return ""
        return "none" if v.strip().lower() == "none" else check_metal(v)

    @model_validator(mode="after")
    def _consistent(self) -> OutcomeRow:
        fields = set(type(self).model_fields)
        for f in filter(None, (s.strip() for s in self.estimated_fields.split(";"))):
            if f not in fields:
                raise ValueError(f"estimated_fields names unknown column '{f}'")
        if self.carbon == "none" and self.li_location not in ("", "not_applicable"):
            raise ValueError("li_location must be not_applicable (or empty) when there is no carbon")
        if self.architecture == "bilayer" and (self.metal == "none" or self.carbon == "none"):
            raise ValueError("a bilayer needs both a metal and a carbon")
        if self.toughness_bound and self.interfacial_toughness_J_m2 is None:
            raise ValueError("toughness_bound needs the bound's value in interfacial_toughness_J_m2")
        lo, hi = self.ccd_lower_mA_cm2, self.ccd_upper_mA_cm2
        if self.ccd_mA_cm2 is not None and (lo is not None or hi is not None):
            raise ValueError("give a critical current either as one stated value (ccd_mA_cm2) or as bounds "
                             "(ccd_lower_mA_cm2 / ccd_upper_mA_cm2), not both")
        if lo is not None and hi is not None and not lo < hi:
            raise ValueError(f"ccd_lower_mA_cm2 ({lo:g}) must be below ccd_upper_mA_cm2 ({hi:g}): "
                             "stable at the lower, shorted at the upper")
        if (self.metric_value is None) != (not self.metric):
            raise ValueError("metric and metric_value go together")
        return self


class NucleationRow(_Row):
    """One Li nucleation-overpotential observation (``nucleation_overpotentials.csv``)."""

    substrate: str = Field(min_length=1)
    substrate_state: Literal["bare", "lithiated"]
    electrolyte: str = ""
    electrolyte_type: str = ""
    current_density_mA_cm2: float | None = None
    temperature_C: float | None = None
    eta_nucleation_mV: float | None = None
    nucleation_barrier: str = ""
    confidence: str = ""
    estimated_fields: str = ""
    notes: str = ""

    _nonneg = field_validator("current_density_mA_cm2", "eta_nucleation_mV", mode="before")(lambda v: _NONNEG(v))
    _tc = field_validator("temperature_C", mode="before")(lambda v: _TEMP_C(v))


class MiedemaRow(_Row):
    """Miedema parameters of one element (``miedema_parameters.csv``)."""

    element: str
    molar_volume_cm3_mol: float = Field(gt=0)
    n_ws_du: float = Field(ge=0)
    phi_star_V: float = Field(ge=0)
    valence_electrons: int = Field(ge=0)
    a_const: float = Field(ge=0)
    r_over_p: float = Field(ge=0)
    h_trans_kJ_mol: float = Field(ge=0)
    bulk_modulus_GPa: float = Field(ge=0)
    shear_modulus_GPa: float = Field(ge=0)
    melting_point_K: float = Field(ge=0)
    transition_metal: bool | None = None

    _b = field_validator("transition_metal", mode="before")(lambda v: _bool_cell(v))


class FormationEnergyRow(_Row):
    """A computed Li–M formation energy (``dft_formation_energies.csv`` or a user file)."""

    metal: str
    formula: str = Field(min_length=1)
    formation_energy_eV_atom: float = Field(ge=-10.0, le=10.0)
    notes: str = ""

    @field_validator("metal")
    @classmethod
    def _metal(cls, v: str) -> str:
        return check_metal(v)


class ThermochemistryRow(_Row):
    """A measured standard enthalpy of formation at 298 K (``thermochemistry.csv``), eV per atom."""

    formula: str = Field(min_length=1)
    formation_enthalpy_eV_atom: float = Field(ge=-10.0, le=1.0)
    notes: str = ""


class ElementPriceRow(_Row):
    """Price of one element (``element_prices.csv``), USD per kg of the element."""

    element: str
    price_usd_kg: float = Field(gt=0)
    price_date: str = Field(min_length=1)
    doubtful: bool
    confidence: str = ""
    notes: str = ""

    _b = field_validator("doubtful", mode="before")(lambda v: _bool_cell(v))

    @field_validator("element")
    @classmethod
    def _element(cls, v: str) -> str:
        if v != "C":
            return check_metal(v) if v != "Li" else v
        return v


class FilmContinuityRow(_Row):
    """Continuity (percolation) thickness of a deposited metal film (``film_continuity.csv``), nm."""

    metal: str
    continuity_nm: float = Field(gt=0, le=1000)
    bound: Literal["", "upper"] = ""
    deposition: str = Field(min_length=1)
    substrate: str = ""
    confidence: str = ""
    notes: str = ""

    @field_validator("metal")
    @classmethod
    def _metal(cls, v: str) -> str:
        return check_metal(v)


#: Quantities of a reference cell stack (``cell_stacks.csv``) and their units.
STACK_QUANTITIES: dict[str, str] = {
    "cathode_areal_capacity_mAh_cm2": "mAh/cm2", "cathode_thickness_um": "um", "cathode_specific_capacity_mAh_g": "mAh/g",
    "cathode_active_fraction": "fraction", "average_voltage_V": "V", "separator_thickness_um": "um",
    "separator_density_g_cm3": "g/cm3", "cathode_collector_thickness_um": "um", "anode_collector_thickness_um": "um",
}


class CellStackRow(_Row):
    """One quantity of a reference cell stack (``cell_stacks.csv``, long format)."""

    stack: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    quantity: str
    value: float = Field(gt=0, le=100000)
    unit: str
    confidence: str = ""
    notes: str = ""

    @model_validator(mode="after")
    def _check(self) -> CellStackRow:
        if self.quantity not in STACK_QUANTITIES:
            raise ValueError(f"unknown quantity '{self.quantity}' (allowed: {', '.join(STACK_QUANTITIES)})")
        if self.unit != STACK_QUANTITIES[self.quantity]:
            raise ValueError(f"quantity '{self.quantity}' must have unit '{STACK_QUANTITIES[self.quantity]}', got '{self.unit}'")
        if self.unit == "fraction" and self.value > 1:
            raise ValueError(f"{self.quantity} is a fraction (0-1), got {self.value}")
        return self


ELECTROLYTE_CONTACT_OUTCOMES = ("stable", "reacts", "reacts_with_moisture")


class ElectrolyteContactRow(_Row):
    """A published observation of a metal in contact with a solid electrolyte (``electrolyte_contact.csv``): which
    metal, which electrolyte, under what condition, and whether it stayed stable or reacted (with the products)."""

    metal: str
    electrolyte: str = Field(min_length=1)
    condition: str = Field(min_length=1)
    outcome: Literal["stable", "reacts", "reacts_with_moisture"]
    products: str = ""
    at_lithium_potential: bool
    read_from: str = Field(min_length=1)
    confidence: str = ""
    notes: str = ""

    _b = field_validator("at_lithium_potential", mode="before")(lambda v: _bool_cell(v))

    @field_validator("metal")
    @classmethod
    def _metal(cls, v: str) -> str:
        return check_metal(v)


SCHEMAS: dict[str, type[_Row]] = {
    "li_binaries.csv": LiBinaryRow,
    "carbons.csv": CarbonPropertyRow,
    "literature_outcomes.csv": OutcomeRow,
    "nucleation_overpotentials.csv": NucleationRow,
    "miedema_parameters.csv": MiedemaRow,
    "dft_formation_energies.csv": FormationEnergyRow,
    "thermochemistry.csv": ThermochemistryRow,
    "element_prices.csv": ElementPriceRow,
    "film_continuity.csv": FilmContinuityRow,
    "cell_stacks.csv": CellStackRow,
    "electrolyte_contact.csv": ElectrolyteContactRow,
}
