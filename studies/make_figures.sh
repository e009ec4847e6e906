#!/usr/bin/env bash
# Re-run every shipped study from scratch, copy the figures shown in studies/README.md into studies/figures/, and
# collect the facts the documents quote into benchmarks/results/studies.json (benchmarks/study_figures.py); then
# `python benchmarks/render_docs.py` writes them into README.md, docs/*.md and studies/README.md.
# Usage (from the repository root, after `pip install .`):  bash studies/make_figures.sh
set -euo pipefail
rm -rf runs/default.stdout.txt runs/seed_mg_c runs/low_cost_metals runs/propose_new runs/pressure_and_rate runs/thickness_tradeoff
mkdir -p runs
# runs/default is not removed: the screen replaces a finished run of the same study and keeps it as runs/default.prev
interlayer screen --study studies/default.toml --output runs/default --no-progress > runs/default.stdout.txt
interlayer compare --study studies/seed_mg_c.toml --no-progress
interlayer screen --study studies/low_cost_metals.toml --no-progress
interlayer screen --study studies/propose_new.toml --no-progress
interlayer sensitivity --study studies/propose_new.toml --no-progress
interlayer sensitivity --study studies/pressure_and_rate.toml --no-progress
interlayer tradeoff --study studies/thickness_tradeoff.toml --no-progress
mkdir -p studies/figures
cp runs/seed_mg_c/comparison.png studies/figures/seed_mg_c_comparison.png
cp runs/low_cost_metals/ranking.png studies/figures/low_cost_metals_ranking.png
cp runs/propose_new/sensitivity/sobol.png studies/figures/propose_new_sobol.png
cp runs/pressure_and_rate/sensitivity/oat_rank.png studies/figures/pressure_and_rate_oat_rank.png
cp runs/pressure_and_rate/sensitivity/oat_margin.png studies/figures/pressure_and_rate_oat_margin.png
cp runs/thickness_tradeoff/tradeoff.png studies/figures/thickness_tradeoff.png
python benchmarks/study_figures.py --seconds "$SECONDS"   # bash counts the seconds since the script started
