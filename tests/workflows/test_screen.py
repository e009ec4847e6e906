"""The optuna screening loop: study files, ranking science, constraints, reproducibility, resume, workers, storage."""

from __future__ import annotations

import json
import os
from pathlib import Path

import optuna
import pandas as pd
import pytest

from descriptors.errors import InputError
from screen.cli import main
from screen.search.spec import default_study_path, load_study
from screen.workflows.study import run_study

ROOT = Path(__file__).resolve().parents[2]

SMALL = """
[study]
name = "small"
seed = {seed}
n_trials = {n}
population_size = 20

[space]
metals = ["Mg", "Ag", "Zn", "Sn", "Al", "Cu", "Hg"]
carbons = ["c60_film", "carbon_black", "graphite"]
carbon_nm = [100.0, 10000.0]
{extra}
"""


class _TouchOnUnpickle:
    """A pickle that creates a file when it is loaded (what a crafted sampler pickle could do)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def _study(tmp_path: Path, n: int = 100, seed: int = 0, extra: str = "", name: str = "s.toml") -> Path:
    p = tmp_path / name
    p.write_text(SMALL.format(n=n, seed=seed, extra=extra))
    return p


@pytest.fixture(scope="module")
def small_run(tmp_path_factory, registry):
    tmp = tmp_path_factory.mktemp("small")
    study = _study(tmp)
    out = tmp / "out"
    ranked = run_study(study, output=out, model_dir=registry.root, progress=False, exhaustive=True)
    return ranked, out


def test_default_study_is_the_curated_source_paper_cell():
    """The study file and the curated record of the source paper's Mg/C cell are written separately; they must agree."""
    from descriptors.data.curated import load_table

    spec = load_study(None)
    assert default_study_path().read_bytes() == (ROOT / "studies" / "default.toml").read_bytes()
    seed = load_table("literature_outcomes.csv").set_index("record_id").loc["WU26-a"]
    c = spec.cell
    assert c.electrolyte == seed["electrolyte"]
    assert (c.current_ma_cm2, c.areal_capacity_mah_cm2, c.stack_mpa) == (seed["current_density_mA_cm2"],
                                                                        seed["areal_capacity_mAh_cm2"], seed["stack_pressure_MPa"])
    # "all" resolves to every priced, non-radioactive metal with descriptors, the literature's metals among them
    metals = [m for m in spec.metal_choices if m != "none"]
    assert len(metals) >= 30 and {"Mg", "Ag", "Zn", "Sn", "Al", "Cu"} <= set(metals)


def test_ranking_puts_mg_and_ag_above_sn_and_al(small_run):
    """Jun 2025 (via the source paper): Sn- and Al-carbon black put Li on top; Mg and Ag dissolve Li."""
    ranked, _ = small_run
    best = ranked.groupby("metal")["rank"].min()
    for good in ("Mg", "Ag"):
        for bad in ("Sn", "Al"):
            assert best[good] < best[bad], (good, bad)


def test_ranking_puts_mg_and_ag_above_carbon_only(small_run):
    """The source paper's Mg/C beats its carbon-only control (no dip, higher CE); in the model the metal shows in the
    margin (a lower overpotential under the carbon), which the default robustness objective ranks on."""
    ranked, _ = small_run
    best = ranked.groupby("metal")["rank"].min()
    assert best["Mg"] < best["none"] and best["Ag"] < best["none"]


def test_ties_separate_the_metals_the_literature_separates(small_run):
    """Under the model's own uncertainty (its posterior draws), the best Sn and Al designs are clearly below the
    leader (Jun 2025 via the source paper: Li on top of Sn- and Al-carbon black)."""
    ranked, _ = small_run
    for bad in ("Sn", "Al"):
        assert ranked.loc[ranked["metal"] == bad, "tie_group"].min() > 1, bad


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "model v3: the data inform the excess nucleation overpotential of an inert metal only to ~5 mV (eta_inert) and leave "
    "the relief intermediate phases give prior-set, so under the posterior Cu's best bilayer cannot be told from Mg's, "
    "Ag's and Zn's; no cell in the corpus tests Cu under carbon"))
def test_leading_tie_group_holds_only_li_soluble_metals(small_run):
    ranked, _ = small_run
    assert set(ranked.loc[ranked["tie_group"] == 1, "metal"]) <= {"Mg", "Ag", "Zn"}


def test_a_forbidden_metal_is_never_offered_and_the_evaluator_still_flags_it(small_run, gap_pipeline):
    """The study lists Hg, a forbidden element: optuna never gets it as a choice, no trial (the loop's or the grid's)
    and no evaluated design holds it, and a design with Hg given to the evaluator directly is still infeasible."""
    from screen.cell.objectives import evaluate

    ranked, out = small_run
    spec = load_study(out.parent / "s.toml")
    assert "Hg" in spec.constraints.forbidden_elements and "Hg" not in spec.metal_choices
    study = _journal_study(out)
    assert all("Hg" not in t.distributions["metal"].choices and t.params["metal"] != "Hg" for t in study.get_trials())
    run = json.loads((out / "run.json").read_text())
    trials = pd.read_csv(out / "trials.csv", keep_default_na=False, na_values=[""])
    assert "Hg" not in set(trials["metal"]) and run["infeasible_by_constraint"]["c_forbidden"] == 0
    assert run["infeasible_trials"] == int((~trials["feasible"]).sum())
    assert str(run["infeasible_trials"]) in (out / "report.html").read_text()
    hg = pd.DataFrame([{"metal": "Hg", "carbon": "graphite", "architecture": "bilayer", "metal_nm": 100.0, "carbon_nm": 1000.0}])
    guard = evaluate(spec, gap_pipeline, hg)
    assert guard["c_forbidden"].iloc[0] > 0 and not guard["feasible"].iloc[0]


def _journal_study(out: Path, name: str = "small") -> optuna.Study:
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(out / "study.journal")))
    return optuna.load_study(study_name=name, storage=storage)


def _loop(trials: list) -> list:
    """The trials optuna's loop asked (the grid's designs, added after the loop, left out)."""
    return [t for t in trials if t.user_attrs.get("found_by") != "grid"]


def test_the_dashboard_reads_each_trials_constraints_and_only_feasible_trials_are_best(small_run):
    """optuna-dashboard reads a trial's constraints from its system attribute 'constraints' (a list) and optuna from
    the same list: every completed trial carries one value per constraint, its feasibility is the one trials.csv
    reports for that design, and optuna's Pareto front (study.best_trials) holds no infeasible trial."""
    from screen.cell.objectives import CONSTRAINTS

    _, out = small_run
    study = _journal_study(out)
    done = study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
    assert done and all(len(t.system_attrs["constraints"]) == len(CONSTRAINTS) == len(t.constraints) for t in done)
    assert study.user_attrs["constraint_names"] == list(CONSTRAINTS)
    trials = pd.read_csv(out / "trials.csv", keep_default_na=False, na_values=[""])
    feasible = dict(zip(trials["trial"], trials["feasible"]))
    row = {t.number: (t.number if t.user_attrs["found_by"] == "optuna" else -t.user_attrs["grid_design"]) for t in done}
    assert {t.number: all(v <= 0 for v in t.constraints.values()) for t in done} == {n: bool(feasible[r]) for n, r in row.items()}
    assert not all(feasible.values())  # the small study has infeasible trials, so the next line tests something
    best = study.best_trials
    assert best and all(all(v <= 0 for v in t.constraints.values()) for t in best)


def test_optuna_dashboard_serves_the_constraints_and_the_grids_trials(small_run):
    """What optuna-dashboard's own serializer sends the browser (skipped where optuna-dashboard is not installed)."""
    serializer = pytest.importorskip("optuna_dashboard._serializer")
    _, out = small_run
    study = _journal_study(out)
    sent = [serializer.serialize_frozen_trial(0, t, {}) for t in study.get_trials()]
    assert all(len(s["constraints"]) == 6 for s in sent)
    found_by = [{a["key"]: a["value"] for a in s["user_attrs"]}["found_by"] for s in sent]
    assert set(found_by) == {"optuna", "grid"}


def test_the_grids_ranked_designs_are_complete_trials_of_the_study(small_run):
    """The dashboard shows the whole ranking: every ranked design is a COMPLETE trial of the study (the grid's with
    found_by=grid, once each, with exactly the distributions optuna's trials use), while the loop's counts and
    trials.csv still hold the 100 trials optuna asked."""
    _, out = small_run
    study = _journal_study(out)
    trials = study.get_trials()
    grid = [t for t in trials if t.user_attrs.get("found_by") == "grid"]
    loop = _loop(trials)
    run = json.loads((out / "run.json").read_text())
    assert len(loop) == 100 and {t.user_attrs["found_by"] for t in loop} == {"optuna"}
    assert run["trial_states"] == {"COMPLETE": 100} and run["completed_trials"] == 100
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in grid)
    assert sorted(t.user_attrs["grid_design"] for t in grid) == list(range(1, run["grid_designs_added"] + 1))
    assert run["grid_trials"]["in_study"] == len(grid) == run["grid_designs_added"] > 0
    loop_dists = {name: d for t in loop for name, d in t.distributions.items()}
    assert all(t.distributions == {p: loop_dists[p] for p in t.params} for t in grid)
    by_number = {t.number: t for t in loop} | {-t.user_attrs["grid_design"]: t for t in grid}
    ranked = pd.read_csv(out / "ranking.csv", keep_default_na=False, na_values=[""])
    assert "grid" in set(ranked["found_by"])
    for r in ranked.itertuples(index=False):
        p = by_number[r.trial].params
        assert (p["metal"], p["carbon"]) == (r.metal, r.carbon) and p["carbon_nm"] == pytest.approx(r.carbon_nm)
        assert p.get("metal_nm", float("nan")) == pytest.approx(r.metal_nm, nan_ok=True)


def test_outputs_are_complete_and_consistent(small_run):
    ranked, out = small_run
    for f in ("ranking.csv", "ranking.json", "pareto.csv", "trials.csv", "pareto.png", "tradeoffs.png", "importances.png",
              "ranking.png", "report.html", "run.json", "study.journal", "exhaustive_top.csv"):
        assert (out / f).is_file() and (out / f).stat().st_size > 0, f
    csv = pd.read_csv(out / "ranking.csv", keep_default_na=False, na_values=[""])
    assert list(csv["rank"]) == list(range(1, len(csv) + 1))
    js = json.loads((out / "ranking.json").read_text())
    assert len(js["ranking"]) == len(csv) and js["ranking"][0]["metal"] == csv["metal"].iloc[0]
    run = json.loads((out / "run.json").read_text())
    assert run["seed"] == 0 and run["trial_states"] == {"COMPLETE": 100}
    assert set(run["data_sha256"]) >= {"literature_outcomes.csv", "element_prices.csv"}
    assert run["model"]["version"] == 0 and run["study"]["file_sha256"]
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "<table>" in html
    # the literature behind the model, each source a link (the source paper's DOI among them)
    assert '<a href="https://doi.org/10.1021/acsami.6c01094">' in html
    # readable in a narrow window: a viewport, every table in a sideways-scrolling box, long prose folded
    assert '<meta name="viewport"' in html and html.count("<table>") == html.count('<div class="scroll"><table>')
    assert "<details>" in html and '<a href="run.json">' in html
    pareto = pd.read_csv(out / "pareto.csv")
    assert len(pareto) >= 1 and pareto["feasible"].all()
    assert not any(p.name.startswith(".staging") for p in out.iterdir())


def test_exhaustive_check_reports_recall(small_run):
    _, out = small_run
    ex = json.loads((out / "run.json").read_text())["exhaustive"]
    spec = load_study(out.parent / "s.toml")
    # 6 metals (Hg, forbidden, is no choice) x 3 carbons x 12 x 12 thicknesses, plus carbon-only x 3 carbons x 12
    assert len(spec.metal_choices) == 7
    assert ex["grid_evaluations"] == 6 * 3 * 144 + 3 * 12
    assert ex["optuna_evaluations"] == 100
    # the ranking holds the grid's best designs, refined: it never scores below the grid, and misses none of its top 10
    assert ex["best_score"] >= ex["best_exhaustive_score"] and ex["top10_recall"] == 1.0
    # optuna alone, started from the grid's best 20 pairs, stays within 2 % of the best score of the 3,060-point grid
    assert ex["best_optuna_only_score"] >= 0.98 * ex["best_exhaustive_score"]
    # the grid's top 10 in the ranking's own order (the posterior median score), its objective score beside it
    top = pd.read_csv(out / "exhaustive_top.csv")
    assert {"exhaustive_score", "posterior_score"} <= set(top.columns) and len(top) == 10


def test_same_seed_same_ranking(tmp_path, registry):
    a = run_study(_study(tmp_path, n=60), output=tmp_path / "a", model_dir=registry.root, progress=False, plots=False)
    b = run_study(_study(tmp_path, n=60), output=tmp_path / "b", model_dir=registry.root, progress=False, plots=False)
    pd.testing.assert_frame_equal(a, b)
    run_study(_study(tmp_path, n=60, seed=7, name="c.toml"), output=tmp_path / "c", model_dir=registry.root,
              progress=False, plots=False)
    assert _complete_params(tmp_path / "a") != _complete_params(tmp_path / "c")  # the seed drives optuna's trials


def _complete_params(out: Path) -> list[dict]:
    """Params of the loop's completed trials, in order."""
    return [t.params for t in _loop(_journal_study(out).get_trials(states=(optuna.trial.TrialState.COMPLETE,)))]


def test_resume_after_a_killed_worker_reproduces_the_uninterrupted_run(tmp_path, registry):
    full = tmp_path / "full"
    run_study(_study(tmp_path, n=100), output=full, model_dir=registry.root, progress=False, plots=False)
    part = tmp_path / "part"
    run_study(_study(tmp_path, n=60), output=part, model_dir=registry.root, progress=False, plots=False)
    # a worker that asked a batch and was killed: 20 RUNNING trials, sampler not saved
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(part / "study.journal")))
    killed = optuna.load_study(study_name="small", storage=storage, sampler=optuna.samplers.RandomSampler(seed=1))
    from screen.search.optimize import suggest

    spec = load_study(_study(tmp_path, n=100))
    for _ in range(20):
        suggest(killed.ask(), spec)
    with pytest.raises(InputError, match="already holds a study"):
        run_study(_study(tmp_path, n=100), output=part, model_dir=registry.root, progress=False, plots=False)
    run_study(_study(tmp_path, n=100), output=part, model_dir=registry.root, progress=False, plots=False, resume=True)
    run = json.loads((part / "run.json").read_text())
    assert run["stale_running_marked_failed"] == 20 and run["trial_states"] == {"COMPLETE": 100, "FAIL": 20}
    # the 60-trial run had added the grid's trials: the resumed loop made the trials of a run that never stopped,
    # and the grid's trials are in the study once
    assert _complete_params(part) == _complete_params(full)
    assert run["grid_trials"]["added"] == 0 and run["grid_trials"]["in_study"] == run["grid_designs_added"]
    grid = [t.user_attrs["grid_design"] for t in _journal_study(part).get_trials() if t.user_attrs.get("found_by") == "grid"]
    assert sorted(grid) == list(range(1, run["grid_designs_added"] + 1))


def test_resume_with_a_changed_space_is_refused(tmp_path, registry):
    out = tmp_path / "r"
    run_study(_study(tmp_path, n=20), output=out, model_dir=registry.root, progress=False, plots=False)
    changed = _study(tmp_path, n=40).read_text().replace('"Hg"]', '"Hg", "Au"]')
    (tmp_path / "changed.toml").write_text(changed)
    with pytest.raises(InputError, match="study differs.*space.metals"):
        run_study(tmp_path / "changed.toml", output=out, model_dir=registry.root, progress=False, plots=False, resume=True)
    assert json.loads((out / "run.json").read_text())["completed_trials"] == 20  # the earlier run's outputs survive


def test_resume_with_changed_conditions_and_no_new_trials_is_refused_and_changes_nothing(tmp_path, registry):
    """No new trial is needed, so optuna never sees the change: the recorded study must catch it."""
    out = tmp_path / "r"
    run_study(_study(tmp_path, n=20), output=out, model_dir=registry.root, progress=False, plots=False)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    (tmp_path / "changed.toml").write_text(_study(tmp_path, n=20).read_text() + "\n[cell]\ncurrent_ma_cm2 = 3.0\n")
    with pytest.raises(InputError, match="study differs.*cell.current_ma_cm2"):
        run_study(tmp_path / "changed.toml", output=out, model_dir=registry.root, progress=False, plots=False, resume=True)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_resume_never_loads_a_pickle_left_in_the_run_folder(tmp_path, registry):
    """A run folder someone sends may hold a crafted sampler pickle (versions before 0.1 wrote them): resuming must not
    unpickle it."""
    import pickle

    marker = tmp_path / "unpickled"
    out = tmp_path / "r"
    run_study(_study(tmp_path, n=20), output=out, model_dir=registry.root, progress=False, plots=False)
    for w in (0, 1):
        (out / f"sampler-w{w}.pkl").write_bytes(pickle.dumps(_TouchOnUnpickle(marker)))
    run_study(_study(tmp_path, n=40), output=out, model_dir=registry.root, progress=False, plots=False, resume=True, workers=2)
    assert not marker.exists()
    assert json.loads((out / "run.json").read_text())["completed_trials"] >= 40


def test_a_refused_resume_leaves_no_lock_file_in_a_users_folder(tmp_path, capsys, model_env):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.html").write_text("my own report")
    code = main(["screen", "--study", str(_study(tmp_path, n=10)), "--output", str(out), "--no-progress", "--resume"])
    assert code == 2 and "holds no study journal" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]


def test_a_study_output_through_a_symbolic_link_out_of_the_folder_is_refused(tmp_path, capsys, model_env, monkeypatch):
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    (work / "runs").symlink_to(elsewhere)
    study = _study(work, n=10).read_text().replace('name = "small"', 'name = "small"\noutput = "runs/x"')
    (work / "s.toml").write_text(study)
    monkeypatch.chdir(work)
    assert main(["screen", "--study", "s.toml", "--no-progress", "--no-plots"]) == 2
    assert "relative folder below" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []


def test_two_workers_on_one_journal_account_for_every_trial(tmp_path, registry):
    out = tmp_path / "w"
    ranked = run_study(_study(tmp_path, n=80), output=out, model_dir=registry.root, progress=False, plots=False, workers=2)
    run = json.loads((out / "run.json").read_text())
    assert run["trial_states"].get("COMPLETE", 0) >= 80 and "FAIL" not in run["trial_states"]
    assert run["workers"] == 2 and len(ranked) > 0


@pytest.mark.skipif(not os.environ.get("INTERLAYER_TEST_POSTGRES_URL"), reason="no PostgreSQL server (.ci/run starts one)")
def test_postgresql_storage_two_workers_one_study(tmp_path, registry):
    url = os.environ["INTERLAYER_TEST_POSTGRES_URL"]
    name = f"pg{os.getpid()}"
    study = _study(tmp_path, n=80, extra="").read_text().replace('name = "small"', f'name = "{name}"')
    (tmp_path / "pg.toml").write_text(study)
    run_study(tmp_path / "pg.toml", output=tmp_path / "pg", storage=url, workers=2, model_dir=registry.root,
              progress=False, plots=False)
    # optuna itself needs the driver spelled out; the tool maps the documented postgresql:// form (and ran above)
    from screen.search.optimize import database_url

    s = optuna.load_study(study_name=name, storage=database_url(url))
    trials = s.get_trials()
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials) and len(_loop(trials)) >= 80
    run = json.loads((tmp_path / "pg" / "run.json").read_text())
    assert run["completed_trials"] == len(_loop(trials)) and "postgresql" in run["storage"] and "@" in run["storage"]
    assert len(trials) - len(_loop(trials)) == run["grid_designs_added"]


def test_ci_requires_the_postgresql_test():
    if os.environ.get("INTERLAYER_REQUIRE_POSTGRES"):
        assert os.environ.get("INTERLAYER_TEST_POSTGRES_URL"), "CI must start PostgreSQL and set INTERLAYER_TEST_POSTGRES_URL"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "INTERLAYER_TEST_POSTGRES_URL" in ci and "pg_createcluster" in ci


@pytest.mark.parametrize("extra,match", [
    ("bogus = 1", "unknown key 'space.bogus'"),
    ('exclude = ["Qq"]', "space.exclude"),
    ('metal_nm = [500.0, 10.0]', "space.metal_nm.*inverted"),
    ('metal_nm = [10.0, inf]', "space.metal_nm.*must be finite"),
])
def test_bad_space_keys(tmp_path, extra, match):
    text = SMALL.format(n=10, seed=0, extra="").replace('carbon_nm = [100.0, 10000.0]', f"carbon_nm = [100.0, 10000.0]\n{extra}")
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(InputError, match=match):
        load_study(p)


@pytest.mark.parametrize("text,match", [
    ('[study]\nname = "x"\n[space]\nmetals = ["Unobtainium"]\n', "space.metals"),
    ('[study]\nname = "x"\n[space]\ncarbons = ["diamond"]\n', "unknown carbon preset 'diamond'"),
    ('[study]\nname = "x"\n[space]\nmetals = ["Mg"]\nexclude = ["Mg"]\ninclude_carbon_only = false\n', "empty search space"),
    ('[study]\nname = "x"\n[studdy]\nseed = 1\n', "unknown key 'studdy'"),
    ('[study]\nname = "x"\nn_trials = 0\n', "study.n_trials"),
    ('[study]\nname = "x"\n[constraints]\nmax_total_nm = 5.0\n', "constraints.max_total_nm"),
    ('[study\nname = "x"\n', "not valid TOML"),
    ('[study]\nname = "x"\noutput = "../../elsewhere/x"\n', "study.output.*relative folder below"),
    ('[study]\nname = "x"\noutput = "/"\n', "study.output.*relative folder below"),
    ('[study]\nname = "x"\n[cell]\ncurrent_ma_cm2 = "0.1"\n', "current_ma_cm2' needs a number, got text"),
    ('[study]\nname = "x"\n[space]\nmetals = ["Hg"]\ninclude_carbon_only = false\n', "empty search space.*forbidden"),
    ('study = 3\n', "'study' must be a table"),
])
def test_bad_study_files_fail_with_one_line_and_write_nothing(tmp_path, capsys, model_env, text, match):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    out = tmp_path / "never"
    assert main(["screen", "--study", str(p), "--output", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("interlayer: error:")
    assert pytest.importorskip("re").search(match, err), err
    assert not out.exists()


def test_a_folder_of_someone_elses_files_is_not_written_into(tmp_path, capsys, model_env):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.html").write_text("my own report")
    code = main(["screen", "--study", str(_study(tmp_path, n=10)), "--output", str(out), "--no-progress", "--no-plots"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "holds no run of this tool" in err
    assert sorted(p.name for p in out.iterdir()) == ["report.html"] and (out / "report.html").read_text() == "my own report"


def test_unreachable_storage_fails_cleanly(tmp_path, capsys, model_env):
    out = tmp_path / "never"
    code = main(["screen", "--study", str(_study(tmp_path, n=10)), "--output", str(out), "--no-progress",
                 "--storage", "postgresql://nobody:secret@127.0.0.1:1/none"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "cannot open the study storage" in err
    assert "secret" not in err and not out.exists()


def test_cli_screen_json_and_api_agree(tmp_path, capsys, model_env):
    study = _study(tmp_path, n=40)
    assert main(["screen", "--study", str(study), "--output", str(tmp_path / "cli"), "--no-progress", "--no-plots",
                 "--format", "json", "--top", "5"]) == 0
    js = json.loads(capsys.readouterr().out)
    api = run_study(study, output=tmp_path / "api", model_dir=model_env.root, progress=False, plots=False)
    assert [r["metal"] for r in js["ranking"]] == list(api["metal"].head(5))
    assert js["run"]["completed_trials"] == 40


def _journal_trials(path: Path) -> int:
    if not path.is_file():
        return 0
    return sum(1 for line in path.read_text().splitlines() if '"op_code":4' in line.replace(" ", ""))


@pytest.mark.parametrize("kill_after_trials", [1, 60])
def test_kill_9_then_resume_gives_the_uninterrupted_ranking(tmp_path, registry, kill_after_trials):
    """A real run (NSGA-II, the shipped sampler settings) killed with SIGKILL, then resumed, makes exactly the trials
    and the ranking of a run that never stopped: the journal keeps whole batches and each batch's seed comes from the
    trials already there, so no sampler state is lost with the process."""
    import signal
    import subprocess
    import sys
    import time

    study = _study(tmp_path, n=400)
    full = tmp_path / "full"
    run_study(study, output=full, model_dir=registry.root, progress=False, plots=False)
    part = tmp_path / "part"
    env = {**os.environ, "INTERLAYER_MODEL_DIR": str(registry.root)}
    cmd = [sys.executable, "-m", "screen.cli", "screen", "--study", str(study), "--output", str(part), "--no-progress",
           "--no-plots"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = part / "study.journal"
    deadline = time.time() + 120
    while proc.poll() is None and _journal_trials(journal) < kill_after_trials and time.time() < deadline:
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    at_kill = _journal_trials(journal)
    assert 0 < at_kill < 400 and not (part / "run.json").exists(), at_kill  # killed mid-run
    lines = journal.read_text().splitlines()
    assert all(line.startswith("{") and line.endswith("}") for line in lines)  # no half-written operation
    run_study(study, output=part, model_dir=registry.root, progress=False, plots=False, resume=True)
    assert _complete_params(part) == _complete_params(full)
    a = pd.read_csv(full / "ranking.csv", keep_default_na=False, na_values=[""])
    b = pd.read_csv(part / "ranking.csv", keep_default_na=False, na_values=[""])
    pd.testing.assert_frame_equal(a[["metal", "carbon", "metal_nm", "carbon_nm", "score"]],
                                  b[["metal", "carbon", "metal_nm", "carbon_nm", "score"]])


def test_a_second_process_on_a_running_folder_is_refused_and_the_first_run_is_untouched(tmp_path, registry, capsys,
                                                                                          monkeypatch):
    import subprocess
    import sys
    import time

    study = _study(tmp_path, n=400)
    out = tmp_path / "shared"
    env = {**os.environ, "INTERLAYER_MODEL_DIR": str(registry.root)}
    first = subprocess.Popen([sys.executable, "-m", "screen.cli", "screen", "--study", str(study), "--output", str(out),
                              "--no-progress", "--no-plots"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while first.poll() is None and not (out / "study.journal").exists() and time.time() < deadline:
        time.sleep(0.005)
    monkeypatch.setenv("INTERLAYER_MODEL_DIR", str(registry.root))
    refused = 0
    for extra in ([], ["--resume"], ["--overwrite"]):
        running = first.poll() is None
        code = main(["screen", "--study", str(study), "--output", str(out), "--no-progress", "--no-plots", *extra])
        err = capsys.readouterr().err.strip()
        if running and first.poll() is None:  # the first run held the folder throughout: every way in is refused
            assert code == 2 and len(err.splitlines()) == 1 and "another interlayer process" in err, err
            refused += 1
    assert refused >= 1
    assert first.wait(timeout=300) == 0, first.stderr.read().decode()
    run = json.loads((out / "run.json").read_text())
    assert run["trial_states"] == {"COMPLETE": 400} and run["completed_trials"] == 400


def _storage_of(url: str) -> str:
    from screen.search.optimize import database_url

    return database_url(url)


def _pg_trials(url: str, name: str) -> list:
    return optuna.load_study(study_name=name, storage=_storage_of(url)).get_trials()


@pytest.mark.skipif(not os.environ.get("INTERLAYER_TEST_POSTGRES_URL"), reason="no PostgreSQL server (.ci/run starts one)")
@pytest.mark.parametrize("stagger_s", [0.0, 2.0])
def test_two_processes_on_one_postgresql_study_one_killed_lose_and_duplicate_nothing(tmp_path, registry, stagger_s):
    """Two real processes share one database study, started together or staggered; one is killed with SIGKILL
    mid-run. The survivor never fails the live worker's trials, fails the dead one's once their heartbeat is stale,
    runs their slots again, and the study ends with exactly n COMPLETE trials, every other trial FAIL, none RUNNING."""
    import signal
    import subprocess
    import sys
    import time

    url = os.environ["INTERLAYER_TEST_POSTGRES_URL"]
    name = f"pgkill{os.getpid()}{int(stagger_s)}"
    n = 300
    text = _study(tmp_path, n=n).read_text().replace('name = "small"', f'name = "{name}"')
    study = tmp_path / "pgkill.toml"
    study.write_text(text)
    env = {**os.environ, "INTERLAYER_MODEL_DIR": str(registry.root), "INTERLAYER_HEARTBEAT_S": "1"}

    def start(folder: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "screen.cli", "screen", "--study", str(study), "--output",
                                 str(tmp_path / folder), "--storage", url, "--no-progress", "--no-plots"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    victim = start("a")
    time.sleep(stagger_s)
    survivor = start("b")
    deadline = time.time() + 180
    while victim.poll() is None and time.time() < deadline:
        try:
            mine = len(_pg_trials(url, name))
        except Exception:
            mine = 0
        if mine >= 40:
            break
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    assert victim.wait() == -signal.SIGKILL  # killed, not finished
    assert survivor.wait(timeout=300) == 0, survivor.stderr.read().decode()
    trials = _pg_trials(url, name)
    states = pd.Series([t.state.name for t in _loop(trials)]).value_counts().to_dict()
    assert states.get("COMPLETE") == n and set(states) <= {"COMPLETE", "FAIL"}, states
    assert sorted(t.number for t in trials) == list(range(len(trials)))  # nothing lost, no number twice
    grid = [t.user_attrs["grid_design"] for t in trials if t.user_attrs.get("found_by") == "grid"]
    assert grid and sorted(grid) == list(range(1, len(grid) + 1))  # added once, by the worker that finished
    # the grid's starting designs were enqueued once, by one of the two workers, even when they started together
    enqueued = [t for t in trials if "fixed_params" in t.system_attrs]
    mark = optuna.load_study(study_name=name, storage=_storage_of(url)).user_attrs["interlayer_start_designs_enqueued"]
    assert len(enqueued) == mark > 0
    run = json.loads((tmp_path / "b" / "run.json").read_text())
    assert run["completed_trials"] == n and run["failed_trials"] == states.get("FAIL", 0)


def test_quickstart_command_runs_twice_in_a_fresh_folder(tmp_path, model_env):
    """The README's first command, run twice in a new folder: both succeed, the first run is kept as runs/default.prev,
    and the Python API example then runs the same study again with more trials."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "screen.cli", "screen", "--study", str(ROOT / "studies" / "default.toml"), "--trials", "60",
           "--no-progress", "--no-plots"]
    env = {**os.environ, "INTERLAYER_MODEL_DIR": str(model_env.root)}
    first = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr
    assert "runs/default.prev" in second.stderr and "used model v0 (data " in second.stderr
    out, prev = tmp_path / "runs" / "default", tmp_path / "runs" / "default.prev"
    assert (out / "run.json").is_file() and (prev / "run.json").is_file()
    assert (out / "ranking.csv").read_text() == (prev / "ranking.csv").read_text()  # same study, same seed, same ranking
    ranked = run_study(ROOT / "studies" / "default.toml", output=out, n_trials=80, model_dir=model_env.root,
                       progress=False, plots=False)
    assert ranked.attrs["previous_run"] == str(prev) and json.loads((out / "run.json").read_text())["n_trials"] == 80


def test_a_rerun_that_fails_puts_the_earlier_run_back(tmp_path, registry, monkeypatch):
    out = tmp_path / "r"
    run_study(_study(tmp_path, n=20), output=out, model_dir=registry.root, progress=False, plots=False)
    before = (out / "ranking.csv").read_text()
    import screen.workflows.study as wf

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(wf, "optimize", broken)
    with pytest.raises(KeyboardInterrupt):
        run_study(_study(tmp_path, n=20), output=out, model_dir=registry.root, progress=False, plots=False)
    assert (out / "ranking.csv").read_text() == before and not (tmp_path / "r.prev").exists()
    different = _study(tmp_path, n=20).read_text().replace('"Hg"]', '"Hg", "Au"]')
    (tmp_path / "other.toml").write_text(different)
    monkeypatch.undo()
    with pytest.raises(InputError, match="already holds a study"):  # another study in the same folder is still refused
        run_study(tmp_path / "other.toml", output=out, model_dir=registry.root, progress=False, plots=False)


@pytest.mark.skipif(not os.environ.get("INTERLAYER_CI_PG_CTL"), reason="needs control of the PostgreSQL server (.ci/run)")
def test_a_postgresql_restart_mid_run_is_waited_out(tmp_path, registry):
    """The database stops for a few seconds mid-run: the worker waits for it, fails only its own interrupted batch and
    finishes the study (exit 0, n COMPLETE, nothing RUNNING). INTERLAYER_CI_PG_CTL is 'VERSION CLUSTER' for pg_ctlcluster."""
    import subprocess
    import sys
    import time

    url = os.environ["INTERLAYER_TEST_POSTGRES_URL"]
    version, cluster = os.environ["INTERLAYER_CI_PG_CTL"].split()
    name = f"pgrestart{os.getpid()}"
    n = 300
    study = tmp_path / "pgrestart.toml"
    study.write_text(_study(tmp_path, n=n).read_text().replace('name = "small"', f'name = "{name}"'))
    env = {**os.environ, "INTERLAYER_MODEL_DIR": str(registry.root), "INTERLAYER_HEARTBEAT_S": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "screen.cli", "screen", "--study", str(study), "--output",
                             str(tmp_path / "a"), "--storage", url, "--no-progress", "--no-plots"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 180
    while proc.poll() is None and time.time() < deadline:
        try:
            if len(_pg_trials(url, name)) >= 60:
                break
        except Exception:
            pass
        time.sleep(0.05)
    sudo = [] if os.getuid() == 0 else ["sudo"]  # as .ci/run does
    subprocess.run([*sudo, "pg_ctlcluster", version, cluster, "stop", "-m", "fast"], check=True)
    time.sleep(4)
    subprocess.run([*sudo, "pg_ctlcluster", version, cluster, "start"], check=True)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0 and "Traceback" not in err, err
    states = pd.Series([t.state.name for t in _loop(_pg_trials(url, name))]).value_counts().to_dict()
    assert states.get("COMPLETE") == n and "RUNNING" not in states, states
