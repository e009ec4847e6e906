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
         "code{background:#f5f5f5}th.sortable{cursor:pointer}th.sortable:after{content:' \\2195';color:#999}"
         "input.filter{margin:0.5em 0;padding:2px 6px;width:20em}")

#: Click a column heading to sort a table (numbers numerically, again to reverse); type in the box above a table to
#: show only the rows that contain the text. Plain DOM code, no library: the page stays self-contained.
SCRIPT = """
document.querySelectorAll('div.scroll > table').forEach(function (table) {
  var body = table.tBodies[0];
  if (!body || !table.tHead) { return; }
  var box = document.createElement('input');
  box.className = 'filter'; box.type = 'search'; box.placeholder = 'filter rows (e.g. a metal)';
  box.addEventListener('input', function () {
    var q = box.value.toLowerCase();
    Array.prototype.forEach.call(body.rows, function (r) {
      r.style.display = r.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
    });
  });
  table.parentNode.parentNode.insertBefore(box, table.parentNode);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.className = 'sortable';
    th.addEventListener('click', function () {
      var rows = Array.prototype.slice.call(body.rows);
      var dir = th.dataset.dir === 'asc' ? -1 : 1;
      th.dataset.dir = dir === 1 ? 'asc' : 'desc';
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
        return dir * c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""


def page_head(title: str) -> str:
    """The head every report shares: UTF-8, a viewport for narrow screens, the style (tables scroll sideways in their
    own box instead of widening the page)."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>\n")


def page_end() -> str:
    """The end every report shares: the sorting and filtering script, then the closing tags."""
    return f"<script>{SCRIPT}</script>\n</body></html>\n"


def html_page(title: str, body: str) -> str:
    """A self-contained HTML page with the reports' style and sortable, filterable tables."""
    return f"{page_head(title)}{body}\n{page_end()}"


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


def source_links(source: str) -> str:
    """HTML links for a ``source`` cell: ``doi:...`` becomes a doi.org link, a URL stays a link, anything else text;
    several sources are separated by ``;``."""
    out = []
    for part in (p.strip() for p in str(source).split(";")):
        if not part:
            continue
        if part.lower().startswith("doi:"):
            doi = part[4:].strip()
            out.append(f'<a href="https://doi.org/{html.escape(doi, quote=True)}">doi:{html.escape(doi)}</a>')
        elif part.startswith(("http://", "https://")):
            out.append(f'<a href="{html.escape(part, quote=True)}">{html.escape(part)}</a>')
        else:
            out.append(html.escape(part))
    return "; ".join(out)


def literature_sources_html(study_ids: list[str] | None = None) -> str:
    """A table of the literature studies behind the model (one row per study of ``literature_outcomes.csv``, or of
    ``study_ids``): study, citation, linked sources, and how many records it contributes."""
    from descriptors.data.curated import load_table

    table = load_table("literature_outcomes.csv")
    if study_ids is not None:
        table = table[table["study_id"].astype(str).isin(study_ids)]
    rows = []
    for sid, g in table.groupby("study_id", sort=False):
        sources = "; ".join(dict.fromkeys(s.strip() for v in g["source"].dropna() for s in str(v).split(";") if s.strip()))
        rows.append(f"<tr><td>{html.escape(str(sid))}</td><td>{html.escape(str(g['citation'].iloc[0]))}</td>"
                    f"<td>{source_links(sources)}</td><td>{len(g)}</td></tr>")
    return ("<div class=\"scroll\"><table><thead><tr><th>study</th><th>citation</th><th>sources</th><th>records</th></tr>"
            "</thead><tbody>" + "".join(rows) + "</tbody></table></div>")
