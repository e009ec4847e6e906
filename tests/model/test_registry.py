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
