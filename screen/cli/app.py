"""The ``interlayer`` command line: the parser assembled from one small builder per command, and ``main``.

Commands live by what they act on (:mod:`.descriptor_commands`, :mod:`.model_commands`,
:mod:`.calibrate_command`, :mod:`.study_commands`); each is a
thin layer over the Python API. Heavy libraries (pandas, pymatgen, scipy, optuna) are imported inside the commands, so
``interlayer --help`` starts fast. Every user error exits with status 2 and one line on stderr; nothing is written then.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from screen.cli import calibrate_command, descriptor_commands, model_commands, study_commands
from screen.cli.common import EXIT_INPUT, Parser

#: Exit status after Ctrl-C or SIGTERM (128 + SIGINT, the shell's convention).
EXIT_INTERRUPTED = 130
#: Exit status when the system refused a write (disk full, quota, read-only, permission).
EXIT_SYSTEM = 1


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
    calibrate_command.add_calibrate(sub)
    descriptor_commands.add_compute_binaries(sub)
    model_commands.add_predict(sub)
    model_commands.add_retrain(sub)
    study_commands.add_screen(sub)
    study_commands.add_sensitivity(sub)
    study_commands.add_compare(sub)
    study_commands.add_tradeoff(sub)
    study_commands.add_suggest(sub)
    study_commands.add_rank_diff(sub)
    study_commands.add_schema(sub)
    model_commands.add_models(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``interlayer`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    import errno

    from descriptors.errors import DataIntegrityError, InputError
    from screen.model.registry import announce_loads

    announce_loads(True)  # a command that succeeds says which model version it used
    restore = _stop_on_sigterm()
    try:
        code = int(args.func(args))
        for line in announce_loads(True):
            sys.stderr.write(f"interlayer: used {line}\n")
        return code
    except (InputError, DataIntegrityError) as exc:
        # one line, whatever the message quotes (a CSV cell may hold a line break)
        one_line = str(exc).replace("\r", "\\r").replace("\n", "\\n")
        sys.stderr.write(f"interlayer: error: {one_line}\n")
        return EXIT_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("interlayer: interrupted; nothing half-written was kept (a screening run continues with --resume)\n")
        return EXIT_INTERRUPTED
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        sys.stderr.write(f"interlayer: error: {exc.strerror}{where}; nothing half-written was kept, free space or "
                         "choose another folder and run again (a screening run continues with --resume)\n")
        return EXIT_SYSTEM
    except Exception as exc:
        if type(exc).__name__ == "WorkerDied":  # a screening worker killed from outside: its message says what to do
            sys.stderr.write(f"interlayer: error: {exc}\n")
            return EXIT_SYSTEM
        if type(exc).__name__ != "StorageInternalError":  # optuna's, when the study database goes away mid-run
            raise
        first = (str(exc).strip().splitlines() or [""])[0][:160]
        sys.stderr.write(f"interlayer: error: the study database stopped answering ({first}); this worker's running "
                         "trials stay RUNNING and are run again by --resume once the database is back\n")
        return EXIT_SYSTEM
    finally:
        announce_loads(False)
        restore()


def _stop_on_sigterm() -> Callable[[], None]:
    """Make SIGTERM stop a command the way Ctrl-C does (its workers are stopped and its outputs left whole), instead of
    killing the process and orphaning them; returns what puts the previous handler back."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore
