"""The ``interlayer`` command line: the parser assembled from one small builder per command, and ``main``.

Commands live by what they act on (:mod:`.descriptor_commands`, :mod:`.model_commands`, :mod:`.study_commands`); each is a
thin layer over the Python API. Heavy libraries (pandas, pymatgen, scipy, optuna) are imported inside the commands, so
``interlayer --help`` starts fast. Every user error exits with status 2 and one line on stderr; nothing is written then.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from screen.cli import descriptor_commands, model_commands, study_commands
from screen.cli.common import EXIT_INPUT, Parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    p = Parser(
        prog="interlayer",
        description="Screen metal/carbon interlayers for anode-free solid-state Li batteries: "
        "descriptors computed from element data, validated against curated literature.",
        epilog="Every number in the outputs traces to datasets/ (with DOIs) or is marked computed-here. "
        "Bad input exits with status 2 and one line on stderr.",
    )
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("interlayer-screen")
    except PackageNotFoundError:  # pragma: no cover - source checkout without install
        ver = "unknown"
    p.add_argument("--version", action="version", version=f"interlayer-screen {ver}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    descriptor_commands.add_descriptors(sub)
    descriptor_commands.add_validate_descriptors(sub)
    descriptor_commands.add_hull(sub)
    descriptor_commands.add_carbon(sub)
    model_commands.add_calibrate(sub)
    descriptor_commands.add_compute_binaries(sub)
    model_commands.add_predict(sub)
    model_commands.add_retrain(sub)
    study_commands.add_screen(sub)
    study_commands.add_sensitivity(sub)
    study_commands.add_compare(sub)
    study_commands.add_tradeoff(sub)
    study_commands.add_suggest(sub)
    study_commands.add_rank_diff(sub)
    model_commands.add_models(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``interlayer`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    from descriptors.errors import DataIntegrityError, InputError

    try:
        return int(args.func(args))
    except (InputError, DataIntegrityError) as exc:
        # one line, whatever the message quotes (a CSV cell may hold a line break)
        one_line = str(exc).replace("\r", "\\r").replace("\n", "\\n")
        sys.stderr.write(f"interlayer: error: {one_line}\n")
        return EXIT_INPUT
