"""Figures of the fitted model: parameters, sampler diagnostics, ranking stability, the metal's fate, speed.

Sources: ``model_v0.json`` (``model_report.py``: the registry's version 0), ``rank_stability.json``
(``bench_rank_stability.py``), ``metal_fate.json`` (``probe_metal_fate.py``), ``gap_model.json``
(``bench_gap_model.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .common import and_list, load, num, number_word, pick, sig

UNITS = {"ohm cm2": "ohm cm2 (mV per mA/cm2)"}
#: how the prose names each parameter that may turn out prior-set
PHRASES = {"phase_relief": "the relief intermediate phases give (`phase_relief`)",
           "ec_exponent": "the weight of the electron-concentration limit", "transport_mV": "the bulk transport barrier",
           "toughness_scale_J_m2": "the toughness that halves the adhesion barrier",
           "composite_relief": "the relief a dissolving metal network gives the transport barrier",
           "lapse": "the lapse", "lab_scale_mV": "the lab-to-lab spread", "eta_floor_mV": "the floor overpotential",
           "eta_inert_mV": "the excess overpotential of an inert substrate", "scale_mV": "the sigmoid width",
           "graphite_relief": "graphite's relief", "interface_ohm_cm2": "the interface resistance",
           "adhesion_barrier_mV": "the adhesion barrier", "eta_amorphous_carbon_mV": "the amorphous carbon's overpotential",
           "toughness_cohesive_J_m2": "the cohesive toughness cap"}


def _model() -> dict[str, Any]:
    return load("model_v0.json")


def _param(name: str) -> dict[str, Any]:
    return pick(_model()["parameters"], parameter=name)


def _estimate(p: dict[str, Any], figures: int = 3) -> str:
    return f"{sig(p['value'], figures)} [{sig(p['lo'], figures)}, {sig(p['hi'], figures)}]"


def parameters() -> str:
    """The per-parameter table ``interlayer calibrate`` prints for model version 0."""
    rows = ["| parameter | median [90 %] | width ratio | prior sensitivity | status |", "|---|---|---|---|---|"]
    for p in _model()["parameters"]:
        unit = UNITS.get(p["unit"], p["unit"])
        if p["lo"] is None:
            rows.append(f"| {p['parameter']} | {sig(p['value'])} {unit} | — | — | {p['status']} |")
            continue
        rows.append(f"| {p['parameter']} | {_estimate(p)} {unit} | {num(p['posterior_over_prior_width'])} | "
                    f"{num(p['prior_sensitivity'], 3)} | {p['status']} |".replace("]  |", "] |"))
    return "\n".join(rows)


def param_values() -> dict[str, str]:
    """Prose figures of the fitted parameters (namespace ``params``)."""
    m = _model()
    prior_set = [p["parameter"] for p in m["parameters"] if p["status"] == "prior-set"]
    lab, tough, inert = _param("lab_scale_mV"), _param("toughness_100MPa_J_m2"), _param("eta_inert_mV")
    return {
        "version": str(m["version"]), "data": m["data_sha256"][:12],
        "prior_set_count": number_word(len(prior_set)),
        "prior_set_others": number_word(len(set(prior_set) - {"phase_relief", "lab_scale_mV"})),
        "prior_set_list": and_list([PHRASES.get(p, f"`{p}`") for p in prior_set]),
        "lab_scale": f"{lab['value']:.0f} mV [{lab['lo']:.0f}, {lab['hi']:.0f}]", "lab_scale_median": f"{lab['value']:.0f}",
        "toughness_100MPa": f"{tough['value']:.1f} J/m² [{tough['lo']:.1f}, {tough['hi']:.1f}]",
        "eta_inert": f"{inert['value']:.1f} mV [{inert['lo']:.1f}, {inert['hi']:.1f}]",
        "eta_inert_median": f"{inert['value']:.0f}",
    }


def diag_values() -> dict[str, str]:
    """Sampler diagnostics of model version 0 (namespace ``diag``)."""
    m = _model()
    d, s = m["diagnostics"], m["sampler"]
    n = s["num_chains"] * s["num_samples"]
    return {
        "ess_bulk": f"{d['ess_bulk_min']:,.0f}", "ess_tail": f"{d['ess_tail_min']:,.0f}", "bfmi": num(d["bfmi_min"]),
        "divergences": f"{number_word(d['divergences'])} divergent transition"
        + ("" if d["divergences"] == 1 else "s") + f" of {n:,}",
        "verdict": "passes" if d["passed"] else "fails", "seed": str(m["seed"]),
    }


def _design(r: dict[str, Any]) -> tuple[str, str]:
    metal = "carbon only" if r["metal"] == "none" else f"{r['metal']} {r['metal_nm']:.0f} nm"
    return metal, f"{r['carbon']} {r['carbon_nm']:.0f} nm"


def top15() -> str:
    """The default study's top 15 (the screen that ``bench_rank_stability.py`` re-ranks)."""
    rows = ["| rank | 90 % rank interval | tie group | metal | carbon | posterior median score [90 %] | study objective |",
            "|---|---|---|---|---|---|---|"]
    for r in load("rank_stability.json")["top15"]:
        metal, carbon = _design(r)
        rows.append(f"| {r['rank']} | {r['rank_lo']}–{r['rank_hi']} | {r['tie_group']} | {metal} | {carbon} | "
                    f"{r['posterior_score']:.3f} [{r['score_lo']:.3f}, {r['score_hi']:.3f}] | {r['score']:.3f} |")
    return "\n".join(rows)


def _variant(v: dict[str, Any]) -> str:
    return (f"{v['top10_overlap']} / 10 | {v['kendall_tau_top20_union']:.2f} | "
            f"{v['top10_inside_reported_intervals']} / 10 |")


def rank_stability() -> str:
    """Each variant's top 10 against the default screen's (``bench_rank_stability.py``)."""
    r = load("rank_stability.json")
    rows = ["| variant | top-10 overlap | Kendall tau, union of top 20s | re-ranked top 10 inside the reported intervals "
            "or leading tie group |", "|---|---|---|---|",
            f"| `phase_relief` at its prior's 5 % quantile | {_variant(r['phase_relief_q05'])}",
            f"| `phase_relief` at its prior's 95 % quantile | {_variant(r['phase_relief_q95'])}"]
    drops = sorted(r["drop_study"].items(), key=lambda kv: -kv[1]["kendall_tau_top20_union"])
    for study, v in drops:
        note = " (the source paper)" if study == "WU26" else ""
        rows.append(f"| drop {study}{note} | {_variant(v)}")
    return "\n".join(rows)


def rank_values() -> dict[str, str]:
    """Prose figures of the ranking and its stability (namespace ``rank``)."""
    r = load("rank_stability.json")
    top = r["top15"]
    lead = [d for d in top if d["tie_group"] == 1]
    drops = r["drop_study"]
    most = min(drops, key=lambda s: drops[s]["kendall_tau_top20_union"])
    out = {"leading_group_lower": number_word(len(lead)) if len(lead) < len(top) else f"all {len(top)}",
           "widest": str(max(d["rank_hi"] - d["rank_lo"] + 1 for d in top)), "most_moving": most,
           "seconds": f"{r['drop_study_seconds']:,.0f}", "sampler": r["sampler_of_refits"]}
    for s, v in drops.items():
        out[f"drop_{s}_overlap"] = f"{v['top10_overlap']} / 10"
        out[f"drop_{s}_inside"] = f"{v['top10_inside_reported_intervals']} / 10"
    for q in ("q05", "q95"):
        out[f"phase_relief_{q}_overlap"] = str(r[f"phase_relief_{q}"]["top10_overlap"])
        out[f"phase_relief_{q}_tau"] = num(r[f"phase_relief_{q}"]["kendall_tau_top20_union"])
    return out


def _fate_rows() -> list[dict[str, Any]]:
    return load("metal_fate.json")


def fate_probe() -> str:
    """Metal retained and P(under) after 1 and 100 cycles (``probe_metal_fate.py``)."""
    rows = ["| carbon (100 nm) | metal | x(M in Li) | metal nm | retained after 1 / 100 cycles [90 %] "
            "| P(under) after 1 cycle | after 100 cycles |", "|---|---|---|---|---|---|---|"]
    data = _fate_rows()
    for one in (r for r in data if r["cycles"] == 1):
        h = pick(data, carbon=one["carbon"], metal=one["metal"], metal_nm=one["metal_nm"], cycles=100)
        rows.append(f"| {one['carbon']} | {one['metal']} | {one['m_in_li_solubility']:.2g} | {one['metal_nm']:g} | "
                    f"{one['retained_median']:.2f} / {h['retained_median']:.2f} [{h['retained_lo']:.2f}, "
                    f"{h['retained_hi']:.2f}] | {one['p_under']:.2f} [{one['p_under_lo']:.2f}, {one['p_under_hi']:.2f}]"
                    f" | {h['p_under']:.2f} [{h['p_under_lo']:.2f}, {h['p_under_hi']:.2f}] |")
    return "\n".join(rows)


def fate_values() -> dict[str, str]:
    """Prose figures of the metal-fate probe (namespace ``fate``)."""
    data = _fate_rows()

    def at(metal: str, nm: float, cycles: int, carbon: str = "carbon_black") -> dict[str, Any]:
        return pick(data, carbon=carbon, metal=metal, metal_nm=nm, cycles=cycles)

    ag = at("Ag", 10.0, 100)
    pct = lambda x: f"{100 * x:.0f}"  # noqa: E731
    return {
        "soluble_kept": f"{pct(ag['retained_median'])} %", "soluble_kept_range": f"{pct(ag['retained_lo'])}–"
        f"{pct(ag['retained_hi'])} %", "zn_x": f"{100 * at('Zn', 50.0, 1)['m_in_li_solubility']:.1f} at.%",
        "zn_50nm_kept": f"{pct(at('Zn', 50.0, 100)['retained_median'])} %",
        "cb_p_1": num(at("Ag", 10.0, 1)["p_under"]), "cb_p_100": num(ag["p_under"]),
        "c60_p_1": num(at("Ag", 10.0, 1, "c60_film")["p_under"]), "c60_p_100": num(at("Ag", 10.0, 100, "c60_film")["p_under"]),
        "zn_500nm_kept": f"{pct(at('Zn', 500.0, 100)['retained_median'])} %",
        "zn_5000nm_kept": f"{100 * at('Zn', 5000.0, 100)['retained_median']:.1f} %",
    }


def speed_values() -> dict[str, str]:
    """Run times of the model (namespace ``speed``; ``gap_model.json``)."""
    g = load("gap_model.json")
    b = g["batch_prediction"]
    batch = b["validate_s"] + b["featurize_s"] + b["predict_with_intervals_s"]
    return {"posterior_s": f"{g['seconds']['posterior_build_full_sampler']:.0f}",
            "nested_s": f"{g['seconds']['nested_loso_full_sampler']:,.0f}",
            "nested_min": f"{g['seconds']['nested_loso_full_sampler'] / 60:.0f}",
            "batch_rows": f"{b['rows']:,}", "batch_s": f"{batch:.0f}", "draws": str(b["draws"])}


VALUES: dict[str, Callable[[], dict[str, str]]] = {"params": param_values, "diag": diag_values, "rank": rank_values,
                                                   "fate": fate_values, "speed": speed_values}
BLOCKS: dict[str, Callable[[], str]] = {"parameters": parameters, "top15": top15, "rank-stability": rank_stability,
                                        "fate-probe": fate_probe}
