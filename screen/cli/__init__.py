"""The ``interlayer`` command line (entry point :func:`main`); see :mod:`screen.cli.app`."""

from __future__ import annotations

from screen.cli.app import build_parser, main
from screen.cli.common import EXIT_INPUT

__all__ = ["EXIT_INPUT", "build_parser", "main"]
