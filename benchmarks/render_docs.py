"""Regenerate the tables ``studies/README.md`` quotes from the benchmarks' results files.

A block of a document between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->`` is written by ``BLOCKS[NAME]``
from ``benchmarks/results/*.json`` (what the benchmark runs wrote). ``python benchmarks/render_docs.py`` rewrites
every block; ``--check`` rewrites nothing and exits 1 naming each block that differs (``tests/test_docs_commands.py``
runs it), so a re-run benchmark and the tables that quote it cannot drift apart unseen.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOCUMENTS = [ROOT / "studies" / "README.md"]


def _load(name: str) -> dict:
    return json.loads((RESULTS / name).read_text(encoding="utf-8"))


def _interval(d: dict, digits: int = 3) -> str:
    """``+0.012 [−0.002, +0.026]``, bold when the 90 % interval excludes zero."""
    f = lambda x: f"{x:+.{digits}f}".replace("-", "−")  # noqa: E731
    text = f"{f(d['mean_difference'])} [{f(d['lo'])}, {f(d['hi'])}]"
    return f"**{text}**" if d["lo"] > 0 or d["hi"] < 0 else text


def suggest_campaigns() -> str:
    """Paired differences from random at the headline budget (``benchmarks/bench_suggest.py``)."""
    sim = _load("suggest.json")["simulation"]
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


def _carbon(name: str) -> str:
    return {"super_p": "Super P"}.get(name, name.replace("_", " "))


def _cell(c: dict) -> str:
    metal = "" if c["metal"] == "none" else f"{c['metal']} {c['metal_nm']:.0f} / "
    alone = " alone" if c["metal"] == "none" else ""
    return (f"{metal}{_carbon(c['carbon'])} {c['carbon_nm']:,.0f}{alone}; {c['current_ma_cm2']:g}, "
            f"{c['temperature_c']:g}, {c['fab_mpa']:g}")


def worked_round_cells() -> str:
    """The cells of the worked round, what each decides, and their simulated outcomes (``benchmarks/worked_round.py``)."""
    rows = ["| cell (nm; mA/cm², °C, MPa) | model's P(under) | decides (top-10 chance if Li goes under the carbon) "
            "| true world's P "
            "| simulated result |", "|---|---|---|---|---|"]
    for c in _load("worked_round.json")["cells"]:
        decides = c["decides"].removeprefix("decides between ").replace(" -> ", " → ").replace("super_p", "Super P")
        decides = decides.replace(" if Li goes under", "").replace("top-10 chance ", "").replace("_", " ")
        rows.append(f"| {_cell(c)} | {c['p_under_carbon']:.2f} | {decides} | {c['p_true']:.2f} | "
                    f"{c['simulated'].replace('_carbon', '')} |")
    return "\n".join(rows)


def worked_round_ranking() -> str:
    """The screen's top 10 before and after the round's refit, side by side."""
    wr = _load("worked_round.json")

    def design(r: dict) -> str:
        metal = "alone" if r["metal"] == "none" else f"{r['metal']} {r['metal_nm']:.0f}"
        return f"{metal} / {_carbon(r['carbon'])} {r['carbon_nm']:.0f}"

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
_BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.S)


def render(text: str, path: Path) -> tuple[str, list[str]]:
    """``text`` with every generated block rewritten, and the names of the blocks that changed."""
    changed: list[str] = []

    def one(m: re.Match[str]) -> str:
        name = m.group("name")
        if name not in BLOCKS:
            raise SystemExit(f"{path}: unknown generated block '{name}' (known: {', '.join(BLOCKS)})")
        body = "\n" + BLOCKS[name]() + "\n"
        if body != m.group("body"):
            changed.append(name)
        return m.group(1) + body + m.group(4)

    return _BLOCK.sub(one, text), changed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="rewrite nothing; exit 1 if a block differs from the results")
    args = ap.parse_args()
    stale = []
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        new, changed = render(text, path)
        stale += [f"{path.relative_to(ROOT)}: block '{n}' differs from benchmarks/results" for n in changed]
        if changed and not args.check:
            path.write_text(new, encoding="utf-8")
    for line in stale:
        print(("stale: " if args.check else "rewritten: ") + line, file=sys.stderr)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
