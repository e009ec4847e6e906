"""The model registry keeps only whole versions: a write killed half-way leaves a hidden staging folder, which the
next write removes once it is clearly abandoned; a live writer's folder is left alone."""

from __future__ import annotations

import os
import time

from screen.model.registry import ModelRegistry


def test_a_killed_writes_staging_folder_is_cleared_by_the_next_write(tmp_path, registry):
    pipeline, meta = registry.load(0)
    reg = ModelRegistry(tmp_path / "models")
    reg.root.mkdir()
    abandoned, live = reg.root / ".v1-killed", reg.root / ".v2-writing"
    abandoned.mkdir()
    live.mkdir()
    old = time.time() - 3600
    os.utime(abandoned, (old, old))
    version = reg.save(pipeline, meta)
    assert version == 0 and (reg.root / "v0" / "model.json").is_file()
    assert not abandoned.exists() and live.exists()
    assert reg.load(0)[0].named_steps["gap"].params_ == pipeline.named_steps["gap"].params_


def test_a_default_model_written_by_other_model_code_is_rebuilt_not_refused(tmp_path, registry, monkeypatch):
    """An upgrade that changes the model's parameters must rebuild version 0, not leave a default the new code cannot
    read (seen: "saved model has different parameters than this version")."""
    import json

    import screen.model.registry as reg_mod

    pipeline, meta = registry.load(0)
    reg = ModelRegistry(tmp_path / "models")
    reg.save(pipeline, meta | {"model_code_sha256": "written-by-an-older-version"}, version=0)
    state = json.loads((reg.root / "v0" / "model.json").read_text())
    state["gap"]["parameter_names"] = ["a_parameter_that_no_longer_exists"]
    (reg.root / "v0" / "model.json").write_text(json.dumps(state))
    rebuilt = []
    monkeypatch.setattr(reg_mod, "fit_and_evaluate", lambda ts, progress=False: (rebuilt.append(1) or pipeline, dict(meta)))
    loaded, _ = reg.load(0)
    assert rebuilt and loaded.named_steps["gap"].params_ == pipeline.named_steps["gap"].params_


def _save_many(root: str, n: int, start, results) -> None:
    """Worker: save ``n`` versions into ``root`` as fast as possible (a copy of version 0)."""
    reg = ModelRegistry(root)
    pipeline, meta = reg.load(0)
    start.wait()
    results.put([reg.save(pipeline, meta | {"description": f"pid {os.getpid()}"}) for _ in range(n)])


def test_two_processes_saving_at_once_lose_no_version_and_share_it_readably(tmp_path, registry):
    """Two processes each save 15 versions concurrently: 30 distinct versions exist afterwards, each a whole version,
    and the folders are readable by other users (the umask, not 0700)."""
    import multiprocessing as mp
    import shutil

    root = tmp_path / "models"
    shutil.copytree(registry.root, root)
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_save_many, args=(str(root), 15, start, results)) for _ in range(2)]
    for p in procs:
        p.start()
    start.set()
    saved = [v for _ in procs for v in results.get(timeout=300)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    reg = ModelRegistry(root)
    assert sorted(saved) == list(range(1, 31)) and reg.versions() == list(range(31))
    assert all(reg.check(v)[0] == "ok" for v in reg.versions())
    mask = os.umask(0)
    os.umask(mask)
    assert (root / "v7").stat().st_mode & 0o777 == 0o777 & ~mask


def test_a_damaged_default_pointer_is_one_line(tmp_path, registry):
    import shutil

    import pytest

    from descriptors.errors import InputError

    root = tmp_path / "models"
    shutil.copytree(registry.root, root)
    (root / "default.json").write_text("[1, 2]")
    with pytest.raises(InputError, match="default.json: not a valid default-version file"):
        ModelRegistry(root).load()
