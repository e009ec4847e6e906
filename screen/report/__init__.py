"""Outputs people look at: HTML building blocks (:mod:`.html`), figures (:mod:`.plots`), and the report of each
kind of run (:mod:`.study_report`, :mod:`.sensitivity_report`, :mod:`.compare_report`, :mod:`.tradeoff_report`)."""

from __future__ import annotations

from descriptors.lazy import lazy_exports

_EXPORTS = {
    "html_page": "html",
    "json_value": "html",
    "hull_figure": "plots",
    "margin_figure": "plots",
    "validation_figure": "plots",
    "write_sensitivity_outputs": "sensitivity_report",
    "write_outputs": "study_report",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
