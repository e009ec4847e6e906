"""What the cell room reads from a study: the cell's conditions and the settings of the objectives, constraints,
integrity, reference stack, deposition cost and scalarisation.

The study file itself (:class:`screen.search.spec.StudySpec`) belongs to the search, a room above this one; the
functions here take any object with these attributes (structural typing: a study spec is one), so the cell room never
imports the search. Every member is read-only here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class CellConditions(Protocol):
    """The fixed conditions of the cell (``[cell]``)."""

    @property
    def electrolyte(self) -> str:
        """The solid electrolyte (a name of :data:`descriptors.reactivity.ELECTROLYTES`)."""

    @property
    def current_ma_cm2(self) -> float:
        """Plating current density (mA/cm²)."""

    @property
    def areal_capacity_mah_cm2(self) -> float:
        """Capacity plated per charge (mAh/cm²)."""

    @property
    def stack_mpa(self) -> float:
        """Stack pressure in operation (MPa)."""

    @property
    def fab_mpa(self) -> float:
        """Fabrication (lamination) pressure (MPa)."""

    @property
    def temperature_c(self) -> float:
        """Cell temperature (°C)."""

    @property
    def cycles(self) -> int:
        """The plating/stripping cycle the objectives are for (1: first plating)."""


class ObjectiveSettings(Protocol):
    """How the objectives are computed (``[objectives]``)."""

    @property
    def robustness(self) -> str:
        """``margin_lo``, ``p_lo`` or ``p``: the robustness objective."""

    @property
    def li_uptake(self) -> str:
        """``computed`` (hull) or ``curated`` (assessed phases override where known)."""

    @property
    def energy_source(self) -> str:
        """Li–M formation-energy source of the hull."""


class ConstraintSettings(Protocol):
    """The feasibility limits (``[constraints]``)."""

    @property
    def max_total_nm(self) -> float:
        """Largest metal + carbon thickness (nm)."""

    @property
    def forbidden_elements(self) -> Sequence[str]:
        """Metals never allowed."""

    @property
    def min_p_under_carbon(self) -> float:
        """Smallest P(Li plates under the carbon) allowed (0-1)."""

    @property
    def min_carbon_particle_layers(self) -> float:
        """Fewest particle diameters a particulate carbon layer may be thick."""

    @property
    def carbon_within_calibrated(self) -> bool:
        """No carbon thinner than the gap model's calibrated range."""

    @property
    def exclude_electrolyte_reactive(self) -> bool:
        """Leave out metals that take anions from the electrolyte at the lithium potential."""


class IntegritySettings(Protocol):
    """What makes a layer too thin (``[integrity]``)."""

    @property
    def carbon_porosity(self) -> float:
        """Porosity (0-1) of a particulate carbon layer."""


class StackSettings(Protocol):
    """The reference cell stack (``[stack]``)."""

    @property
    def reference(self) -> str:
        """Name of a stack in ``datasets/cell_stacks.csv``."""

    def overrides(self) -> dict[str, float]:
        """``{quantity: value}`` replacing the reference stack's."""


class CostSettings(Protocol):
    """Deposition costs (``[cost]``)."""

    @property
    def deposition_usd_m2(self) -> Mapping[Any, float]:
        """Cost per deposited layer by process name (USD/m²)."""

    @property
    def metal_process(self) -> str:
        """How the metal layer is deposited."""


class Limits(Protocol):
    """Where each objective's desirability reaches 0 (``[scalarisation.limits]``)."""

    @property
    def margin_mV(self) -> float:
        """Margin (mV) at which the robustness desirability reaches 1 (``margin_lo``)."""

    @property
    def li_loss_pct(self) -> float:
        """Li loss (% of the areal capacity)."""

    @property
    def cost_usd_m2(self) -> float:
        """Cost (USD/m²)."""

    @property
    def metal_growth_nm(self) -> float:
        """Metal swelling (nm)."""

    @property
    def wh_l_loss_pct(self) -> float:
        """Volumetric energy density lost (%)."""


class Weights(Protocol):
    """Weights of the five desirabilities (``[scalarisation.weights]``)."""

    def model_dump(self) -> dict[str, Any]:
        """``{robustness, li_loss, cost, swelling, energy_density: weight}``."""


class ScalarisationSettings(Protocol):
    """How the objectives become one score (``[scalarisation]``)."""

    @property
    def weights(self) -> Weights:
        """Weights of the desirabilities."""

    @property
    def limits(self) -> Limits:
        """Limits of the desirabilities."""


class StudySettings(Protocol):
    """Everything the cell room reads from a study (a :class:`screen.search.spec.StudySpec` is one)."""

    @property
    def cell(self) -> CellConditions:
        """The cell's fixed conditions."""

    @property
    def objectives(self) -> ObjectiveSettings:
        """How the objectives are computed."""

    @property
    def constraints(self) -> ConstraintSettings:
        """The feasibility limits."""

    @property
    def integrity(self) -> IntegritySettings:
        """What makes a layer too thin."""

    @property
    def stack(self) -> StackSettings:
        """The reference cell stack."""

    @property
    def cost(self) -> CostSettings:
        """Deposition costs."""

    @property
    def scalarisation(self) -> ScalarisationSettings:
        """Weights and limits of the score."""
