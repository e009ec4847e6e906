"""``interlayer tradeoff`` end to end: study file -> model -> Li-loss vs margin fronts -> run folder."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from screen.analysis.tradeoff import fronts, summary, top_metals, tradeoff_table
from screen.report.tradeoff_report import tradeoff_front_plot, tradeoff_html
from screen.workflows.folders import make_output_folder, require_own_folder

__all__ = ["OUTPUT_FILES", "run_tradeoff"]


OUTPUT_FILES = ("fronts.csv", "summary.csv", "tradeoff.png", "report.html", "run.json")


def run_tradeoff(study: str | Path, *, output: str | Path | None = None, model_version: int | None = None,
                 model_dir: str | Path | None = None, progress: bool = True, plots: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run a tradeoff study; write fronts.csv, summary.csv, tradeoff.png, report.html, run.json; return (summary, fronts)."""
    from descriptors.atomic import staged_run
    from descriptors.data.files import data_hashes
    from screen.model.registry import ModelRegistry, library_versions, package_version
    from screen.report.html import json_value
    from screen.search.spec import load_study, require_kind

    spec = load_study(study, overrides={"study": {"model_version": model_version, "output": str(output) if output is not None else None}})
    require_kind(spec, "tradeoff", "interlayer tradeoff")
    t0 = time.perf_counter()
    pipeline, meta = ModelRegistry(model_dir).load(spec.study.model_version, progress=progress)
    if isinstance(spec.tradeoff.metals, list):
        metals, how = list(spec.tradeoff.metals), "listed in the study file"
    else:
        metals, how = top_metals(spec, pipeline, spec.tradeoff.metals), f"the {spec.tradeoff.metals} best metals on the exhaustive grid"
    table = tradeoff_table(spec, pipeline, metals)
    front = fronts(table)
    summ = summary(table, front, metals)
    out = spec.output_dir()
    require_own_folder(out)
    make_output_folder(out)
    run = {"study": {"name": spec.study.name, "file": spec.source_path, "file_sha256": spec.source_sha256,
                     "resolved": spec.model_dump(exclude={"source_path", "source_sha256"})},
           "metals": metals, "metal_selection": how, "evaluated": int(len(table)), "feasible": int(table["feasible"].sum()),
           "model": {"version": meta["version"], "data_sha256": meta["data_sha256"]},
           "data_sha256": data_hashes(), "package_version": package_version(), "library_versions": library_versions()}
    with staged_run(out, run, t0) as staging:
        front.to_csv(staging / "fronts.csv", index=False)
        summ.to_csv(staging / "summary.csv", index=False)
        if plots:
            tradeoff_front_plot(table, front, metals, staging / "tradeoff.png")
            (staging / "report.html").write_text(tradeoff_html(spec, summ, front, run, staging), encoding="utf-8")
        run["summary"] = [{k: json_value(v) for k, v in r.items()} for r in summ.to_dict("records")]
    summ.attrs["output"] = str(out)
    return summ, front
