"""compute-binaries: real CHGNet relaxations (mlip extra), resumability, flags, process pool and Dask."""

from __future__ import annotations

import importlib.util
import json

import pytest

from descriptors.errors import InputError
from screen.cli import main

HAS_MLIP = all(importlib.util.find_spec(m) is not None for m in ("torch", "chgnet"))
mlip = pytest.mark.skipif(not HAS_MLIP, reason='needs the mlip extra: pip install ".[mlip]"')


@pytest.mark.skipif(HAS_MLIP, reason="only meaningful without the mlip extra")
def test_without_the_extra_the_command_says_what_to_install(capsys, tmp_path):
    code = main(["compute-binaries", "Mg", "--cache", str(tmp_path / "c.csv")])
    err = capsys.readouterr().err
    assert code == 2 and 'pip install ".[mlip]"' in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c.csv").exists()


def test_bad_metal_fails_before_any_work(capsys, tmp_path):
    code = main(["compute-binaries", "Xx", "--cache", str(tmp_path / "c.csv")])
    assert code == 2 and "unknown element symbol 'Xx'" in capsys.readouterr().err
    assert main(["compute-binaries", "Cf", "--cache", str(tmp_path / "c.csv")]) == 2
    assert "not supported" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:  # argparse refuses the count itself
        main(["compute-binaries", "Mg", "--workers", "0", "--cache", str(tmp_path / "c.csv")])
    assert exc.value.code == 2 and "--workers must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "c.csv").exists()


@mlip
@pytest.mark.mlip
def test_small_real_run_is_resumable_and_flags_bad_rows(tmp_path):
    from descriptors.mlip.compute import compute_binaries
    from descriptors.mlip.relax import RelaxSettings
    from descriptors.mlip.structure_cache import read_cache

    cache = tmp_path / "cache.csv"
    s = RelaxSettings(max_steps=200, threads=1)  # settings other than the shipped rows', so nothing is skipped
    rep = compute_binaries(["Cu"], cache, prototypes=["B2"], solutions=False, settings=s, workers=2, progress=False)
    assert rep.computed == 7 and rep.skipped == 0 and not rep.failed  # Li x3, Cu x3, B2 LiCu
    rows = read_cache(cache).rows
    assert all(r["potential"] == "CHGNet" and r["potential_version"] and r["value_origin"] == "computed-here" for r in rows)
    assert all(r["converged"] for r in rows)
    e = {r["key"]: r["energy_eV_atom"] for r in rows}
    assert e["ref:Cu:fcc"] < e["ref:Cu:bcc"]  # fcc Cu is the ground state
    assert rep.per_minute > 0
    from descriptors.phases.chgnet_source import ChgnetSource

    b2 = {f["key"]: f for f in ChgnetSource(caches=[cache]).formation_energies("Cu")}["B2:LiCu"]  # rows of any settings are read
    assert b2["formation_energy_eV_atom"] == pytest.approx(e["B2:LiCu"] - 0.5 * e["ref:Li:bcc"] - 0.5 * e["ref:Cu:fcc"], abs=0.01)

    again = compute_binaries(["Cu"], cache, prototypes=["B2"], solutions=False, settings=s, progress=False)
    assert again.computed == 0 and again.skipped == 7  # resumable: nothing recomputed

    lines = cache.read_text().splitlines()
    cache.write_text("\n".join(lines[:-1] + [lines[-1][:30]]) + "\n")  # an interrupted write tore the last row
    fixed = compute_binaries(["Cu"], cache, prototypes=["B2"], solutions=False, settings=s, progress=False)
    assert fixed.computed == 1 and fixed.messages and "line" in fixed.messages[0]
    assert cache.with_name("cache.csv.rejected.csv").is_file()
    assert len(read_cache(cache).rows) == 7

    stuck = compute_binaries(["Cu"], cache, prototypes=["D0_3"], solutions=False, settings=RelaxSettings(max_steps=1, threads=1),
                             progress=False)
    assert stuck.not_converged and all("not converged" in m for m in stuck.not_converged)
    flagged = [r for r in read_cache(cache).rows if r["settings"] == "fmax=0.05;steps=1" and not r["converged"]]
    assert flagged and all(r["status"].startswith("not converged") for r in flagged)


@mlip
@pytest.mark.mlip
def test_local_dask_cluster_over_tcp(tmp_path):
    distributed = pytest.importorskip("distributed")
    from descriptors.mlip.compute import compute_binaries
    from descriptors.mlip.relax import RelaxSettings
    from descriptors.mlip.structure_cache import read_cache

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://")
        rep = compute_binaries(["Mg"], tmp_path / "c.csv", prototypes=["B2"], solutions=False,
                               settings=RelaxSettings(max_steps=150, threads=1), dask_scheduler=cluster.scheduler_address,
                               progress=False)
    assert rep.backend.startswith("dask") and rep.computed == 7 and not rep.failed
    assert {r["key"] for r in read_cache(tmp_path / "c.csv").rows} >= {"B2:LiMg", "ref:Mg:hcp", "ref:Li:bcc"}


@mlip
@pytest.mark.mlip
def test_unreachable_scheduler_is_one_clear_line(tmp_path):
    from descriptors.mlip.compute import compute_binaries
    from descriptors.mlip.relax import RelaxSettings

    with pytest.raises(InputError, match="Dask scheduler"):  # settings of its own, so the shipped rows do not cover it
        compute_binaries(["Mg"], tmp_path / "c.csv", prototypes=["B2"], solutions=False, settings=RelaxSettings(max_steps=5),
                         dask_scheduler="tcp://127.0.0.1:9", progress=False)
    with pytest.raises(InputError, match="address"):
        compute_binaries(["Mg"], tmp_path / "c.csv", prototypes=["B2"], solutions=False, dask_scheduler="nowhere", progress=False)


@mlip
@pytest.mark.mlip
def test_cli_json_run(capsys, tmp_path):
    code = main(["compute-binaries", "Zn", "--prototypes", "B2", "--no-solutions", "--cache", str(tmp_path / "c.csv"),
                 "--max-steps", "150", "--no-progress", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["run"]["computed"] == 7 and out["run"]["structures_per_minute"] > 0


@mlip
@pytest.mark.mlip
def test_cli_summarises_the_hull_of_cached_metals(capsys, tmp_path):
    code = main(["compute-binaries", "Mg", "Sn", "--cache", str(tmp_path / "c.csv"), "--no-progress", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["run"]["computed"] == 0 and out["run"]["skipped"] == out["run"]["planned"]  # all shipped
    calls = {r["metal"]: r["has_intermediate_phases"] for r in out["metals"]}
    assert calls == {"Mg": False, "Sn": True}
