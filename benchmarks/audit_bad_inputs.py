"""Bad-input audit of the ``interlayer`` command line (issue 18, "one line, exit 2, nothing changed").

Run: ``python benchmarks/audit_bad_inputs.py`` (``--json audit.json`` also writes the results as JSON; ``-k TEXT``
runs only the cases whose name contains TEXT; ``--timeout S`` per case, default 300). Takes a few minutes.

Each case runs ``interlayer`` as a subprocess in its own temporary folder (the working folder lies four levels below
the case's root, so a study's ``output = "../../../../x"`` lands inside the root, where it is seen). A model registry
(version 0, built once) is copied into every case and named by ``$INTERLAYER_MODEL_DIR``; ``HOME``, the XDG folders,
``$INTERLAYER_CACHE_DIR`` and matplotlib's folder point into the session's temporary folder, so neither the checkout
nor ``~`` is written. For each case the script records the exit code, whether the output holds "Traceback", the
number of non-empty stderr lines and the last of them, and what changed: every file under the case root (user files,
registry, run folders, stray outputs such as a journal left by a refused run), the sha256 of every file under
``datasets/``, and new entries in ``/``, in the checkout and in its ``runs/``. The checkout is the one this file lies
in (``datasets/`` beside ``benchmarks/``); to audit a frozen copy while others edit the tree, run the copy of this file
inside it with that copy first on ``PYTHONPATH``.

Expectations: ``error`` (the default) = exit 2, one stderr line, no traceback, nothing changed; ``warn`` = exit 0 and
a warning on stderr; ``report`` = ``models list`` names the broken file (exit 0) or refuses in one line; ``ok`` =
exit 0 with only the expected changes. It prints a Markdown table, the cases that did not behave as expected (command
and output) and the summary line; the exit status is 1 if any case did not behave as expected.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO / "datasets"
STUDIES = REPO / "studies"
WORK = Path("w1/w2/w3/work")  # a case's working folder, relative to its root
UNWRITABLE = "/proc/x"  # nobody, not even root, can create anything in /proc

TINY = """[study]
name = "tiny"
seed = 0
n_trials = 10
population_size = 10
{study}
[space]
metals = ["Mg", "Ag"]
carbons = ["c60_film"]
carbon_nm = [100.0, 1000.0]
{space}
{tail}"""


def study(study: str = "", space: str = "", tail: str = "") -> str:
    """The tiny screening study (10 trials, 2 metals, 1 carbon) with extra lines in [study], [space] and after."""
    return TINY.format(study=study, space=space, tail=tail)


FRESH_ROW = {
    "record_id": "LAB-1", "study_id": "LAB", "citation": "In-house", "current_collector": "SS", "metal": "Zn",
    "carbon": "carbon_black", "architecture": "bilayer", "metal_thickness_nm": "200", "carbon_thickness_nm": "1000",
    "electrolyte": "Li6PS5Cl", "counter_electrode": "Li", "fab_pressure_MPa": "350", "stack_pressure_MPa": "10",
    "temperature_C": "25", "current_density_mA_cm2": "0.2", "areal_capacity_mAh_cm2": "1", "li_location": "above_carbon",
    "nucleation_dip": "no", "nucleation_overpotential_mV": "4", "source": "https://example.org/notebook/LAB-1",
    "value_origin": "text", "confidence": "A", "notes": "audit row",
}


def fresh(*changes: dict[str, str], n: int = 0, rename: tuple[str, str] | None = None) -> str:
    """A retrain file in the literature_outcomes.csv schema: one row per change dict (applied to FRESH_ROW), or n
    rows with ids LAB-1..LAB-n; ``rename`` misspells a column of the header."""
    header = next(csv.reader(io.StringIO((DATASETS / "literature_outcomes.csv").read_text(encoding="utf-8"))))
    rows = [FRESH_ROW | c for c in changes] or [FRESH_ROW | {"record_id": f"LAB-{i}"} for i in range(1, n + 1)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([rename[1] if rename and h == rename[0] else h for h in header])
    w.writerows([r.get(h, "") for h in header] for r in rows)
    return buf.getvalue()


@dataclass
class Case:
    """One command line, the files it finds in its working folder, and what it should do."""

    name: str
    argv: list[str]
    files: dict[str, str | bytes] = field(default_factory=dict)
    expect: str = "error"  # error | warn | report | ok (module docstring)
    needle: str = ""  # warn: text on stderr; report: text on stdout
    forbid: str = ""  # text that must not appear in the output (a password)
    setup: Callable[[Path], None] | None = None  # prepares the working folder after the files are written
    allowed: str = ""  # ok: path prefix (relative to the working folder) the command may change
    verify: Callable[[Path], str] | None = None  # ok: "" or what is wrong afterwards
    pythonpath: bool = False  # put the working folder on PYTHONPATH (a module the command must not import)


def c(name: str, cmd: str, files: dict[str, str | bytes] | None = None, **kw: object) -> Case:
    return Case(name, shlex.split(cmd), files or {}, **kw)  # type: ignore[arg-type]


def damage(kind: str) -> Callable[[Path], None]:
    """Break version 0 of the case's registry: truncate / empty / bytes / missing, of model.json or metadata.json."""
    how, _, which = kind.partition("-")

    def apply(work: Path) -> None:
        target = work / "models" / "v0" / f"{which}.json"
        if how == "truncate":
            target.write_text(target.read_text()[:200])
        elif how == "empty":
            target.write_text("")
        elif how == "bytes":
            target.write_bytes(os.urandom(512))
        else:
            target.unlink()
    apply.__name__ = f"registry version 0: {kind}"
    return apply


def copy_run(*names: str, ranking: str | None = None) -> Callable[[Path], None]:
    """Copy the finished tiny run into the working folder under each name (optionally replacing ranking.csv)."""
    def apply(work: Path) -> None:
        for name in names:
            shutil.copytree(FIXTURES / "run", work / name)
            if ranking is not None:
                (work / name / "ranking.csv").write_text(ranking)
    apply.__name__ = f"finished run copied to {', '.join(names)}" + (" (ranking.csv corrupted)" if ranking else "")
    return apply


def stale_staging(work: Path) -> None:
    """An empty staging folder left by a retrain killed while saving, an hour ago."""
    stale = work / "models" / ".v1-killed"
    stale.mkdir()
    os.utime(stale, (time.time() - 3600, time.time() - 3600))


def staging_cleaned(work: Path) -> str:
    left = [p.name for p in (work / "models").iterdir() if p.name.startswith(".") and p.name != ".registry.lock"]
    return "" if (work / "models" / "v1" / "model.json").is_file() and not left else f"registry holds {sorted(os.listdir(work / 'models'))}"


def symlinked_runs(work: Path) -> None:
    """A received folder whose runs/ is a link to a folder outside it."""
    (work.parents[3] / "linked").mkdir()
    (work / "runs").symlink_to(work.parents[3] / "linked")


USER_FILES = {"out/report.html": "my own report", "out/trials.csv": "my,own\n1,2\n"}
EVIL_MODULE = "from pathlib import Path\nPath(__file__).with_name('MODULE_WAS_IMPORTED').touch()\nclass Boom:\n    pass\n"
RAMAN_INF = "".join(f"{900 + i},{'inf' if i == 50 else 1.0}\n" for i in range(200))


def cases() -> list[Case]:
    s = {"s.toml": study()}
    sens = "--no-progress --no-plots --output out"
    reg = ["truncate-model", "empty-model", "bytes-model", "bytes-metadata", "missing-model"]
    out: list[Case] = [
        # descriptors, hull, validate-descriptors, carbon
        c("descriptors unknown element", "descriptors Xx"),
        c("descriptors non-metal", "descriptors C"),
        c("descriptors unknown carbon preset", "descriptors Mg --carbon charcoal"),
        c("descriptors --temperature-k nan", "descriptors Mg --temperature-k nan"),
        c("descriptors --temperature-k inf", "descriptors Mg --temperature-k inf"),
        c("descriptors --temperature-k 1e308", "descriptors Mg --temperature-k 1e308"),
        c("descriptors --temperature-k -5", "descriptors Mg --temperature-k -5"),
        c("descriptors --solubility-temperature-k 1e308", "descriptors Mg --solubility-temperature-k 1e308"),
        c("descriptors --source nonexistent file", "descriptors Ag --source nowhere.csv"),
        c("descriptors --source empty JSON", "descriptors Ag --source empty.json", {"empty.json": ""}),
        c("descriptors --source malformed CSV", "descriptors Ag --source bad.csv",
          {"bad.csv": "formula,formation_energy_eV_atom\nLiAg,abc\n"}),
        c("descriptors --source NaN energy", "descriptors Ag --source nan.json",
          {"nan.json": '[{"formula": "LiAg", "formation_energy_eV_atom": NaN}]'}),
        c("descriptors --source JSON naming a module", "descriptors Ag --source evil.json",
          {"evil.json": '[{"@module": "evil_mod", "@class": "Boom", "formula": "LiAg", "formation_energy_eV_atom": -0.1}]',
           "evil_mod.py": EVIL_MODULE}, pythonpath=True),
        c("descriptors --source JSON naming subprocess.Popen", "descriptors Ag --source popen.json",
          {"popen.json": '[{"@module": "subprocess", "@class": "Popen", "args": ["touch", "POPEN_RAN"]}]'}),
        c("descriptors --format xml", "descriptors --format xml"),
        c("hull unknown element", "hull Xx --source miedema"),
        c("hull --temperature-k 1e308", "hull Mg --source miedema --temperature-k 1e308"),
        c("hull --plot unwritable", f"hull Mg --source miedema --plot {UNWRITABLE}.png"),
        c("validate-descriptors --temperature-k 1e308", "validate-descriptors --source miedema --temperature-k 1e308"),
        c("validate-descriptors --plot unwritable", f"validate-descriptors --source miedema --plot {UNWRITABLE}.png"),
        c("validate-descriptors unknown source", "validate-descriptors --source bogus"),
        c("carbon negative d002", "carbon --d002-nm -0.34"),
        c("carbon --la-nm nan", "carbon --la-nm nan"),
        c("carbon sp2 fraction 1.5", "carbon --sp2-fraction 1.5"),
        c("carbon --laser-nm inf", "carbon --id-ig 1.0 --laser-nm inf"),
        c("carbon Raman file nonexistent", "carbon --raman missing.txt --laser-nm 532"),
        c("carbon Raman file empty", "carbon --raman empty.txt --laser-nm 532", {"empty.txt": ""}),
        c("carbon Raman file malformed", "carbon --raman bad.csv --laser-nm 532", {"bad.csv": "shift,intensity\n1000,1\n1001,oops\n"}),
        c("carbon Raman file with inf", "carbon --raman inf.csv --laser-nm 532", {"inf.csv": RAMAN_INF}),
        c("carbon structure random bytes", "carbon --structure junk.xyz", {"junk.xyz": os.urandom(300)}),
        # predict
        c("predict unknown element", "predict --metal Xx --carbon graphite"),
        c("predict negative thickness", "predict --metal Mg --carbon graphite --metal-nm -5"),
        c("predict --metal-nm 1e308", "predict --metal Mg --carbon c60_film --metal-nm 1e308"),
        c("predict --carbon-nm nan", "predict --metal Mg --carbon c60_film --carbon-nm nan"),
        c("predict --current-ma-cm2 inf", "predict --metal Mg --carbon c60_film --current-ma-cm2 inf"),
        c("predict --temperature-c -300", "predict --metal Mg --carbon c60_film --temperature-c -300"),
        c("predict --input nonexistent", "predict --input nope.csv"),
        c("predict --input empty file", "predict --input empty.csv", {"empty.csv": ""}),
        c("predict --input header only", "predict --input head.csv", {"head.csv": "metal,carbon\n"}),
        c("predict --input malformed CSV", "predict --input bad.csv", {"bad.csv": 'metal,carbon\n"Mg,graphite\nAg,"c60_film\n'}),
        c("predict --input random bytes", "predict --input junk.csv", {"junk.csv": os.urandom(400)}),
        c("predict --input NaN cell", "predict --input nan.csv", {"nan.csv": "metal,carbon,carbon_nm\nMg,graphite,nan\n"}),
        c("predict --input inf cell", "predict --input inf.csv", {"inf.csv": "metal,carbon,metal_nm\nMg,graphite,inf\n"}),
        c("predict --input unknown column", "predict --input col.csv", {"col.csv": "metal,carbon,carbon_mn\nMg,graphite,5\n"}),
        c("predict --output naming a folder", "predict --metal Mg --carbon c60_film --output outdir", {"outdir/mine.txt": "keep"}),
        c("predict --output unwritable", f"predict --metal Mg --carbon c60_film --output {UNWRITABLE}.csv"),
        c("predict --output in a missing folder", "predict --metal Mg --carbon c60_film --output nodir/p.csv"),
        c("predict --model 99", "predict --metal Mg --carbon c60_film --model 99"),
        c("predict --model -1", "predict --metal Mg --carbon c60_film --model -1"),
        c("predict --model-dir naming a file", "predict --metal Mg --carbon c60_film --model-dir afile.txt", {"afile.txt": "x"}),
        # retrain
        c("retrain nonexistent file", "retrain nope.csv"),
        c("retrain empty file", "retrain empty.csv", {"empty.csv": ""}),
        c("retrain duplicated record ids", "retrain f.csv", {"f.csv": fresh({}, {})}),
        c("retrain 301 rows (over the limit)", "retrain f.csv", {"f.csv": fresh(n=301)}),
        c("retrain 100,000 rows", "retrain f.csv", {"f.csv": fresh(n=100_000)}),
        c("retrain thickness 1e308", "retrain f.csv", {"f.csv": fresh({"metal_thickness_nm": "1e308"})}),
        c("retrain thickness NaN", "retrain f.csv", {"f.csv": fresh({"metal_thickness_nm": "nan"})}),
        c("retrain thickness inf", "retrain f.csv", {"f.csv": fresh({"carbon_thickness_nm": "inf"})}),
        c("retrain negative thickness", "retrain f.csv", {"f.csv": fresh({"metal_thickness_nm": "-200"})}),
        c("retrain unknown element", "retrain f.csv", {"f.csv": fresh({"metal": "Xx"})}),
        c("retrain bad li_location", "retrain f.csv", {"f.csv": fresh({"li_location": "beneath"})}),
        c("retrain misspelled column", "retrain f.csv", {"f.csv": fresh({}, rename=("li_location", "li_locaton"))}),
        c("retrain record id of the curated table", "retrain f.csv", {"f.csv": fresh({"record_id": "WU26-a"})}),
        c("retrain unwritable registry", f"retrain f.csv --model-dir {UNWRITABLE}", {"f.csv": fresh({})}),
        c("retrain contradictory rows (dry run)", "retrain f.csv --dry-run",
          {"f.csv": fresh({}, {"record_id": "LAB-2", "li_location": "under_carbon"})},
          expect="warn", needle="opposite Li locations"),
        c("retrain after a killed retrain's staging folder", "retrain f.csv", {"f.csv": fresh({})}, expect="ok",
          setup=stale_staging, allowed="models/", verify=staging_cleaned),
        # calibrate
        c("calibrate --seed -1", "calibrate --seed -1"),
        c("calibrate --plot unwritable", f"calibrate --plot {UNWRITABLE}.png --reliability-plot ''"),
        c("calibrate --reliability-plot unwritable", f"calibrate --plot '' --reliability-plot {UNWRITABLE}.png"),
        c("calibrate --compare-sources unknown", "calibrate --compare-sources bogus"),
        # screen
        c("screen --seed -1", f"screen --study s.toml {sens} --seed -1", s),
        c("screen --seed 2**32", f"screen --study s.toml {sens} --seed 4294967296", s),
        c("screen --trials 0", f"screen --study s.toml {sens} --trials 0", s),
        c("screen --workers 0", f"screen --study s.toml {sens} --workers 0", s),
        c("screen --top -3", f"screen --study s.toml {sens} --top -3", s),
        c("study metal_nm = [10, inf]", f"screen --study b.toml {sens}", {"b.toml": study(space="metal_nm = [10.0, inf]")}),
        c("study metal_nm = [10, nan]", f"screen --study b.toml {sens}", {"b.toml": study(space="metal_nm = [10.0, nan]")}),
        c("study number given as text", f"screen --study b.toml {sens}", {"b.toml": study(tail='[cell]\ncurrent_ma_cm2 = "0.1"\n')}),
        c("study seed as text", f"screen --study b.toml {sens}", {"b.toml": study().replace("seed = 0", 'seed = "zero"')}),
        c("study n_trials = 1.5", f"screen --study b.toml {sens}", {"b.toml": study().replace("n_trials = 10", "n_trials = 1.5")}),
        c("study n_trials = -5", f"screen --study b.toml {sens}", {"b.toml": study().replace("n_trials = 10", "n_trials = -5")}),
        c("study metals = 5", f"screen --study b.toml {sens}", {"b.toml": study().replace('metals = ["Mg", "Ag"]', "metals = 5")}),
        c("study table given as a number", f"screen --study b.toml {sens}", {"b.toml": "study = 3\n"}),
        c("study stack pressure negative", f"screen --study b.toml {sens}", {"b.toml": study(tail="[cell]\nstack_mpa = -15.0\n")}),
        c("study unknown element", f"screen --study b.toml {sens}", {"b.toml": study().replace('"Ag"]', '"Unobtainium"]')}),
        c("study file empty", f"screen --study b.toml {sens}", {"b.toml": ""}),
        c("study file malformed TOML", f"screen --study b.toml {sens}", {"b.toml": '[study\nname = "x"\n'}),
        c("study file random bytes", f"screen --study b.toml {sens}", {"b.toml": os.urandom(300)}),
        c("study file nonexistent", f"screen --study nope.toml {sens}"),
        c("study whose whole space is forbidden", f"screen --study b.toml {sens}",
          {"b.toml": study().replace('["Mg", "Ag"]', '["Hg"]\ninclude_carbon_only = false')}),
        c("study output escaping the folder", "screen --study b.toml --no-progress --no-plots",
          {"b.toml": study(study='output = "../../../../elsewhere/x"')}),
        c("study output = '/'", "screen --study b.toml --no-progress --no-plots", {"b.toml": study(study='output = "/"')}),
        c("study output through a symlink out of the folder", "screen --study b.toml --no-progress --no-plots",
          {"b.toml": study(study='output = "runs/x"')}, setup=symlinked_runs),
        c("screen into a folder of user files", f"screen --study s.toml {sens}", {**s, **USER_FILES}),
        c("screen --overwrite into a folder of user files", f"screen --study s.toml {sens} --overwrite", {**s, **USER_FILES}),
        c("screen --resume in a folder of user files", f"screen --study s.toml {sens} --resume", {**s, **USER_FILES}),
        c("screen --resume with no run", f"screen --study s.toml {sens} --resume", s),
        c("screen again on a finished run (no flag): replaced, the earlier kept", f"screen --study s.toml {sens}", s,
          setup=copy_run("out"), expect="ok", allowed="out",
          verify=lambda w: "" if (w / "out.prev" / "run.json").is_file() and (w / "out" / "run.json").is_file()
          else "the earlier run was not kept in out.prev"),
        c("screen --resume with a changed space", f"screen --study b.toml {sens} --resume",
          {"b.toml": study().replace('"Ag"]', '"Ag", "Zn"]')}, setup=copy_run("out")),
        c("screen --resume with changed conditions and range", f"screen --study b.toml {sens} --resume --trials 20",
          {"b.toml": study(space="metal_nm = [1000.0, 4000.0]", tail="[cell]\ncurrent_ma_cm2 = 3.0\n")}, setup=copy_run("out")),
        c("screen --output unwritable", f"screen --study s.toml --no-progress --no-plots --output {UNWRITABLE}", s),
        c("screen --output naming a file", "screen --study s.toml --no-progress --no-plots --output afile.txt", {**s, "afile.txt": "x"}),
        c("screen --storage unknown scheme", f"screen --study s.toml {sens} --storage bogus://x", s),
        c("screen --storage unreachable, password in URL", f"screen --study s.toml {sens} --storage "
          "postgresql://nobody:s3cr3tpw@127.0.0.1:1/none", s, forbid="s3cr3tpw"),
        c("screen --model 99", f"screen --study s.toml {sens} --model 99", s),
        # sensitivity, suggest, compare, tradeoff, rank-diff
        c("sensitivity --n-base 100", f"sensitivity --study s.toml {sens} --n-base 100", s),
        c("sensitivity --n-base abc", f"sensitivity --study s.toml {sens} --n-base abc", s),
        c("sensitivity --seed -1", f"sensitivity --study s.toml {sens} --seed -1", s),
        c("sensitivity --output unwritable", f"sensitivity --study s.toml --no-progress --output {UNWRITABLE}", s),
        c("suggest --n 0", f"suggest --study s.toml {sens} --n 0", s),
        c("suggest --budget-usd nan", f"suggest --study s.toml {sens} --budget-usd nan", s),
        c("suggest --budget-usd 1e-12", f"suggest --study s.toml {sens} --budget-usd 1e-12", s),
        c("suggest --output unwritable", f"suggest --study s.toml --no-progress --output {UNWRITABLE}", s),
        c("compare with a screen study", f"compare --study s.toml {sens}", s),
        c("compare unknown record_id", f"compare --study b.toml {sens}",
          {"b.toml": (STUDIES / "seed_mg_c.toml").read_text().replace('"WU26-a"', '"NOPE-1"')}),
        c("compare --output unwritable", f"compare --study {STUDIES / 'seed_mg_c.toml'} --no-progress --output {UNWRITABLE}"),
        c("tradeoff with a screen study", f"tradeoff --study s.toml {sens}", s),
        c("tradeoff --output unwritable", f"tradeoff --study {STUDIES / 'thickness_tradeoff.toml'} --no-progress --output {UNWRITABLE}"),
        c("rank-diff --top -3", "rank-diff a b --top -3", setup=copy_run("a", "b")),
        c("rank-diff nonexistent folders", "rank-diff nope1 nope2"),
        c("rank-diff folders holding no run", "rank-diff e1 e2", {"e1/x.txt": "x", "e2/x.txt": "x"}),
        c("rank-diff corrupted ranking.csv", "rank-diff a b", setup=copy_run("a", "b", ranking='rank,metal\n1,"Mg\n')),
        c("models list --model-dir naming a file", "models list --model-dir afile.txt", {"afile.txt": "x"}),
        # issue 28: interruptions, crafted run files, impossible values, files too large
        c("screen --resume --overwrite", f"screen --study s.toml {sens} --resume --overwrite", s),
        c("screen --resume, study.json a list", f"screen --study s.toml {sens} --resume",
          s | {"out/study.journal": "", "out/study.json": "[1, 2]"}),
        c("study file nested 100k deep", f"screen --study deep.toml {sens}", {"deep.toml": "a = " + "[" * 100_000 + "]" * 100_000}),
        c("study file of 2 MB", f"screen --study big.toml {sens}", {"big.toml": study() + "# " + "x" * 2_000_000 + "\n"}),
        c("study output starting with ~", "screen --study t.toml --no-progress --no-plots",
          {"t.toml": study(study='output = "~/elsewhere"')}),
        c("study name of 300 characters", f"screen --study n.toml {sens}", {"n.toml": study().replace('"tiny"', '"' + "n" * 300 + '"')}),
        c("retrain current density 0", "retrain f.csv", {"f.csv": fresh({"current_density_mA_cm2": "0"})}),
        c("retrain stack pressure 1e9 MPa", "retrain f.csv", {"f.csv": fresh({"stack_pressure_MPa": "1e9"})}),
        c("retrain areal capacity 0", "retrain f.csv", {"f.csv": fresh({"areal_capacity_mAh_cm2": "0"})}),
        c("retrain overpotential 1e7 mV", "retrain f.csv", {"f.csv": fresh({"nucleation_overpotential_mV": "1e7"})}),
        c("retrain CCD interval inverted", "retrain f.csv",
          {"f.csv": fresh({"ccd_lower_mA_cm2": "2.5", "ccd_upper_mA_cm2": "2.0"})}),
        c("retrain file of 3 MB", "retrain f.csv", {"f.csv": fresh({}) + "# " + "x" * 3_000_000 + "\n"}),
        c("predict at absolute zero", "predict --metal Mg --carbon c60_film --temperature-c -273.15"),
        c("predict particle size 0", "predict --metal Mg --carbon c60_film --carbon-particle-nm 0"),
        c("predict current 0", "predict --metal Mg --carbon c60_film --current-ma-cm2 0"),
        c("models delete 0", "models delete 0"),
        c("models default 99", "models default 99"),
    ]
    for kind in reg:
        target = f"{kind.partition('-')[2]}.json"
        out += [
            c(f"predict, registry {kind}", "predict --metal Mg --carbon c60_film", setup=damage(kind)),
            c(f"screen, registry {kind}", f"screen --study s.toml {sens}", s, setup=damage(kind)),
            c(f"retrain, registry {kind}", "retrain f.csv", {"f.csv": fresh({})}, setup=damage(kind)),
            c(f"models list, registry {kind}", "models list", setup=damage(kind), expect="report", needle=target),
        ]
    return out


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(root: Path, base: Path) -> dict[str, str]:
    """Every path under root (relative to base) -> its sha256, 'dir' or the link target; links are not followed."""
    out: dict[str, str] = {os.path.relpath(root, base): "dir"}
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            p = Path(d) / name
            key = os.path.relpath(p, base)
            out[key] = f"link:{os.readlink(p)}" if p.is_symlink() else "dir" if p.is_dir() else sha(p)
    return out


def changes(before: dict[str, str], after: dict[str, str], label: str = "") -> list[str]:
    """What was modified, deleted or created (a new folder stands for everything in it)."""
    out = [f"modified {label}{k}" for k in before if k in after and after[k] != before[k]]
    out += [f"deleted {label}{k}" for k in before if k not in after]
    out += [f"new {label}{k}" for k in after if k not in before and (os.path.dirname(k) or ".") in before]
    return out


WATCHED = (Path("/"), REPO, REPO / "runs")  # folders where a new entry means the command wrote outside its case


def entries() -> set[Path]:
    return {d / n for d in WATCHED if d.is_dir() for n in os.listdir(d)}


def run_case(case: Case, root: Path, env: dict[str, str], timeout: float) -> dict[str, object]:
    work = root / WORK
    work.mkdir(parents=True)
    shutil.copytree(FIXTURES / "models", work / "models")
    for rel, content in case.files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_bytes(content if isinstance(content, bytes) else content.encode())
    if case.setup:
        case.setup(work)
    case_env = env | {"INTERLAYER_MODEL_DIR": str(work / "models")}
    if case.pythonpath:
        case_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(work), env.get("PYTHONPATH")]))
    before, data_before, entries_before = snapshot(root, work), snapshot(DATASETS, DATASETS), entries()
    t0 = time.perf_counter()
    try:
        res = subprocess.run([*INTERLAYER, *case.argv], cwd=work, env=case_env, capture_output=True, text=True, timeout=timeout)
        code: int | str = res.returncode
        stdout, stderr = res.stdout, res.stderr
    except subprocess.TimeoutExpired as exc:
        code = "timeout"
        stdout, stderr = [x.decode() if isinstance(x, bytes) else (x or "") for x in (exc.stdout, exc.stderr)]
    seconds = time.perf_counter() - t0
    changed = [ch for ch in changes(before, snapshot(root, work)) if not (case.allowed and ch.split(" ", 1)[1].startswith(case.allowed))]
    changed += changes(data_before, snapshot(DATASETS, DATASETS), "datasets/")
    changed += [f"new {p}" for p in sorted(entries() - entries_before)]
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    traceback = "Traceback" in stdout + stderr
    problem = case.verify(work) if case.verify and code == 0 else ""
    clean = not changed and not traceback and not (case.forbid and case.forbid in stdout + stderr)
    one_line = code == 2 and len(lines) == 1
    as_expected = clean and not problem and {
        "error": one_line,
        "warn": code == 0 and case.needle in stderr,
        "report": (code == 0 and case.needle in stdout) or one_line,
        "ok": code == 0,
    }[case.expect]
    message = (lines[-1] if lines else (problem or (stdout.strip().splitlines() or [""])[-1])).replace(f"{work}{os.sep}", "")
    return {"case": case.name, "command": "interlayer " + shlex.join(case.argv), "expect": case.expect, "exit": code,
            "traceback": traceback, "stderr_lines": len(lines), "one_line": one_line, "message": message,
            "changed": changed, "verify_problem": problem, "as_expected": as_expected, "seconds": round(seconds, 1),
            "files": sorted(case.files), "setup": case.setup.__name__ if case.setup else "",
            "stdout_tail": stdout[-1500:], "stderr_tail": stderr[-3000:]}


def build_fixtures(env: dict[str, str]) -> None:
    """Model registry version 0 and one finished tiny run, made once and copied into the cases that need them."""
    (FIXTURES / "s.toml").write_text(study())
    for argv in (["predict", "--metal", "Mg", "--carbon", "c60_film", "--model-dir", str(FIXTURES / "models")],
                 ["screen", "--study", str(FIXTURES / "s.toml"), "--output", str(FIXTURES / "run"), "--no-progress",
                  "--no-plots", "--model-dir", str(FIXTURES / "models")]):
        res = subprocess.run([*INTERLAYER, *argv], cwd=FIXTURES, env=env, capture_output=True, text=True)
        if res.returncode != 0:
            sys.exit(f"fixture command failed: {shlex.join(argv)}\n{res.stderr}")
    (FIXTURES / "run" / ".interlayer.lock").unlink(missing_ok=True)


def cell(text: object, width: int = 180) -> str:
    s = str(text).replace("|", "\\|").replace("\n", " ")
    return s if len(s) <= width else s[: width - 1] + "…"


def report(results: list[dict[str, object]]) -> str:
    rows = ["| # | case | command | expected | exit | one line? | changed anything? | as expected | message |",
            "|---|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(results, 1):
        changed = "; ".join(r["changed"]) or "no"  # type: ignore[arg-type]
        one = "yes" if r["one_line"] else f"no ({r['stderr_lines']} lines{', Traceback' if r['traceback'] else ''})"
        rows.append(f"| {i} | {cell(r['case'])} | `{cell(r['command'], 140)}` | {r['expect']} | {r['exit']} | {one} | "
                    f"{cell(changed)} | {'yes' if r['as_expected'] else '**NO**'} | {cell(r['message'])} |")
    bad = [r for r in results if not r["as_expected"]]
    out = ["\n".join(rows), ""]
    if bad:
        out.append("## Cases not as expected\n")
        for r in bad:
            out.append(f"### {r['case']}\n\n`{r['command']}` (files: {', '.join(r['files']) or 'none'}; setup: "  # type: ignore[arg-type]
                       f"{r['setup'] or 'none'}) -> exit {r['exit']}, changed: {'; '.join(r['changed']) or 'nothing'}"  # type: ignore[arg-type]
                       f"{', ' + str(r['verify_problem']) if r['verify_problem'] else ''}\n\n```\n"
                       f"{str(r['stderr_tail']).strip() or str(r['stdout_tail']).strip()}\n```\n")
    return "\n".join(out)


def summary(results: list[dict[str, object]]) -> str:
    k = sum(1 for r in results if r["one_line"])
    m = sum(1 for r in results if r["changed"])
    ok = sum(1 for r in results if r["as_expected"])
    return f"{len(results)} cases, {k} exit 2 with one line, {m} changed something ({ok} of {len(results)} as expected)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, help="also write the results here as JSON")
    ap.add_argument("-k", default="", help="run only the cases whose name contains this text")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per case (default 300)")
    args = ap.parse_args()
    global FIXTURES
    session = Path(tempfile.mkdtemp(prefix="interlayer-audit-"))
    FIXTURES = session / "fixtures"
    home = session / "home"
    for d in (FIXTURES, home / ".cache", home / ".local" / "share", home / ".config", session / "cache", session / "computed"):
        d.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERLAYER_")} | {
        "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"), "MPLCONFIGDIR": str(home / ".config" / "matplotlib"),
        "INTERLAYER_CACHE_DIR": str(session / "cache"), "INTERLAYER_COMPUTED_DIR": str(session / "computed"),
        "PYTHONDONTWRITEBYTECODE": "1"}
    t0 = time.perf_counter()
    try:
        build_fixtures(env)
        selected = [case for case in cases() if args.k in case.name]
        results = []
        for i, case in enumerate(selected, 1):
            results.append(run_case(case, session / f"case{i:03d}", env, args.timeout))
            r = results[-1]
            print(f"[{i}/{len(selected)}] {case.name}: exit {r['exit']}, {r['seconds']} s"
                  f"{'' if r['as_expected'] else '  <-- not as expected'}", file=sys.stderr)
    finally:
        shutil.rmtree(session, ignore_errors=True)
    print(report(results))
    print(summary(results) + f"; {time.perf_counter() - t0:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary(results), "cases": results}, indent=1))
    return 0 if all(r["as_expected"] for r in results) else 1


FIXTURES = Path()  # set by main(): the session's fixture folder
_bin = Path(sys.executable).with_name("interlayer")
INTERLAYER = [str(_bin)] if _bin.is_file() else [sys.executable, "-m", "screen.cli"]

if __name__ == "__main__":
    sys.exit(main())
