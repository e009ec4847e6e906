"""The CHGNet energy source read from the shipped structure cache (no torch needed)."""

from __future__ import annotations

import json
import shutil

import pytest

from descriptors.data.files import datasets_dir
from descriptors.errors import InputError
from descriptors.mlip.structure_cache import SHIPPED_NAME
from descriptors.phases.chgnet_source import CHGNET_ENERGY_MAE_EV_ATOM, ChgnetSource
from descriptors.phases.featurizer import IntermediatePhaseFeaturizer, stable_compounds
from descriptors.solubility.featurizer import LiSolubilityFeaturizer


@pytest.fixture(scope="module")
def src():
    return ChgnetSource()


def _phases(src, metal):
    ph = IntermediatePhaseFeaturizer(source=src)
    return dict(zip(ph.feature_labels(), ph.featurize(metal)))


def test_shipped_cache_covers_the_curated_metals_and_is_hash_checked(src, binaries):
    assert set(binaries["metal"]) <= set(src.metals())
    assert src.name.startswith("chgnet-0.3") and not src.messages


@pytest.mark.parametrize("metal", ["Cu", "Ni"])
def test_no_intermediate_phase_in_li_cu_and_li_ni(src, metal):
    assert _phases(src, metal)["has_intermediate_phases"] is False


def test_li_sn_has_several_deep_phases(src):
    p = _phases(src, "Sn")
    assert p["n_stable_intermediates"] >= 2 and p["hull_depth_eV_atom"] < -0.3


def test_li_al_has_phases_and_several_on_the_raw_hull(src):
    assert _phases(src, "Al")["has_intermediate_phases"] is True
    raw = ChgnetSource(resolution_eV_atom=0.0)
    assert _phases(raw, "Al")["n_stable_intermediates"] >= 2
    assert "LiAl" in _phases(src, "Al")["stable_phases"].split(";")  # the B32 (NaTl) phase of the assessed diagram


def test_li_mg_ordered_bcc_cells_do_not_beat_the_bcc_solution(src):
    assert _phases(src, "Mg")["has_intermediate_phases"] is False
    table = {r["structure"]: r for r in src.ordering_table("Mg")}
    b2 = table["B2:LiMg"]
    assert b2["formation_energy_eV_atom"] < 0  # B2 LiMg is exothermic ...
    assert not b2["below_solution"]  # ... but the random bcc solution's free energy at 298 K is lower
    assert b2["G_random_eV_atom"] < b2["formation_energy_eV_atom"]


def test_resolution_is_the_potentials_error_and_zero_gives_the_raw_hull(src):
    assert src.resolution_eV_atom == CHGNET_ENERGY_MAE_EV_ATOM == 0.029
    raw = ChgnetSource(resolution_eV_atom=0.0)
    assert _phases(raw, "Cu")["has_intermediate_phases"] is True  # the raw CHGNet hull has Li-Cu compounds (a known failure)
    shallow = [s for _, _, s in stable_compounds(raw.entries("Cu"), "Cu", 1e-3, 1e-9)]
    assert shallow and max(shallow) > -CHGNET_ENERGY_MAE_EV_ATOM  # all shallower than the potential's error
    with pytest.raises(InputError, match="resolution"):
        ChgnetSource(resolution_eV_atom=-1)


def test_heats_of_solution_from_supercells(src):
    li_in_mg, mg_in_li = src.heats_of_solution("Mg")
    assert li_in_mg < 0 and mg_in_li < 0  # Li-Mg: extensive mutual solubility
    _, ni_in_li = src.heats_of_solution("Ni")
    assert ni_in_li > 0  # Ni does not dissolve in Li
    sol = LiSolubilityFeaturizer(heat_source=src)
    row = dict(zip(sol.feature_labels(), sol.featurize("Mg")))
    assert row["heat_source"].startswith("chgnet") and row["dH_elastic_M_in_Li_kJ_mol"] == 0.0
    assert row["dH_sol_M_in_Li_kJ_mol"] == pytest.approx(mg_in_li)


def test_uncovered_metal_says_how_to_compute_it(tmp_path):
    src = ChgnetSource(caches=[datasets_dir() / SHIPPED_NAME])
    with pytest.raises(InputError, match="compute-binaries Os"):
        src.entries("Os")


def test_corrupted_user_cache_rows_are_flagged_not_fatal(tmp_path):
    user = tmp_path / "user.csv"
    shutil.copy(datasets_dir() / SHIPPED_NAME, user)
    lines = user.read_text().splitlines()
    lines[5] = lines[5][:25]
    user.write_text("\n".join(lines) + "\n")
    src = ChgnetSource(caches=[datasets_dir() / SHIPPED_NAME], extra_caches=[user])
    assert len(src.messages) == 1 and "line 6" in src.messages[0]
    assert _phases(src, "Sn")["has_intermediate_phases"] is True


def test_validate_descriptors_reports_chgnet_beside_miedema(capsys):
    from screen.cli import main

    assert main(["validate-descriptors", "--source", "miedema", "chgnet"]) == 0
    out = capsys.readouterr().out
    assert "Miedema heats of solution" in out and "chgnet heats of solution" in out
    assert "energy source 'chgnet'" in out


def test_hull_command_lists_every_entry_and_draws_it(capsys, tmp_path):
    from screen.cli import main

    png = tmp_path / "mg.png"
    assert main(["hull", "Mg", "--source", "chgnet", "--plot", str(png), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert png.stat().st_size > 10_000
    assert not any(e["counted"] for e in out["entries"])
    assert {"B2:LiMg", "random:bcc:x=0.50"} <= {e["entry"] for e in out["entries"]}
    b2 = next(r for r in out["ordered_bcc_vs_solution"] if r["structure"] == "B2:LiMg")
    assert b2["below_solution"] is False
    assert main(["hull", "Sn", "--source", "chgnet", "--format", "csv"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert sum(line.endswith("True") for line in rows[1:]) >= 2
    assert main(["hull", "Qq"]) == 2 and "unknown element" in capsys.readouterr().err


def test_calibration_can_compare_energy_sources(capsys):
    from screen.cli import main
    from screen.model.training import training_set

    metals = sorted(set(training_set().X["metal"]) - {"none"})
    from screen.model.cells import metal_descriptors

    for m in metals:  # the training metals get the same phase call from CHGNet as from the OQMD DFT set
        assert metal_descriptors(m, "chgnet")["has_intermediate_phases"] == metal_descriptors(m, "oqmd_legacy")["has_intermediate_phases"]
    assert main(["calibrate", "--compare-sources", "oqmd_legacy", "chgnet", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    # same phase calls for every training metal -> the held-out accuracy cannot depend on which source gave them
    ba = {r["energy_source"]: r["balanced_accuracy"] for r in rows if r["cv"] == "loso"}
    assert abs(ba["chgnet"] - ba["oqmd_legacy"]) < 0.05


def test_rows_of_another_potential_version_are_not_mixed_in(tmp_path):
    import csv

    shipped = datasets_dir() / SHIPPED_NAME
    rows = list(csv.DictReader(shipped.open()))
    other = [r | {"potential_version": "9.9.9", "energy_eV_atom": str(float(r["energy_eV_atom"]) - 1.0)}
             for r in rows if r["metal"] == "Mg" and r["role"] == "compound"]  # another potential: 1 eV/atom lower
    user = tmp_path / "user.csv"
    with user.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(other)
    mixed = ChgnetSource(caches=[shipped], extra_caches=[user])
    assert mixed.potential_version == "0.3.0" and _phases(mixed, "Mg")["has_intermediate_phases"] is False
    only_new = ChgnetSource(caches=[shipped], extra_caches=[user], potential_version="9.9.9")
    with pytest.raises(InputError, match="elemental references"):
        only_new.references("Mg")
