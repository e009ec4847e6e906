"""What every command shares: the one-line-error parser, number checks, output formats, the registry option."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, NoReturn

#: Exit status of a command refused for bad input (one line on stderr, nothing written).
EXIT_INPUT = 2
#: ``--format`` option shared by every command.
FORMAT: dict[str, Any] = dict(choices=["table", "csv", "json"], default="table", help="output format (default: table)")
REG_HELP = "model registry folder (default: $INTERLAYER_MODEL_DIR or ~/.local/share/interlayer-screen/models)"


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def finite(kind: str, *, positive: bool = False, nonneg: bool = False, maximum: float | None = None):
    """argparse type: a finite number, optionally positive / non-negative / at most ``maximum``."""

    def conv(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{kind} must be a number, got '{text}'") from None
        if not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"{kind} must be finite, got '{text}'")
        if positive and v <= 0:
            raise argparse.ArgumentTypeError(f"{kind} must be positive, got {text}")
        if nonneg and v < 0:
            raise argparse.ArgumentTypeError(f"{kind} must not be negative, got {text}")
        if maximum is not None and v > maximum:
            raise argparse.ArgumentTypeError(f"{kind} must be at most {maximum:g}, got {text}")
        return v

    conv.__name__ = kind
    return conv


def integer(kind: str, *, minimum: int | None = None, maximum: int | None = None):
    """argparse type: an integer within [minimum, maximum]."""

    def conv(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{kind} must be a whole number, got '{text}'") from None
        if minimum is not None and v < minimum:
            raise argparse.ArgumentTypeError(f"{kind} must be at least {minimum}, got {text}")
        if maximum is not None and v > maximum:
            raise argparse.ArgumentTypeError(f"{kind} must be at most {maximum}, got {text}")
        return v

    conv.__name__ = kind
    return conv


#: numpy and optuna take seeds in [0, 2**32 - 1].
MAX_SEED = 2**32 - 1


def json_value(v: Any) -> Any:
    from screen.report.html import json_value

    return json_value(v)


def emit(df: Any, fmt: str, records: list[dict[str, Any]] | None = None) -> None:
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif fmt == "json":
        payload = records if records is not None else [{k: json_value(v) for k, v in r.items()} for r in df.to_dict("records")]
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        import pandas as pd

        with pd.option_context("display.max_columns", None, "display.width", 200, "display.max_colwidth", 60):
            sys.stdout.write(df.to_string(index=False) + "\n")


def registry(args: argparse.Namespace) -> Any:
    from screen.model.registry import ModelRegistry

    return ModelRegistry(args.model_dir)


def write_text_atomic(path: str | Path, text: str) -> None:
    from descriptors.atomic import atomic_target

    with atomic_target(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def input_error(msg: str) -> Exception:
    from descriptors.errors import InputError

    return InputError(msg)


def study_options(sp: argparse.ArgumentParser, what: str, required: bool = True) -> None:
    """The options every study command shares (study file, output, model, progress, plots, format)."""
    sp.add_argument("--study", metavar="TOML", required=required, help=f"study file ({what})")
    sp.add_argument("--output", metavar="DIR", help="output folder (default: the study file's output, else runs/<name>)")
    sp.add_argument("--model", type=integer("--model", minimum=0), metavar="VERSION",
                    help="gap-model registry version (default: the study's, else the latest)")
    sp.add_argument("--model-dir", metavar="DIR", help=REG_HELP)
    sp.add_argument("--no-progress", action="store_true", help="no progress bar")
    sp.add_argument("--no-plots", action="store_true", help="skip PNG plots and report.html")
    sp.add_argument("--format", **FORMAT)
