"""The gap model's parameters: units, meaning and priors (log-normal, or logit-normal for fractions).

Prior centres are orders of magnitude or stated reasoning, never a value of a study in the fit (each parameter's
``prior_reason``); :func:`to_natural` maps the fitted (transformed) values back to
natural units. Listed in :mod:`screen.model.gap_model`'s docstring with the equation each one enters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["IS_LOGIT", "LAB_SCALE_PRIOR_MV", "PARAMETERS", "PARAM_NAMES", "PRIOR_CENTER", "PRIOR_ONLY", "PRIOR_ONLY_MEDIAN",
           "PRIOR_SIGMA", "SOURCED", "Parameter", "SourcedConstant", "SOURCED_VALUE", "prior_only_draws", "to_natural"]


@dataclass(frozen=True)
class Parameter:
    """A model parameter with its prior (log-normal, or logit-normal for fractions)."""

    name: str
    unit: str
    transform: str  # "log" or "logit"
    prior_center: float
    prior_sigma: float  # in the transformed space
    meaning: str
    prior_reason: str = ""  # why the prior sits where it does (no prior centre is a value of a study in the fit)


@dataclass(frozen=True)
class SourcedConstant:
    """A model constant set from a measurement, not fitted (reported as source-set)."""

    name: str
    unit: str
    value: float
    meaning: str
    citation: str
    source: str  # DOI or URL
    value_origin: str  # measured / read from a figure / estimated / computed here
    read: str  # what was read: abstract, full text, digest


#: Constants set from sources. The activation energy of Li jumps in C6Li (muon spin relaxation) sets the temperature
#: dependence of both transport terms: Li crossing the lithiated carbon's bulk and its interfaces is Li hopping in and
#: out of lithiated carbon (the interface sharing the bulk's activation energy is an assumption, said in docs/model.md).
SOURCED: tuple[SourcedConstant, ...] = (
    SourcedConstant("transport_Ea_eV", "eV", 0.270, "activation energy of Li transport in lithiated carbon",
                    "Umegaki et al., Phys. Chem. Chem. Phys. 19, 19058 (2017): C6Li, 270(5) meV; C12Li 170(20) meV",
                    "doi:10.1039/C7CP02047C", "measured", "abstract"),
)
SOURCED_VALUE: dict[str, float] = {c.name: c.value for c in SOURCED}


#: The parameters, their units and priors. Prior centers are orders of magnitude, not data.
PARAMETERS: tuple[Parameter, ...] = (
    Parameter("eta_floor_mV", "mV", "log", 2.0, 1.0, "nucleation overpotential on a Li-soluble substrate",
              prior_reason="a few mV: Li nucleating on a substrate it dissolves into needs little excess; order of magnitude"),
    Parameter("eta_inert_mV", "mV", "log", 50.0, 1.0, "excess overpotential on an inert substrate (Cu, Ni, SS)",
              prior_reason="tens of mV, the order of the nucleation dips reported on Cu and stainless steel; order of magnitude"),
    Parameter("phase_relief", "", "logit", 0.5, 1.5, "fraction of the inert excess removed by intermediate phases",
              prior_reason="no information: centred on one half, wide on the logit scale"),
    Parameter("ec_exponent", "", "log", 1.0, 0.7, "weight of the electron-concentration limit in the alloying activity",
              prior_reason="1: the limit enters linearly unless the data say otherwise"),
    Parameter("eta_amorphous_carbon_mV", "mV", "log", 50.0, 1.0, "excess overpotential on lithiated amorphous carbon (g = 0)",
              prior_reason="same order as on an inert metal: lithiated amorphous carbon does not dissolve Li"),
    Parameter("graphite_relief", "", "logit", 0.5, 1.5,
              "fraction of the amorphous-carbon excess that graphitic order removes (1: Li nucleates on lithiated graphite "
              "as on a Li-rich surface, the source paper's view; 0: graphitization does not matter)",
              prior_reason="no information: centred on one half (between the source paper's view and none), wide"),
    Parameter("transport_mV", "mV/(mA cm-2 um)", "log", 1.0, 2.0,
              "bulk transport barrier per current density and carbon thickness (Li diffusion through the lithiated carbon)",
              prior_reason="order of magnitude, two prior widths (e-fold 2) either way: no transport measurement across a "
              "lithiated carbon film under a sulfide is in the corpus' sources"),
    Parameter("interface_ohm_cm2", "ohm cm2 (mV per mA/cm2)", "log", 10.0, 1.5,
              "thickness-independent resistance of Li entering and leaving the lithiated carbon (its two interfaces)",
              prior_reason="10 ohm cm2, the order of Li/sulfide interface resistances; wide"),
    Parameter("adhesion_barrier_mV", "mV", "log", 100.0, 1.0, "barrier at zero carbon/electrolyte toughness",
              prior_reason="larger than the nucleation overpotentials (an unbonded layer stops Li crossing); order of magnitude"),
    Parameter("toughness_scale_J_m2", "J/m2", "log", 20.0, 1.0, "toughness that halves the adhesion barrier",
              prior_reason="inside the 1-30 J/m2 range of particulate layers pressed on ceramics; order of magnitude"),
    Parameter("toughness_100MPa_J_m2", "J/m2", "log", 5.0, 1.2, "interfacial toughness after 100 MPa (d = 50 nm)",
              prior_reason="5 J/m2, the geometric middle of the ~1-30 J/m2 adhesion energies of binder-bound particulate "
              "layers pressed onto ceramic pellets (v3 specification; v2.1's 9.0 was Liao 2025's measured value)"),
    Parameter("toughness_pressure_exponent", "", "log", 1.0, 0.5, "exponent of toughness vs pressure",
              prior_reason="1: contact area growing about linearly with pressure in plastic contact"),
    Parameter("toughness_size_exponent", "", "log", 1.0, 0.5, "exponent of toughness vs 1/particle size (JKR: 1)",
              prior_reason="1: JKR adhesion of spheres scales as 1/size"),
    Parameter("toughness_pressure_size_slope", "", "logit", 0.5, 1.0,
              "how the pressure exponent grows with particle size: m(d) = m * (1 + 2 (s - 0.5) log10(d / 50 nm)); "
              "s = 0.5 (the prior centre): one exponent for every size",
              prior_reason="centred on one exponent for every size (no size dependence)"),
    Parameter("toughness_cohesive_J_m2", "J/m2", "log", 100.0, 1.0,
              "cohesive toughness of the carbon layer, the most an interface can reach (Liao 2025: the layer failed first)",
              prior_reason="100 J/m2, above the interfacial values: a layer that fails inside itself is tougher than most "
              "interfaces; order of magnitude"),
    Parameter("composite_relief", "", "logit", 0.5, 1.5, "transport-barrier fraction a dissolving metal network removes",
              prior_reason="no information: centred on one half, wide"),
    Parameter("scale_mV", "mV", "log", 5.0, 1.0, "width of the sigmoid P(under) = sigmoid(margin/scale)",
              prior_reason="a few mV: a nucleation overpotential is read to about a millivolt, cell-to-cell spread is larger"),
    Parameter("lapse", "", "logit", 0.1, 1.0,
              "fraction of cells whose outcome the descriptors and stated conditions cannot explain (unreported "
              "conditions, secondary labels); P(under) = lapse/2 + (1 - lapse) sigmoid(margin/scale)",
              prior_reason="about one cell in ten unexplained by its stated conditions; wide"),
)
#: Parameters no likelihood term contains: their posterior is their prior, so every posterior draw carries an
#: independent draw from it (:func:`prior_only_draws`) and they are reported as prior-set. The corpus' plating
#: locations are read at first plating (or the source does not say after how many cycles), so the fit sets the metal's
#: loss over cycling to none; predictions after N cycles (``[cell] cycles``, ``predict --cycles``) use these.
PRIOR_ONLY: tuple[Parameter, ...] = (
    Parameter("lost_li_fraction", "", "logit", 0.01, 1.5,
              "fraction of each cycle's plated Li that is not stripped back (dead Li, SEI) and keeps the interlayer metal "
              "dissolved in it (screen.model.physics.metal_retained)",
              prior_reason="about 1 % per cycle, wide (logit width 1.5: 0.05-20 % in the central 95 %): an anode-free cell "
                           "that kept a third of its Li after 100 cycles loses about 1 % per cycle; no cycle series of "
                           "interlayer metal inventory was found to set it (prior-set)"),
)


def prior_only_draws(n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` independent draws of each :data:`PRIOR_ONLY` parameter from its prior (natural units), seeded."""
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {}
    for p in PRIOR_ONLY:
        center = (math.log(p.prior_center) if p.transform == "log" else math.log(p.prior_center / (1 - p.prior_center)))
        z = center + p.prior_sigma * rng.standard_normal(n)
        out[p.name] = 1.0 / (1.0 + np.exp(-z)) if p.transform == "logit" else np.exp(z)
    return out


#: Prior medians of the :data:`PRIOR_ONLY` parameters (natural units): their point values.
PRIOR_ONLY_MEDIAN: dict[str, float] = {p.name: p.prior_center for p in PRIOR_ONLY}

#: Prior of the spread of the lab (study) effects on the margin: tau ~ HalfNormal(LAB_SCALE_PRIOR_MV). About two
#: sigmoid widths (scale_mV's prior centre, 5 mV): a larger lab-to-lab shift would make a lab's cells unpredictable
#: from others' (v3 specification).
LAB_SCALE_PRIOR_MV = 10.0
PARAM_NAMES: tuple[str, ...] = tuple(p.name for p in PARAMETERS)
PRIOR_CENTER = np.array([math.log(p.prior_center) if p.transform == "log" else math.log(p.prior_center / (1 - p.prior_center))
                    for p in PARAMETERS])
PRIOR_SIGMA = np.array([p.prior_sigma for p in PARAMETERS])
IS_LOGIT = np.array([p.transform == "logit" for p in PARAMETERS])


def to_natural(z: np.ndarray) -> np.ndarray:
    """Transformed parameters (..., n_params) -> natural units."""
    z = np.asarray(z, dtype=float)
    natural: np.ndarray = np.where(IS_LOGIT, 1.0 / (1.0 + np.exp(-z)), np.exp(z))
    return natural
