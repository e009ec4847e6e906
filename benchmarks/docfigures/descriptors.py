"""Figures of ``docs/descriptors.md``, computed from the package in seconds (namespace ``desc``, block
``descriptors-reactivity``).

* validation against the curated record, as ``interlayer validate-descriptors`` computes it (Spearman ρ of the
  solubility score, the intermediate-phase calls of each energy source);
* the solubility of M in Li (:func:`descriptors.phases.solvus.m_in_li_solubility`) and how it compares with the
  assessed values of ``datasets/li_binaries.csv``;
* reactivity with the electrolyte at the lithium potential (:func:`descriptors.reactivity.metal_reactivity`) over the
  metals the screen chooses from;
* the CHGNet figures, read from the shipped structure cache ``datasets/computed/chgnet_li_m_structures.csv`` through
  :class:`descriptors.phases.chgnet_source.ChgnetSource` (no torch: the relaxed energies are shipped). The user's own
  cache is left out, so the figures are the shipped file's on every machine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from .common import and_list, minus, num, sig

#: Metals the solubility paragraph quotes at 298 K, in the order it names them.
SOLVUS_QUOTED = ("Ag", "Mg", "Zn", "Ca", "Al", "Sn", "In", "Bi", "Si")
#: Below this mole fraction (10⁻⁴ at.%) a computed solubility of M in Li is called negligible.
NEGLIGIBLE_X = 1e-6
#: A computed solubility agrees with an assessed value when within this factor of it (an order-of-magnitude estimate).
AGREEMENT_FACTOR = 3.0
#: The usual interlayer and collector metals, of which the reactivity paragraph says which leave the argyrodite alone.
INTERLAYER_METALS = ("Mg", "Ag", "Zn", "Cu", "Sn", "Al", "Si", "In", "Bi", "Au")
#: The energy sources ``interlayer validate-descriptors`` validates, by the key their figures are quoted under.
PHASE_SOURCES = ("miedema", "oqmd_legacy", "chgnet", "chgnet_raw")
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


# --- formats -------------------------------------------------------------------------------------------------------

def _none_or(items: Iterable[str]) -> str:
    """``A, B and C``, or ``none``."""
    return and_list(items, empty="none")


def _by_z(metals: Iterable[str]) -> list[str]:
    """``metals`` in order of atomic number."""
    from pymatgen.core import Element

    return sorted(metals, key=lambda m: Element(m).Z)


def _power_of_ten(x: float) -> str:
    """``2·10⁻⁶`` for 2.4e-6 (one significant figure)."""
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa}·10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def _at_pct(x: float, figures: int = 1) -> str:
    """A mole fraction in at.% to ``figures`` significant figures (``0.3``, ``0.03``)."""
    return sig(100.0 * x, figures)


def _pairs(metals: Iterable[str]) -> str:
    """``"Li–Cu and Li–Ni"``, in order of atomic number."""
    return _none_or(f"Li–{m}" for m in _by_z(metals))


# --- validation against the curated record (interlayer validate-descriptors) --------------------------------------

@cache
def _curated() -> pd.DataFrame:
    """``datasets/li_binaries.csv`` (hash-checked)."""
    from descriptors.data.curated import load_table

    return load_table("li_binaries.csv")


@cache
def _shipped_chgnet(resolution_eV_atom: float | None) -> Any:
    """A :class:`ChgnetSource` on the shipped cache only, at 298.15 K; ``None``: CHGNet's own energy resolution."""
    from descriptors.data.files import datasets_dir, verify_hash
    from descriptors.mlip.structure_cache import SHIPPED_NAME
    from descriptors.phases.chgnet_source import CHGNET_ENERGY_MAE_EV_ATOM, ChgnetSource

    verify_hash(SHIPPED_NAME)
    resolution = CHGNET_ENERGY_MAE_EV_ATOM if resolution_eV_atom is None else resolution_eV_atom
    return ChgnetSource(caches=[datasets_dir() / SHIPPED_NAME], resolution_eV_atom=resolution)


def _phase_source(key: str) -> Any:
    """The energy source validated under ``key`` (one of :data:`PHASE_SOURCES`); CHGNet's from the shipped cache."""
    from descriptors.phases.energy_sources import make_source

    if key.startswith("chgnet"):
        return _shipped_chgnet(0.0 if key == "chgnet_raw" else None)
    return make_source(key)


def _solubility_figures() -> dict[str, str]:
    """Spearman ρ of the solubility score against the assessed classes, with Miedema's and CHGNet's heats."""
    from descriptors.data.validation import solubility_rank_validation
    from descriptors.solubility.featurizer import LiSolubilityFeaturizer

    cur = _curated()
    metals = cur["metal"].tolist()
    computed = LiSolubilityFeaturizer().featurize_many(metals)
    miedema = solubility_rank_validation(computed, cur)
    heat = _shipped_chgnet(None)
    chgnet = solubility_rank_validation(
        LiSolubilityFeaturizer(heat_source=heat).featurize_many([m for m in metals if m in heat.metals()]), cur)
    size_ca = float(computed.set_index("metal").loc["Ca", "size_mismatch"])
    return {"rho_miedema": num(miedema.rho), "p_miedema": _power_of_ten(miedema.p_value), "n_pairs": str(miedema.n),
            "rho_chgnet": num(chgnet.rho), "size_mismatch_Ca": f"{100 * size_ca:.0f}"}


def _phase_figures(key: str) -> dict[str, str]:
    """``phases_<key>`` (``"32/33"`` correct) and ``phase_errors_<key>`` (``"Li–Cu"``) of one energy source."""
    from descriptors.data.validation import phase_presence_validation
    from descriptors.phases.featurizer import IntermediatePhaseFeaturizer

    src = _phase_source(key)
    metals = [m for m in _curated()["metal"] if not hasattr(src, "metals") or m in src.metals()]
    v = phase_presence_validation(IntermediatePhaseFeaturizer(source=src).featurize_many(metals), _curated())
    correct = int((v.table["computed"] == v.table["curated"]).sum())
    return {f"phases_{key}": f"{correct}/{v.n}", f"phase_errors_{key}": _pairs(v.misclassified())}


def _default_source_phases(metal: str) -> str:
    """What ``interlayer descriptors METAL`` calls with the default source: ``"no phase"``, ``"Li2Ca only"``."""
    from descriptors.phases.energy_sources import DEFAULT_ENERGY_SOURCE, make_source
    from descriptors.phases.featurizer import IntermediatePhaseFeaturizer

    f = IntermediatePhaseFeaturizer(source=make_source(DEFAULT_ENERGY_SOURCE))
    phases = dict(zip(f.feature_labels(), f.featurize(metal)))["stable_phases"].split(";")
    phases = [p for p in phases if p]
    return "no phase" if not phases else f"{phases[0]} only" if len(phases) == 1 else _none_or(phases)


# --- solubility of M in Li ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Assessed:
    """An assessed solubility of M in Li (at.%), as a value or as an upper bound, at ``temperature_K``."""

    metal: str
    at_pct: float
    is_bound: bool
    temperature_K: float
    words: str  # how the document quotes the assessment: "0.7 at.%", "nil", "extremely low"


def _assessed(row: Any) -> _Assessed | None:
    """The assessment of one ``li_binaries.csv`` row: its number; else a number in its words, read as an upper bound
    ('below 0.4', 'at most 0.05 at.%', 'calculated eutectic 0.004 at.%'); else the upper edge of the words' class
    (:func:`descriptors.data.validation.solubility_class`: 'nil', 'extremely low' → below 0.1 at.%); else ``None``."""
    from descriptors.data.validation import solubility_class

    t_c = row.m_in_li_temperature_C
    temperature_K = 298.15 if pd.isna(t_c) else float(t_c) + 273.15
    text = "" if pd.isna(row.m_in_li_text) else str(row.m_in_li_text)
    words = text.split("(")[0].strip()
    if not pd.isna(value := row.m_in_li_max_at_pct):
        return _Assessed(row.metal, float(value), False, temperature_K, f"{value:g} at.%")
    if found := re.search(r"\d+(?:\.\d+)?", text):
        return _Assessed(row.metal, float(found.group()), True, temperature_K, words)
    edges = {0: 0.1, 1: 1.0, 2: 10.0}  # upper edges of the classes, at.% (descriptors.data.validation)
    cls = solubility_class(None, text)
    return _Assessed(row.metal, edges[cls], True, temperature_K, words) if cls in edges else None


def _agrees(a: _Assessed) -> bool:
    """Whether the computed solubility is below an assessed bound, or within :data:`AGREEMENT_FACTOR` of a value."""
    from descriptors.phases.solvus import m_in_li_solubility

    x_pct = 100.0 * m_in_li_solubility(a.metal, a.temperature_K).x_sat
    return x_pct < a.at_pct if a.is_bound else a.at_pct / AGREEMENT_FACTOR <= x_pct <= a.at_pct * AGREEMENT_FACTOR


def _solvus_at_298() -> dict[str, str]:
    """The quoted metals at 298 K: at their electron-count bound, a number, or negligible."""
    from descriptors.phases.solvus import m_in_li_solubility

    found = {m: m_in_li_solubility(m) for m in SOLVUS_QUOTED}
    bound = [m for m, s in found.items() if s.capped_by_ec_limit]
    negligible = [m for m, s in found.items() if not s.capped_by_ec_limit and s.x_sat < NEGLIGIBLE_X]
    shown = [f"{m} {_at_pct(s.x_sat)} at.%" for m, s in found.items() if m not in bound and m not in negligible]
    return {"solvus_bound": _none_or(bound), "solvus_values": ", ".join(shown), "solvus_negligible": _none_or(negligible)}


def _solvus_against_assessed() -> dict[str, str]:
    """Zn at its assessed temperature, Mg's bound, the metals below their assessed bounds and the misses."""
    from descriptors.phases.solvus import m_in_li_solubility

    assessed = {a.metal: a for a in map(_assessed, _curated().itertuples()) if a is not None}
    verdict = {m: _agrees(a) for m, a in assessed.items()}
    missed = _by_z(m for m, ok in verdict.items() if not ok)
    zn = assessed["Zn"]
    return {"solvus_Zn_assessed_T": _at_pct(m_in_li_solubility("Zn", zn.temperature_K).x_sat, 2),
            "solvus_Mg_bound": _at_pct(m_in_li_solubility("Mg").x_sat, 2),
            "solvus_below_bounds": _none_or(_by_z(m for m, ok in verdict.items() if ok and assessed[m].is_bound)),
            "solvus_missed": _none_or(f"{m} ({assessed[m].words})" for m in missed)}


# --- reactivity with the electrolyte at the lithium potential -----------------------------------------------------

@dataclass(frozen=True)
class _Call:
    """One metal's reactivity call with one electrolyte (``descriptors.reactivity.metal_reactivity``)."""

    metal: str
    reacts: bool
    energy_eV_atom: float  # the most negative reaction energy, eV/atom
    taken: tuple[str, ...]  # anions taken, in the electrolyte's order
    products: tuple[str, ...]
    no_compound: tuple[str, ...]  # anions with no tabulated compound of the metal (reaction not computed)


@cache
def _screenable() -> tuple[str, ...]:
    """The metals the screen chooses from (``metals = "all"``), in order of atomic number."""
    from screen.search.spec import screenable_metals

    return tuple(_by_z(screenable_metals()))


@cache
def _calls(electrolyte: str) -> dict[str, _Call]:
    """Every screenable metal's call with ``electrolyte``."""
    from descriptors.reactivity import metal_reactivity

    out = {}
    for m in _screenable():
        r = metal_reactivity(m, electrolyte)
        out[m] = _Call(m, bool(r["reacts_with_electrolyte"]), float(r["reaction_energy_eV_atom"]),
                       tuple(a for a in r["anions_taken"].split(";") if a),
                       tuple(p for p in r["reaction_products"].split(";") if p),
                       tuple(re.findall(r"(\w+): no \w+-\w+ compound", r["uncovered"])))
    return out


def _tolerance_figures() -> dict[str, str]:
    """The reactivity featurizer's default tolerance, in eV/atom (``−0.02``) and kJ/mol per atom (``2``)."""
    from descriptors.reactivity import ElectrolyteReactivityFeaturizer
    from descriptors.solubility.miedema import KJ_PER_EV

    tol = float(ElectrolyteReactivityFeaturizer().tolerance_eV_atom)
    return {"tolerance": num(-tol, 2), "tolerance_kj": f"{tol * KJ_PER_EV:.0f}"}


def _near(calls: Iterable[_Call]) -> str:
    """Metals with a negative reaction energy within the tolerance: ``"Na (−0.015 eV/atom)"``."""
    near = [c for c in calls if not c.reacts and c.energy_eV_atom < 0]
    return _none_or(f"{c.metal} ({num(c.energy_eV_atom, 3)} eV/atom)" for c in near)


def _reacting_phrase(calls: dict[str, _Call], anions: tuple[str, ...]) -> str:
    """``"Ca and Y take S (CaS, YS); K takes Cl (KCl)"``: the reacting metals grouped by the anions they take."""
    groups: dict[tuple[str, ...], list[_Call]] = {}
    for c in calls.values():
        if c.reacts:
            groups.setdefault(c.taken, []).append(c)
    parts = []
    for taken in sorted(groups, key=lambda t: (len(t), [anions.index(a) for a in t])):
        cs = groups[taken]
        verb = "takes" if len(cs) == 1 else "take"
        products = ", ".join(p for c in cs for p in c.products)
        parts.append(f"{_none_or(c.metal for c in cs)} {verb} {_none_or(taken)} ({products})")
    return "; ".join(parts)


def _reactivity_figures() -> dict[str, str]:
    """The Li6PS5Cl paragraph's lists and what the anion changes (LLZO, LiPON)."""
    from descriptors.reactivity.electrolytes import electrolyte

    argyrodite, garnet, lipon = _calls("Li6PS5Cl"), _calls("LLZO"), _calls("LiPON")
    sulfide_anions = electrolyte("Li6PS5Cl").anions
    covered = {m for m, c in argyrodite.items() if not c.no_compound}
    return _tolerance_figures() | {
        "n_screenable": str(len(_screenable())),
        "li6ps5cl_reacting": _reacting_phrase(argyrodite, sulfide_anions),
        "li6ps5cl_inert": _none_or(m for m in INTERLAYER_METALS if m in covered and not argyrodite[m].reacts),
        "li6ps5cl_left_out": _none_or(m for m, c in argyrodite.items() if c.reacts),
        "li6ps5cl_near": _near(argyrodite.values()),
        "li6ps5cl_no_sulfide": _none_or(m for m, c in argyrodite.items() if "S" in c.no_compound),
        "li6ps5cl_no_chloride": _none_or(m for m, c in argyrodite.items() if "Cl" in c.no_compound),
        "sulfide_not_oxide": _none_or(m for m, c in argyrodite.items()
                                  if c.reacts and not garnet[m].reacts and not garnet[m].no_compound),
        "nitride_not_sulfide": _none_or(m for m, c in lipon.items()
                                    if "N" in c.taken and m in covered and not argyrodite[m].reacts),
    }


def reactivity_table() -> str:
    """Block ``descriptors-reactivity``: for each electrolyte, the screenable metals taking each anion."""
    from descriptors.reactivity.electrolytes import ELECTROLYTES

    anions = ("S", "Cl", "O", "N")
    rows = ["| electrolyte | " + " | ".join(f"takes {a}" for a in anions) + " | within the tolerance |",
            "|---" * (len(anions) + 2) + "|"]
    for name, e in ELECTROLYTES.items():
        calls = _calls(name)
        cells = [_none_or(m for m, c in calls.items() if a in c.taken) if a in e.anions else "—" for a in anions]
        rows.append(f"| {name} | " + " | ".join(cells) + f" | {_near(calls.values())} |")
    return "\n".join(rows)


# --- the CHGNet hull, from the shipped structure cache ------------------------------------------------------------

def _chgnet_figures() -> dict[str, str]:
    """Prototypes per metal, relaxed structures of the curated metals, and Li–Mg's B2 cell against the solution."""
    from descriptors.data.files import datasets_dir
    from descriptors.mlip.prototypes import PROTOTYPES
    from descriptors.mlip.structure_cache import SHIPPED_NAME, read_cache
    from descriptors.solubility import miedema

    per_metal = sum(1 if p.a_count == p.b_count else 2 for p in PROTOTYPES)  # 1:1 cells once, the others both ways
    curated = {*_curated()["metal"], "Li"}
    structures = sum(r["metal"] in curated for r in read_cache(datasets_dir() / SHIPPED_NAME).rows)
    b2 = next(r for r in _shipped_chgnet(None).ordering_table("Mg") if r["structure"] == "B2:LiMg")
    ts_half = 298.15 * float(miedema.ideal_mixing_entropy(0.5)) / miedema.KJ_PER_EV  # eV/atom
    return {"prototypes_per_metal": str(per_metal), "chgnet_structures": f"{structures:,}",
            "LiMg_B2_formation": minus(f"{1000 * b2['formation_energy_eV_atom']:.0f}"),
            "LiMg_B2_below_random": num(-1000 * b2["ordering_energy_eV_atom"], 1),
            "mixing_TS_half": num(1000 * ts_half, 1)}


def values() -> dict[str, str]:
    """Namespace ``desc``: every computed figure of ``docs/descriptors.md``."""
    out = {"default_Cu": _default_source_phases("Cu"), "default_Ca": _default_source_phases("Ca")}
    out |= _solubility_figures()
    for key in PHASE_SOURCES:
        out |= _phase_figures(key)
    out |= _solvus_at_298() | _solvus_against_assessed() | _reactivity_figures() | _chgnet_figures()
    return out


VALUES: dict[str, Callable[[], dict[str, str]]] = {"desc": values}
BLOCKS: dict[str, Callable[[], str]] = {"descriptors-reactivity": reactivity_table}
