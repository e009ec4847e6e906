"""HTML building blocks shared by every report: a page with the house style, tables, inline PNGs, JSON values."""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["STYLE", "html_page", "img", "json_value", "page_head", "table_html"]


def json_value(v: Any) -> Any:
    """A JSON-safe scalar: numpy scalars unwrapped, NaN/inf as null."""
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def img(path: Path) -> str:
    if not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


STYLE = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
         ".scroll{overflow-x:auto;max-width:100%}"
         "table{border-collapse:collapse;font-size:12px;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
         "td.text{text-align:left;min-width:16em;max-width:28em;white-space:normal}"
         "th{background:#f0f0f0;position:sticky;top:0}img{max-width:100%;border:1px solid #eee;margin:0.5em 0}"
         "code{background:#f5f5f5}")


def page_head(title: str) -> str:
    """The head every report shares: UTF-8, a viewport for narrow screens, the style (tables scroll sideways in their
    own box instead of widening the page)."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n")


def html_page(title: str, body: str) -> str:
    """A self-contained HTML page with the reports' style."""
    return f"{page_head(title)}{body}\n</body></html>\n"


def table_html(df: pd.DataFrame, floatfmt: str = "{:.3g}") -> str:
    def cell(v: Any) -> str:
        if isinstance(v, (float, np.floating)):
            return "" if not math.isfinite(float(v)) else floatfmt.format(float(v))
        return html.escape(str(v))

    def td(v: Any) -> str:
        text = cell(v)
        if isinstance(v, str) and len(v) > 60:  # long prose (e.g. `optimum`): folded, readable when opened
            return f'<td class="text"><details><summary>{html.escape(v[:40])}…</summary>{text}</details></td>'
        return f"<td>{text}</td>"

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(td(v) for v in r) + "</tr>" for r in df.itertuples(index=False))
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
