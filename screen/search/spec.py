"""Study files: a TOML description of one screening study, validated before anything runs.

A study file has these tables (every key optional except ``study.name``; see
``studies/default.toml`` for a commented example):

``[study]``
    ``name``, ``description``, ``seed`` (int), ``n_trials`` (total trials), ``sampler``
    (``nsga2`` | ``motpe``), ``population_size`` (NSGA-II generation size, also the batch
    evaluated at once), ``output`` (folder, relative to the working directory),
    ``model_version`` (registry version; default the latest).
``[cell]``
    Fixed conditions: ``electrolyte``, ``current_ma_cm2``, ``areal_capacity_mah_cm2``,
    ``stack_mpa``, ``fab_mpa``, ``temperature_c``.
``[space]``
    ``metals`` (``"all"`` = every priced metal with descriptors, or a list), ``exclude``,
    ``include_carbon_only`` (also try a carbon layer with no metal), ``carbons`` (``"all"`` or
    preset names), ``architectures``, ``metal_nm`` and ``carbon_nm`` (``[low, high]`` nm, log scale).
``[objectives]``
    ``robustness`` (``margin_lo`` = lower bound of the margin, mV, default; ``p_lo`` = lower bound of
    P(Li under carbon); ``p``), ``li_uptake`` (``computed`` | ``curated``), ``energy_source``.
``[scalarisation]``
    ``weights`` of the five objectives and the ``limits`` at which a cost-type objective's
    desirability reaches 0 (see :mod:`screen.search.objectives`).
``[constraints]``
    ``max_total_nm``, ``forbidden_elements``, ``min_p_under_carbon``, ``min_carbon_particle_layers``,
    ``carbon_within_calibrated`` (no carbon thinner than the gap model's calibrated range; default true).
``[integrity]``
    ``carbon_porosity`` of a particulate carbon layer (see :mod:`screen.search.integrity`).
``[stack]``
    ``reference`` cell stack for the energy-density objective (``datasets/cell_stacks.csv``) and overrides of any of
    its quantities (see :mod:`screen.search.cell_stack`).
``[cost]``
    ``deposition_usd_m2`` per process (``thermal_evaporation``, ``magnetron_sputtering``, ``slurry_casting``; no
    sourced figure is shipped, so none is included unless given) and ``metal_process``.
``[exhaustive]``
    Grid points per thickness axis (``metal_nm_points``, ``carbon_nm_points``); ``grid_first`` (default true):
    evaluate the grid before optuna when it holds at most ``max_grid_designs`` designs, rank its best design per pair
    with optuna's and start optuna from them; ``--exhaustive`` compares the ranking with the grid.
``[report]``
    ``reference_metal`` (each ranked metal's best design is compared with this one's:
    ``vs_reference.csv``) and ``explain_top`` (why the top N metals rank high:
    ``explanations.csv``, see :mod:`screen.analysis.explain`).
``[compare]`` (``kind = "compare"``)
    ``[[compare.cells]]`` entries (``label``, ``metal``, ``carbon``, ``architecture``, ``metal_nm``,
    ``carbon_nm``, ``record_id`` of the measured cell in ``literature_outcomes.csv``) and
    ``ccd_range_ma_cm2`` (where to look for the current at which the margin reaches zero).
``[tradeoff]`` (``kind = "tradeoff"``)
    ``metals`` (the N best metals of the space, or a list) and grid points per thickness axis.
``[sensitivity]``
    Settings of ``interlayer sensitivity`` (see :mod:`screen.analysis.sensitivity`): ``factors``,
    ``parameters``, ``outputs_top``, ``pool``, ``n_base``, ``bootstrap``,
    ``morris_trajectories``, ``oat_points``, ``rank_samples`` and ``ranges`` per factor.

``[study] kind`` says which command runs the file: ``screen`` (default; ``interlayer screen``),
``compare`` (``interlayer compare``) or ``tradeoff`` (``interlayer tradeoff``); any study
file can be analysed with ``interlayer sensitivity``. ``[space]`` also takes
``max_price_usd_kg`` (drop metals above this element price) and ``exclude_literature``
(drop metals already in ``datasets/literature_outcomes.csv``).

Any unknown key, unknown metal or carbon, inverted bound or empty search space is an
:class:`~descriptors.errors.InputError` naming the key.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from descriptors.errors import InputError

DEFAULT_FORBIDDEN = ("Hg", "Cd", "Tl", "Pb")
BILAYER_ARCHITECTURES = ("bilayer", "carbon_under_metal", "nanocomposite")
OBJECTIVE_KEYS = ("robustness", "li_loss", "cost", "swelling", "energy_density")
DEPOSITION_KEYS = ("thermal_evaporation", "magnetron_sputtering", "slurry_casting")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    kind: Literal["screen", "compare", "tradeoff"] = "screen"
    description: str = ""
    seed: int = 0
    n_trials: int = Field(1000, ge=1, le=1_000_000)
    sampler: Literal["nsga2", "motpe"] = "nsga2"
    population_size: int = Field(50, ge=2, le=10_000)
    output: str = ""
    model_version: int | None = Field(None, ge=0)


class CellSpec(_Strict):
    electrolyte: str = "Li6PS5Cl"
    current_ma_cm2: float = Field(0.1, gt=0, le=100)
    areal_capacity_mah_cm2: float = Field(2.0, gt=0, le=100)
    stack_mpa: float = Field(15.0, ge=0, le=1000)
    fab_mpa: float = Field(250.0, ge=0, le=2000)
    temperature_c: float = Field(25.0, ge=-50, le=200)


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


class StudySpec(_Strict):
    study: StudyMeta
    cell: CellSpec = CellSpec()
    space: SpaceSpec = SpaceSpec()
    objectives: ObjectivesSpec = ObjectivesSpec()
    scalarisation: ScalarisationSpec = ScalarisationSpec()
    constraints: ConstraintsSpec = ConstraintsSpec()
    integrity: IntegritySpec = IntegritySpec()
    stack: StackSpec = StackSpec()
    cost: CostSpec = CostSpec()
    exhaustive: ExhaustiveSpec = ExhaustiveSpec()
    report: ReportSpec = ReportSpec()
    compare: CompareSpec = CompareSpec()
    tradeoff: TradeoffSpec = TradeoffSpec()
    sensitivity: SensitivitySpec = SensitivitySpec()

    # resolved after validation (see resolve())
    metal_choices: list[str] = []
    carbon_choices: list[str] = []
    carbon_merged: dict[str, list[str]] = {}
    source_path: str = ""
    source_sha256: str = ""

    def output_dir(self) -> Path:
        return Path(self.study.output or f"runs/{self.study.name}")


def screenable_metals() -> list[str]:
    """Metals with a price, Miedema parameters and no radioactivity: the default ``metals = "all"``."""
    from pymatgen.core.periodic_table import Element

    from descriptors.data.elements import check_metal
    from descriptors.solubility.miedema import parameter_table
    from screen.search.materials import priced_metals

    table = parameter_table()
    out = []
    for m in priced_metals():
        try:
            check_metal(m)
        except InputError:
            continue
        if m in table.index and not Element(m).is_radioactive:
            out.append(m)
    return out


def require_kind(spec: StudySpec, kind: str, command: str) -> None:
    """Refuse a study file of another kind, naming the command that runs it."""
    if spec.study.kind != kind:
        raise InputError(f"{Path(spec.source_path).name}: a '{spec.study.kind}' study; {command} needs kind = \"{kind}\" "
                         f"(run this one with: {STUDY_KINDS[spec.study.kind]} --study {spec.source_path})")


def literature_metals() -> set[str]:
    """Metals that already appear in ``datasets/literature_outcomes.csv`` (for ``space.exclude_literature``)."""
    from descriptors.data.curated import load_table

    return {str(m) for m in load_table("literature_outcomes.csv")["metal"].dropna() if str(m) != "none"}


def _canon_metal(symbol: str, key: str) -> str:
    from descriptors.data.elements import check_metal

    try:
        return check_metal(symbol)
    except InputError as exc:
        raise InputError(f"study file: key '{key}': {exc}") from None


def resolve(spec: StudySpec) -> StudySpec:
    """Check names against the data and fill ``metal_choices`` / ``carbon_choices``."""
    from descriptors.data.curated import carbon_presets

    allowed = screenable_metals()
    exclude = {_canon_metal(m, "space.exclude") for m in spec.space.exclude}
    if spec.space.metals == "all":
        metals = list(allowed)
    else:
        metals = []
        for m in spec.space.metals:
            c = _canon_metal(m, "space.metals")
            if c not in allowed:
                raise InputError(f"study file: key 'space.metals': '{c}' has no price or Miedema parameters "
                                 "(datasets/element_prices.csv, datasets/miedema_parameters.csv) or is radioactive")
            if c not in metals:
                metals.append(c)
    metals = [m for m in metals if m not in exclude]
    if spec.space.max_price_usd_kg is not None:
        from screen.search.materials import element_prices

        prices = element_prices()
        metals = [m for m in metals if prices[m][0] <= spec.space.max_price_usd_kg]
    if spec.space.exclude_literature:
        metals = [m for m in metals if m not in literature_metals()]
    if spec.report.reference_metal is not None:
        spec.report.reference_metal = _canon_metal(spec.report.reference_metal, "report.reference_metal")
        if spec.report.reference_metal not in allowed:
            raise InputError(f"study file: key 'report.reference_metal': '{spec.report.reference_metal}' has no price or "
                             "Miedema parameters")
    if isinstance(spec.tradeoff.metals, list):
        spec.tradeoff.metals = [_canon_metal(m, "tradeoff.metals") for m in spec.tradeoff.metals]
    for cell in spec.compare.cells:
        if cell.metal.lower() != "none":
            cell.metal = _canon_metal(cell.metal, "compare.cells.metal")
    if spec.study.kind == "compare" and not spec.compare.cells:
        raise InputError("study file: key 'compare.cells': a compare study needs at least one [[compare.cells]] entry")
    lo_r, hi_r = spec.compare.ccd_range_ma_cm2
    if not 0 < lo_r < hi_r:
        raise InputError(f"study file: key 'compare.ccd_range_ma_cm2': need 0 < low < high, got [{lo_r}, {hi_r}]")
    for f in spec.constraints.forbidden_elements:
        _canon_metal(f, "constraints.forbidden_elements")
    presets = sorted(carbon_presets())
    if spec.space.carbons == "all":
        carbons = presets
    else:
        carbons = []
        for c in spec.space.carbons:
            if c not in presets:
                raise InputError(f"study file: key 'space.carbons': unknown carbon preset '{c}' (known: {', '.join(presets)})")
            if c not in carbons:
                carbons.append(c)
    if not carbons:
        raise InputError("study file: key 'space.carbons': empty search space (no carbon preset)")
    from screen.model.cells import carbon_descriptors

    usable = []
    for c in carbons:
        try:
            carbon_descriptors(c)
            usable.append(c)
        except InputError:
            if spec.space.carbons != "all":
                raise InputError(f"study file: key 'space.carbons': preset '{c}' has no graphitization data") from None
    if not usable:
        raise InputError("study file: key 'space.carbons': empty search space (no preset has graphitization data)")
    choices = metals + (["none"] if spec.space.include_carbon_only else [])
    if not metals and not spec.space.include_carbon_only:
        raise InputError("study file: key 'space.metals': empty search space (every metal excluded)")
    if not choices:
        raise InputError("study file: key 'space.metals': empty search space")
    lo_m, lo_c = spec.space.metal_nm[0], spec.space.carbon_nm[0]
    if lo_c + (lo_m if metals else 0.0) > spec.constraints.max_total_nm:
        raise InputError(f"study file: key 'constraints.max_total_nm': {spec.constraints.max_total_nm:g} nm is below the thinnest "
                         f"design in the space ({lo_m:g} + {lo_c:g} nm): no feasible design")
    from screen.search.cell_stack import build_stack

    try:
        build_stack(spec.stack.reference, spec.stack.overrides())
    except InputError as exc:
        raise InputError(f"study file: key 'stack.reference': {exc}") from None
    from screen.search.materials import merge_identical_carbons

    spec.metal_choices = choices
    spec.carbon_choices, spec.carbon_merged = merge_identical_carbons(usable)
    return spec


def _format_error(exc: ValidationError, label: str) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"] if not isinstance(p, int) or len(err["loc"]) == 1)
    if err["type"] == "extra_forbidden":
        return f"{label}: unknown key '{key}'"
    if err["type"] == "missing":
        return f"{label}: missing key '{key}'"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{label}: key '{key}': {msg} (got {err.get('input')!r})"


def parse_study(data: dict[str, Any], label: str = "study file") -> StudySpec:
    """Validate a study dictionary (as read from TOML) and resolve its names."""
    for k in ("metal_choices", "carbon_choices", "carbon_merged", "source_path", "source_sha256"):
        if k in data:
            raise InputError(f"{label}: unknown key '{k}'")
    try:
        spec = StudySpec.model_validate(data)
    except ValidationError as exc:
        raise InputError(_format_error(exc, label)) from None
    return resolve(spec)


def default_study_path() -> Path:
    """The shipped default study (``studies/default.toml``)."""
    package = Path(__file__).resolve().parents[1]  # screen/
    for p in (package / "_studies" / "default.toml", package.parent / "studies" / "default.toml"):
        if p.is_file():
            return p
    raise InputError("the default study file is missing from this installation")


def _check_output_stays_inside(output: Any, label: str) -> None:
    """A study file may name an output folder only below the working directory: a file someone sends must not make
    the tool write elsewhere (``--output`` on the command line may)."""
    if output is None:
        return
    path = Path(str(output))
    if path.is_absolute() or ".." in path.parts or str(output).strip() in ("", "."):
        raise InputError(f"{label}: key 'study.output': '{output}' must be a relative folder below the working directory "
                         "(use --output on the command line to write elsewhere)")


def load_study(path: str | Path | None = None, overrides: dict[str, dict[str, Any]] | None = None) -> StudySpec:
    """Read, validate and resolve a study file (``None``: the shipped default).

    ``overrides`` replaces keys per table, e.g. ``{"study": {"n_trials": 200}}``.
    """
    p = Path(path) if path is not None else default_study_path()
    if not p.is_file():
        raise InputError(f"{p}: study file not found")
    raw = p.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{p.name}: not valid TOML ({exc})") from None
    _check_output_stays_inside(data.get("study", {}).get("output"), p.name)
    for table, values in (overrides or {}).items():
        data.setdefault(table, {}).update({k: v for k, v in values.items() if v is not None})
    spec = parse_study(data, label=p.name)
    spec.source_path = str(p)
    spec.source_sha256 = hashlib.sha256(raw).hexdigest()
    return spec
