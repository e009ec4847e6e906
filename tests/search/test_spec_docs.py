"""The study file's keys as the documentation lists them and as ``interlayer schema`` gives them."""

from __future__ import annotations


def test_the_study_key_table_in_the_docs_is_the_schema(capsys):
    """docs/screening.md lists every study-file key as the schema has it (regenerate with `interlayer schema --format
    table`), and `interlayer schema` gives a JSON Schema that accepts the shipped default study."""
    import json
    import tomllib
    from pathlib import Path

    from screen.cli import main
    from screen.search.spec_docs import study_keys_markdown

    root = Path(__file__).resolve().parents[2]
    text = (root / "docs" / "screening.md").read_text(encoding="utf-8")
    block = text.split("<!-- study-keys:start -->\n", 1)[1].split("<!-- study-keys:end -->", 1)[0]
    assert block == study_keys_markdown()
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    default = tomllib.loads((root / "studies" / "default.toml").read_text(encoding="utf-8"))
    assert set(default) <= set(schema["properties"]) and schema["required"] == ["study"]
