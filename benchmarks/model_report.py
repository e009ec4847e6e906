"""Record the registry's default model version: what ``docs/model.md`` quotes about the fitted model.

Run: ``python benchmarks/model_report.py [--model N] [--model-dir DIR]`` (seconds once the version is built; builds
version 0 from the curated data if the registry has none, about a minute and a half on two cores). Writes
``benchmarks/results/model_v<N>.json``: the version's provenance (data and model-code sha256, package and library
versions, seed, sampler settings, creation time), its sampler diagnostics and the per-parameter report that
``interlayer calibrate`` prints (posterior median and 90 % interval, posterior/prior width, power-scaling prior
sensitivity, status, the prior's reasoning). No figure is computed here that the registry did not store.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
PROVENANCE = ("version", "created_utc", "package_version", "model_code_sha256", "data_sha256", "libraries", "seed",
              "n_draws", "sampler", "n_observations", "study_ids", "description")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=int, default=None, help="registry version (default: the registry's default)")
    ap.add_argument("--model-dir", help="registry folder (default: $INTERLAYER_MODEL_DIR or the user's registry)")
    args = ap.parse_args()

    from descriptors.atomic import atomic_target
    from screen.model.registry import ModelRegistry

    pipe, meta = ModelRegistry(args.model_dir).load(args.model)
    gap = pipe.named_steps["gap"]
    report = {k: meta.get(k) for k in PROVENANCE}
    report["diagnostics"] = gap.diagnostics_
    report["parameters"] = gap.identifiability_
    out = RESULTS / f"model_v{meta['version']}.json"
    with atomic_target(out) as tmp:
        tmp.write_text(json.dumps(report, indent=1, default=float) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(RESULTS.parents[1])} (model v{meta['version']}, data {meta['data_sha256'][:12]})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
