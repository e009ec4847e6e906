"""The documented commands work: every shell line of ``README.md``, ``docs/*.md`` and ``studies/README.md`` inside a
fenced code block that starts with ``interlayer`` or ``python`` is run, or, where :data:`ONLY_PARSED` says why, checked
without running it.

A line is taken apart as a shell would: each part of ``a && b``, each alternative of ``interlayer carbon --x 1 | --y 2``
(completed with the words before the first option), trailing ``# comments`` dropped. Each code block runs in its own
folder holding a copy of ``studies/``, its lines in the order written, so a line may use what an earlier line of its
block made; :data:`PLACEHOLDERS`, :data:`SEEDS` and :data:`HOOKS` stand in for what the reader supplies. Every run line
runs as written, none shortened. Blocks run two commands at a time (see :class:`Zygote`) against a private copy of the
session's model registry (version 0 built once per test session); the whole file takes about 2 minutes on 2 cores.
"""

from __future__ import annotations

import csv
import heapq
import importlib.util
import itertools
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")), "studies/README.md"]
#: Info strings of the fenced blocks that hold shell lines.
SHELL_FENCES = ("bash", "sh", "shell", "console")

#: Lines checked without being run, by how the line starts (or an option it holds), and why. An ``interlayer`` line is
#: parsed by the real argument parser (``screen.cli.build_parser``); a ``python`` line's script or module must exist
#: and answer ``--help``.
ONLY_PARSED: dict[str, str] = {
    "interlayer calibrate": "the posterior plus nested leave-one-study-out validation: ~10 min with the full sampler, "
                            "over 3 min even with --sampler quick on 2 cores",
    "interlayer compute-binaries": "CHGNet relaxations need the optional .[mlip] extra (torch); .ci/run's mlip job runs one",
    "--storage postgresql://": "needs a PostgreSQL server (tests/workflows/test_screen.py runs the shared storage on CI's)",
    "python benchmarks/": "a benchmark: minutes of CPU, and it writes benchmarks/results/",
    "python -m descriptors.maintain": "rewrites the dataset hashes of the checkout (a maintainer's step)",
    "python -m pytest": "the test suite itself, which this test is part of",
}

#: What the reader supplies, as the docs name it -> what stands in for it here. ``N`` (after ``--model``) is the
#: version the block's last ``retrain`` printed.
PLACEHOLDERS = {
    "my.toml": "studies/default.toml",  # your study: the shipped, commented default study
    "my_cells.csv": "studies/examples/lab_cells_template.csv",  # your cells: the shipped template
}

#: Folders a line reads that another code block makes: line -> {folder here: (the line that makes it, its folder there)}.
SEEDS: dict[str, dict[str, tuple[str, str]]] = {
    # docs/studies.md compares two runs "e.g. after interlayer retrain": those of studies/README.md's round trip
    "interlayer rank-diff runs/default-v0 runs/default-v1": {
        "runs/default-v0": ("interlayer screen --study studies/default.toml --output runs/default-v0 --model 0", "runs/default-v0"),
        "runs/default-v1": ("interlayer screen --study studies/default.toml --output runs/default-new --model N", "runs/default-new"),
    },
    # the worked round trip compares with the default study's run (README's Quickstart)
    "interlayer rank-diff runs/default runs/default-round": {
        "runs/default": ("interlayer screen --study studies/default.toml", "runs/default"),
    },
}

#: Subcommands that never load a model (they need not wait for the registry).
MODEL_FREE = {"descriptors", "validate-descriptors", "hull", "carbon", "schema", "rank-diff"}
#: Subcommands whose repeated lines (same words, reading shipped files) run once: a refit takes ~20 s.
RUN_ONCE = {"retrain"}


def fill_in_outcomes(folder: Path) -> None:
    """What the worked round trip asks of the lab ("fill in li_location (and source ...)"), SIMULATED: every suggested
    cell plates under the carbon, the source a reserved example URL. Written only into the test's folder."""
    path = folder / "runs/default/suggest/to_retrain.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["li_location"] = "under_carbon"
        r["source"] = "https://example.org/ (SIMULATED outcome written by tests/test_docs_commands.py, not a measurement)"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


#: Steps the docs leave to the reader before a line: line -> what the test does in the block's folder.
HOOKS: dict[str, Callable[[Path], None]] = {"interlayer retrain runs/default/suggest/to_retrain.csv": fill_in_outcomes}


@dataclass(frozen=True)
class DocCommand:
    """One documented command: where it is written, the code block it belongs to, and its words."""

    doc: str
    line: int
    part: int  # 0 for the only command of its line, else 1, 2, ... (``&&`` parts and ``|`` alternatives)
    block: str  # "docs/cli.md:3", the code block's opening fence
    argv: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}" + (f"#{self.part}" if self.part else "")

    @property
    def text(self) -> str:
        return shlex.join(self.argv)


def _split(words: list[str], sep: str) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for w in words:
        if w == sep:
            parts.append([])
        else:
            parts[-1].append(w)
    return parts


def split_line(line: str) -> list[list[str]]:
    """The ``interlayer``/``python`` commands of one shell line."""
    cmds = []
    for part in _split(shlex.split(line.removeprefix("$ "), comments=True), "&&"):
        first, *alternatives = _split(part, "|")
        head = list(itertools.takewhile(lambda w: not w.startswith("-"), first))
        cmds += [first] + [head + a if a[:1] and a[0].startswith("-") else a for a in alternatives]
    return [c for c in cmds if c[:1] in (["interlayer"], ["python"])]


def collect() -> list[DocCommand]:
    """Every documented command, in the order of :data:`DOC_FILES` and of the lines."""
    out = []
    for doc in DOC_FILES:
        fence, shell = 0, False
        for no, raw in enumerate((ROOT / doc).read_text(encoding="utf-8").splitlines(), start=1):
            if raw.lstrip().startswith("```"):
                fence, shell = (0, False) if fence else (no, raw.strip()[3:].strip() in SHELL_FENCES)
                continue
            cmds = split_line(raw.strip()) if shell else []
            for k, argv in enumerate(cmds, start=1 if len(cmds) > 1 else 0):
                out.append(DocCommand(doc, no, k, f"{doc}:{fence}", tuple(argv)))
    return out


COMMANDS = collect()


def only_parsed(cmd: DocCommand) -> str | None:
    """Why a line is checked without running it, or None."""
    return next((why for key, why in ONLY_PARSED.items() if cmd.text.startswith(key) or f" {key}" in cmd.text), None)


def private_registry(session_root: Path, root: Path) -> None:
    """Version 0 of the session's registry, and versions 1-3 as copies of it: the registry that ``interlayer models
    default 2`` and ``interlayer models delete 3`` (docs/cli.md) assume. Private, since those lines change it."""
    shutil.copytree(session_root / "v0", root / "v0")
    for v in (1, 2, 3):
        shutil.copytree(root / "v0", root / f"v{v}")
        meta_file = root / f"v{v}" / "metadata.json"
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        meta |= {"version": v, "parent_version": 0, "description": "copy of v0 made by tests/test_docs_commands.py"}
        meta_file.write_text(json.dumps(meta, indent=2), encoding="utf-8")


#: The program of a zygote: import the libraries once, then for each request (one JSON line on stdin) fork a child
#: that runs ``screen.cli.main`` on the request's words in its folder, environment and output files and leaves through
#: the interpreter's normal shutdown; answer the child's pid, then its exit status.
ZYGOTE = r"""
import contextlib, json, os, sys
for name in sys.argv[1:]:
    with contextlib.suppress(ImportError):  # a module gone is only slower
        __import__(name)
for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, req["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (2, req["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            os.dup2(os.open(path, flags, 0o644), fd)
        from screen.cli import main
        sys.exit(main(req["argv"]))
    print(pid, flush=True)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""
#: What a zygote imports once: what most commands import (about 1.5 s of each command's time otherwise).
PRELOAD = ["pandas", "sklearn.pipeline", "pymatgen.core", "matplotlib.pyplot", "screen.cli", "screen.workflows.study",
           "descriptors.phases.featurizer", "descriptors.reactivity", "screen.model.registry"]
#: A command still running after this long is killed (and fails).
TIMEOUT_S = 600


class Zygote:
    """Runs commands as ``interlayer`` does, each in a process of its own forked from an interpreter that has the
    libraries imported: a fresh interpreter per command would spend a third of this test's time importing them. The
    ``interlayer`` script itself is run by tests/cli and by .ci/run's smoke runs."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE, *PRELOAD], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def run(self, argv: list[str], folder: Path, env: dict[str, str], out: Path, err: Path) -> int:
        """Exit status of ``interlayer *argv`` run in ``folder``; its stdout and stderr go to ``out`` and ``err``."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = {"argv": argv, "cwd": str(folder), "env": env, "out": str(out), "err": str(err)}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        timer = threading.Timer(TIMEOUT_S, os.kill, (int(self.proc.stdout.readline()), signal.SIGKILL))
        timer.start()
        try:
            return int(self.proc.stdout.readline())
        finally:
            timer.cancel()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


class Lanes:
    """Zygotes handed out by priority (lower first), then first come, first served."""

    def __init__(self, n: int) -> None:
        self._free = [Zygote() for _ in range(n)]
        self._waiting: list[tuple[int, int]] = []
        self._cond = threading.Condition()
        self._tickets = itertools.count()

    @contextmanager
    def lane(self, priority: int) -> Iterator[Zygote]:
        ticket = (priority, next(self._tickets))
        with self._cond:
            heapq.heappush(self._waiting, ticket)
            self._cond.wait_for(lambda: bool(self._free) and self._waiting[0] == ticket)
            heapq.heappop(self._waiting)
            zygote = self._free.pop()
            self._cond.notify_all()
        try:
            yield zygote
        finally:
            with self._cond:
                self._free.append(zygote)
                self._cond.notify_all()

    def close(self) -> None:
        for zygote in self._free:
            zygote.close()


class DocsRun:
    """Runs the documented commands, one thread per code block, at most two commands at a time."""

    def __init__(self, base: Path, env: dict[str, str]) -> None:
        self.base, self.env = base, env
        self.results: dict[str, Future] = {c.id: Future() for c in COMMANDS}
        self.model_ready = threading.Event()
        self.lanes = Lanes(2)  # two commands at a time
        # the blocks that refit the model (~20 s a refit, and later lines wait for it) go first
        self.priority = {c.block: 0 if any(d.argv[1:2] == ("retrain",) for d in COMMANDS if d.block == c.block) else 1
                         for c in COMMANDS}
        (base / "logs").mkdir()
        self._count = itertools.count()
        self._lock = threading.Lock()
        self._started: set[str] = set()
        self._once: dict[tuple[str, ...], Future] = {}

    def folder(self, block: str) -> Path:
        return self.base / re.sub(r"[^\w.]+", "_", block)

    def start(self, block: str) -> None:
        with self._lock:
            if block in self._started:
                return
            self._started.add(block)
        threading.Thread(target=self._run_block, args=(block,), daemon=True).start()

    def result(self, cmd: DocCommand) -> subprocess.CompletedProcess:
        self.start(cmd.block)
        return self.results[cmd.id].result()

    def _run_block(self, block: str) -> None:
        folder = self.folder(block)
        shutil.copytree(ROOT / "studies", folder / "studies", ignore=shutil.ignore_patterns("figures", "__pycache__"))
        saved = ""  # the model version the block's last retrain saved: the docs' N
        for cmd in (c for c in COMMANDS if c.block == block):
            try:
                if only_parsed(cmd):
                    self.results[cmd.id].set_result(None)
                    continue
                argv = [saved if w == "N" else PLACEHOLDERS.get(w, w) for w in cmd.argv]
                self._seed(cmd, folder)
                HOOKS.get(cmd.text, lambda _: None)(folder)
                res = self._run_once(argv, block) if argv[1] in RUN_ONCE else self._run(argv, block)
                printed = re.search(r"saved as model version (\d+)", res.stdout)
                saved = printed[1] if printed else saved
                self.results[cmd.id].set_result(res)
            except BaseException as exc:  # the test of this line reports it
                self.results[cmd.id].set_exception(exc)

    def _seed(self, cmd: DocCommand, folder: Path) -> None:
        for here, (line, there) in SEEDS.get(cmd.text, {}).items():
            maker = next(c for c in COMMANDS if c.text == line)  # test_the_tables_name_documented_lines checks it is there
            self.result(maker)
            shutil.copytree(self.folder(maker.block) / there, folder / here, dirs_exist_ok=True)

    def _run_once(self, argv: list[str], block: str) -> subprocess.CompletedProcess:
        with self._lock:
            first = tuple(argv) not in self._once
            fut = self._once.setdefault(tuple(argv), Future())
        if first:
            try:
                fut.set_result(self._run(argv, block))
            except BaseException as exc:
                fut.set_exception(exc)
        return fut.result()

    def _run(self, argv: list[str], block: str) -> subprocess.CompletedProcess:
        if argv[1] not in MODEL_FREE and "--help" not in argv:
            self.model_ready.wait()
        n = next(self._count)
        out, err = self.base / "logs" / f"{n}.out", self.base / "logs" / f"{n}.err"
        with self.lanes.lane(self.priority[block]) as zygote:
            code = zygote.run(argv[1:], self.folder(block), self.env, out, err)
        return subprocess.CompletedProcess(argv, code, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def docs_run(request, tmp_path_factory):
    """The blocks of the selected lines, started at once; model-free lines run while the session registry is built."""
    base = tmp_path_factory.mktemp("docs")
    run = DocsRun(base, os.environ | {"INTERLAYER_MODEL_DIR": str(base / "models")})
    selected = {item.callspec.params["cmd"].block for item in request.session.items
                if item.originalname == "test_documented_command"}
    for block in dict.fromkeys(c.block for c in COMMANDS if c.block in selected):
        run.start(block)
    try:
        private_registry(request.getfixturevalue("registry").root, base / "models")
    finally:
        run.model_ready.set()
    yield run
    run.lanes.close()


def check_without_running(cmd: DocCommand) -> None:
    """An ``interlayer`` line parses; a ``python`` line's script or module exists and answers ``--help``."""
    if cmd.argv[0] == "interlayer":
        from screen.cli import build_parser

        try:
            build_parser().parse_args(list(cmd.argv[1:]))
        except SystemExit as exc:
            pytest.fail(f"{cmd.text}: the parser refused it (exit {exc.code})")
        return
    if cmd.argv[1] == "-m":
        assert importlib.util.find_spec(cmd.argv[2]) is not None, f"{cmd.text}: no module {cmd.argv[2]}"
        target = ["-m", cmd.argv[2]]
    else:
        assert (ROOT / cmd.argv[1]).is_file(), f"{cmd.text}: {cmd.argv[1]} is not in the repository"
        target = [cmd.argv[1]]
    res = subprocess.run([sys.executable, *target, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "usage" in res.stdout.lower(), f"{cmd.text} --help:\n{res.stdout[-500:]}{res.stderr[-2000:]}"


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.id)
def test_documented_command(cmd, request):
    """The line exits with status 0 (and writes what its --plot/--output names), or is checked without running."""
    if only_parsed(cmd):
        check_without_running(cmd)
        return
    run = request.getfixturevalue("docs_run")
    res = run.result(cmd)
    assert res.returncode == 0, f"{cmd.text}\nran as: {shlex.join(res.args)}\n{res.stderr[-3000:]}"
    folder = run.folder(cmd.block)
    for opt, path in zip(res.args, res.args[1:]):
        if opt in ("--plot", "--output"):
            assert (folder / path).exists(), f"{cmd.text}: wrote no {path}"


def test_the_tables_name_documented_lines():
    """A line that moved in the docs must move here too (else a seed or hook would silently stop applying)."""
    texts = {c.text for c in COMMANDS}
    words = {w for c in COMMANDS for w in c.argv}
    assert all(any(key in c.text for c in COMMANDS) for key in ONLY_PARSED)
    assert set(SEEDS) | set(HOOKS) <= texts
    assert {line for seeds in SEEDS.values() for line, _ in seeds.values()} <= texts
    assert set(PLACEHOLDERS) <= words


def test_example_files_are_what_their_recipe_writes():
    """The example inputs' numbers come from where studies/examples/README.md says: its script writes them as shipped."""
    path = ROOT / "studies/examples/make_examples.py"
    spec = importlib.util.spec_from_file_location("make_examples", path)
    assert spec is not None and spec.loader is not None
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)
    for name, make in recipe.RECIPES.items():
        assert (path.parent / name).read_text(encoding="utf-8") == make(), f"run: python {path.relative_to(ROOT)}"
