"""The interlayer command line: outputs for scripting and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from screen.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_descriptors_json(capsys):
    code, out, _ = run(capsys, "descriptors", "Mg", "Ag", "Zn", "Sn", "Cu", "--carbon", "carbon_black", "graphite", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [d["name"] for d in data] == ["Mg", "Ag", "Zn", "Sn", "Cu", "carbon_black", "graphite"]
    feats = {d["name"]: {f["name"]: f["value"] for f in d["features"]} for d in data}
    # with the default source (the screen's): Li-Mg and Li-Cu have no compound, Li-Sn several; none of the five takes
    # S or Cl from the argyrodite's reduced interphase
    assert feats["Mg"]["has_intermediate_phases"] is False and feats["Cu"]["has_intermediate_phases"] is False
    assert feats["Sn"]["n_stable_intermediates"] >= 3
    assert not any(feats[m]["reacts_with_electrolyte"] for m in ("Mg", "Ag", "Zn", "Sn", "Cu"))
    graphite = {f["name"]: f for f in data[-1]["features"]}
    assert graphite["graphitization_index"]["value"] > 0.95
    assert "10.1154/1.1536926" in graphite["graphitization_index"]["source"]


def test_descriptors_csv_and_curated_switch(capsys):
    code, out, _ = run(capsys, "descriptors", "Cu", "--prefer-curated", "--format", "csv")
    assert code == 0
    header, row = out.strip().splitlines()
    rec = dict(zip(header.split(","), row.split(",")))
    assert rec["has_intermediate_phases"] == "False" and rec["call_source"] == "curated (li_binaries.csv)"


def test_validate_descriptors_json(capsys):
    code, out, _ = run(capsys, "validate-descriptors", "--format", "json")
    res = json.loads(out)
    assert code == 0 and res["solubility"]["spearman_rho"] > 0.5
    assert res["intermediate_phases"]["miedema"]["misclassified"] == ["Cu"]


def test_carbon_command(capsys, tmp_path, synthetic_spectrum):
    code, out, _ = run(capsys, "carbon", "--d002-nm", "0.3354", "--format", "json")
    assert code == 0 and json.loads(out)[0]["graphitization_index"] == pytest.approx(1.0)
    x, y, ratio, _ = synthetic_spectrum
    p = tmp_path / "s.txt"
    p.write_text("\n".join(f"{a} {b}" for a, b in zip(x, y)))
    code, out, _ = run(capsys, "carbon", "--raman", str(p), "--laser-nm", "532", "--format", "json")
    assert code == 0 and json.loads(out)[0]["raman_id_ig_area"] == pytest.approx(ratio, rel=0.05)


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["descriptors", "Xx"], "unknown element symbol 'Xx'"),
        (["descriptors", "C"], "'C' is not a metal"),
        (["descriptors", "Mg", "--carbon", "charcoal"], "unknown carbon preset 'charcoal'"),
        (["descriptors", "Mg", "--temperature-k", "nan"], "must be finite"),
        (["descriptors", "Mg", "--source", "nowhere.csv"], "not found"),
        (["carbon", "--d002-nm", "-0.34"], "must be positive"),
        (["carbon", "--raman", "missing.txt", "--laser-nm", "532"], "spectrum file not found"),
        (["carbon", "--id-ig", "1.0"], "needs --laser-nm"),
        (["descriptors", "--format", "xml"], "invalid choice"),
        (["descriptors", "Mg", "--temperature-k", "1e308"], "must be at most 5000"),
        (["descriptors", "Mg", "--solubility-temperature-k", "1e308"], "must be at most 5000"),
        (["predict", "--metal", "Mg", "--carbon", "c60_film", "--metal-nm", "1e308"], "must be at most 1e+06"),
        (["predict", "--metal", "Mg", "--carbon", "c60_film", "--current-ma-cm2", "1e5"], "must be at most 100"),
        (["screen", "--seed", "-1"], "--seed must be at least 0"),
        (["screen", "--seed", "4294967296"], "--seed must be at most 4294967295"),
        (["screen", "--trials", "0"], "--trials must be at least 1"),
        (["rank-diff", "a", "b", "--top", "-3"], "--top must be at least 1"),
        (["sensitivity", "--n-base", "abc"], "must be a whole number"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, needle):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert out == ""


def test_malformed_spectrum_names_line(capsys, tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("shift,intensity\n1000,1\n1001,oops\n")
    code, out, err = run(capsys, "carbon", "--raman", str(p), "--laser-nm", "532")
    assert code == 2 and "line 3" in err and out == ""


def test_a_csv_cell_holding_a_line_break_still_gives_one_line(capsys, tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text('metal,carbon\n"Mg,graphite\nAg,"c60_film\n')
    code, out, err = run(capsys, "predict", "--input", str(p))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "unknown element" in err and out == ""


def test_rank_diff_of_a_corrupted_ranking_is_one_line(capsys, tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "run.json").write_text("{}")
        (tmp_path / name / "ranking.csv").write_text('rank,metal\n1,"Mg\n')
    code, out, err = run(capsys, "rank-diff", str(tmp_path / "a"), str(tmp_path / "b"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not a readable CSV" in err and out == ""


def test_help_reads_and_starts_without_heavy_imports():
    res = subprocess.run([sys.executable, "-c", "import sys; from screen.cli import build_parser; build_parser(); "
                          "print('pandas' in sys.modules, 'pymatgen' in sys.modules)"], capture_output=True, text=True)
    assert res.stdout.strip() == "False False"
    res = subprocess.run([sys.executable, "-m", "screen.cli", "descriptors", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "--carbon" in res.stdout and "--format" in res.stdout


def test_validation_plot_is_written(capsys, tmp_path):
    out_png = tmp_path / "validation.png"
    code, _, err = run(capsys, "validate-descriptors", "--plot", str(out_png))
    assert code == 0 and out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(tmp_path.iterdir()) == [out_png]  # no temporary file left behind
    code, _, err = run(capsys, "validate-descriptors", "--plot", str(tmp_path / "nope" / "v.png"))
    assert code == 2 and "existing folder" in err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, a folder nobody can write into (not even root)")
@pytest.mark.parametrize("argv", [
    ["predict", "--metal", "Mg", "--carbon", "c60_film", "--output", "/proc/interlayer-test.csv"],
    ["screen", "--trials", "20", "--no-progress", "--output", "/proc/interlayer-test"],
    ["suggest", "--no-progress", "--output", "/proc/interlayer-test"],
    ["compare", "--study", str(Path(__file__).resolve().parents[2] / "studies" / "seed_mg_c.toml"), "--no-progress",
     "--output", "/proc/interlayer-test"],
])
def test_an_unwritable_output_is_one_line(capsys, model_env, argv):
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("interlayer: error: /proc/interlayer-test"), err
