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
