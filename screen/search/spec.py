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
    desirability reaches 0 (see :mod:`screen.cell.objectives`).
``[constraints]``
    ``max_total_nm``, ``forbidden_elements`` (never among the metal choices), ``min_p_under_carbon``,
    ``min_carbon_particle_layers``, ``carbon_within_calibrated`` (no carbon thinner than the gap model's calibrated
    range; default true).
``[integrity]``
    ``carbon_porosity`` of a particulate carbon layer (see :mod:`screen.cell.integrity`).
``[stack]``
    ``reference`` cell stack for the energy-density objective (``datasets/cell_stacks.csv``) and overrides of any of
    its quantities (see :mod:`screen.cell.cell_stack`).
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

``[suggest]``
    Settings of ``interlayer suggest`` (see :mod:`screen.analysis.suggest`): ``n``, ``budget_usd``,
    ``exclude_tested``, ``area_cm2`` (cell area for the budget), the condition lists ``fab_mpa``,
    ``current_ma_cm2``, ``temperature_c``, and the diversity factors ``same_metal_factor``, ``same_pair_factor``.

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
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from descriptors.errors import InputError
from screen.search.spec_tables import (  # noqa: F401  (re-exported: the study file's tables)
    DEFAULT_FORBIDDEN,
    STUDY_KINDS,
    CellSpec,
    CompareCell,
    CompareSpec,
    ConstraintsSpec,
    CostSpec,
    ExhaustiveSpec,
    IntegritySpec,
    Limits,
    ObjectivesSpec,
    ReportSpec,
    ScalarisationSpec,
    SensitivitySpec,
    SpaceSpec,
    StackSpec,
    StudyMeta,
    SuggestSpec,
    TradeoffSpec,
    Weights,
    _Strict,
)


class StudySpec(_Strict):
    """A validated study file: one field per TOML table (see :func:`load_study`, which also fills the resolved
    metal and carbon choices and the source file's path and sha256)."""

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
    suggest: SuggestSpec = SuggestSpec()

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
    from screen.cell.materials import priced_metals

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
    # a forbidden element is never offered: the evaluator's c_forbidden still guards designs from elsewhere
    forbidden = {_canon_metal(f, "constraints.forbidden_elements") for f in spec.constraints.forbidden_elements}
    metals = [m for m in metals if m not in exclude and m not in forbidden]
    if spec.space.max_price_usd_kg is not None:
        from screen.cell.materials import element_prices

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
        raise InputError("study file: key 'space.metals': empty search space (every metal excluded, or forbidden by "
                         "constraints.forbidden_elements)")
    if not choices:
        raise InputError("study file: key 'space.metals': empty search space")
    lo_m, lo_c = spec.space.metal_nm[0], spec.space.carbon_nm[0]
    if lo_c + (lo_m if metals else 0.0) > spec.constraints.max_total_nm:
        raise InputError(f"study file: key 'constraints.max_total_nm': {spec.constraints.max_total_nm:g} nm is below the thinnest "
                         f"design in the space ({lo_m:g} + {lo_c:g} nm): no feasible design")
    from screen.cell.cell_stack import build_stack

    try:
        build_stack(spec.stack.reference, spec.stack.overrides())
    except InputError as exc:
        raise InputError(f"study file: key 'stack.reference': {exc}") from None
    from screen.cell.materials import merge_identical_carbons

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
    got = err.get("input")
    if isinstance(got, dict) or "(got " in msg:  # a whole table, or a message that already quotes the value
        return f"{label}: key '{key}': {msg}"
    return f"{label}: key '{key}': {msg} (got {got!r})"


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
    here = Path.cwd().resolve()
    # resolved too: a symbolic link inside the working directory must not lead out of it
    if (path.is_absolute() or ".." in path.parts or str(output).strip() in ("", ".") or str(output).startswith("~")
            or not (here / path).resolve().is_relative_to(here)):
        raise InputError(f"{label}: key 'study.output': '{output}' must be a relative folder below the working directory "
                         "(use --output on the command line to write elsewhere)")


#: The largest study file read (a real one is a few kB).
MAX_STUDY_BYTES = 1_000_000


def load_study(path: str | Path | None = None, overrides: dict[str, dict[str, Any]] | None = None) -> StudySpec:
    """Read, validate and resolve a study file (``None``: the shipped default).

    ``overrides`` replaces keys per table, e.g. ``{"study": {"n_trials": 200}}``.
    """
    p = Path(path).expanduser() if path is not None else default_study_path()
    if not p.is_file():
        raise InputError(f"{p}: study file not found")
    if p.stat().st_size > MAX_STUDY_BYTES:
        raise InputError(f"{p.name}: {p.stat().st_size:,} bytes; a study file is a few kB (at most {MAX_STUDY_BYTES:,} bytes)")
    raw = p.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{p.name}: not valid TOML ({exc})") from None
    except RecursionError:
        raise InputError(f"{p.name}: not a study file (nested too deeply to read)") from None
    for table, value in data.items():  # every top-level key of a study file is a table
        if not isinstance(value, dict):
            raise InputError(f"{p.name}: '{table}' must be a table ([{table}]), got {type(value).__name__} {value!r}")
    _check_output_stays_inside(data.get("study", {}).get("output"), p.name)
    for table, values in (overrides or {}).items():
        data.setdefault(table, {}).update({k: v for k, v in values.items() if v is not None})
    spec = parse_study(data, label=p.name)
    spec.source_path = str(p)
    spec.source_sha256 = hashlib.sha256(raw).hexdigest()
    return spec
