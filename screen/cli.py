"""The ``interlayer`` command line.

Heavy libraries (pandas, pymatgen, scipy) are imported inside the commands,
so ``interlayer --help`` starts fast. Every user error exits with status 2
and one line on stderr; nothing is written in that case.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

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
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item"):
        return _json_value(v.item())
    return v


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
        sol = LiSolubilityFeaturizer(temperature_K=args.solubility_temperature_k)
        ph = IntermediatePhaseFeaturizer(source=make_source(args.source, args.temperature_k), prefer_curated=args.prefer_curated)
        mdf = sol.featurize_many(metals).merge(ph.featurize_many(metals), on="metal")
        mdf.insert(0, "kind", "metal")
        frames.append(mdf.rename(columns={"metal": "name"}))
        units = dict(zip(sol.feature_labels(), sol.units())) | dict(zip(ph.feature_labels(), ph.units()))
        for r in mdf.to_dict("records"):
            feats = []
            for k in sol.feature_labels():
                feats.append({"name": k, "value": _json_value(r[k]), "unit": units[k],
                              "source": "computed-here: Miedema (de Boer 1988 parameters) + pymatgen/ase element data"})
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


def _cmd_validate(args: argparse.Namespace) -> int:
    from descriptors.data import load_table
    from descriptors.energy_sources import make_source
    from descriptors.phases import IntermediatePhaseFeaturizer
    from descriptors.solubility import LiSolubilityFeaturizer
    from descriptors.validation import phase_presence_validation, solubility_rank_validation

    cur = load_table("li_binaries.csv")
    metals = cur["metal"].tolist()
    sol = solubility_rank_validation(LiSolubilityFeaturizer().featurize_many(metals), cur)
    if args.plot and (Path(args.plot).suffix.lower() != ".png" or not Path(args.plot).parent.exists()):
        raise _input_error(f"{args.plot}: --plot needs a .png path in an existing folder")
    results = {}
    for spec in args.source:
        ph = IntermediatePhaseFeaturizer(source=make_source(spec, args.temperature_k))
        results[spec] = phase_presence_validation(ph.featurize_many(metals), cur)
    if args.plot:
        from screen.plots import validation_figure

        validation_figure(sol, results, args.plot)
        sys.stderr.write(f"wrote {args.plot}\n")
    if args.format == "json":
        out = {
            "solubility": {"spearman_rho": sol.rho, "p_value": sol.p_value, "n": sol.n,
                           "pairs": sol.table.to_dict("records")},
            "intermediate_phases": {
                spec: {"accuracy": v.accuracy, "n": v.n, "confusion_matrix": v.matrix.to_dict(), "misclassified": v.misclassified()}
                for spec, v in results.items()
            },
        }
        sys.stdout.write(json.dumps(out, indent=2, default=_json_value) + "\n")
        return 0
    print("Solubility score vs assessed solubility class (both directions pooled)")
    print(f"  Spearman rho = {sol.rho:.3f}  (p = {sol.p_value:.2g}, n = {sol.n} metal-direction pairs)")
    for spec, v in results.items():
        print(f"\nIntermediate phases, energy source '{spec}' vs li_binaries.csv (n = {v.n})")
        print(v.matrix.to_string())
        print(f"  accuracy = {v.accuracy:.3f}; misclassified: {', '.join(v.misclassified()) or 'none'}")
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
                   help="formation energies for the Li-M hull: miedema (default), oqmd_legacy, or a .csv/.json file")
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
    v.add_argument("--source", nargs="+", default=["miedema", "oqmd_legacy"], metavar="SOURCE",
                   help="energy sources to validate (default: miedema oqmd_legacy)")
    v.add_argument("--temperature-k", type=_finite("--temperature-k", nonneg=True), default=298.15,
                   help="temperature of the competing solid solution on the Miedema hull, K")
    v.add_argument("--plot", metavar="PNG", help="also write a figure (score vs assessed class, confusion matrices)")
    v.add_argument("--format", **fmt)
    v.set_defaults(func=_cmd_validate)

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
