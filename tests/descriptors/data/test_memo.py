"""The descriptor disk memo: the same values as a fresh computation, a new file when the data change, nothing fatal
when the cache folder cannot be written."""

from __future__ import annotations

import json
import shutil

from descriptors.data import files, memo
from screen.model.cells import _metal_descriptors, metal_descriptors


def test_memo_returns_what_a_fresh_computation_gives(tmp_path, monkeypatch):
    monkeypatch.setenv(memo.CACHE_ENV, str(tmp_path))
    metal_descriptors.cache_clear()
    first = metal_descriptors("Sn")
    written = list(tmp_path.glob("metal_descriptors-*.json"))
    assert len(written) == 1 and '["Sn", "oqmd_legacy", 600.0]' in json.loads(written[0].read_text())
    metal_descriptors.cache_clear()
    assert metal_descriptors("Sn") == first == _metal_descriptors("Sn", "oqmd_legacy", 600.0)
    assert first["has_intermediate_phases"] is True  # Li-Sn: several compounds, from the hull, through the memo


def test_changed_data_start_a_new_memo_file(tmp_path, monkeypatch):
    monkeypatch.setenv(memo.CACHE_ENV, str(tmp_path / "cache"))
    before = memo.fingerprint()
    copy = tmp_path / "datasets"
    shutil.copytree(files.datasets_dir(), copy)
    meta = json.loads((copy / "metadata.json").read_text())
    meta["files"]["element_prices.csv"]["sha256"] = "0" * 64
    (copy / "metadata.json").write_text(json.dumps(meta))
    monkeypatch.setenv(files.DATASETS_ENV, str(copy))
    assert memo.fingerprint() != before


def test_an_unwritable_cache_folder_costs_only_the_recomputation(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(memo.CACHE_ENV, str(blocker / "cache"))
    metal_descriptors.cache_clear()
    assert metal_descriptors("Cu")["has_intermediate_phases"] is False  # Li-Cu: no compound
    metal_descriptors.cache_clear()

