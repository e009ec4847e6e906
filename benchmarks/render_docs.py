"""Rewrite every figure the documents quote from a run, from the runs' own results.

Two kinds of generated text, each written by a provider in ``benchmarks/docfigures/`` from
``benchmarks/results/*.json`` (what the benchmark and study runs wrote) or computed from the package in seconds:

* a block, a table or paragraph between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->``;
* a value inside a sentence, ``<!-- v: NAMESPACE.KEY -->0.56<!-- /v -->`` (the comments do not show when the
  Markdown is rendered).

A marker written inside backticks (as in this docstring's own examples in the docs) is text, not a figure.

``python benchmarks/render_docs.py`` rewrites every one of them in README.md, docs/*.md and studies/README.md;
``--check`` rewrites nothing and exits 1 naming each figure that differs (``tests/test_docs_numbers.py`` runs it), so a
re-run benchmark and the prose that quotes it cannot drift apart unseen. Figures of superseded models (the "History"
sections) are dated records of runs whose code no longer exists and are not generated.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

from docfigures import BLOCKS, VALUES
from docfigures.common import ROOT, MissingResult

from descriptors.atomic import atomic_target

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "studies" / "README.md"]
_BLOCK = re.compile(r"(?<!`)(<!-- generated: (?P<name>[\w-]+) -->)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.S)
_EMPTY_IN_CODE = re.compile(r"`<!-- v: [\w.\-]+ --><!-- /v -->`")
_LINE_START = re.compile(r"\s*<!-- v: ")
_VALUE = re.compile(r"(?<!`)(<!-- v: (?P<name>[\w.\-]+) -->)(?P<body>.*?)(<!-- /v -->)")


class Renderer:
    """Resolves block and value names; each value namespace's provider runs at most once."""

    def __init__(self) -> None:
        self._values: dict[str, dict[str, str]] = {}

    def value(self, name: str) -> str:
        namespace, _, key = name.partition(".")
        if namespace not in VALUES:
            raise KeyError(f"unknown value namespace '{namespace}' (known: {', '.join(sorted(VALUES))})")
        if namespace not in self._values:
            self._values[namespace] = VALUES[namespace]()
        if key not in self._values[namespace]:
            raise KeyError(f"value '{name}' is not provided (its namespace has: {', '.join(self._values[namespace])})")
        return self._values[namespace][key]

    def block(self, name: str) -> str:
        if name not in BLOCKS:
            raise KeyError(f"unknown generated block '{name}' (known: {', '.join(sorted(BLOCKS))})")
        return "\n" + BLOCKS[name]() + "\n"

    def render(self, text: str, path: Path) -> tuple[str, list[str]]:
        """``text`` with every block and value rewritten, and a line for each one that changed."""
        changed: list[str] = []
        rel = path.relative_to(ROOT)
        for number, line in enumerate(text.splitlines(), 1):
            if _EMPTY_IN_CODE.search(line):
                raise SystemExit(f"{rel}:{number}: a value marker inside backticks is code, never rendered: put the "
                                 "backticks in the provider's text instead")
            if _LINE_START.match(line):
                raise SystemExit(f"{rel}:{number}: a value marker starts the line; Markdown would read it as a block of "
                                 "HTML and break the paragraph there: move a word of the sentence in front of it")

        def sub(kind: str, produce: Callable[[str], str]) -> Callable[[re.Match[str]], str]:
            def one(m: re.Match[str]) -> str:
                name = m.group("name")
                try:
                    body = produce(name)
                except (KeyError, MissingResult) as exc:
                    line = text.count("\n", 0, m.start()) + 1
                    raise SystemExit(f"{rel}:{line}: {kind} '{name}': {exc.args[0]}") from None
                if body != m.group("body"):
                    changed.append(f"{rel}: {kind} '{name}': {m.group('body').strip()[:60]!r} -> {body.strip()[:60]!r}")
                return m.group(1) + body + m.group(4)
            return one

        text = _BLOCK.sub(sub("block", self.block), text)
        text = _VALUE.sub(sub("value", self.value), text)
        return text, changed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="rewrite nothing; exit 1 if a figure differs from the results")
    args = ap.parse_args()
    renderer, stale = Renderer(), []
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        new, changed = renderer.render(text, path)
        stale += changed
        if changed and not args.check:
            with atomic_target(path) as tmp:
                tmp.write_text(new, encoding="utf-8")
    for line in stale:
        print(("stale: " if args.check else "rewritten: ") + line, file=sys.stderr)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
