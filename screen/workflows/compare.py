"""``interlayer compare`` end to end: study file -> model -> comparison table -> run folder."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

from screen.analysis.compare import assess, compare_table
from screen.report.compare_report import compare_html, comparison_plot
from screen.workflows.folders import make_output_folder, require_own_folder

__all__ = ["OUTPUT_FILES", "run_compare"]


OUTPUT_FILES = ("comparison.csv", "comparison.json", "comparison.png", "report.html", "run.json")


def run_compare(study: str | Path, *, output: str | Path | None = None, model_version: int | None = None,
                model_dir: str | Path | None = None, progress: bool = True,
                plots: bool = True) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Run a compare study; write comparison.csv/json, comparison.png, report.html and run.json; return (table, findings)."""
    from descriptors.atomic import staged_run
    from descriptors.data.files import data_hashes
    from screen.model.registry import ModelRegistry, library_versions, package_version
    from screen.report.html import json_value
    from screen.search.spec import load_study, require_kind

    spec = load_study(study, overrides={"study": {"model_version": model_version, "output": str(output) if output is not None else None}})
    require_kind(spec, "compare", "interlayer compare")
    t0 = time.perf_counter()
    pipeline, meta = ModelRegistry(model_dir).load(spec.study.model_version, progress=progress)
    table = compare_table(spec, pipeline)
    findings = assess(table)
    out = spec.output_dir()
    require_own_folder(out)
    make_output_folder(out)
    run = {"study": {"name": spec.study.name, "file": spec.source_path, "file_sha256": spec.source_sha256,
                     "resolved": spec.model_dump(exclude={"source_path", "source_sha256"})},
           "model": {"version": meta["version"], "data_sha256": meta["data_sha256"]}, "findings": findings,
           "data_sha256": data_hashes(), "package_version": package_version(), "library_versions": library_versions()}
    with staged_run(out, run, t0) as staging:
        table.to_csv(staging / "comparison.csv", index=False)
        (staging / "comparison.json").write_text(json.dumps({"cells": [{k: json_value(v) for k, v in r.items()}
                                                                       for r in table.to_dict("records")], "findings": findings},
                                                            indent=1, default=json_value) + "\n", encoding="utf-8")
        if plots:
            comparison_plot(table, staging / "comparison.png")
            (staging / "report.html").write_text(compare_html(spec, table, findings, run, staging), encoding="utf-8")
    table.attrs["output"] = str(out)
    return table, findings
