"""Descriptor commands: ``descriptors``, ``validate-descriptors``, ``hull``, ``carbon``, ``compute-binaries``.

Each ``add_*`` builds one subcommand's parser; each ``_cmd_*`` runs it. Heavy libraries are imported inside the
commands, so building the parser stays cheap."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from screen.cli.common import FORMAT, emit, finite, input_error, integer, json_value

__all__ = ["add_descriptors", "add_validate_descriptors", "add_hull", "add_carbon", "add_compute_binaries"]


def add_descriptors(sub: Any) -> None:
    """``interlayer descriptors``."""
    d = sub.add_parser("descriptors", help="compute metal and carbon descriptors",
                       description="Compute Li-M solubility and intermediate-phase descriptors for metals, "
                       "and the graphitization index for carbon presets. With no metal and no --carbon, "
                       "all metals of datasets/li_binaries.csv are computed.")
    d.add_argument("metals", nargs="*", metavar="METAL", help="element symbols, e.g. Mg Ag Zn Sn Cu")
    d.add_argument("--carbon", nargs="+", metavar="PRESET", help="carbon presets from datasets/carbons.csv, e.g. carbon_black graphite")
    d.add_argument("--source", default="oqmd_legacy", metavar="SOURCE",
                   help="formation energies for the Li-M hull: oqmd_legacy (default, as the screen and the model), miedema "
                   "(presence only), chgnet (CHGNet-relaxed structures from the cache; also gives the heats of solution), "
                   "chgnet-raw, or a .csv/.json file")
    d.add_argument("--electrolyte", default="Li6PS5Cl", metavar="NAME",
                   help="solid electrolyte whose anions the metal may take at the lithium potential: Li6PS5Cl (default), "
                   "Li3PS4, Li7P3S11, Li10GeP2S12, LLZO, LiPON")
    d.add_argument("--prefer-curated", action="store_true",
                   help="use the curated phase-diagram record for the intermediate-phase call where it exists")
    d.add_argument("--temperature-k", type=finite("--temperature-k", nonneg=True, maximum=5000.0), default=298.15,
                   help="temperature of the competing solid solution on the Miedema hull, K (default 298.15)")
    d.add_argument("--solubility-temperature-k", type=finite("--solubility-temperature-k", positive=True, maximum=5000.0), default=600.0,
                   help="temperature of the solubility score's Boltzmann factor, K (default 600)")
    d.add_argument("--format", **FORMAT)
    d.set_defaults(func=_cmd_descriptors)


def add_validate_descriptors(sub: Any) -> None:
    """``interlayer validate-descriptors``."""
    v = sub.add_parser("validate-descriptors", help="rank correlation and confusion matrix against curated data",
                       description="Compare computed descriptors with datasets/li_binaries.csv: Spearman rank correlation "
                       "of the solubility score, and the confusion matrix of intermediate-phase presence per energy source.")
    v.add_argument("--source", nargs="+", default=["miedema", "oqmd_legacy", "chgnet", "chgnet-raw"], metavar="SOURCE",
                   help="energy sources to validate (default: miedema oqmd_legacy chgnet chgnet-raw; chgnet also "
                   "validates its heats of solution beside Miedema's)")
    v.add_argument("--temperature-k", type=finite("--temperature-k", nonneg=True, maximum=5000.0), default=298.15,
                   help="temperature of the competing solid solution on the Miedema hull, K")
    v.add_argument("--plot", metavar="PNG", help="also write a figure (score vs assessed class, confusion matrices)")
    v.add_argument("--format", **FORMAT)
    v.set_defaults(func=_cmd_validate)


def add_hull(sub: Any) -> None:
    """``interlayer hull``."""
    h = sub.add_parser("hull", help="the Li-M convex hull of one metal, entry by entry (table, CSV, JSON, PNG)",
                       description="Formation energies of every Li-M entry of an energy source, their distance to the "
                       "convex hull, the phase-separation energy of the entries on it and whether each counts as an "
                       "intermediate phase. For chgnet, also the ordered bcc superstructures beside the random bcc solution.",
                       epilog="Example: interlayer hull Mg --source chgnet --plot li_mg_hull.png")
    h.add_argument("metal", metavar="METAL", help="element symbol, e.g. Mg")
    h.add_argument("--source", default="oqmd_legacy", metavar="SOURCE",
                   help="oqmd_legacy (default, as the screen and the model), miedema, chgnet, chgnet-raw, or a .csv/.json file")
    h.add_argument("--temperature-k", type=finite("--temperature-k", nonneg=True, maximum=5000.0), default=298.15,
                   help="temperature of the solution points' mixing entropy, K (default 298.15)")
    h.add_argument("--plot", metavar="PNG", help="also draw the hull")
    h.add_argument("--format", **FORMAT)
    h.set_defaults(func=_cmd_hull)


def add_carbon(sub: Any) -> None:
    """``interlayer carbon``."""
    c = sub.add_parser("carbon", help="graphitization index from your own measurements",
                       description="Graphitization index of a carbon from XRD d002, Raman (a spectrum file or an "
                       "I_D/I_G area ratio with the laser wavelength), L_a, sp2 fraction, or an atomistic structure.")
    c.add_argument("--d002-nm", type=finite("--d002-nm", positive=True), help="XRD (002) spacing, nm")
    c.add_argument("--raman", metavar="FILE", help="two-column Raman spectrum (shift in cm-1, intensity)")
    c.add_argument("--id-ig", type=finite("--id-ig", positive=True), help="I_D/I_G integrated-area ratio")
    c.add_argument("--laser-nm", type=finite("--laser-nm", positive=True), help="Raman excitation wavelength, nm")
    c.add_argument("--la-nm", type=finite("--la-nm", positive=True), help="crystallite size L_a, nm")
    c.add_argument("--sp2-fraction", type=finite("--sp2-fraction", nonneg=True), help="sp2 fraction in [0, 1]")
    c.add_argument("--structure", metavar="FILE", help="atomistic structure readable by ase (xyz, cif, POSCAR, ...)")
    c.add_argument("--format", **FORMAT)
    c.set_defaults(func=_cmd_carbon)


def add_compute_binaries(sub: Any) -> None:
    """``interlayer compute-binaries``."""
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
    cb.add_argument("--workers", type=integer("--workers", minimum=1), default=1, help="parallel worker processes (default 1)")
    cb.add_argument("--threads", type=integer("--threads", minimum=1), help="torch threads per worker (default: CPU count / workers)")
    cb.add_argument("--dask-scheduler", metavar="ADDRESS", help="run on a Dask cluster: tcp://host:port, or 'local' "
                    "for a local cluster of --workers processes (workers need interlayer-screen[mlip] installed)")
    cb.add_argument("--fmax", type=finite("--fmax", positive=True), default=0.05, help="force threshold, eV/A (default 0.05)")
    cb.add_argument("--max-steps", type=integer("--max-steps", minimum=1), default=400,
                    help="FIRE step limit; more is flagged not converged (default 400)")
    cb.add_argument("--force", action="store_true", help="recompute structures that are already cached")
    cb.add_argument("--no-progress", action="store_true", help="no progress bar")
    cb.add_argument("--format", **FORMAT)
    cb.set_defaults(func=_cmd_compute_binaries)


def _cmd_descriptors(args: argparse.Namespace) -> int:

    from descriptors.data.curated import load_table
    from descriptors.data.elements import check_metal
    from descriptors.graphitization.featurizer import GraphitizationFeaturizer
    from descriptors.phases.energy_sources import make_source
    from descriptors.phases.featurizer import IntermediatePhaseFeaturizer
    from descriptors.solubility.featurizer import LiSolubilityFeaturizer

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
        from descriptors.reactivity import ElectrolyteReactivityFeaturizer

        rx = ElectrolyteReactivityFeaturizer(electrolyte=args.electrolyte,
                                             energy_source=args.source)
        mdf = sol.featurize_many(metals).merge(ph.featurize_many(metals), on="metal").merge(rx.featurize_many(metals), on="metal")
        from descriptors.phases.solvus import m_in_li_solubility

        mdf["m_in_li_solubility"] = [m_in_li_solubility(m, energy_source=src).x_sat for m in mdf["metal"]]
        mdf.insert(0, "kind", "metal")
        frames.append(mdf.rename(columns={"metal": "name"}))
        units = dict(zip(sol.feature_labels(), sol.units())) | dict(zip(ph.feature_labels(), ph.units()))
        for r in mdf.to_dict("records"):
            feats = []
            for k in sol.feature_labels():
                heats = ("Miedema (de Boer 1988 parameters)" if r["heat_source"] == "miedema"
                         else f"{r['heat_source']} heats of solution")
                feats.append({"name": k, "value": json_value(r[k]), "unit": units[k],
                              "source": f"computed-here: {heats} + pymatgen/ase element data"})
            for k in ph.feature_labels():
                feats.append({"name": k, "value": json_value(r[k]), "unit": units[k],
                              "source": f"computed-here: convex hull, energies from {r['energy_source']}; call by {r['call_source']}"})
            for k, unit in zip(rx.feature_labels(), rx.units()):
                feats.append({"name": k, "value": json_value(r[k]), "unit": unit,
                              "source": "computed-here: grand-potential reaction at the Li potential (pymatgen), measured "
                              "enthalpies of formation (SGTE, datasets/thermochemistry.csv)"})
            feats.append({"name": "m_in_li_solubility", "value": json_value(r["m_in_li_solubility"]), "unit": "mole fraction",
                          "source": "computed-here: dilute-solution solvus at 298 K, Li-richest compound of the hull and "
                          "Miedema's heat of solution (descriptors.phases.solvus; an order-of-magnitude estimate)"})
            records.append({"kind": "metal", "name": r["metal"], "features": feats})
    if cdf is not None:
        cdf.insert(0, "kind", "carbon")
        frames.append(cdf.rename(columns={"carbon": "name"}))
        units = dict(zip(gf.feature_labels(), gf.units()))
        for r in cdf.to_dict("records"):
            feats = [{"name": k, "value": json_value(r[k]), "unit": units[k],
                      "source": (f"computed-here ({r['graphitization_method']}) from {r['carbon_sources']}"
                                 if k == "graphitization_index" else r["carbon_sources"])}
                     for k in gf.feature_labels()]
            records.append({"kind": "carbon", "name": r["carbon"], "features": feats})
    if args.format == "json":
        emit(None, "json", records)
    else:
        for i, f in enumerate(frames):
            if i and args.format == "table":
                sys.stdout.write("\n")
            emit(f, args.format)
    return 0


def _solubility_sources(specs: list[str], temperature_k: float) -> dict[str, Any]:
    """Heat-of-solution sources to validate: Miedema always, plus each CHGNet spec given."""
    from descriptors.phases.energy_sources import make_source

    out: dict[str, Any] = {"miedema": None}
    for spec in specs:
        if spec.startswith("chgnet") and "chgnet" not in out:
            out["chgnet"] = make_source("chgnet", temperature_k)
    return out


def _rank_json(s: Any) -> dict[str, Any]:
    return {"spearman_rho": s.rho, "p_value": s.p_value, "n": s.n, "pairs": s.table.to_dict("records")}


def _cmd_validate(args: argparse.Namespace) -> int:
    from descriptors.data.curated import load_table
    from descriptors.data.validation import phase_presence_validation, solubility_rank_validation
    from descriptors.phases.energy_sources import make_source
    from descriptors.phases.featurizer import IntermediatePhaseFeaturizer
    from descriptors.solubility.featurizer import LiSolubilityFeaturizer

    cur = load_table("li_binaries.csv")
    curated = cur["metal"].tolist()
    if args.plot and (Path(args.plot).suffix.lower() != ".png" or not Path(args.plot).parent.exists()):
        raise input_error(f"{args.plot}: --plot needs a .png path in an existing folder")
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
        from screen.report.plots import validation_figure

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
        sys.stdout.write(json.dumps(out, indent=2, default=json_value) + "\n")
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
    from descriptors.data.elements import check_metal
    from descriptors.phases.energy_sources import make_source
    from descriptors.phases.featurizer import IntermediatePhaseFeaturizer

    metal = check_metal(args.metal)
    if args.plot and (Path(args.plot).suffix.lower() != ".png" or not Path(args.plot).parent.exists()):
        raise input_error(f"{args.plot}: --plot needs a .png path in an existing folder")
    src = make_source(args.source, args.temperature_k)
    ph = IntermediatePhaseFeaturizer(source=src)
    res = ph.resolution_eV_atom
    table = ph.hull_table(metal)
    ordering = src.ordering_table(metal) if hasattr(src, "ordering_table") else []
    if args.plot:
        from screen.report.plots import hull_figure

        hull_figure(table, metal, src.name, args.plot, res)
        sys.stderr.write(f"wrote {args.plot}\n")
    if args.format == "json":
        from descriptors.phases.featurizer import li_m_phase_diagram

        out = {"metal": metal, "source": src.name, "temperature_K": args.temperature_k, "resolution_eV_atom": res,
               "entries": table.to_dict("records"), "ordered_bcc_vs_solution": ordering,
               # pymatgen's own serialisation: PhaseDiagram.from_dict(this) gives the diagram back
               "phase_diagram": li_m_phase_diagram(metal, src).as_dict()}
        sys.stdout.write(json.dumps(out, indent=2, default=json_value) + "\n")
        return 0
    if args.format == "csv":
        emit(table, "csv")
        return 0
    print(f"Li-{metal} hull, energy source {src.name} (T = {args.temperature_k:g} K for solution points"
          + (f"; a phase must lie {res * 1000:.0f} meV/atom below the hull of the others" if res else "") + ")")
    emit(table.round(4), "table")
    if ordering:
        import pandas as pd

        print("\nOrdered bcc superstructures vs the random bcc solution at the same x (eV/atom)")
        emit(pd.DataFrame(ordering).round(4), "table")
    return 0


def _cmd_carbon(args: argparse.Namespace) -> int:
    import pandas as pd

    from descriptors.graphitization.featurizer import GraphitizationFeaturizer, sp2_fraction_from_structure
    from descriptors.graphitization.raman import fit_file

    m: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if args.raman:
        if args.laser_nm is None:
            raise input_error("--raman needs --laser-nm (the excitation wavelength in nm)")
        fit = fit_file(args.raman)
        m["id_ig_ratio"], m["laser_nm"] = fit.id_ig_area, args.laser_nm
        extra |= {f"raman_{k}": v for k, v in fit.as_dict().items()}
    elif args.id_ig is not None:
        if args.laser_nm is None:
            raise input_error("--id-ig needs --laser-nm (the excitation wavelength in nm)")
        m["id_ig_ratio"], m["laser_nm"] = args.id_ig, args.laser_nm
    if args.structure:
        sp2, sp3, n = sp2_fraction_from_structure(args.structure)
        m["sp2_fraction"] = sp2
        extra |= {"structure_sp2_fraction": sp2, "structure_sp3_fraction": sp3, "structure_n_carbon": n}
    for key in ("d002_nm", "la_nm", "sp2_fraction"):
        if getattr(args, key) is not None:
            m[key] = getattr(args, key)
    if not m:
        raise input_error("give at least one of --d002-nm, --raman, --id-ig, --la-nm, --sp2-fraction, --structure")
    gf = GraphitizationFeaturizer()
    row = dict(zip(gf.feature_labels(), gf.featurize(m))) | extra
    emit(pd.DataFrame([row]), args.format)
    return 0


def _binaries_summary(metals: list[str], cache: Path, computed: int) -> list[dict[str, Any]]:
    """Hull call and heats of solution per metal from the cache just extended (the shipped rows included)."""
    from descriptors.data.files import datasets_dir
    from descriptors.mlip.structure_cache import SHIPPED_NAME
    from descriptors.phases.chgnet_source import ChgnetSource
    from descriptors.phases.featurizer import IntermediatePhaseFeaturizer
    from descriptors.solubility.featurizer import LiSolubilityFeaturizer

    if cache.resolve() == (datasets_dir() / SHIPPED_NAME).resolve():  # a maintainer rebuilding the shipped file
        if computed:
            sys.stderr.write("note: the shipped cache changed; run: python -m descriptors.maintain --update-hashes\n")
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
    from descriptors.data.curated import load_table
    from descriptors.data.elements import check_metal
    from descriptors.mlip.compute import compute_binaries
    from descriptors.mlip.relax import RelaxSettings
    from descriptors.mlip.structure_cache import default_user_cache

    metals = [check_metal(m) for m in args.metals]
    if args.all_curated:
        metals += [m for m in load_table("li_binaries.csv")["metal"] if m not in metals]
    if not metals:
        raise input_error("name the metals (e.g. Mg Ca Sr) or pass --all-curated")
    if args.workers < 1:
        raise input_error(f"--workers must be >= 1, got {args.workers}")
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
        sys.stdout.write(json.dumps({"run": summary, "metals": rows}, indent=2, default=json_value) + "\n")
        return 0
    print(f"cache: {report.cache}")
    print(f"{report.planned} structures planned, {report.skipped} already cached, {report.computed} relaxed "
          f"({report.backend}, {report.seconds:.1f} s, {report.per_minute:.1f} structures/min); "
          f"{len(report.not_converged)} not converged, {len(report.failed)} failed")
    if rows:
        import pandas as pd

        emit(pd.DataFrame(rows).round(4), args.format)
    return 0
