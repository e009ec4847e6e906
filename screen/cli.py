"""The ``interlayer`` command line.

Heavy libraries (pandas, pymatgen, scipy) are imported inside the commands,
so ``interlayer --help`` starts fast. Every user error exits with status 2
and one line on stderr; nothing is written in that case.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from screen.fields import ARCHITECTURES, CANDIDATE_COLUMNS, FIELDS

EXIT_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def _finite(kind: str, *, positive: bool = False, nonneg: bool = False):
    def conv(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{kind} must be a number, got '{text}'") from None
        if not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"{kind} must be finite, got '{text}'")
        if positive and v <= 0:
            raise argparse.ArgumentTypeError(f"{kind} must be positive, got {text}")
        if nonneg and v < 0:
            raise argparse.ArgumentTypeError(f"{kind} must not be negative, got {text}")
        return v

    conv.__name__ = kind
    return conv


def _json_value(v: Any) -> Any:
    from screen.report import json_value

    return json_value(v)


def _emit(df: Any, fmt: str, records: list[dict[str, Any]] | None = None) -> None:
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif fmt == "json":
        payload = records if records is not None else [{k: _json_value(v) for k, v in r.items()} for r in df.to_dict("records")]
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        import pandas as pd

        with pd.option_context("display.max_columns", None, "display.width", 200, "display.max_colwidth", 60):
            sys.stdout.write(df.to_string(index=False) + "\n")


# --------------------------------------------------------------------------- commands

def _cmd_descriptors(args: argparse.Namespace) -> int:

    from descriptors.data import load_table
    from descriptors.elements import check_metal
    from descriptors.energy_sources import make_source
    from descriptors.graphitization import GraphitizationFeaturizer
    from descriptors.phases import IntermediatePhaseFeaturizer
    from descriptors.solubility import LiSolubilityFeaturizer

    metals = [check_metal(m) for m in args.metals]
    carbons = list(args.carbon or [])
    if not metals and not carbons:
        metals = load_table("li_binaries.csv")["metal"].tolist()
    gf = GraphitizationFeaturizer()
    cdf = gf.featurize_many(carbons) if carbons else None  # first: cheap, and fails fast on an unknown preset

    records: list[dict[str, Any]] = []
    frames = []
    if metals:
        src = make_source(args.source, args.temperature_k)
        sol = LiSolubilityFeaturizer(temperature_K=args.solubility_temperature_k,
                                     heat_source=src if hasattr(src, "heats_of_solution") else None)
        ph = IntermediatePhaseFeaturizer(source=src, prefer_curated=args.prefer_curated)
        mdf = sol.featurize_many(metals).merge(ph.featurize_many(metals), on="metal")
        mdf.insert(0, "kind", "metal")
        frames.append(mdf.rename(columns={"metal": "name"}))
        units = dict(zip(sol.feature_labels(), sol.units())) | dict(zip(ph.feature_labels(), ph.units()))
        for r in mdf.to_dict("records"):
            feats = []
            for k in sol.feature_labels():
                heats = ("Miedema (de Boer 1988 parameters)" if r["heat_source"] == "miedema"
                         else f"{r['heat_source']} heats of solution")
                feats.append({"name": k, "value": _json_value(r[k]), "unit": units[k],
                              "source": f"computed-here: {heats} + pymatgen/ase element data"})
            for k in ph.feature_labels():
                feats.append({"name": k, "value": _json_value(r[k]), "unit": units[k],
                              "source": f"computed-here: convex hull, energies from {r['energy_source']}; call by {r['call_source']}"})
            records.append({"kind": "metal", "name": r["metal"], "features": feats})
    if cdf is not None:
        cdf.insert(0, "kind", "carbon")
        frames.append(cdf.rename(columns={"carbon": "name"}))
        units = dict(zip(gf.feature_labels(), gf.units()))
        for r in cdf.to_dict("records"):
            feats = [{"name": k, "value": _json_value(r[k]), "unit": units[k],
                      "source": (f"computed-here ({r['graphitization_method']}) from {r['carbon_sources']}"
                                 if k == "graphitization_index" else r["carbon_sources"])}
                     for k in gf.feature_labels()]
            records.append({"kind": "carbon", "name": r["carbon"], "features": feats})
    if args.format == "json":
        _emit(None, "json", records)
    else:
        for i, f in enumerate(frames):
            if i and args.format == "table":
                sys.stdout.write("\n")
            _emit(f, args.format)
    return 0


def _solubility_sources(specs: list[str], temperature_k: float) -> dict[str, Any]:
    """Heat-of-solution sources to validate: Miedema always, plus each CHGNet spec given."""
    from descriptors.energy_sources import make_source

    out: dict[str, Any] = {"miedema": None}
    for spec in specs:
        if spec.startswith("chgnet") and "chgnet" not in out:
            out["chgnet"] = make_source("chgnet", temperature_k)
    return out


def _rank_json(s: Any) -> dict[str, Any]:
    return {"spearman_rho": s.rho, "p_value": s.p_value, "n": s.n, "pairs": s.table.to_dict("records")}


def _cmd_validate(args: argparse.Namespace) -> int:
    from descriptors.data import load_table
    from descriptors.energy_sources import make_source
    from descriptors.phases import IntermediatePhaseFeaturizer
    from descriptors.solubility import LiSolubilityFeaturizer
    from descriptors.validation import phase_presence_validation, solubility_rank_validation

    cur = load_table("li_binaries.csv")
    curated = cur["metal"].tolist()
    if args.plot and (Path(args.plot).suffix.lower() != ".png" or not Path(args.plot).parent.exists()):
        raise _input_error(f"{args.plot}: --plot needs a .png path in an existing folder")
    sols = {}
    for name, heat in _solubility_sources(args.source, args.temperature_k).items():
        metals = [m for m in curated if heat is None or m in heat.metals()]
        sols[name] = solubility_rank_validation(LiSolubilityFeaturizer(heat_source=heat).featurize_many(metals), cur)
    results = {}
    for spec in args.source:
        src = make_source(spec, args.temperature_k)
        metals = [m for m in curated if not hasattr(src, "metals") or m in src.metals()]
        results[spec] = phase_presence_validation(IntermediatePhaseFeaturizer(source=src).featurize_many(metals), cur)
    if args.plot:
        from screen.plots import validation_figure

        validation_figure(sols["miedema"], results, args.plot)
        sys.stderr.write(f"wrote {args.plot}\n")
    if args.format == "json":
        out = {
            "solubility": _rank_json(sols["miedema"]),
            "solubility_by_heat_source": {name: _rank_json(s) for name, s in sols.items()},
            "intermediate_phases": {
                spec: {"accuracy": v.accuracy, "n": v.n, "confusion_matrix": v.matrix.to_dict(), "misclassified": v.misclassified()}
                for spec, v in results.items()
            },
        }
        sys.stdout.write(json.dumps(out, indent=2, default=_json_value) + "\n")
        return 0
    print("Solubility score vs assessed solubility class (both directions pooled)")
    for name, s in sols.items():
        heats = "Miedema heats of solution" if name == "miedema" else f"{name} heats of solution (relaxed dilute supercells)"
        print(f"  {heats}: Spearman rho = {s.rho:.3f}  (p = {s.p_value:.2g}, n = {s.n} metal-direction pairs)")
    for spec, v in results.items():
        print(f"\nIntermediate phases, energy source '{spec}' vs li_binaries.csv (n = {v.n})")
        print(v.matrix.to_string())
        print(f"  accuracy = {v.accuracy:.3f}; misclassified: {', '.join(v.misclassified()) or 'none'}")
    return 0


def _cmd_hull(args: argparse.Namespace) -> int:
    from descriptors.elements import check_metal
    from descriptors.energy_sources import make_source
    from descriptors.phases import IntermediatePhaseFeaturizer

    metal = check_metal(args.metal)
    if args.plot and (Path(args.plot).suffix.lower() != ".png" or not Path(args.plot).parent.exists()):
        raise _input_error(f"{args.plot}: --plot needs a .png path in an existing folder")
    src = make_source(args.source, args.temperature_k)
    ph = IntermediatePhaseFeaturizer(source=src)
    res = ph.resolution_eV_atom
    table = ph.hull_table(metal)
    ordering = src.ordering_table(metal) if hasattr(src, "ordering_table") else []
    if args.plot:
        from screen.plots import hull_figure

        hull_figure(table, metal, src.name, args.plot, res)
        sys.stderr.write(f"wrote {args.plot}\n")
    if args.format == "json":
        out = {"metal": metal, "source": src.name, "temperature_K": args.temperature_k, "resolution_eV_atom": res,
               "entries": table.to_dict("records"), "ordered_bcc_vs_solution": ordering}
        sys.stdout.write(json.dumps(out, indent=2, default=_json_value) + "\n")
        return 0
    if args.format == "csv":
        _emit(table, "csv")
        return 0
    print(f"Li-{metal} hull, energy source {src.name} (T = {args.temperature_k:g} K for solution points"
          + (f"; a phase must lie {res * 1000:.0f} meV/atom below the hull of the others" if res else "") + ")")
    _emit(table.round(4), "table")
    if ordering:
        import pandas as pd

        print("\nOrdered bcc superstructures vs the random bcc solution at the same x (eV/atom)")
        _emit(pd.DataFrame(ordering).round(4), "table")
    return 0


def _cmd_carbon(args: argparse.Namespace) -> int:
    import pandas as pd

    from descriptors.graphitization import GraphitizationFeaturizer, sp2_fraction_from_structure
    from descriptors.raman import fit_file

    m: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if args.raman:
        if args.laser_nm is None:
            raise _input_error("--raman needs --laser-nm (the excitation wavelength in nm)")
        fit = fit_file(args.raman)
        m["id_ig_ratio"], m["laser_nm"] = fit.id_ig_area, args.laser_nm
        extra |= {f"raman_{k}": v for k, v in fit.as_dict().items()}
    elif args.id_ig is not None:
        if args.laser_nm is None:
            raise _input_error("--id-ig needs --laser-nm (the excitation wavelength in nm)")
        m["id_ig_ratio"], m["laser_nm"] = args.id_ig, args.laser_nm
    if args.structure:
        sp2, sp3, n = sp2_fraction_from_structure(args.structure)
        m["sp2_fraction"] = sp2
        extra |= {"structure_sp2_fraction": sp2, "structure_sp3_fraction": sp3, "structure_n_carbon": n}
    for key in ("d002_nm", "la_nm", "sp2_fraction"):
        if getattr(args, key) is not None:
            m[key] = getattr(args, key)
    if not m:
        raise _input_error("give at least one of --d002-nm, --raman, --id-ig, --la-nm, --sp2-fraction, --structure")
    gf = GraphitizationFeaturizer()
    row = dict(zip(gf.feature_labels(), gf.featurize(m))) | extra
    _emit(pd.DataFrame([row]), args.format)
    return 0


def _registry(args: argparse.Namespace) -> Any:
    from screen.registry import ModelRegistry

    return ModelRegistry(args.model_dir)


def _metrics_rows(metrics: dict[str, Any]) -> Any:
    import pandas as pd

    rows = []
    for scheme, per in metrics.items():
        for model, m in per.items():
            rows.append({"cv": scheme, "model": model, "n": m["n"], "balanced_accuracy": round(m["balanced_accuracy"], 3),
                         "log_loss": round(m["log_loss"], 3), "brier": round(m["brier"], 3),
                         "eta_mae_mV": m.get("eta_mae_mV") if model == "gap_model" else None})
    return pd.DataFrame(rows)


def _write_text_atomic(path: str | Path, text: str) -> None:
    from screen.atomic import atomic_target

    with atomic_target(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from screen.plots import margin_figure
    from screen.training import in_sample, training_set

    if args.plot and (Path(args.plot).suffix.lower() != ".png" or not Path(args.plot).parent.exists()):
        raise _input_error(f"{args.plot}: --plot needs a .png path in an existing folder")
    if args.compare_sources:
        return _compare_sources(args)
    reg = _registry(args)
    pipe, meta = reg.load(0, progress=True)
    records = in_sample(pipe, training_set())
    if args.plot:
        margin_figure(records, args.plot, meta.get("held_out_p_under_carbon", {}).get("loo"))
        sys.stderr.write(f"wrote {args.plot}\n")
    if args.format == "json":
        out = {k: meta[k] for k in ("version", "created_utc", "package_version", "data_sha256", "seed", "n_bootstrap",
                                    "n_observations", "metrics", "parameters", "unused_nucleation_rows")}
        out["model_dir"] = str(reg.root)
        out["plot"] = args.plot
        out["records"] = [{k: _json_value(v) for k, v in r.items()} for r in records[
            ["record_id", "study_id", "metal", "carbon", "architecture", "observed", "predicted", "p_under_carbon",
             "margin_mV", "margin_mV_lo", "margin_mV_hi"]].to_dict("records")]
        sys.stdout.write(json.dumps(out, indent=2, default=_json_value) + "\n")
        return 0
    print(f"Gap model version 0 (curated data sha256 {meta['data_sha256'][:12]}, seed {meta['seed']}, "
          f"{meta['n_bootstrap']} bootstrap refits); observations: {meta['n_observations']}")
    print("\nCross-validation (plating location under vs above the carbon; held-out records / studies)")
    _emit(_metrics_rows(meta["metrics"]), "table")
    if not meta["metrics"]["loo"]["gap_model"].get("n_eta"):
        print("eta MAE: no numeric nucleation overpotential in the data yet (dip presence is fitted instead)")
    print("\nFitted parameters")
    for k, v in meta["parameters"].items():
        print(f"  {k:30s} {v:10.4g}")
    print("\nIn-sample predictions")
    _emit(records[["record_id", "metal", "carbon", "architecture", "observed", "predicted", "p_under_carbon", "margin_mV"]]
          .round(3), "table")
    return 0




def _compare_sources(args: argparse.Namespace) -> int:
    from screen.training import compare_energy_sources, training_set

    table = compare_energy_sources(training_set(), list(args.compare_sources), progress=True)
    if args.format == "table":
        print("Cross-validated gap model per energy source of the Li-M descriptors (the registry is not changed)")
        print("changed_metals: training metals whose phase call or solubility score (> 0.05) differs from the first source")
        _emit(table.round(3), "table")
    else:
        _emit(table, args.format)
    return 0


def _binaries_summary(metals: list[str], cache: Path, computed: int) -> list[dict[str, Any]]:
    """Hull call and heats of solution per metal from the cache just extended (the shipped rows included)."""
    from descriptors.chgnet_source import ChgnetSource
    from descriptors.data import datasets_dir
    from descriptors.phases import IntermediatePhaseFeaturizer
    from descriptors.solubility import LiSolubilityFeaturizer
    from descriptors.structure_cache import SHIPPED_NAME

    if cache.resolve() == (datasets_dir() / SHIPPED_NAME).resolve():  # a maintainer rebuilding the shipped file
        if computed:
            sys.stderr.write("note: the shipped cache changed; run: python -m descriptors.data --update-hashes\n")
        src = ChgnetSource(caches=[cache])
    else:
        src = ChgnetSource(extra_caches=[cache])
    rows: list[dict[str, Any]] = []
    ph = IntermediatePhaseFeaturizer(source=src)
    sol = LiSolubilityFeaturizer(heat_source=src)
    for m in metals:
        if m not in src.metals():
            continue
        p = dict(zip(ph.feature_labels(), ph.featurize(m)))
        s = dict(zip(sol.feature_labels(), sol.featurize(m)))
        rows.append({"metal": m, "has_intermediate_phases": p["has_intermediate_phases"], "stable_phases": p["stable_phases"],
                     "hull_depth_eV_atom": p["hull_depth_eV_atom"], "dH_sol_Li_in_M_kJ_mol": s["dH_sol_Li_in_M_kJ_mol"],
                     "dH_sol_M_in_Li_kJ_mol": s["dH_sol_M_in_Li_kJ_mol"],
                     "solubility_score_mutual": s["solubility_score_mutual"], "flagged_rows": len(src.flagged(m))})
    return rows


def _cmd_compute_binaries(args: argparse.Namespace) -> int:
    from descriptors.compute_binaries import compute_binaries
    from descriptors.data import load_table
    from descriptors.elements import check_metal
    from descriptors.mlip import RelaxSettings
    from descriptors.structure_cache import default_user_cache

    metals = [check_metal(m) for m in args.metals]
    if args.all_curated:
        metals += [m for m in load_table("li_binaries.csv")["metal"] if m not in metals]
    if not metals:
        raise _input_error("name the metals (e.g. Mg Ca Sr) or pass --all-curated")
    if args.workers < 1:
        raise _input_error(f"--workers must be >= 1, got {args.workers}")
    cache = Path(args.cache) if args.cache else default_user_cache()
    threads = args.threads or max(1, (os.cpu_count() or 1) // args.workers)
    settings = RelaxSettings(fmax=args.fmax, max_steps=args.max_steps, threads=threads)
    report = compute_binaries(metals, cache, prototypes=args.prototypes, solutions=not args.no_solutions, settings=settings,
                              workers=args.workers, dask_scheduler=args.dask_scheduler, force=args.force,
                              progress=not args.no_progress)
    for msg in report.messages:
        sys.stderr.write(f"warning: {msg}\n")
    flagged = report.not_converged + report.failed
    for msg in flagged:
        sys.stderr.write(f"flagged: {msg}\n")
    summary = report.as_dict()
    rows: list[dict[str, Any]] = []
    if not (args.no_solutions or args.prototypes):  # the hull is summarised only for a full set of structures
        rows = _binaries_summary(metals, cache, report.computed)
    if args.format == "json":
        sys.stdout.write(json.dumps({"run": summary, "metals": rows}, indent=2, default=_json_value) + "\n")
        return 0
    print(f"cache: {report.cache}")
    print(f"{report.planned} structures planned, {report.skipped} already cached, {report.computed} relaxed "
          f"({report.backend}, {report.seconds:.1f} s, {report.per_minute:.1f} structures/min); "
          f"{len(report.not_converged)} not converged, {len(report.failed)} failed")
    if rows:
        import pandas as pd

        _emit(pd.DataFrame(rows).round(4), args.format)
    return 0


def _prediction_table(pipe: Any, cand: Any) -> Any:
    import pandas as pd

    feats = pipe.named_steps["cells"].transform(cand)
    terms = pipe.named_steps["gap"].predict_terms(feats)
    desc = feats[["solubility_score_mutual", "ec_limit_M_in_Li", "has_intermediate_phases", "graphitization_index"]]
    return pd.concat([cand.reset_index(drop=True), terms.reset_index(drop=True), desc.reset_index(drop=True)], axis=1)


def _cmd_predict(args: argparse.Namespace) -> int:
    import pandas as pd

    from screen.cells import carbon_descriptors, metal_descriptors, read_candidates, validate_candidates
    from screen.fields import FIELD_BY_NAME, SOURCE_CELL
    from screen.gap_model import TERMS

    given = {c: getattr(args, c) for c in CANDIDATE_COLUMNS}
    if args.input:
        extra = [c for c, v in given.items() if v is not None]
        if extra:
            raise _input_error(f"--input takes the candidates from the file; drop --{extra[0].replace('_', '-')}")
        cand, used = read_candidates(args.input)
    else:
        if args.metal is None or args.carbon is None:
            raise _input_error("give --metal and --carbon (or --input FILE for a batch)")
        row = {c: ("" if v is None else str(v)) for c, v in given.items()}
        cand, used = validate_candidates(pd.DataFrame([row]), label="options")
    if args.output and not Path(args.output).parent.exists():
        raise _input_error(f"{args.output}: folder does not exist")
    reg = _registry(args)
    pipe, meta = reg.load(args.model)
    table = _prediction_table(pipe, cand)
    table.insert(0, "model_version", meta["version"])
    if args.input:
        if args.format == "json":
            text = json.dumps([{k: _json_value(v) for k, v in r.items()} for r in table.to_dict("records")], indent=1) + "\n"
        elif args.format == "csv":
            text = table.to_csv(index=False)
        else:
            text = table.to_string(index=False) + "\n"
        if args.output:
            _write_text_atomic(args.output, text)
            sys.stderr.write(f"wrote {len(table)} predictions to {args.output}\n")
        else:
            sys.stdout.write(text)
        return 0
    r = table.iloc[0]
    out: dict[str, Any] = {"model_version": int(meta["version"]), "model_data_sha256": meta["data_sha256"],
                           "inputs": {c: _json_value(r[c]) for c in CANDIDATE_COLUMNS},
                           "defaults_used": [c for c in CANDIDATE_COLUMNS if bool(used.iloc[0][c])],
                           "defaults_source": f"source paper's Mg/C bilayer cell, {SOURCE_CELL} (carbon particle size: preset)"}
    for t in TERMS:
        out[t] = _json_value(r[t])
        out[f"{t}_interval"] = [_json_value(r[f"{t}_lo"]), _json_value(r[f"{t}_hi"])]
    out["interval_probability"] = pipe.named_steps["gap"].interval
    out["plating_site"] = r["plating_site"]
    out["interfacial_toughness_J_m2"] = _json_value(r["toughness_J_m2"])
    cells = pipe.named_steps["cells"]
    mdesc = metal_descriptors(r["metal"], cells.energy_source, float(cells.solubility_temperature_K))
    out["descriptors"] = {"metal": {k: _json_value(v) for k, v in mdesc.items()},
                          "carbon": {k: _json_value(v) for k, v in carbon_descriptors(r["carbon"]).items()}}
    out["units"] = {"eta_metal_mV": "mV", "eta_carbon_mV": "mV", "barrier_mV": "mV", "gap_mV": "mV", "margin_mV": "mV",
                    "p_under_carbon": "probability", "interfacial_toughness_J_m2": "J/m2"} | {
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
        lines.append(f"  defaults used    {', '.join(out['defaults_used']) or 'none'}")
        text = "\n".join(lines) + "\n"
    if args.output:
        _write_text_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def _cmd_retrain(args: argparse.Namespace) -> int:
    from descriptors.data import OutcomeRow, file_sha256, read_validated_csv
    from screen.registry import fit_and_evaluate
    from screen.training import in_sample, training_set

    fresh = read_validated_csv(args.results, OutcomeRow)
    reg = _registry(args)
    old_pipe, old_meta = reg.load(None)
    ts = training_set(fresh)
    new_pipe, meta = fit_and_evaluate(ts, progress=True)
    old_rec, new_rec = in_sample(old_pipe, ts), in_sample(new_pipe, ts)
    changed = new_rec.loc[old_rec["predicted"].to_numpy() != new_rec["predicted"].to_numpy(), ["record_id", "metal", "carbon", "observed"]]
    changed = changed.assign(before=old_rec.loc[changed.index, "predicted"], after=new_rec.loc[changed.index, "predicted"],
                             p_before=old_rec.loc[changed.index, "p_under_carbon"].round(3),
                             p_after=new_rec.loc[changed.index, "p_under_carbon"].round(3))
    meta |= {"description": f"retrained with {Path(args.results).name}", "parent_version": old_meta["version"],
             "fresh_results": {"file": str(Path(args.results).resolve()), "sha256": file_sha256(Path(args.results)),
                               "rows": int(len(fresh))}}
    version = None if args.dry_run else reg.save(new_pipe, meta)
    payload = {"saved_version": version, "dry_run": bool(args.dry_run), "parent_version": old_meta["version"],
               "fresh_rows": int(len(fresh)), "data_sha256": ts.data_sha256,
               "metrics_before": old_meta["metrics"], "metrics_after": meta["metrics"],
               "changed_predictions": [{k: _json_value(v) for k, v in r.items()} for r in changed.to_dict("records")]}
    if args.format == "json":
        sys.stdout.write(json.dumps(payload, indent=2, default=_json_value) + "\n")
        return 0
    print(f"validated {len(fresh)} fresh rows from {args.results}; merged with the curated data (unchanged)")
    print(f"\nBefore (model v{old_meta['version']}):")
    _emit(_metrics_rows(old_meta["metrics"]), "table")
    print("\nAfter (refit on curated + fresh):")
    _emit(_metrics_rows(meta["metrics"]), "table")
    print("\nPredictions that changed class:" + ("" if len(changed) else " none"))
    if len(changed):
        _emit(changed, "table")
    print("\n" + (f"saved as model version {version} in {reg.root}" if version is not None
                  else "dry run: nothing saved"))
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    import pandas as pd

    reg = _registry(args)
    reg.ensure_default()
    rows = []
    for v in reg.versions():
        m = reg.metadata(v)
        rows.append({"version": v, "created_utc": m.get("created_utc"), "package_version": m.get("package_version"),
                     "data_sha256": str(m.get("data_sha256", ""))[:12], "parent": m.get("parent_version"),
                     "loo_balanced_accuracy": round(m["metrics"]["loo"]["gap_model"]["balanced_accuracy"], 3),
                     "loso_balanced_accuracy": round(m["metrics"]["loso"]["gap_model"]["balanced_accuracy"], 3),
                     "description": m.get("description", "")})
    if args.format == "table":
        sys.stdout.write(f"model registry: {reg.root}\n")
    _emit(pd.DataFrame(rows), args.format)
    return 0


def _cmd_screen(args: argparse.Namespace) -> int:
    from screen.study import run_study

    ranked = run_study(args.study, output=args.output, n_trials=args.trials, seed=args.seed, workers=args.workers,
                       storage=args.storage, resume=args.resume, overwrite=args.overwrite, exhaustive=args.exhaustive,
                       model_version=args.model, model_dir=args.model_dir, progress=not args.no_progress,
                       plots=not args.no_plots)
    out = Path(ranked.attrs["output"])
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    cols = ["rank", "metal", "carbon", "metal_nm", "carbon_nm", "score", "p_under_carbon_lo", "li_loss_pct", "cost_usd_m2",
            "metal_growth_nm", "total_nm"]
    top = ranked[cols].head(args.top).copy()
    if args.format == "json":
        sys.stdout.write(json.dumps({"output": str(out), "run": {k: run[k] for k in (
            "completed_trials", "infeasible_trials", "failed_trials", "pareto_trials", "exhaustive")},
            "ranking": [{k: _json_value(v) for k, v in r.items()} for r in top.to_dict("records")]}, indent=1) + "\n")
        return 0
    if args.format == "csv":
        sys.stdout.write(top.to_csv(index=False))
        return 0
    print(f"{run['completed_trials']} trials ({run['infeasible_trials']} infeasible, {run['failed_trials']} failed), "
          f"{run['pareto_trials']} on the Pareto front; outputs in {out}/ (report.html, ranking.csv, run.json)")
    top["metal"] = top["metal"].replace({"none": "(carbon only)"})
    if run.get("exhaustive"):
        ex = run["exhaustive"]
        print(f"exhaustive grid: {ex['grid_evaluations']} designs, {ex['candidates_per_second']:.0f}/s; "
              f"top-10 pair recall of the optuna ranking: {ex['top10_recall']:.0%}")
    print(top.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    _print_extras(out)
    return 0


def _print_extras(out: Path) -> None:
    """The ``[report]`` tables of a screening run, when the study asked for them."""
    import pandas as pd

    if (out / "vs_reference.csv").is_file():
        vs = pd.read_csv(out / "vs_reference.csv", keep_default_na=False, na_values=[""])
        if len(vs):
            vs[["main_advantage", "main_drawback"]] = vs[["main_advantage", "main_drawback"]].fillna("-")
            vs["metal"] = vs["metal"].replace({"none": "(carbon only)"})
            ref = vs.loc[vs["score_minus_reference"].abs() < 1e-12, "metal"]
            name = ref.iloc[0] if len(ref) else "the reference"
            beat = vs[vs["beats_reference"].astype(str) == "True"]
            print(f"\n{len(beat)} metal(s) beat {name}'s best design (d_* = weighted desirability difference to {name}):")
            cols = ["rank", "metal", "carbon", "score", "score_minus_reference", "main_advantage", "main_drawback"]
            print(vs[cols].head(12).to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    if (out / "explanations.csv").is_file():
        ex = pd.read_csv(out / "explanations.csv", keep_default_na=False, na_values=[""])
        if len(ex):
            print("\nWhy the top metals rank high: margin over an inert metal under the same carbon, split among the metal's "
                  "descriptors (Shapley, mV, 90 % bootstrap interval):")
            for (rank, metal, carbon), g in ex.groupby(["rank", "metal", "carbon"], sort=True):
                r0 = g.iloc[0]
                parts = ", ".join(f"{r.descriptor} = {r.value:.2f}: {r.contribution_mV:+.1f} [{r.contribution_mV_lo:+.1f}, "
                                  f"{r.contribution_mV_hi:+.1f}]" for r in g.itertuples())
                print(f"  #{rank} {metal}/{carbon}: margin {r0['margin_mV']:.1f} mV "
                      f"({r0['margin_mV_lo']:.1f}-{r0['margin_mV_hi']:.1f}), P {r0['p_under_carbon']:.2f}; "
                      f"inert metal {r0['inert_margin_mV']:.1f} mV; {parts}")


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    import pandas as pd

    from screen.sensitivity import run_sensitivity

    rec = run_sensitivity(args.study, output=args.output, seed=args.seed, n_base=args.n_base, model_version=args.model,
                          model_dir=args.model_dir, progress=not args.no_progress, plots=not args.no_plots)
    folder = Path(rec["output"])
    sobol = pd.read_csv(folder / "sobol.csv")
    if args.format == "json":
        sys.stdout.write(json.dumps({"output": str(folder), "rank_stability": rec["rank_stability"],
                                     "sobol": [{k: _json_value(v) for k, v in r.items()} for r in sobol.to_dict("records")]},
                                    indent=1) + "\n")
        return 0
    if args.format == "csv":
        sys.stdout.write(sobol.to_csv(index=False))
        return 0
    print(f"{len(rec['factors'])} factors, {rec['pool_designs']} designs; Sobol {rec['sobol_evaluations']:,} and Morris "
          f"{rec['morris_evaluations']:,} evaluations in {rec['total_seconds']:.1f} s; outputs in {folder}/ "
          "(section added to the study's report.html)")
    for out in [o for o in sobol["output"].unique() if o.startswith("margin_mV")][:1] + ["kendall_tau_top10"]:
        sub = sobol[sobol["output"] == out].sort_values("ST", ascending=False).head(5)
        print(f"\nSobol indices of {out} (95 % intervals; S1_eff = 0 where the interval includes zero):")
        print(sub[["factor", "S1", "S1_conf", "ST", "ST_conf", "S1_eff"]].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print("\nRank stability of the nominal top 10:")
    for k, v in rec["rank_stability"].items():
        print(f"  {k:<10} Kendall tau mean {v['kendall_tau_mean']:.2f} (5-95 %: {v['kendall_tau_p05']:.2f} to "
              f"{v['kendall_tau_p95']:.2f}); top-1 kept {v['top1_kept']:.0%}; top-10 members kept {v['top10_mean_kept']:.0%}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from screen.compare import run_compare

    table, findings = run_compare(args.study, output=args.output, model_version=args.model, model_dir=args.model_dir,
                                  progress=not args.no_progress, plots=not args.no_plots)
    cols = ["label", "predicted_site", "p_under_carbon", "margin_mV", "eta_cell_mV", "predicted_dip", "measured_nucleation_dip",
            "li_uptake_pct", "measured_initial_ce_pct", "regulation_current_mA_cm2", "measured_ccd_mA_cm2"]
    if args.format == "json":
        sys.stdout.write(json.dumps({"output": table.attrs["output"], "findings": findings,
                                     "cells": [{k: _json_value(v) for k, v in r.items()} for r in table[cols].to_dict("records")]},
                                    indent=1, default=_json_value) + "\n")
        return 0
    if args.format == "csv":
        sys.stdout.write(table.to_csv(index=False))
        return 0
    print(f"outputs in {table.attrs['output']}/ (comparison.csv, comparison.png, report.html, run.json)")
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print("\nWhat the model reproduces:")
    for f in findings:
        verdict = {True: "reproduced", False: "NOT reproduced", None: "not comparable"}[f["reproduced"]]
        print(f"  - {f['trend']}: {verdict}. {f['detail']}")
    return 0


def _cmd_tradeoff(args: argparse.Namespace) -> int:
    from screen.tradeoff import run_tradeoff

    summ, front = run_tradeoff(args.study, output=args.output, model_version=args.model, model_dir=args.model_dir,
                               progress=not args.no_progress, plots=not args.no_plots)
    if args.format != "table":
        _emit(summ, args.format)
        return 0
    print(f"outputs in {summ.attrs['output']}/ (fronts.csv, summary.csv, tradeoff.png, report.html, run.json)")
    print(summ.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    return 0


def _cmd_rank_diff(args: argparse.Namespace) -> int:
    from screen.ranks import ranking_shift, read_ranking

    summ, moved = ranking_shift(read_ranking(args.before), read_ranking(args.after), top=args.top)
    if args.format == "json":
        sys.stdout.write(json.dumps({"summary": summ, "moved": [{k: _json_value(v) for k, v in r.items()}
                                                               for r in moved.to_dict("records")]}, indent=1) + "\n")
        return 0
    if args.format == "csv":
        sys.stdout.write(moved.to_csv(index=False))
        return 0
    print(f"{summ['pairs_common']} pairs ranked in both; Kendall tau-b {summ['kendall_tau_b']:.3f}; "
          f"top-{args.top} overlap {summ[f'top{args.top}_overlap']}/{args.top}; same first: {summ['same_first']}")
    print(moved.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0


def _input_error(msg: str) -> Exception:
    from descriptors.errors import InputError

    return InputError(msg)


# --------------------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    p = _Parser(
        prog="interlayer",
        description="Screen metal/carbon interlayers for anode-free solid-state Li batteries: "
        "descriptors computed from element data, validated against curated literature.",
        epilog="Every number in the outputs traces to datasets/ (with DOIs) or is marked computed-here. "
        "Bad input exits with status 2 and one line on stderr.",
    )
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("interlayer-screen")
    except PackageNotFoundError:  # pragma: no cover - source checkout without install
        ver = "unknown"
    p.add_argument("--version", action="version", version=f"interlayer-screen {ver}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    fmt = dict(choices=["table", "csv", "json"], default="table", help="output format (default: table)")

    d = sub.add_parser("descriptors", help="compute metal and carbon descriptors",
                       description="Compute Li-M solubility and intermediate-phase descriptors for metals, "
                       "and the graphitization index for carbon presets. With no metal and no --carbon, "
                       "all metals of datasets/li_binaries.csv are computed.")
    d.add_argument("metals", nargs="*", metavar="METAL", help="element symbols, e.g. Mg Ag Zn Sn Cu")
    d.add_argument("--carbon", nargs="+", metavar="PRESET", help="carbon presets from datasets/carbons.csv, e.g. carbon_black graphite")
    d.add_argument("--source", default="miedema", metavar="SOURCE",
                   help="formation energies for the Li-M hull: miedema (default), oqmd_legacy, chgnet (CHGNet-relaxed "
                   "structures from the cache; also gives the heats of solution), chgnet-raw, or a .csv/.json file")
    d.add_argument("--prefer-curated", action="store_true",
                   help="use the curated phase-diagram record for the intermediate-phase call where it exists")
    d.add_argument("--temperature-k", type=_finite("--temperature-k", nonneg=True), default=298.15,
                   help="temperature of the competing solid solution on the Miedema hull, K (default 298.15)")
    d.add_argument("--solubility-temperature-k", type=_finite("--solubility-temperature-k", positive=True), default=600.0,
                   help="temperature of the solubility score's Boltzmann factor, K (default 600)")
    d.add_argument("--format", **fmt)
    d.set_defaults(func=_cmd_descriptors)

    v = sub.add_parser("validate-descriptors", help="rank correlation and confusion matrix against curated data",
                       description="Compare computed descriptors with datasets/li_binaries.csv: Spearman rank correlation "
                       "of the solubility score, and the confusion matrix of intermediate-phase presence per energy source.")
    v.add_argument("--source", nargs="+", default=["miedema", "oqmd_legacy", "chgnet", "chgnet-raw"], metavar="SOURCE",
                   help="energy sources to validate (default: miedema oqmd_legacy chgnet chgnet-raw; chgnet also "
                   "validates its heats of solution beside Miedema's)")
    v.add_argument("--temperature-k", type=_finite("--temperature-k", nonneg=True), default=298.15,
                   help="temperature of the competing solid solution on the Miedema hull, K")
    v.add_argument("--plot", metavar="PNG", help="also write a figure (score vs assessed class, confusion matrices)")
    v.add_argument("--format", **fmt)
    v.set_defaults(func=_cmd_validate)

    h = sub.add_parser("hull", help="the Li-M convex hull of one metal, entry by entry (table, CSV, JSON, PNG)",
                       description="Formation energies of every Li-M entry of an energy source, their distance to the "
                       "convex hull, the phase-separation energy of the entries on it and whether each counts as an "
                       "intermediate phase. For chgnet, also the ordered bcc superstructures beside the random bcc solution.",
                       epilog="Example: interlayer hull Mg --source chgnet --plot li_mg_hull.png")
    h.add_argument("metal", metavar="METAL", help="element symbol, e.g. Mg")
    h.add_argument("--source", default="chgnet", metavar="SOURCE",
                   help="miedema, oqmd_legacy, chgnet (default), chgnet-raw, or a .csv/.json file")
    h.add_argument("--temperature-k", type=_finite("--temperature-k", nonneg=True), default=298.15,
                   help="temperature of the solution points' mixing entropy, K (default 298.15)")
    h.add_argument("--plot", metavar="PNG", help="also draw the hull")
    h.add_argument("--format", **fmt)
    h.set_defaults(func=_cmd_hull)

    c = sub.add_parser("carbon", help="graphitization index from your own measurements",
                       description="Graphitization index of a carbon from XRD d002, Raman (a spectrum file or an "
                       "I_D/I_G area ratio with the laser wavelength), L_a, sp2 fraction, or an atomistic structure.")
    c.add_argument("--d002-nm", type=_finite("--d002-nm", positive=True), help="XRD (002) spacing, nm")
    c.add_argument("--raman", metavar="FILE", help="two-column Raman spectrum (shift in cm-1, intensity)")
    c.add_argument("--id-ig", type=_finite("--id-ig", positive=True), help="I_D/I_G integrated-area ratio")
    c.add_argument("--laser-nm", type=_finite("--laser-nm", positive=True), help="Raman excitation wavelength, nm")
    c.add_argument("--la-nm", type=_finite("--la-nm", positive=True), help="crystallite size L_a, nm")
    c.add_argument("--sp2-fraction", type=_finite("--sp2-fraction", nonneg=True), help="sp2 fraction in [0, 1]")
    c.add_argument("--structure", metavar="FILE", help="atomistic structure readable by ase (xyz, cif, POSCAR, ...)")
    c.add_argument("--format", **fmt)
    c.set_defaults(func=_cmd_carbon)

    reg_help = "model registry folder (default: $INTERLAYER_MODEL_DIR or ~/.local/share/interlayer-screen/models)"

    cal = sub.add_parser("calibrate", help="fit the gap model to the curated data and cross-validate it",
                         description="Fit the nucleation-overpotential-gap model to datasets/literature_outcomes.csv "
                         "(plating location, voltage dips, toughness), cross-validate it (leave-one-record-out and "
                         "leave-one-study-out) against a majority-class and a logistic-regression baseline, and draw the "
                         "predicted margin per record. The fit is model version 0 of the registry (built once, reused).")
    cal.add_argument("--plot", metavar="PNG", default="calibration_margins.png",
                     help="margin-per-record figure (default: calibration_margins.png; '' for none)")
    cal.add_argument("--model-dir", metavar="DIR", help=reg_help)
    cal.add_argument("--compare-sources", nargs="+", metavar="SOURCE",
                     help="instead: cross-validate the model with each energy source of the Li-M descriptors "
                     "(e.g. oqmd_legacy chgnet miedema) and print the held-out metrics; nothing is saved")
    cal.add_argument("--format", **fmt)
    cal.set_defaults(func=_cmd_calibrate)

    cb = sub.add_parser("compute-binaries", help="relax Li-M structures with CHGNet and extend the structure cache",
                        description="Build elemental references, ordered Li-M prototypes (B2, B32, L1_0, D0_3, L1_2, A15, D0_19, "
                        "C15, C14, D1a; Li-rich and M-rich), dilute supercells and random bcc solutions for each metal, relax "
                        "them with CHGNet (cell and positions) and add one row per structure to the cache. Cached rows are "
                        "skipped, so an interrupted run resumes. Needs the optional extra: pip install \".[mlip]\".",
                        epilog="Examples: interlayer compute-binaries Mg Ca Sr --workers 2 ; "
                        "interlayer compute-binaries --all-curated --dask-scheduler tcp://10.0.0.5:8786")
    cb.add_argument("metals", nargs="*", metavar="METAL", help="element symbols, e.g. Mg Ca Sr")
    cb.add_argument("--all-curated", action="store_true", help="also every metal of datasets/li_binaries.csv")
    cb.add_argument("--source", choices=["chgnet"], default="chgnet", help="the potential (only chgnet so far)")
    cb.add_argument("--cache", metavar="CSV", help="cache file to extend (default: $INTERLAYER_COMPUTED_DIR or "
                    "~/.local/share/interlayer-screen/computed/chgnet_li_m_structures.csv; the shipped rows count as done)")
    cb.add_argument("--prototypes", nargs="+", metavar="NAME", help="only these prototypes (default: all)")
    cb.add_argument("--no-solutions", action="store_true", help="skip the dilute and random-solution cells")
    cb.add_argument("--workers", type=int, default=1, help="parallel worker processes (default 1)")
    cb.add_argument("--threads", type=int, help="torch threads per worker (default: CPU count / workers)")
    cb.add_argument("--dask-scheduler", metavar="ADDRESS", help="run on a Dask cluster: tcp://host:port, or 'local' "
                    "for a local cluster of --workers processes (workers need interlayer-screen[mlip] installed)")
    cb.add_argument("--fmax", type=_finite("--fmax", positive=True), default=0.05, help="force threshold, eV/A (default 0.05)")
    cb.add_argument("--max-steps", type=int, default=400, help="FIRE step limit; more is flagged not converged (default 400)")
    cb.add_argument("--force", action="store_true", help="recompute structures that are already cached")
    cb.add_argument("--no-progress", action="store_true", help="no progress bar")
    cb.add_argument("--format", **fmt)
    cb.set_defaults(func=_cmd_compute_binaries)

    pr = sub.add_parser("predict", help="plating location and overpotentials for a cell (or a CSV of cells)",
                        description="Predict eta on the lithiated metal and carbon, the transport barrier, the margin and "
                        "P(Li plates under the carbon), each with a 90 % bootstrap interval. Every option but --metal and "
                        "--carbon defaults to the source paper's cell (Wu et al. 2026, doi:10.1021/acsami.6c01094); the "
                        "output lists the defaults used. --input FILE takes a CSV whose columns are the option names "
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
            pr.add_argument(opt, type=_finite(opt, nonneg=f.name != "temperature_c"), default=None,
                            help=f"{f.help}, {f.unit} (default: {default})")
    pr.add_argument("--input", metavar="CSV", help="batch of candidates, one per row")
    pr.add_argument("--output", metavar="FILE", help="write the result here (atomically) instead of stdout")
    pr.add_argument("--model", type=int, metavar="VERSION", help="registry version (default: the latest)")
    pr.add_argument("--model-dir", metavar="DIR", help=reg_help)
    pr.add_argument("--format", **fmt)
    pr.set_defaults(func=_cmd_predict)

    rt = sub.add_parser("retrain", help="refit on the curated data plus your fresh results; save a new model version",
                        description="Validate fresh results (same columns as datasets/literature_outcomes.csv), merge them "
                        "with the curated data without modifying it, refit, cross-validate, print metrics before and "
                        "after and the predictions that changed class, and save the next model version.")
    rt.add_argument("results", metavar="CSV", help="fresh results in the literature_outcomes.csv schema")
    rt.add_argument("--dry-run", action="store_true", help="do everything but save")
    rt.add_argument("--model-dir", metavar="DIR", help=reg_help)
    rt.add_argument("--format", **fmt)
    rt.set_defaults(func=_cmd_retrain)

    sc = sub.add_parser("screen", help="rank metal/carbon bilayers and thicknesses with an optuna study",
                        description="Run a multi-objective optuna study (NSGA-II or MOTPE) over metals, carbon presets and "
                        "layer thicknesses: maximise how robustly Li plates under the carbon (gap model) while minimising the "
                        "Li the interlayer takes up, its material cost, the metal layer's swelling and the added thickness. "
                        "Writes ranking.csv/json, pareto.csv, trials.csv, PNG plots, report.html and run.json into the study's "
                        "output folder. Without --study, the shipped default study (the source paper's cell) runs.",
                        epilog="Examples: interlayer screen --study studies/default.toml | "
                        "interlayer screen --study s.toml --workers 2 --exhaustive | "
                        "interlayer screen --study s.toml --storage postgresql://user@host/db (on each machine)")
    sc.add_argument("--study", metavar="TOML", help="study file (default: the shipped studies/default.toml)")
    sc.add_argument("--output", metavar="DIR", help="output folder (default: the study file's output, else runs/<name>)")
    sc.add_argument("--trials", type=int, metavar="N", help="total number of trials (overrides the study file)")
    sc.add_argument("--seed", type=int, help="sampler seed (overrides the study file)")
    sc.add_argument("--workers", type=int, default=1, metavar="N", help="parallel worker processes on this machine (default 1)")
    sc.add_argument("--storage", metavar="URL", help="database URL shared by workers on many machines, e.g. "
                    "postgresql://user@host:5432/db (default: a journal file in the output folder)")
    sc.add_argument("--resume", action="store_true", help="continue the study in the output folder or storage; trials a "
                    "killed worker left running are marked failed and run again")
    sc.add_argument("--overwrite", action="store_true", help="discard an earlier run in the output folder")
    sc.add_argument("--exhaustive", action="store_true", help="also evaluate a dense grid and report the top-10 recall")
    sc.add_argument("--model", type=int, metavar="VERSION", help="gap-model registry version (default: the latest)")
    sc.add_argument("--model-dir", metavar="DIR", help=reg_help)
    sc.add_argument("--top", type=int, default=15, metavar="N", help="rows of the ranking to print (default 15)")
    sc.add_argument("--no-progress", action="store_true", help="no progress bar")
    sc.add_argument("--no-plots", action="store_true", help="skip PNG plots and report.html")
    sc.add_argument("--format", **fmt)
    sc.set_defaults(func=_cmd_screen)

    def study_common(sp: argparse.ArgumentParser, what: str, required: bool = True) -> None:
        sp.add_argument("--study", metavar="TOML", required=required, help=f"study file ({what})")
        sp.add_argument("--output", metavar="DIR", help="output folder (default: the study file's output, else runs/<name>)")
        sp.add_argument("--model", type=int, metavar="VERSION", help="gap-model registry version (default: the study's, else the latest)")
        sp.add_argument("--model-dir", metavar="DIR", help=reg_help)
        sp.add_argument("--no-progress", action="store_true", help="no progress bar")
        sp.add_argument("--no-plots", action="store_true", help="skip PNG plots and report.html")
        sp.add_argument("--format", **fmt)

    se = sub.add_parser("sensitivity", help="Sobol, Morris, one-at-a-time and rank-stability analysis of a screening study",
                        description="Global sensitivity of the margin, P(Li under carbon) and the ranking of a screening study's "
                        "best designs to the gap model's calibrated parameters (sampled from their bootstrap spread) and to the "
                        "inputs: graphitization, layer thicknesses, current density, stack and fabrication pressure, temperature, "
                        "and the errors of Miedema's heats of solution and of the hull's formation energies. Sobol first and total "
                        "order indices with 95 % intervals (SALib), Morris screening, one-at-a-time sweeps, and how stable the "
                        "top 10 is (Kendall tau, top-10 frequency). Runs the screen first if the study's output folder has no "
                        "finished run. Writes <output>/sensitivity/ (CSV, JSON, PNG) and a section in the study's report.html. "
                        "Settings: the study file's [sensitivity] table.",
                        epilog="Example: interlayer sensitivity --study studies/pressure_and_rate.toml")
    study_common(se, "kind = \"screen\"; its [sensitivity] table sets factors, ranges and sample sizes; "
                 "default: the shipped studies/default.toml", required=False)
    se.add_argument("--seed", type=int, help="seed of the samples (overrides the study file)")
    se.add_argument("--n-base", type=int, metavar="N", help="Sobol base sample size, a power of 2 (overrides the study file)")
    se.set_defaults(func=_cmd_sensitivity)

    co = sub.add_parser("compare", help="predict named cells and set them beside their measured results",
                        description="For each [[compare.cells]] entry of a compare study: predicted plating site, margin and "
                        "P(under carbon) with intervals, first-nucleation overpotential and voltage dip, Li taken up by the "
                        "interlayer and the regulation current (where the margin reaches zero), beside the measured values of its "
                        "record in datasets/literature_outcomes.csv; then which measured trends the model reproduces.",
                        epilog="Example: interlayer compare --study studies/seed_mg_c.toml")
    study_common(co, "kind = \"compare\"")
    co.set_defaults(func=_cmd_compare)

    tr = sub.add_parser("tradeoff", help="Li inventory vs regulation margin fronts for the best metals",
                        description="Evaluate every carbon preset and a dense grid of both thicknesses for the study's best "
                        "metals (or a list), and draw the Pareto front of Li taken by the interlayer against the lower bound of "
                        "the regulation margin, per metal and overall.",
                        epilog="Example: interlayer tradeoff --study studies/thickness_tradeoff.toml")
    study_common(tr, "kind = \"tradeoff\"")
    tr.set_defaults(func=_cmd_tradeoff)

    rd = sub.add_parser("rank-diff", help="how a ranking moved between two screening runs",
                        description="Compare the rankings of two finished screening runs (e.g. before and after 'interlayer "
                        "retrain'): Kendall tau-b over the pairs both rank, top-N overlap, and the rank of every pair in either top N.",
                        epilog="Example: interlayer rank-diff runs/default runs/default-v1")
    rd.add_argument("before", metavar="RUN_DIR", help="output folder of the earlier run")
    rd.add_argument("after", metavar="RUN_DIR", help="output folder of the later run")
    rd.add_argument("--top", type=int, default=10, metavar="N", help="size of the top list compared (default 10)")
    rd.add_argument("--format", **fmt)
    rd.set_defaults(func=_cmd_rank_diff)

    mo = sub.add_parser("models", help="model registry", description="Inspect the model registry.")
    mo_sub = mo.add_subparsers(dest="models_command", metavar="ACTION", parser_class=_Parser, required=True)
    ml = mo_sub.add_parser("list", help="list model versions with their data hash and metrics")
    ml.add_argument("--model-dir", metavar="DIR", help=reg_help)
    ml.add_argument("--format", **fmt)
    ml.set_defaults(func=_cmd_models)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``interlayer`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    from descriptors.errors import DataIntegrityError, InputError

    try:
        return int(args.func(args))
    except (InputError, DataIntegrityError) as exc:
        sys.stderr.write(f"interlayer: error: {exc}\n")
        return EXIT_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
