"""What an interlayer costs a cell designer in energy density: a reference stack and the Wh/L and Wh/kg it loses.

A reference stack (``datasets/cell_stacks.csv``; the study's ``[stack]`` table picks one and may override any
quantity) is one repeat unit, per cm² of electrode area, at full charge:

* cathode: areal capacity ``Q`` (mAh/cm²), thickness, mass ``Q / (q_sp * f_active)`` from the specific capacity
  ``q_sp`` (mAh/g) of the active material and its mass fraction ``f_active``;
* solid-electrolyte separator: thickness and density;
* collectors: cathode side Al, anode side stainless steel; densities from element data (Al; Fe for the steel);
* plated Li at full charge: the charge ``Q`` as Li metal (Faraday's law with Li's molar mass and density, element data).

Energy ``E = Q * V`` (mWh/cm²) with the average discharge voltage ``V``. An interlayer adds its thickness and mass
as deposited (metal and carbon at their full density: an upper bound for a porous carbon) and takes up Li that the
cathode no longer cycles (``li_loss_mAh_cm2``). Reported per design:

* ``wh_l_loss_pct`` = 100 (1 - V0 / (V0 + t)) — volumetric energy density lost to the added thickness (objective);
* ``wh_kg_loss_pct`` = 100 (1 - M0 / (M0 + m)) — gravimetric, to the added mass;
* ``wh_l_total_loss_pct`` — volumetric, with the Li inventory loss as well (what the cell finally delivers);
* ``li_loss_cathode_pct`` — Li the interlayer takes up, % of the stack's cathode capacity.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from descriptors.errors import InputError

STACK_COLUMNS = ("wh_l_loss_pct", "wh_kg_loss_pct", "wh_l_total_loss_pct", "li_loss_cathode_pct")


@dataclass(frozen=True)
class Stack:
    """A reference stack's totals per cm² (thickness in um, mass in mg, energy in mWh)."""

    name: str
    capacity_mAh_cm2: float
    voltage_V: float
    thickness_um: float
    mass_mg_cm2: float

    @property
    def energy_mWh_cm2(self) -> float:
        return self.capacity_mAh_cm2 * self.voltage_V

    @property
    def wh_l(self) -> float:
        """Volumetric energy density of the repeat unit (Wh/L)."""
        return self.energy_mWh_cm2 / (self.thickness_um * 1e-4)  # mWh/cm3 == Wh/L

    @property
    def wh_kg(self) -> float:
        """Gravimetric energy density of the repeat unit (Wh/kg)."""
        return self.energy_mWh_cm2 / self.mass_mg_cm2 * 1000.0  # mWh/mg -> Wh/kg


@cache
def stack_quantities(name: str) -> dict[str, float]:
    """``{quantity: value}`` of a reference stack in ``datasets/cell_stacks.csv``."""
    from descriptors.data.curated import load_table

    t = load_table("cell_stacks.csv")
    rows = t[t["stack"] == name]
    if rows.empty:
        raise InputError(f"unknown reference stack '{name}' (known: {', '.join(sorted(t['stack'].unique()))})")
    return dict(zip(rows["quantity"], rows["value"].astype(float)))


def build_stack(name: str, overrides: dict[str, float] | None = None) -> Stack:
    """Totals of a reference stack with the study's overrides."""
    from descriptors.data.curated import STACK_QUANTITIES
    from descriptors.data.elements import element_data
    from screen.cell.materials import FARADAY_MAH_MOL

    q = dict(stack_quantities(name))
    for k, v in (overrides or {}).items():
        if k not in STACK_QUANTITIES:
            raise InputError(f"study file: key 'stack.{k}': unknown quantity (allowed: {', '.join(STACK_QUANTITIES)})")
        q[k] = float(v)
    missing = [k for k in STACK_QUANTITIES if k not in q]
    if missing:
        raise InputError(f"reference stack '{name}' lacks {', '.join(missing)} (datasets/cell_stacks.csv or the [stack] table)")
    cap = q["cathode_areal_capacity_mAh_cm2"]
    li = element_data("Li")
    li_g = cap / FARADAY_MAH_MOL * li.molar_mass_g_mol  # g/cm2 of plated Li
    li_um, li_mg = li_g / li.density_g_cm3 * 1e4, li_g * 1e3
    al, fe = element_data("Al").density_g_cm3, element_data("Fe").density_g_cm3
    um = {"cathode": q["cathode_thickness_um"], "separator": q["separator_thickness_um"],
          "cathode_collector": q["cathode_collector_thickness_um"], "anode_collector": q["anode_collector_thickness_um"], "li": li_um}
    mg = {"cathode": cap / (q["cathode_specific_capacity_mAh_g"] * q["cathode_active_fraction"]) * 1e3,
          "separator": um["separator"] * 1e-4 * q["separator_density_g_cm3"] * 1e3,
          "cathode_collector": um["cathode_collector"] * 1e-4 * al * 1e3,
          "anode_collector": um["anode_collector"] * 1e-4 * fe * 1e3, "li": li_mg}
    return Stack(name, cap, q["average_voltage_V"], sum(um.values()), sum(mg.values()))


def stack_losses(stack: Stack, total_nm: npt.ArrayLike, mass_mg_cm2: npt.ArrayLike, li_loss_mAh_cm2: npt.ArrayLike) -> pd.DataFrame:
    """Energy-density losses (%) of each design in ``stack``: added thickness ``total_nm`` (nm), mass ``mass_mg_cm2``
    (mg/cm²) and Li taken up ``li_loss_mAh_cm2`` (mAh/cm²); see the module docstring."""
    t_um = np.asarray(total_nm, dtype=float) * 1e-3
    v_ratio = stack.thickness_um / (stack.thickness_um + t_um)
    m_ratio = stack.mass_mg_cm2 / (stack.mass_mg_cm2 + np.asarray(mass_mg_cm2, dtype=float))
    kept = 1.0 - np.asarray(li_loss_mAh_cm2, dtype=float) / stack.capacity_mAh_cm2
    return pd.DataFrame({"wh_l_loss_pct": 100.0 * (1.0 - v_ratio), "wh_kg_loss_pct": 100.0 * (1.0 - m_ratio),
                         "wh_l_total_loss_pct": 100.0 * (1.0 - v_ratio * kept),
                         "li_loss_cathode_pct": 100.0 * (1.0 - kept)})
