"""Outputs people look at: HTML building blocks (:mod:`.html`), figures (:mod:`.plots`), and the report of each
kind of run (:mod:`.study_report`, :mod:`.sensitivity_report`, :mod:`.compare_report`, :mod:`.tradeoff_report`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
if TYPE_CHECKING:  # the same names, imported for type checkers and editors only (see descriptors.lazy)
    from .html import html_page as html_page, json_value as json_value
    from .plots import (
        hull_figure as hull_figure,
        margin_figure as margin_figure,
        validation_figure as validation_figure,
    )
    from .sensitivity_report import write_sensitivity_outputs as write_sensitivity_outputs
    from .study_report import write_outputs as write_outputs
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
