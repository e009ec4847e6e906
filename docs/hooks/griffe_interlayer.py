"""Griffe extensions that let the API reference read this project's sources as Python does.

``LazyExports``: a package that re-exports lazily (``descriptors.lazy.lazy_exports``) names its public API in an
``_EXPORTS = {name: submodule}`` dict and sets ``__all__ = sorted(_EXPORTS)``, which static analysis cannot evaluate.
The extension reads the dict and gives the package one alias per name (``screen.search.load_study`` ->
``screen.search.spec.load_study``) and that list as its exports, so ``::: screen.search`` renders every public name
with its real signature and docstring.

``CommentDocstrings``: module and class constants are documented with Sphinx's ``#:`` comments on the lines above
them; an attribute without a docstring takes those lines as its docstring.

``SphinxRoles``: docstrings name objects with Sphinx roles (``:func:`load_study```, ``:mod:`.spec```), which Markdown
would print as they stand; they are shown as code (``~a.b.c`` as ``c``, as Sphinx does).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

import griffe


def _walk(obj: griffe.Module | griffe.Class) -> Iterator[griffe.Module | griffe.Class]:
    """Yield ``obj`` and every module and class under it (aliases excluded)."""
    yield obj
    for member in obj.members.values():
        if not member.is_alias and (member.is_module or member.is_class):
            yield from _walk(member)


class LazyExports(griffe.Extension):
    """Turn each package's ``_EXPORTS`` map into aliases and exports."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for mod in _walk(pkg):
            exports = mod.members.get("_EXPORTS")
            if not mod.is_module or exports is None or exports.is_alias or not isinstance(exports.value, griffe.ExprDict):
                continue
            names = []
            for key, submodule in zip(exports.value.keys, exports.value.values, strict=True):
                name, sub = ast.literal_eval(str(key)), ast.literal_eval(str(submodule))
                mod.set_member(name, griffe.Alias(name, f"{mod.path}.{sub}.{name}", parent=mod, lineno=exports.lineno))
                names.append(name)
            mod.exports = sorted(names)


class CommentDocstrings(griffe.Extension):
    """Give an attribute without a docstring the text of the ``#:`` comment lines just above it."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _walk(pkg):
            for attr in obj.attributes.values():
                if attr.is_alias or attr.docstring is not None or not attr.lineno:
                    continue
                lines = attr.lines_collection[attr.filepath]
                first = attr.lineno - 1
                while first > 0 and lines[first - 1].lstrip().startswith("#:"):
                    first -= 1
                comment = [ln.lstrip()[2:].strip() for ln in lines[first:attr.lineno - 1]]
                if comment:
                    attr.docstring = griffe.Docstring("\n".join(comment), lineno=first + 1, parent=attr)


_ROLE = re.compile(r":(?:attr|class|data|func|meth|mod):`(~?)([^`]+)`")


def _role_as_code(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"


class SphinxRoles(griffe.Extension):
    """Show ``:role:`target``` in docstrings as the code span ``target``."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _walk(pkg):
            for member in (obj, *obj.members.values()):
                if not member.is_alias and member.docstring is not None:
                    member.docstring.value = _ROLE.sub(_role_as_code, member.docstring.value)
