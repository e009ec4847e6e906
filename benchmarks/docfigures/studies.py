"""Figures of the shipped studies' runs (``bash studies/make_figures.sh`` → ``benchmarks/results/studies.json``).

Namespaces: ``runs`` (provenance shared by every study), ``default``, ``relief`` (the default ranking with
``phase_relief`` at its prior's quantiles, ``benchmarks/results/rank_stability.json``; its other figures are
``model.py``'s ``rank``), ``seed``, ``lowcost``, ``pressure``, ``tradeoff``, ``propose``. Scores are posterior
medians (0–1), thicknesses nm, margins mV, kept fractions in %. Where a sentence's verdict depends on the run
(``No cheap metal beats Mg``) the verdict is a value too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .common import MissingResult, and_list, carbon_name, load, num, pick

#: readable names of the study factors the documents name (others fall back to factors.csv's meaning).
_FACTOR = {"fab_mpa": "fabrication pressure", "stack_mpa": "stack pressure", "current_ma_cm2": "current",
           "temperature_c": "temperature", "eta_amorphous_carbon_mV": "the carbon overpotential",
           "adhesion_barrier_mV": "the adhesion barrier", "toughness_scale_J_m2": "the toughness scale",
           "eta_inert_mV": "the inert-metal excess", "phase_relief": "the phase relief"}
_SHORT = {"fab_mpa": "fab", "stack_mpa": "stack", "current_ma_cm2": "current", "temperature_c": "temp"}


def _facts(study: str) -> dict[str, Any]:
    """One study's section of ``studies.json``."""
    return load("studies.json")[study]


def _design(d: dict[str, Any]) -> str:
    """``Mg/carbon black``, or ``carbon black alone``."""
    return f"{carbon_name(d['carbon'])} alone" if d["metal"] == "none" else f"{d['metal']}/{carbon_name(d['carbon'])}"


def _pair(text: str) -> str:
    """``Mg/carbon_black`` (a run's design label) as ``Mg/carbon black``."""
    metal, carbon = text.split("/")
    return _design({"metal": metal, "carbon": carbon})


def _span(lo: float, hi: float, digits: int = 0) -> str:
    """``22–47`` (one number when both round alike)."""
    a, b = num(lo, digits), num(hi, digits)
    return a if a == b else f"{a}–{b}"


def _ranks(d: dict[str, Any]) -> str:
    """A design's 90 % rank interval, ``1–90``."""
    return f"{d['rank_lo']}–{d['rank_hi']}"


def _nm_span(layers: list[dict[str, Any]]) -> str:
    """The thickness range (nm) of some layers of ``top_layers``."""
    if not layers:
        raise MissingResult("no top design's layer is of the kind the sentence describes: reword the sentence")
    return _span(min(x["nm"] for x in layers), max(x["nm"] for x in layers))


def _pct(fraction: float) -> str:
    """A fraction (0–1) as a whole percentage."""
    return f"{100 * fraction:.0f}"


def _ranks_run(ranks: list[int]) -> str:
    """``1–3`` for consecutive ranks, else ``1, 2 and 4``."""
    consecutive = ranks == list(range(ranks[0], ranks[-1] + 1))
    return _span(ranks[0], ranks[-1]) if consecutive else and_list([str(r) for r in ranks])


def _distinct(values: list[str]) -> str:
    """The studies' values of one provenance field, each once (one value when all runs agree)."""
    return ", ".join(dict.fromkeys(values))


def runs_values() -> dict[str, str]:
    """Provenance of the runs the figures come from: registry model version, data and corpus hashes, seed, date."""
    data = load("studies.json")
    prov = list(data["provenance"].values())
    dates = sorted({p["date"] for p in prov})
    return {"model": _distinct([str(p["model_version"]) for p in prov]),
            "data": _distinct([p["model_data_sha256"][:12] for p in prov]),
            "corpus": _distinct([p["literature_sha256"][:12] for p in prov]),
            "seed": _distinct([str(p["seed"]) for p in prov]),
            "package": _distinct([p["package_version"] for p in prov]),
            "date": dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}",
            "reactive": "on" if data["default"]["exclude_electrolyte_reactive"] else "off",
            "seconds": f"{data['seconds_all_runs']:.0f}" if "seconds_all_runs" in data else "(not recorded)"}


def _ranking_values(f: dict[str, Any]) -> dict[str, str]:
    """What every ranked study shares: leader, leading tie group, each metal's and carbon's best rank."""
    g1, lead = f["tie_group_1"], f["top"][0]
    best = f["best_by_metal"]
    out = {"designs": f"{f['designs']:,}", "leader": _design(lead), "leader_score": num(lead["score"], 3),
           "leader_ranks": _ranks(lead), "g1_size": str(g1["size"]), "g1_metals": and_list(g1["metals"]),
           "g1_metals_ranked": and_list([f"{m} (#{best[m]['rank']})" for m in g1["metals"]]),
           "g1_carbons": and_list([carbon_name(c) for c in g1["carbons"] if c != "none"], "or"),
           "g1_metal_nm": _span(*g1["metal_nm"]), "g1_carbon_nm": _span(*g1["carbon_nm"]),
           "g1_ranks": f"{g1['rank_lo']}–{g1['rank_hi']}", "g1_score_lo": num(g1["score"][0], 3),
           "top": str(len(f["top"]))}
    for metal, d in best.items():
        out |= {f"rank_{metal}": str(d["rank"]), f"ranks_{metal}": _ranks(d), f"group_{metal}": str(d["tie_group"])}
    for carbon, rank in f["first_rank_by_carbon"].items():
        out[f"first_{carbon}"] = str(rank)
    if f["carbon_only"]:
        alone = f["carbon_only"][0]
        out |= {"carbon_only": carbon_name(alone["carbon"]), "carbon_only_rank": str(alone["rank"]),
                "carbon_only_ranks": _ranks(alone)}
    top_metals = list(dict.fromkeys(d["metal"] for d in f["top"] if d["metal"] != "none"))
    out["top_inert"] = ", ".join(m for m in top_metals if best[m]["inert"])
    out["top_active"] = ", ".join(m for m in top_metals if not best[m]["inert"] and m != lead["metal"])
    return out


def default_values() -> dict[str, str]:
    """The default screen (``runs/default``): ranks, tie groups, intervals, thicknesses and their optima."""
    f = _facts("default")
    out = _ranking_values(f) | {"grid": f"{f['grid_designs']:,}"}
    out["first_films"] = str(min(f["first_rank_by_carbon"][c] for c in ("c60_film", "amorphous_sputtered")))
    metal = [x for x in f["top_layers"] if x["layer"] == "metal"]
    inner = [x for x in metal if x["set_by"] == "interior"]
    out["top_metal_interior"] = f"all {len(metal)}" if len(inner) == len(metal) else f"{len(inner)} of {len(metal)}"
    out["top_metal_nm"] = _nm_span(inner)
    carbon = [x for x in f["top_layers"] if x["layer"] == "carbon"]
    c_in = [x for x in carbon if x["set_by"] == "interior"]
    rest = [x for x in carbon if x["set_by"] != "interior"]
    out |= {"top_carbon_interior": str(len(c_in)), "top_carbon_nm": _nm_span(c_in),
            "top_carbon_other": str(len(rest)), "top_carbon_other_nm": _nm_span(rest),
            "top_carbon_other_designs": and_list([_pair(x["design"]) for x in rest]),
            "top_carbon_other_why": "; ".join(dict.fromkeys(x["set_by"] for x in rest)),
            "wh_l": _span(f["top_wh_l_loss_pct"][0], f["top_wh_l_loss_pct"][1], 2)}
    return out


def relief_values() -> dict[str, str]:
    """How many of the default top 10, re-ranked with ``phase_relief`` at its prior's 5 % and 95 % quantiles, stay
    inside the reported rank intervals (``bench_rank_stability.py``; its overlaps and taus are namespace ``rank``)."""
    rs = load("rank_stability.json")
    inside = [rs[f"phase_relief_{q}"]["top10_inside_reported_intervals"] for q in ("q05", "q95")]
    return {"inside": "every" if inside == [10, 10] else f"{inside[0]} and {inside[1]} of the ten"}


def seed_values() -> dict[str, str]:
    """The source paper's five cells (``runs/seed_mg_c``): predictions beside the measured values."""
    f = _facts("seed_mg_c")
    cells = f["cells"]
    ss, cu = pick(cells, label="SS (no interlayer)"), pick(cells, label="Cu collector")
    mg, c = pick(cells, label="Mg only (500 nm)"), pick(cells, label="C only (1 um)")
    mgc = pick(cells, label="Mg/C bilayer (500/100 nm)")
    dips = [x for x in cells if x["measured_nucleation_dip"] in ("yes", "no")]
    agree = sum(x["predicted_dip"] == x["measured_nucleation_dip"] for x in dips)
    rho = {x["trend"].split(" vs ")[-1]: x["spearman"] for x in f["findings"] if x.get("spearman") is not None}
    return {"site": mgc["predicted_site"].replace("_", " the "), "p": num(mgc["p_under_carbon"]),
            "p_range": _span(mgc["p_under_carbon_lo"], mgc["p_under_carbon_hi"], 2), "margin": num(mgc["margin_mV"], 1),
            "eta_ss": num(ss["eta_cell_mV"], 1), "eta_c": num(c["eta_cell_mV"], 1), "eta_mg": num(mg["eta_cell_mV"], 1),
            "eta_mgc": num(mgc["eta_cell_mV"], 1), "dips": f"{agree} of {len(dips)}",
            "rho_eta": num(rho["predicted nucleation overpotential"]),
            "rho_li": num(rho["Li taken up by the interlayer"]),
            "ice_ss": num(ss["measured_initial_ce_pct"], 1), "ice_cu": num(cu["measured_initial_ce_pct"], 1),
            "uptake_mg": num(mg["li_uptake_pct"], 1), "uptake_mgc": num(mgc["li_uptake_pct"], 1),
            "ccd_ss": f"{ss['measured_ccd_mA_cm2']:g}", "ccd_mgc": f"{mgc['measured_ccd_mA_cm2']:g}",
            "reg": f"{mgc['regulation_current_mA_cm2']:.3g}",
            "reg_range": f"{mgc['regulation_current_lo']:.2g}–{mgc['regulation_current_hi']:.2g}"}


def lowcost_values() -> dict[str, str]:
    """Metals ≤ 10 USD/kg against Mg (``runs/low_cost_metals``): verdict, ranks, gaps and where margins come from."""
    f = _facts("low_cost_metals")
    out = _ranking_values(f)
    ref, beat = f["reference"], f["beat_reference"]
    out["verdict"] = (f"No cheap metal beats {ref}" if not beat
                      else f"{and_list(beat)} beat{'s' if len(beat) == 1 else ''} {ref}")
    lead = [d for d in f["top"] if d["metal"] == ref and d["tie_group"] == 1]
    if not lead:
        raise MissingResult(f"{ref} has no design in the leading tie group of runs/low_cost_metals")
    out |= {"ref_ranks": _ranks_run([d["rank"] for d in lead]), "ref_score": num(lead[0]["score"], 3),
            "ref_metal_nm": _span(min(d["metal_nm"] for d in lead), max(d["metal_nm"] for d in lead)),
            "ref_carbon_nm": _span(min(d["carbon_nm"] for d in lead), max(d["carbon_nm"] for d in lead)),
            "ref_carbons": and_list([carbon_name(d["carbon"]) for d in lead], "or")}
    nxt = [f["best_by_metal"][m] for m in f["tie_group_1"]["metals"] if m != ref]
    if not nxt:
        raise MissingResult(f"no other metal shares {ref}'s tie group in runs/low_cost_metals: reword the sentence")
    out["next"] = and_list([f"{d['metal']} (#{d['rank']}, {_ranks(d)})" for d in nxt])
    out["next_gap"] = num(lead[0]["score"] - min(d["score"] for d in nxt), 3)
    out["drawback"] = and_list(f["main_drawbacks"], "or")
    for metal, e in f["explanations"].items():
        out[f"excess_{metal}"] = num(e["margin_mV"] - e["inert_margin_mV"], 1)
        out[f"phase_{metal}"] = num(e["contribution_mV"].get("has_intermediate_phases", 0.0), 1)
    return out


def _factor(name: str, row: dict[str, Any]) -> str:
    return _FACTOR.get(name, row["meaning"] or f"`{name}`")


def pressure_values() -> dict[str, str]:
    """Conditions (``runs/pressure_and_rate/sensitivity``): Sobol indices of the leader's margin, rank stability."""
    f = _facts("pressure_and_rate")
    margin, tau, stab = f["margin"], f["kendall_tau"], f["rank_stability"]["all"]
    order = list(margin)  # sorted by S1_eff, largest first
    out = {"leader": _pair(f["leader"]), "first": _factor(order[0], margin[order[0]]).capitalize(),
           "second": _factor(order[1], margin[order[1]]), "top1_kept": _pct(stab["top1_kept"]),
           "top10_kept": _pct(stab["top10_mean_kept"]), "tau": num(stab["kendall_tau_mean"])}
    for name, short in _SHORT.items():
        s = margin[name]
        out |= {f"s1_{short}": num(s["S1"]), f"s1c_{short}": num(s["S1_conf"]), f"st_{short}": num(s["ST"]),
                f"share_{short}": ("none" if s["S1_eff"] == 0 and s["ST"] < 0.005
                                   else f"{num(s['S1'])} (total {num(s['ST'])})"),
                f"tau_s1_{short}": num(tau[name]["S1_eff"])}
    return out


def tradeoff_values() -> dict[str, str]:
    """Li inventory vs robustness (``runs/thickness_tradeoff``): which metals, the best robustness and where."""
    f = _facts("thickness_tradeoff")
    summ = f["summary"]
    best = max(summ, key=lambda r: r["best_robustness_mV"])
    spread = max(r["best_robustness_mV"] for r in summ) - min(r["best_robustness_mV"] for r in summ)
    n_inert = sum(bool(v) for v in f["inert"].values())
    fronts = max(r["front_points"] for r in summ)
    thinnest = best["best_metal_nm"] <= f["metal_nm"][0] and best["best_carbon_nm"] <= f["carbon_nm"][0]
    return {"metals": ", ".join(f["metals"]),
            "kind": "inert metals" if n_inert == len(f["metals"]) else f"metals ({n_inert} of them inert)",
            "tied": "tied with each other" if spread < 0.05 else f"within {num(spread, 1)} mV of each other",
            "verdict": ("no design keeps a positive lower-bound margin" if best["best_robustness_mV"] <= 0
                        else "a design keeps a positive lower-bound margin"),
            "best": num(best["best_robustness_mV"], 1), "best_metal_nm": f"{best['best_metal_nm']:g}",
            "best_carbon_nm": f"{best['best_carbon_nm']:g}", "best_carbon": carbon_name(best["best_carbon"]),
            "best_li": num(best["li_loss_pct_at_best"], 1),
            "front": "a single design" if fronts == 1 else f"up to {fronts} designs",
            "best_where": ("the thinnest design of the grid" if thinnest
                           else "a design thicker than the grid's thinnest")}


def propose_values() -> dict[str, str]:
    """Untested metals (``runs/propose_new`` and its sensitivity): leader, tie group, what moves the order."""
    f = _facts("propose_new")
    out = _ranking_values(f)
    default_lead = _facts("default")["top"][0]
    out["verdict"] = ("Nothing untested stands out" if f["top"][0]["score"] <= default_lead["score"]
                      else f"{out['leader']} leads the default study's best")
    margin, stab = f["margin"], f["rank_stability"]
    order = list(margin)
    out |= {"leader_metal": f["top"][0]["metal"], "first_name": _factor(order[0], margin[order[0]]),
            "first_s1": num(margin[order[0]]["S1_eff"]), "second_name": _factor(order[1], margin[order[1]]),
            "second_s1": num(margin[order[1]]["S1_eff"]), "top10_kept": _pct(stab["all"]["top10_mean_kept"]),
            "tau": num(stab["all"]["kendall_tau_mean"]), "tau_params": num(stab["parameters"]["kendall_tau_mean"]),
            "tau_inputs": num(stab["inputs"]["kendall_tau_mean"]),
            "moves": ("the model, not the inputs"
                      if stab["parameters"]["kendall_tau_mean"] < stab["inputs"]["kendall_tau_mean"]
                      else "the inputs, not the model")}
    return out


VALUES: dict[str, Callable[[], dict[str, str]]] = {
    "runs": runs_values, "default": default_values, "relief": relief_values, "seed": seed_values,
    "lowcost": lowcost_values, "pressure": pressure_values, "tradeoff": tradeoff_values, "propose": propose_values}
def printed_row() -> str:
    """The header and first row that ``interlayer screen`` printed for the default study, as a fenced block."""
    lines = load("studies.json")["default"]["printed"]
    if not lines:
        raise MissingResult("studies.json holds no printed table: run `bash studies/make_figures.sh`")
    return "```\n" + "\n".join(lines) + "\n```"


BLOCKS: dict[str, Callable[[], str]] = {"default-printed-row": printed_row}
