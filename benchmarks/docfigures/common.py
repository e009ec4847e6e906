"""What every figure provider shares: the results folder, loading a results file, and number formats.

Numbers in the documents use the typographic minus (``−``) and thin groupings (``79,164``), as the hand-written prose
around them does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"


class MissingResult(KeyError):
    """A figure asked for a results file or key that the benchmark runs have not written."""


@cache
def load(name: str) -> Any:
    """The parsed JSON of ``benchmarks/results/<name>``; a missing file names the benchmark to run."""
    path = RESULTS / name
    if not path.is_file():
        raise MissingResult(f"benchmarks/results/{name} is missing: run the benchmark that writes it")
    return json.loads(path.read_text(encoding="utf-8"))


def minus(text: str) -> str:
    """``text`` with ASCII hyphen-minus signs of numbers written as the typographic minus."""
    return text.replace("-", "−")


def num(x: float, digits: int = 2, sign: bool = False) -> str:
    """``x`` with ``digits`` decimals (``+`` shown when ``sign``), typographic minus, thousands grouped."""
    return minus(f"{x:{'+' if sign else ''},.{digits}f}")


def sig(x: float, figures: int = 3) -> str:
    """``x`` to ``figures`` significant figures, as calibrate prints parameter values (``0.972``, ``46.6``, ``235``)."""
    return minus(f"{x:.{figures}g}")


def interval(point: float, lo: float, hi: float, digits: int = 2, sign: bool = False) -> str:
    """``0.56 [0.37, 0.77]``."""
    return f"{num(point, digits, sign)} [{num(lo, digits, sign)}, {num(hi, digits, sign)}]"


def excludes_zero(lo: float, hi: float) -> bool:
    """Whether the interval [lo, hi] lies wholly on one side of zero."""
    return lo > 0 or hi < 0


def pick(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    """The one row of ``rows`` whose fields equal ``match``; an error names what was looked for."""
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    if len(found) != 1:
        raise MissingResult(f"expected one row with {match}, found {len(found)}")
    return found[0]


#: how the prose names a carbon preset (others: the preset name with spaces)
CARBON_NAMES = {"super_p": "Super P", "c60_film": "C60 film", "amorphous_sputtered": "sputtered carbon"}


def carbon_name(preset: str) -> str:
    """``super_p`` → ``Super P``, ``carbon_black`` → ``carbon black``."""
    return CARBON_NAMES.get(preset, preset.replace("_", " "))


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def number_word(n: int) -> str:
    """``7`` → ``seven`` (``no`` for 0; above twelve as digits)."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def and_list(items: Iterable[str], word: str = "and", empty: str | None = None) -> str:
    """``A, B and C``. No item gives ``empty``; without one, an error: the sentence that names the items no longer fits
    the run and must be reworded."""
    items = list(items)
    if not items:
        if empty is None:
            raise MissingResult("the run gives an empty list where the sentence names some: reword the sentence")
        return empty
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"
