"""The tables of a study file, one pydantic model each (documented in :mod:`screen.search.spec`)."""

from __future__ import annotations

import math
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DEFAULT_FORBIDDEN = ("Hg", "Cd", "Tl", "Pb")


def _scalar_types(annotation: Any) -> set[type]:
    """The scalar types an annotation admits (``float | None`` -> {float, NoneType}; tuples: their items')."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (tuple, typing.Union, types.UnionType):
        return set().union(*(_scalar_types(a) for a in args))
    return {annotation} if isinstance(annotation, type) else set()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _numbers_are_not_text(cls, data: Any) -> Any:
        """TOML text where a number or true/false belongs (``"0.1"``, ``"true"``) is an error, not converted."""
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                wanted = _scalar_types(field.annotation) & {int, float, bool}
                values = data.get(name)
                values = values if isinstance(values, (list, tuple)) else [values]
                if wanted and str not in _scalar_types(field.annotation) and any(isinstance(v, str) for v in values):
                    kind = "true or false" if wanted == {bool} else "a number"
                    raise ValueError(f"'{name}' needs {kind}, got text {data.get(name)!r} (remove the quotes)")
        return data


def _bounds(v: tuple[float, float], what: str) -> tuple[float, float]:
    lo, hi = v
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"{what} bounds must be finite, got [{lo}, {hi}]")
    if not (lo > 0 and hi > 0):
        raise ValueError(f"{what} bounds must be positive nm, got [{lo}, {hi}]")
    if lo > hi:
        raise ValueError(f"inverted bounds [{lo}, {hi}]: low must not exceed high")
    return (float(lo), float(hi))


STUDY_KINDS = {"screen": "interlayer screen", "compare": "interlayer compare", "tradeoff": "interlayer tradeoff"}


class StudyMeta(_Strict):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    kind: Literal["screen", "compare", "tradeoff"] = "screen"
    description: str = ""
    seed: int = 0
    n_trials: int = Field(1000, ge=1, le=1_000_000)
    sampler: Literal["nsga2", "motpe"] = "nsga2"
    population_size: int = Field(50, ge=2, le=10_000)
    output: str = ""
    model_version: int | None = Field(None, ge=0)


class CellSpec(_Strict):
    #: the solid electrolyte (a name of descriptors.reactivity.ELECTROLYTES): whose anions a metal may take
    electrolyte: str = "Li6PS5Cl"
    current_ma_cm2: float = Field(0.1, gt=0, le=100)
    areal_capacity_mah_cm2: float = Field(2.0, gt=0, le=100)
    stack_mpa: float = Field(15.0, ge=0, le=1000)
    fab_mpa: float = Field(250.0, ge=0, le=2000)
    temperature_c: float = Field(25.0, ge=-50, le=200)
    #: the plating/stripping cycle the ranking is for (1: first plating); later cycles count the interlayer metal the
    #: lost Li carries off (screen.model.physics.metal_retained, a prior-set term), so the metal's thickness matters
    cycles: int = Field(1, ge=1, le=100_000)
    #: the lab whose cells are in the model (its fitted offset on the margin); empty: a new lab
    study_id: str = Field("", max_length=100)

    @field_validator("electrolyte")
    @classmethod
    def _known_electrolyte(cls, v: str) -> str:
        from descriptors.errors import InputError
        from descriptors.reactivity.electrolytes import ELECTROLYTES, electrolyte

        try:
            return electrolyte(v).name
        except InputError:
            raise ValueError(f"unknown electrolyte '{v}' (known: {', '.join(ELECTROLYTES)})") from None


class SpaceSpec(_Strict):
    metals: Literal["all"] | list[str] = "all"
    exclude: list[str] = []
    include_carbon_only: bool = True
    carbons: Literal["all"] | list[str] = "all"
    architectures: list[Literal["bilayer", "carbon_under_metal", "nanocomposite"]] = Field(["bilayer"], min_length=1)
    metal_nm: tuple[float, float] = (10.0, 5000.0)
    carbon_nm: tuple[float, float] = (10.0, 10000.0)
    max_price_usd_kg: float | None = Field(None, gt=0)
    exclude_literature: bool = False

    _mb = field_validator("metal_nm")(lambda v: _bounds(v, "metal_nm"))
    _cb = field_validator("carbon_nm")(lambda v: _bounds(v, "carbon_nm"))


class ObjectivesSpec(_Strict):
    robustness: Literal["p_lo", "p", "margin_lo"] = "margin_lo"
    li_uptake: Literal["computed", "curated"] = "computed"
    energy_source: Literal["oqmd_legacy", "miedema"] = "oqmd_legacy"


class Weights(_Strict):
    robustness: float = Field(0.5, ge=0)
    li_loss: float = Field(0.2, ge=0)
    cost: float = Field(0.1, ge=0)
    swelling: float = Field(0.1, ge=0)
    energy_density: float = Field(0.1, ge=0)

    @model_validator(mode="after")
    def _some(self) -> Weights:
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("at least one weight must be positive")
        return self


class Limits(_Strict):
    margin_mV: float = Field(50.0, gt=0)
    li_loss_pct: float = Field(10.0, gt=0)
    cost_usd_m2: float = Field(10.0, gt=0)
    metal_growth_nm: float = Field(2000.0, gt=0)
    wh_l_loss_pct: float = Field(5.0, gt=0)


class ScalarisationSpec(_Strict):
    weights: Weights = Weights()
    limits: Limits = Limits()


class ConstraintsSpec(_Strict):
    max_total_nm: float = Field(10000.0, gt=0)
    forbidden_elements: list[str] = list(DEFAULT_FORBIDDEN)
    min_p_under_carbon: float = Field(0.5, ge=0, le=1)
    min_carbon_particle_layers: float = Field(1.0, ge=0)
    carbon_within_calibrated: bool = True
    #: leave out metals that take anions from the electrolyte's reduced interphase at the lithium potential
    exclude_electrolyte_reactive: bool = True


class IntegritySpec(_Strict):
    carbon_porosity: float = Field(0.36, gt=0, lt=1)


class StackSpec(_Strict):
    reference: str = Field("lee2020_pouch", pattern=r"^[a-z][a-z0-9_]*$")
    cathode_areal_capacity_mAh_cm2: float | None = Field(None, gt=0, le=100)
    cathode_thickness_um: float | None = Field(None, gt=0, le=10000)
    cathode_specific_capacity_mAh_g: float | None = Field(None, gt=0, le=4000)
    cathode_active_fraction: float | None = Field(None, gt=0, le=1)
    average_voltage_V: float | None = Field(None, gt=0, le=10)
    separator_thickness_um: float | None = Field(None, gt=0, le=10000)
    separator_density_g_cm3: float | None = Field(None, gt=0, le=25)
    cathode_collector_thickness_um: float | None = Field(None, gt=0, le=1000)
    anode_collector_thickness_um: float | None = Field(None, gt=0, le=1000)

    def overrides(self) -> dict[str, float]:
        return {k: v for k, v in self.model_dump(exclude={"reference"}).items() if v is not None}


class CostSpec(_Strict):
    deposition_usd_m2: dict[Literal["thermal_evaporation", "magnetron_sputtering", "slurry_casting"], float] = {}
    metal_process: Literal["thermal_evaporation", "magnetron_sputtering", "slurry_casting"] = "thermal_evaporation"

    @field_validator("deposition_usd_m2")
    @classmethod
    def _finite(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            if not (math.isfinite(x) and 0 <= x <= 1e5):
                raise ValueError(f"{k}: a deposition cost must be a finite USD/m2 in [0, 100000], got {x}")
        return v


class ExhaustiveSpec(_Strict):
    metal_nm_points: int = Field(12, ge=2, le=200)
    carbon_nm_points: int = Field(12, ge=2, le=200)
    grid_first: bool = True
    max_grid_designs: int = Field(2_000_000, ge=0, le=50_000_000)


class ReportSpec(_Strict):
    reference_metal: str | None = None
    explain_top: int = Field(0, ge=0, le=50)


class CompareCell(_Strict):
    label: str = Field(min_length=1)
    metal: str
    carbon: str
    architecture: Literal["", "bilayer", "carbon_under_metal", "nanocomposite", "single_layer", "none"] = ""
    metal_nm: float | None = Field(None, gt=0)
    carbon_nm: float | None = Field(None, gt=0)
    record_id: str | None = None


class CompareSpec(_Strict):
    cells: list[CompareCell] = []
    ccd_range_ma_cm2: tuple[float, float] = (0.01, 100.0)


class TradeoffSpec(_Strict):
    metals: int | list[str] = 5
    metal_nm_points: int = Field(25, ge=2, le=400)
    carbon_nm_points: int = Field(40, ge=2, le=400)


class SensitivitySpec(_Strict):
    factors: Literal["all"] | list[str] = "all"
    parameters: bool = True
    outputs_top: int = Field(5, ge=1, le=20)
    pool: int = Field(30, ge=10, le=500)
    n_base: int = Field(256, ge=16, le=65536)
    bootstrap: int = Field(200, ge=10, le=10000)
    morris_trajectories: int = Field(20, ge=4, le=1000)
    oat_points: int = Field(21, ge=3, le=401)
    rank_samples: int = Field(1000, ge=50, le=100000)
    ranges: dict[str, tuple[float, float]] = {}

    @field_validator("n_base")
    @classmethod
    def _pow2(cls, v: int) -> int:
        if v & (v - 1):
            raise ValueError(f"n_base must be a power of 2 (Sobol sequence balance), got {v}")
        return v


class SuggestSpec(_Strict):
    n: int = Field(5, ge=1, le=100)
    budget_usd: float | None = Field(None, gt=0, le=1e9)
    exclude_tested: bool = False
    area_cm2: float = Field(1.0, gt=0, le=1e4)
    fab_mpa: list[float] = Field([100.0, 250.0, 400.0], min_length=1)
    current_ma_cm2: list[float] = Field([0.1, 0.5, 1.0], min_length=1)
    temperature_c: list[float] = Field([25.0, 60.0], min_length=1)
    same_metal_factor: float = Field(0.5, ge=0, le=1)
    same_pair_factor: float = Field(0.2, ge=0, le=1)
    #: what the suggested cells should settle: the model's parameters (BALD) or which designs are in the top ``top``
    goal: Literal["parameters", "ranking"] = "parameters"
    top: int = Field(10, ge=1, le=1000)

    @field_validator("fab_mpa", "current_ma_cm2", "temperature_c")
    @classmethod
    def _finite(cls, v: list[float]) -> list[float]:
        if not all(math.isfinite(x) for x in v):
            raise ValueError("values must be finite")
        return v

    @model_validator(mode="after")
    def _ranges(self) -> SuggestSpec:
        if not all(0 <= x <= 2000 for x in self.fab_mpa) or not all(0 < x <= 100 for x in self.current_ma_cm2) \
                or not all(-50 <= x <= 200 for x in self.temperature_c):
            raise ValueError("fab_mpa in 0..2000 MPa, current_ma_cm2 in (0, 100] mA/cm2, temperature_c in -50..200 C")
        return self

