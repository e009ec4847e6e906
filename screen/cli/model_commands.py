"""Model commands: ``predict``, ``retrain``, ``models`` (``calibrate`` is :mod:`.calibrate_command`).

Each ``add_*`` builds one subcommand's parser; each ``_cmd_*`` runs it. Heavy libraries are imported inside the
commands, so building the parser stays cheap."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from descriptors.errors import InputError
from screen.cli.common import (
    FORMAT,
    REG_HELP,
    Parser,
    emit,
    finite,
    input_error,
    integer,
    json_value,
    registry,
    write_text_atomic,
)
from screen.model.fields import ARCHITECTURES, CANDIDATE_COLUMNS, FIELDS

__all__ = ["add_predict", "add_retrain", "add_models"]


def add_predict(sub: Any) -> None:
    """``interlayer predict``."""
    pr = sub.add_parser("predict", help="plating location and overpotentials for a cell (or a CSV of cells)",
                        description="Predict eta on the lithiated metal and carbon, the transport barrier, the margin and "
                        "P(Li plates under the carbon), each with a 90 % interval over the posterior draws (a new lab's "
                        "offset drawn with each draw, or with --study-id the fitted offset of a study whose cells are in the "
                        "model). Every option but --metal and --carbon defaults to the source paper's cell (Wu et al. "
                        "2026, doi:10.1021/acsami.6c01094); the output lists the defaults used. --input FILE takes a CSV "
                        "whose columns are the option names "
                        "(metal, carbon, architecture, metal_nm, ...); empty cells take the defaults.",
                        epilog="Example: interlayer predict --metal Mg --carbon c60_film --format json")
    pr.add_argument("--metal", help="metal element symbol, or none")
    pr.add_argument("--carbon", help="carbon preset (see 'interlayer descriptors --carbon'), or none")
    pr.add_argument("--architecture", choices=ARCHITECTURES,
                    help="layer arrangement (default: bilayer; single_layer/none when a layer is none)")
    for f in FIELDS:
        if f.unit:
            opt = f"--{f.name.replace('_', '-')}"
            default = "the carbon preset's value, else unknown" if f.default is None else f"{f.default:g}"
            pr.add_argument(opt, type=finite(opt, nonneg=f.name != "temperature_c", maximum=f.maximum), default=None,
                            help=f"{f.help}, {f.unit} (default: {default})")
    pr.add_argument("--study-id", metavar="ID", default=None,
                    help="predict for the lab of this study (its cells must be in the model, e.g. after retrain); "
                    "default: a new lab, whose offset on the margin is drawn from the fitted lab-to-lab spread")
    pr.add_argument("--electrolyte", default="Li6PS5Cl", metavar="NAME",
                    help="solid electrolyte whose anions the metal may take at the lithium potential (reported beside "
                    "the prediction; the gap model does not use it): Li6PS5Cl (default), Li3PS4, Li7P3S11, "
                    "Li10GeP2S12, LLZO, LiPON")
    pr.add_argument("--input", metavar="CSV", help="batch of candidates, one per row")
    pr.add_argument("--output", metavar="FILE", help="write the result here (atomically) instead of stdout")
    pr.add_argument("--model", type=integer("--model", minimum=0), metavar="VERSION", help="registry version (default: the latest)")
    pr.add_argument("--model-dir", metavar="DIR", help=REG_HELP)
    pr.add_argument("--format", **FORMAT)
    pr.set_defaults(func=_cmd_predict)


def add_retrain(sub: Any) -> None:
    """``interlayer retrain``."""
    rt = sub.add_parser("retrain", help="refit on the curated data plus your fresh results; save a new model version",
                        description="Validate fresh results (same columns as datasets/literature_outcomes.csv), merge them "
                        "with the curated data without modifying it, refit, cross-validate, print metrics before and "
                        "after and the predictions that changed class, and save the next model version.")
    rt.add_argument("results", metavar="CSV", help="fresh results in the literature_outcomes.csv schema")
    rt.add_argument("--dry-run", action="store_true", help="do everything but save")
    rt.add_argument("--make-default", action="store_true",
                    help="also make the saved version the default (otherwise the default version does not change)")
    rt.add_argument("--model", type=integer("--model", minimum=0), metavar="VERSION",
                    help="version to compare against (default: the default version)")
    rt.add_argument("--model-dir", metavar="DIR", help=REG_HELP)
    rt.add_argument("--format", **FORMAT)
    rt.set_defaults(func=_cmd_retrain)


def add_models(sub: Any) -> None:
    """``interlayer models``."""
    mo = sub.add_parser("models", help="model registry: list versions, pin the default, delete one",
                        description="Inspect and manage the model registry. The default version (used when a command is "
                        "not given --model) is version 0, the model of the curated data, until you pin another; "
                        "retrain never moves it.")
    mo_sub = mo.add_subparsers(dest="models_command", metavar="ACTION", parser_class=Parser, required=True)
    ml = mo_sub.add_parser("list", help="list model versions with their data hash, metrics and which is the default")
    ml.add_argument("--model-dir", metavar="DIR", help=REG_HELP)
    ml.add_argument("--format", **FORMAT)
    ml.set_defaults(func=_cmd_models)
    md = mo_sub.add_parser("default", help="show the default version, or pin one",
                           description="Without VERSION: print the default version. With VERSION: make it the default "
                           "(it must exist and load).", epilog="Example: interlayer models default 2")
    md.add_argument("version", nargs="?", type=integer("VERSION", minimum=0), metavar="VERSION")
    md.add_argument("--model-dir", metavar="DIR", help=REG_HELP)
    md.set_defaults(func=_cmd_models_default)
    mx = mo_sub.add_parser("delete", help="delete a version (not version 0, not the default)",
                           description="Delete a model version from the registry. Version 0 (rebuilt from the curated "
                           "data) and the default version are refused.", epilog="Example: interlayer models delete 3")
    mx.add_argument("version", type=integer("VERSION", minimum=0), metavar="VERSION")
    mx.add_argument("--model-dir", metavar="DIR", help=REG_HELP)
    mx.set_defaults(func=_cmd_models_delete)


def _cmd_models_default(args: argparse.Namespace) -> int:
    reg = registry(args)
    if args.version is not None:
        reg.set_default(args.version)
        print(f"model version {args.version} is now the default in {reg.root}")
    else:
        print(reg.default_version())
    return 0


def _cmd_models_delete(args: argparse.Namespace) -> int:
    reg = registry(args)
    reg.delete(args.version)
    print(f"deleted model version {args.version} from {reg.root}")
    return 0


def _metrics_rows(metrics: dict[str, Any]) -> Any:
    import pandas as pd

    rows = []
    for scheme, per in metrics.items():
        for model, m in per.items():
            rows.append({"cv": scheme, "model": model, "n": m["n"], "balanced_accuracy": round(m["balanced_accuracy"], 3),
                         "log_loss": round(m["log_loss"], 3), "brier": round(m["brier"], 3),
                         "eta_mae_mV": m.get("eta_mae_mV") if model == "gap_model" else None})
    return pd.DataFrame(rows)


def _prediction_table(pipe: Any, cand: Any, study_id: str | None = None) -> Any:
    import pandas as pd

    feats = pipe.named_steps["cells"].transform(cand)
    if study_id:
        pipe.named_steps["gap"].check_study_id(study_id)
        feats = feats.assign(study_id=study_id)
    terms = pipe.named_steps["gap"].predict_terms(feats)
    desc = feats[["solubility_score_mutual", "ec_limit_M_in_Li", "has_intermediate_phases", "graphitization_index"]]
    return pd.concat([cand.reset_index(drop=True), terms.reset_index(drop=True), desc.reset_index(drop=True)], axis=1)


def _cmd_predict(args: argparse.Namespace) -> int:
    import pandas as pd

    from descriptors.reactivity import electrolyte, metal_reactivity
    from screen.model.cells import carbon_descriptors, metal_descriptors, read_candidates, validate_candidates
    from screen.model.fields import FIELD_BY_NAME, SOURCE_CELL
    from screen.model.gap_model import TERMS

    electrolyte(args.electrolyte)  # an unknown one is a one-line error before the model loads
    given = {c: getattr(args, c) for c in CANDIDATE_COLUMNS}
    if args.input:
        extra = [c for c, v in given.items() if v is not None]
        if extra:
            raise input_error(f"--input takes the candidates from the file; drop --{extra[0].replace('_', '-')}")
        cand, used = read_candidates(args.input)
    else:
        if args.metal is None or args.carbon is None:
            raise input_error("give --metal and --carbon (or --input FILE for a batch)")
        row = {c: ("" if v is None else str(v)) for c, v in given.items()}
        cand, used = validate_candidates(pd.DataFrame([row]), label="options")
    if args.output and Path(args.output).is_dir():
        raise input_error(f"{args.output}: --output names a folder; give a file path")
    if args.output and not Path(args.output).parent.exists():
        raise input_error(f"{args.output}: folder does not exist")
    reg = registry(args)
    pipe, meta = reg.load(args.model)
    try:
        table = _prediction_table(pipe, cand, args.study_id)
    except InputError as exc:
        raise input_error(f"--study-id: {exc}") from None
    table.insert(0, "model_version", meta["version"])
    table.insert(1, "lab", args.study_id or "new")
    reactivity = {m: metal_reactivity(m, args.electrolyte, pipe.named_steps["cells"].energy_source) for m in table["metal"].unique()}
    table["electrolyte"] = next(iter(reactivity.values()))["electrolyte"] if reactivity else args.electrolyte
    table["reacts_with_electrolyte"] = table["metal"].map(lambda m: bool(reactivity[m]["reacts_with_electrolyte"]))
    table["reaction_products"] = table["metal"].map(lambda m: reactivity[m]["reaction_products"])
    if args.input:
        if args.format == "json":
            text = json.dumps([{k: json_value(v) for k, v in r.items()} for r in table.to_dict("records")], indent=1) + "\n"
        elif args.format == "csv":
            text = table.to_csv(index=False)
        else:
            text = table.to_string(index=False) + "\n"
        if args.output:
            write_text_atomic(args.output, text)
            sys.stderr.write(f"wrote {len(table)} predictions to {args.output}\n")
        else:
            sys.stdout.write(text)
        return 0
    r = table.iloc[0]
    out: dict[str, Any] = {"model_version": int(meta["version"]), "model_data_sha256": meta["data_sha256"],
                           "inputs": {c: json_value(r[c]) for c in CANDIDATE_COLUMNS},
                           "defaults_used": [c for c in CANDIDATE_COLUMNS if bool(used.iloc[0][c])],
                           "defaults_source": f"source paper's Mg/C bilayer cell, {SOURCE_CELL} (carbon particle size: preset)"}
    for t in TERMS:
        out[t] = json_value(r[t])
        out[f"{t}_interval"] = [json_value(r[f"{t}_lo"]), json_value(r[f"{t}_hi"])]
    out["interval_probability"] = pipe.named_steps["gap"].interval
    out["lab"] = args.study_id or "new (offset drawn from the fitted lab-to-lab spread)"
    out["plating_site"] = r["plating_site"]
    out["interfacial_toughness_J_m2"] = json_value(r["toughness_J_m2"])
    out["electrolyte_reactivity"] = {k: json_value(v) for k, v in reactivity[r["metal"]].items()}
    cells = pipe.named_steps["cells"]
    mdesc = metal_descriptors(r["metal"], cells.energy_source, float(cells.solubility_temperature_K))
    out["descriptors"] = {"metal": {k: json_value(v) for k, v in mdesc.items()},
                          "carbon": {k: json_value(v) for k, v in carbon_descriptors(r["carbon"]).items()}}
    out["units"] = {"eta_metal_mV": "mV", "eta_carbon_mV": "mV", "barrier_mV": "mV", "gap_mV": "mV", "margin_mV": "mV",
                    "p_under_carbon": "probability", "interfacial_toughness_J_m2": "J/m2", "toughness_J_m2": "J/m2",
                    "critical_current_mA_cm2": "mA/cm2"} | {
                       c: FIELD_BY_NAME[c].unit for c in CANDIDATE_COLUMNS if FIELD_BY_NAME[c].unit}
    if args.format == "json":
        text = json.dumps(out, indent=2) + "\n"
    elif args.format == "csv":
        text = table.to_csv(index=False)
    else:
        lines = [f"{out['inputs']['metal']} / {out['inputs']['carbon']} ({out['inputs']['architecture']}), model v{out['model_version']}"]
        for t in TERMS:
            v, (lo, hi) = out[t], out[f"{t}_interval"]
            lines.append(f"  {t:16s} " + ("n/a (no carbon layer)" if v is None else f"{v:9.3f}   [{lo:.3f}, {hi:.3f}]"))
        lines.append(f"  plating site     {out['plating_site']}")
        rx = out["electrolyte_reactivity"]
        lines.append(f"  electrolyte      {rx['electrolyte']}: " + (
            f"the metal takes its anions at the Li potential ({rx['reaction_products']}); the prediction ignores this"
            if rx["reacts_with_electrolyte"] else "no reaction of the lithiated metal with its reduced interphase"))
        lines.append(f"  defaults used    {', '.join(out['defaults_used']) or 'none'}")
        text = "\n".join(lines) + "\n"
    if args.output:
        write_text_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def contradictions(ts: Any) -> list[tuple[str, str]]:
    """Pairs of records that describe the same cell (materials, architecture, thicknesses, conditions) with opposite
    Li locations (under vs above the carbon)."""
    import pandas as pd

    X = ts.X.reset_index(drop=True)
    y = pd.Series(ts.y, dtype=object)
    keys = ["metal", "carbon", "architecture", "metal_nm", "carbon_nm", "current_ma_cm2", "stack_mpa", "fab_mpa",
            "temperature_c", "carbon_particle_nm"]
    m = (X["observable"] == "li_location").to_numpy() & y.isin(["under_carbon", "above_carbon"]).to_numpy()
    sub = X.loc[m, keys].astype(str).assign(y=y[m].to_numpy(), record_id=X.loc[m, "record_id"].to_numpy())
    out = []
    for _, g in sub.groupby(keys, sort=False):
        under, above = g[g["y"] == "under_carbon"], g[g["y"] == "above_carbon"]
        out += [(str(a), str(b)) for a in under["record_id"] for b in above["record_id"]]
    return out


#: Most fresh rows one retrain takes (its leave-one-study-out validation refits per study).
MAX_FRESH_ROWS = 300
#: Largest fresh-results file read (300 rows of the schema take about 150 kB).
MAX_FRESH_BYTES = 2_000_000


def _cmd_retrain(args: argparse.Namespace) -> int:
    from descriptors.data.curated import OutcomeRow, load_table, read_validated_csv
    from descriptors.data.files import file_sha256
    from screen.model.registry import fit_and_evaluate
    from screen.model.training import in_sample, repeated_observations, training_set

    size = Path(args.results).stat().st_size if Path(args.results).is_file() else 0
    if size > MAX_FRESH_BYTES:
        raise input_error(f"{Path(args.results).name}: {size:,} bytes; {MAX_FRESH_ROWS} rows of results take well under "
                          f"{MAX_FRESH_BYTES:,} bytes: split the file and retrain in steps")
    fresh = read_validated_csv(args.results, OutcomeRow)
    if len(fresh) > MAX_FRESH_ROWS:
        raise input_error(f"{Path(args.results).name}: {len(fresh)} rows; retrain refits the model 17 times per study for its "
                         f"leave-one-study-out validation (a few seconds per study on two cores), so more than {MAX_FRESH_ROWS} "
                         "rows would take many minutes: split the file and retrain in steps")
    reg = registry(args)
    old_pipe, old_meta = reg.load(args.model)
    ts = training_set(fresh)
    conflicts = contradictions(ts)
    for a, b in conflicts:
        print(f"interlayer: warning: records {a} and {b} describe the same cell with opposite Li locations; both are kept "
              "(the model's lapse term absorbs conflicting reports)", file=sys.stderr)
    repeats = repeated_observations(fresh, load_table("literature_outcomes.csv"))
    for a, b, col in repeats:
        print(f"interlayer: warning: fresh record {a} repeats curated record {b} ({col}, same cell and value): it is counted "
              "twice; drop it unless it is a new cell", file=sys.stderr)
    study_ids = sorted(map(str, fresh["study_id"].unique()))
    new_pipe, meta = fit_and_evaluate(ts, progress=True)
    diag = meta.get("diagnostics") or {}
    if diag and not diag.get("passed"):
        print(f"interlayer: warning: the sampler's diagnostics miss their thresholds (R-hat {diag['r_hat_max']:.3f}, "
              f"bulk ESS {diag['ess_bulk_min']:.0f}, tail ESS {diag['ess_tail_min']:.0f}, {diag['divergences']} divergent "
              f"transitions, E-BFMI {diag['bfmi_min']:.2f}): treat the new version's intervals with care "
              "(interlayer calibrate shows them against their thresholds)", file=sys.stderr)
    old_rec, new_rec = in_sample(old_pipe, ts), in_sample(new_pipe, ts)
    changed = new_rec.loc[old_rec["predicted"].to_numpy() != new_rec["predicted"].to_numpy(), ["record_id", "metal", "carbon", "observed"]]
    changed = changed.assign(before=old_rec.loc[changed.index, "predicted"], after=new_rec.loc[changed.index, "predicted"],
                             p_before=old_rec.loc[changed.index, "p_under_carbon"].round(3),
                             p_after=new_rec.loc[changed.index, "p_under_carbon"].round(3))
    meta |= {"description": f"retrained with {Path(args.results).name}", "parent_version": old_meta["version"],
             "fresh_results": {"file": str(Path(args.results).resolve()), "sha256": file_sha256(Path(args.results)),
                               "rows": int(len(fresh)), "study_ids": study_ids}}
    version = None if args.dry_run else reg.save(new_pipe, meta)
    if version is not None and args.make_default:
        reg.set_default(version)
    default = reg.default_version()
    payload = {"saved_version": version, "default_version": default, "dry_run": bool(args.dry_run),
               "parent_version": old_meta["version"],
               "fresh_rows": int(len(fresh)), "data_sha256": ts.data_sha256,
               "fresh_study_ids": study_ids, "contradictions": [list(c) for c in conflicts],
               "repeats_of_curated": [list(r) for r in repeats],
               "metrics_before": old_meta["metrics"], "metrics_after": meta["metrics"],
               "changed_predictions": [{k: json_value(v) for k, v in r.items()} for r in changed.to_dict("records")]}
    if args.format == "json":
        sys.stdout.write(json.dumps(payload, indent=2, default=json_value) + "\n")
        return 0
    print(f"validated {len(fresh)} fresh rows from {args.results} (study_id: {', '.join(study_ids)}); merged with the "
          "curated data (unchanged)")
    print(f"\nBefore (model v{old_meta['version']}; leave-one-study-out with MAP folds, the quick check every version "
          "stores):")
    emit(_metrics_rows(old_meta["metrics"]), "table")
    print("\nAfter (refit on curated + fresh):")
    emit(_metrics_rows(meta["metrics"]), "table")
    print("\nPredictions that changed class:" + ("" if len(changed) else " none"))
    if len(changed):
        emit(changed, "table")
    if version is None:
        print("\ndry run: nothing saved")
    elif default == version:
        print(f"\nsaved as model version {version} in {reg.root}; it is now the default")
    else:
        print(f"\nsaved as model version {version} in {reg.root}; the default stays version {default} (use the new one "
              f"with --model {version}, or pin it: interlayer models default {version})")
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    import pandas as pd

    reg = registry(args)
    try:
        reg.ensure_default()
    except InputError:
        pass  # a damaged version 0 is listed below with the file and the reason
    rows = []
    default = reg.default_version()
    for v in reg.versions():
        status, m = reg.check(v)
        if m is None:
            rows.append({"version": v, "default": v == default, "status": status})
            continue
        parent = m.get("parent_version")
        rows.append({"version": v, "default": v == default, "status": "ok", "created_utc": m.get("created_utc"),
                     "package_version": m.get("package_version"),
                     "data_sha256": str(m.get("data_sha256", ""))[:12], "parent": "" if parent is None else str(parent),
                     "study_ids_added": ";".join((m.get("fresh_results") or {}).get("study_ids", [])),
                     "loso_balanced_accuracy": round(m["metrics"]["loso"]["gap_model"]["balanced_accuracy"], 3),
                     "description": m.get("description", "")})
    if args.format == "table":
        sys.stdout.write(f"model registry: {reg.root}\n")
    emit(pd.DataFrame(rows), args.format)
    return 0
