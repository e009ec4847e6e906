"""Figure providers for ``benchmarks/render_docs.py``: every number the documents quote from a run.

Each module defines ``VALUES`` (a namespace → a function returning ``{key: text}``; a document quotes
``<!-- v: namespace.key -->text<!-- /v -->``) and ``BLOCKS`` (a name → a function returning a Markdown block; a
document holds ``<!-- generated: name -->`` … ``<!-- end: name -->``). They read ``benchmarks/results/*.json`` (what
the benchmark and study runs wrote) or compute from the package itself where that takes seconds.
"""

from __future__ import annotations

from collections.abc import Callable

from . import campaigns, descriptors, model, screen, studies, validation

MODULES = (campaigns, model, screen, studies, validation, descriptors)

VALUES: dict[str, Callable[[], dict[str, str]]] = {}
BLOCKS: dict[str, Callable[[], str]] = {}
for _m in MODULES:
    for _name, _fn in _m.VALUES.items():
        assert _name not in VALUES, f"value namespace {_name!r} defined twice"
        VALUES[_name] = _fn
    for _name, _fn in _m.BLOCKS.items():
        assert _name not in BLOCKS, f"block {_name!r} defined twice"
        BLOCKS[_name] = _fn
