"""The CHGNet structure cache: validation row by row, atomic writes, nothing lost."""

from __future__ import annotations

import pytest

from descriptors.errors import InputError
from descriptors.mlip.structure_cache import COLUMNS, StructureCache, read_cache, to_csv_text


def _row(key="B2:LiMg", metal="Mg", energy=-2.0, status="ok", converged=True, role="compound"):
    return {"metal": metal, "key": key, "role": role, "prototype": key.split(":")[0], "parent_lattice": "bcc", "formula": "Li1Mg1",
            "reduced_formula": "LiMg", "n_atoms": 2, "x_li": 0.5, "energy_eV_atom": energy, "volume_A3_atom": 20.0,
            "converged": converged, "n_steps": 12, "fmax_final_eV_A": 0.01, "spacegroup_initial": "Pm-3m",
            "spacegroup_final": "Pm-3m", "status": status, "settings": "fmax=0.05;steps=400", "potential": "CHGNet",
            "potential_version": "0.3.0", "chgnet_version": "0.4.2", "torch_version": "2.13.0+cpu", "seconds": 1.0,
            "computed_utc": "2026-11-24T00:00:00Z", "cache_schema": 1, "value_origin": "computed-here",
            "source": "computed-here with CHGNet 0.3.0 (doi:10.1038/s42256-023-00716-3)"}


def test_round_trip_and_atomic_save(tmp_path):
    path = tmp_path / "cache.csv"
    c = StructureCache(path)
    c.add(_row())
    c.add(_row("L1_0:LiMg", energy=-1.9))
    c.save()
    again = read_cache(path)
    assert not again.rejected and len(again.rows) == 2
    assert again.rows[0]["converged"] is True and again.rows[0]["energy_eV_atom"] == -2.0
    assert [p.name for p in tmp_path.iterdir()] == ["cache.csv"]  # no temporary file left behind


def test_torn_and_bad_rows_are_flagged_kept_aside_and_the_rest_survives(tmp_path):
    path = tmp_path / "cache.csv"
    text = to_csv_text([_row(), _row("L1_0:LiMg", energy=-1.9), _row("C15:LiMg2", energy=-1.95)])
    lines = text.splitlines()
    i = next(n for n, line in enumerate(lines) if "L1_0:LiMg" in line)
    assert i == 3
    lines[i] = lines[i].replace(",-1.9,", ",abc,")  # non-numeric energy on an "ok" row
    lines.append(lines[1][:40])  # a torn last line (interrupted append)
    path.write_text("\n".join(lines) + "\n")
    contents = read_cache(path)
    assert len(contents.rows) == 2 and [r[0] for r in contents.rejected] == [4, 5]
    assert "energy_eV_atom" in contents.rejected[0][1] and "torn" in contents.rejected[1][1]
    assert all("line" in m and "compute-binaries" in m for m in contents.messages())
    cache = StructureCache(path)  # opening for extension keeps the bad lines beside the cache
    side = path.with_name(path.name + ".rejected.csv")
    assert side.is_file() and "abc" in side.read_text()
    cache.save()
    assert len(read_cache(path).rows) == 2 and not read_cache(path).rejected


def test_not_a_cache_is_refused_and_left_untouched(tmp_path):
    wrong = tmp_path / "other.csv"
    wrong.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="header"):
        StructureCache(wrong)
    assert wrong.read_text() == "a,b\n1,2\n"
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not a text file"):
        read_cache(binary)
    assert binary.read_bytes() == b"\xff\xfe\x00garbage"


def test_validation_rules(tmp_path):
    from descriptors.mlip.structure_cache import _cell, _validate

    path = tmp_path / "cache.csv"
    c = StructureCache(path)
    c.add(_row(status="not converged in 400 steps (residual 0.200 eV/A)", converged=False))
    c.add(_row("B32:LiMg", status="failed: ValueError: x", converged=False, energy=float("nan")))
    c.save()
    assert len(read_cache(path).rows) == 2  # flagged rows are kept, with their status
    assert not c.has("Mg", "B32:LiMg", "fmax=0.05;steps=400", "0.3.0")  # a failed row is retried
    assert c.has("Mg", "B2:LiMg", "fmax=0.05;steps=400", "0.3.0")
    assert not c.has("Mg", "B2:LiMg", "fmax=0.02;steps=400", "0.3.0")  # other settings: not the same row
    for r, col in ((_row(metal="Xx"), "metal"), (_row(role="alloy"), "role"), (_row(converged=False), "status 'ok'"),
                   (_row(energy=float("nan")), "energy_eV_atom")):
        with pytest.raises(ValueError, match=col):
            _validate({k: _cell(r[k]) for k in COLUMNS})
