"""Figures of the simulated campaigns and the worked round (``bench_suggest.py``, ``worked_round.py``)."""

from __future__ import annotations

from collections.abc import Callable

from .common import and_list, carbon_name, load, minus, number_word


def _interval(d: dict, digits: int = 3) -> str:
    """``+0.012 [−0.002, +0.026]``, bold when the 90 % interval excludes zero."""
    f = lambda x: f"{x:+.{digits}f}".replace("-", "−")  # noqa: E731
    text = f"{f(d['mean_difference'])} [{f(d['lo'])}, {f(d['hi'])}]"
    return f"**{text}**" if d["lo"] > 0 or d["hi"] < 0 else text


def suggest_campaigns() -> str:
    """Paired differences from random at the headline budget (``benchmarks/bench_suggest.py``)."""
    sim = load("suggest.json")["simulation"]
    cells = 12 if any(d["cells"] == 12 for d in sim["differences"]) else min(d["cells"] for d in sim["differences"])
    pick = {(d["world"], d["metric"], d["a"]): d for d in sim["differences"] if d["cells"] == cells}
    cols = [("top_k_recovery", "ranking"), ("top_k_recovery", "bald"), ("log_loss_vs_truth", "bald"),
            ("log_loss_vs_truth", "ranking")]
    rows = [f"| world (differences at {cells} cells) | ranking − random, top-10 recovery | BALD − random, top-10 recovery "
            "| BALD − random, log-loss vs truth | ranking − random, log-loss |", "|---|---|---|---|---|"]
    for world, label in (("posterior", "posterior (the lab starts from the literature)"),
                         ("prior", "prior (the lab starts from nothing)")):
        rows.append(f"| {label} | " + " | ".join(_interval(pick[(world, m, a)]) for m, a in cols) + " |")
    return "\n".join(rows)


def _cell(c: dict) -> str:
    metal = "" if c["metal"] == "none" else f"{c['metal']} {c['metal_nm']:.0f} / "
    alone = " alone" if c["metal"] == "none" else ""
    return (f"{metal}{carbon_name(c['carbon'])} {c['carbon_nm']:,.0f}{alone}; {c['current_ma_cm2']:g}, "
            f"{c['temperature_c']:g}, {c['fab_mpa']:g}")


def worked_round_cells() -> str:
    """The cells of the worked round, what each decides, and their simulated outcomes (``benchmarks/worked_round.py``)."""
    rows = ["| cell (nm; mA/cm², °C, MPa) | model's P(under) | decides (top-10 chance if Li goes under the carbon) "
            "| true world's P "
            "| simulated result |", "|---|---|---|---|---|"]
    for c in load("worked_round.json")["cells"]:
        decides = c["decides"].removeprefix("decides between ").replace(" -> ", " → ").replace("super_p", "Super P")
        decides = decides.replace(" if Li goes under", "").replace("top-10 chance ", "").replace("_", " ")
        rows.append(f"| {_cell(c)} | {c['p_under_carbon']:.2f} | {decides} | {c['p_true']:.2f} | "
                    f"{c['simulated'].replace('_carbon', '')} |")
    return "\n".join(rows)


def worked_round_ranking() -> str:
    """The screen's top 10 before and after the round's refit, side by side."""
    wr = load("worked_round.json")

    def design(r: dict) -> str:
        metal = "alone" if r["metal"] == "none" else f"{r['metal']} {r['metal_nm']:.0f}"
        return f"{metal} / {carbon_name(r['carbon'])} {r['carbon_nm']:.0f}"

    rows = ["| rank | before: design (nm) | score | P(under) | after: design (nm) | score | P(under) |",
            "|---|---|---|---|---|---|---|"]
    for b, a in zip(wr["before"], wr["after"]):
        rows.append(f"| {b['rank']} | {design(b)} | {b['posterior_score']:.3f} | {b['p_under_carbon']:.3f} | {design(a)} | "
                    f"{a['posterior_score']:.3f} | {a['p_under_carbon']:.3f} |")
    size = wr["tie_group_1_size"]
    rows.append(f"\nThe leader's tie group: {size['before']} designs before, {size['after']} after.")
    return "\n".join(rows)


BLOCKS: dict[str, Callable[[], str]] = {"suggest-campaigns": suggest_campaigns, "worked-round-cells": worked_round_cells,
                                        "worked-round-ranking": worked_round_ranking}


def _pairs(rows: list[dict]) -> list[tuple[str, str]]:
    return [(r["metal"], r["carbon"]) for r in rows]


def _pair_list(pairs: list[tuple[str, str]]) -> str:
    """``Mg/acetylene black and Ag/Super P``."""
    return and_list((f"{m}/{carbon_name(c)}" for m, c in pairs), empty="none")


def _bycarbon_name(pairs: list[tuple[str, str]]) -> str:
    """``Ag, Au, Mg on carbon black; Au, Ag on Super P`` (P order kept within each carbon)."""
    groups: dict[str, list[str]] = {}
    for m, c in pairs:
        groups.setdefault(c, []).append(m)
    return "; ".join(f"{', '.join(ms)} on {carbon_name(c)}" for c, ms in groups.items())


def worked_round_values() -> dict[str, str]:
    """Prose figures of the worked round (namespace ``round``; ``worked_round.json``)."""
    wr = load("worked_round.json")
    before, after = _pairs(wr["top10_by_p"]["before"]), _pairs(wr["top10_by_p"]["after"])
    under = [c for c in wr["cells"] if c["simulated"] == "under_carbon"]
    p_under = [c["p_under_carbon"] for c in under]
    return {
        "seconds": f"{wr['seconds']['total']:.0f}", "refit_s": f"{wr['seconds']['refit']:.0f}",
        "draw": str(wr["true_world"]["posterior_draw"]), "offset": minus(f"{wr['true_world']['lab_offset_mV']:.1f}"),
        "diagnostics": "pass" if wr["diagnostics_after"]["passed"] else "fail",
        "cells": number_word(len(wr["cells"])), "stay": f"{len(set(before) & set(after))} of {len(before)}",
        "leave": _pair_list([p for p in before if p not in after]),
        "enter": _pair_list([p for p in after if p not in before]),
        "before_list": _bycarbon_name(before), "after_list": _bycarbon_name(after),
        "lead_p_before": f"{wr['top10_by_p']['before'][0]['p_under_carbon']:.3f}",
        "lead_p_after": f"{wr['top10_by_p']['after'][0]['p_under_carbon']:.3f}",
        "under": number_word(len(under)),
        "under_p": (f"{min(p_under):.2f}–{max(p_under):.2f}" if len(p_under) > 1 else f"{p_under[0]:.2f}") if p_under else "—",
    }


def suggest_values() -> dict[str, str]:
    """Prose figures of the simulated campaigns, the refit's check and the replay (namespace ``campaigns``)."""
    s = load("suggest.json")
    sim, replay = s["simulation"], s["replay"]
    post = [r["top_k_recovery"] for r in sim["final_round"] if r["world"] == "posterior"]
    rnd = next(r["top_k_recovery"] for r in sim["final_round"] if r["world"] == "posterior" and r["strategy"] == "random")
    refits = sim["refits"]
    share = [r["r"] for r in refits["campaigns_refitted"]]
    worlds = sim["refit_check"]["worlds"]
    mean = sim["refit_check"]["mean"]
    collapsed = sorted((w for w in worlds if w["ess_reweighted"] < 100), key=lambda w: w["ess_reweighted"])
    reach = replay["records_to_reach_final"]
    ess = replay["final_ess"]
    setup = sim["setup"]
    return {
        "campaigns": str(setup["campaigns"]), "rounds": str(setup["rounds"]), "batch": str(setup["batch"]),
        "members": f"{setup['members']:,}", "pool_cells": f"{setup['pool_cells']:,}", "pool_pairs": str(setup["pool_pairs"]),
        "designs": f"{setup['designs']:,}",
        "final_cells": str(setup["rounds"] * setup["batch"]), "posterior_final_range": f"{min(post):.2f}–{max(post):.2f}",
        "posterior_final_random": f"{rnd:.2f}",
        "refit_share": f"{100 * min(share):.0f}–{100 * max(share):.0f}", "refits_per_campaign": f"{refits['refits_per_campaign']:.2f}",
        "acceptance": f"{refits['move_acceptance_mean']:.2f}",
        "distinct": f"{100 * refits['distinct_members_after_refit_mean']:.1f}",
        "max_change": f"{_max_refit_change(sim):.3f}",
        "check_worlds": str(len(worlds)), "mae_reweighted": f"{mean['mae_reweighted']:.4f}",
        "mae_refit": f"{mean['mae_refit']:.4f}", "mae_floor": f"{mean['mae_reference_floor']:.4f}",
        "collapsed_ess": " and ".join(f"{w['ess_reweighted']:.0f}" for w in collapsed),
        "collapsed_mae": " and ".join(f"from {w['mae_reweighted']:.3f} to {w['mae_refit']:.3f}" for w in collapsed),
        "replay_s": f"{replay['seconds']:.0f}", "replay_seeds": str(len(ess)),
        "reach_bald": f"{reach['suggest']['mean']:.1f} ± {reach['suggest']['std']:.1f}",
        "reach_random": f"{reach['random']['mean']:.1f} ± {reach['random']['std']:.1f}",
        "reach_literature": f"{reach['literature']['mean']:.1f} ± {reach['literature']['std']:.1f}",
        "final_ess": f"{min(ess):.0f}–{max(ess):.0f}",
        "reach_median": f"{max(reach[k]['50%'] for k in reach):.0f}",
    }


def _max_refit_change(sim: dict) -> float:
    """Largest change the refit made to a headline difference (with against without it)."""
    without = {(d["world"], d["metric"], d["a"], d["cells"]): d["mean_difference"] for d in sim["differences_without_refit"]}
    return max(abs(d["mean_difference"] - without[(d["world"], d["metric"], d["a"], d["cells"])])
               for d in sim["differences"] if (d["world"], d["metric"], d["a"], d["cells"]) in without)


VALUES: dict[str, Callable[[], dict[str, str]]] = {"round": worked_round_values, "campaigns": suggest_values}
