"""The featurizer contract, in the spirit of matminer's ``BaseFeaturizer``.

A featurizer turns one entry (a metal symbol, a carbon preset name, a dict
of measurements) into a flat list of values. It declares:

* ``feature_labels()`` — one name per value;
* ``units()`` — one unit string per value (``""`` for dimensionless or text);
* ``citations()`` — the references the numbers rest on;
* ``precheck(x)`` — whether ``x`` is in scope, without computing.

``featurize_many`` vectorises over entries and returns a
:class:`pandas.DataFrame`. Errors are raised, never silently turned into NaN,
unless the caller asks for ``ignore_errors=True`` (then an ``error`` column
says why a row is empty). ``__init__`` only stores its keyword arguments, so
``get_params``/``set_params``/``clone`` from scikit-learn work unchanged.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from descriptors.errors import InputError


class Featurizer(TransformerMixin, BaseEstimator, ABC):  # type: ignore[misc]  # scikit-learn ships no type information
    """Base class of every descriptor family."""

    #: Name of the input entry in output tables (e.g. ``"metal"`` or ``"carbon"``).
    entry_name: str = "entry"

    @abstractmethod
    def featurize(self, x: Any) -> list[Any]:
        """Compute the features of one entry, in the order of ``feature_labels()``."""

    @abstractmethod
    def feature_labels(self) -> list[str]:
        """Names of the features."""

    @abstractmethod
    def units(self) -> list[str]:
        """Unit of each feature (``""`` for dimensionless numbers and text)."""

    @abstractmethod
    def citations(self) -> list[str]:
        """References (with DOI or URL) the features rest on."""

    def implementors(self) -> list[str]:
        """Who wrote the featurizer."""
        return ["interlayer-screen developers"]

    def precheck(self, x: Any) -> bool:
        """True if ``x`` is in scope; the default tries the input validation only."""
        try:
            self._validate_entry(x)
        except InputError:
            return False
        return True

    def _validate_entry(self, x: Any) -> Any:
        """Validate/canonicalise one entry; raise :class:`InputError` if out of scope."""
        return x

    def describe(self) -> pd.DataFrame:
        """Table of feature labels and units."""
        return pd.DataFrame({"feature": self.feature_labels(), "unit": self.units()})

    def featurize_many(self, entries: Iterable[Any], *, ignore_errors: bool = False) -> pd.DataFrame:
        """Featurize many entries into a DataFrame with one row per entry.

        Args:
            entries: the inputs.
            ignore_errors: if True, a failing entry gives an all-NaN row with the
                reason in an ``error`` column; otherwise the first error is raised.
        """
        labels = self.feature_labels()
        rows: list[list[Any]] = []
        names: list[str] = []
        errors: list[str] = []
        for x in entries:
            names.append(_entry_name(x))
            try:
                rows.append(self.featurize(x))
                errors.append("")
            except InputError as exc:
                if not ignore_errors:
                    raise
                rows.append([np.nan] * len(labels))
                errors.append(str(exc))
        df = pd.DataFrame(rows, columns=labels)
        df.insert(0, self.entry_name, names)
        if ignore_errors:
            df["error"] = errors
        return df

    def featurize_dataframe(self, df: pd.DataFrame, col_id: str, *, ignore_errors: bool = False,
                            inplace: bool = False) -> pd.DataFrame:
        """Add this featurizer's features as columns of ``df`` for the entries in column ``col_id`` (matminer's
        ``featurize_dataframe``). Entries may be symbols, pymatgen ``Element``/``Composition`` objects, preset names,
        dicts of measurements or, for carbons, ``Structure``/``Atoms``. A feature whose name is already a column of
        ``df`` is refused (nothing is overwritten)."""
        if col_id not in df.columns:
            raise InputError(f"featurize_dataframe: no column '{col_id}' (columns: {', '.join(map(str, df.columns))})")
        clash = sorted(set(self.feature_labels()) & set(df.columns))
        if clash:
            raise InputError(f"featurize_dataframe: column(s) {', '.join(clash)} already exist; rename them first")
        feats = self.featurize_many(list(df[col_id]), ignore_errors=ignore_errors).drop(columns=[self.entry_name])
        feats.index = df.index
        if inplace:
            for c in feats.columns:
                df[c] = feats[c]
            return df
        return pd.concat([df, feats], axis=1)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output column names (scikit-learn convention; same as ``feature_labels()``)."""
        return np.asarray(self.feature_labels(), dtype=object)

    def fit(self, X: Any = None, y: Any = None) -> Featurizer:
        """No-op (descriptors are not fitted); returns ``self``."""
        return self

    def transform(self, X: Sequence[Any] | pd.Series | pd.DataFrame) -> pd.DataFrame:
        """Featurize a column of entries (scikit-learn ``TransformerMixin`` API).

        A DataFrame must have a column named like ``entry_name``. Errors are raised.
        """
        if isinstance(X, pd.DataFrame):
            if self.entry_name not in X.columns:
                raise InputError(f"transform() needs a column '{self.entry_name}'")
            X = X[self.entry_name]
        out = self.featurize_many(list(X))
        return out.drop(columns=[self.entry_name]).reset_index(drop=True)


def _entry_name(x: Any) -> str:
    """How an entry is named in output tables: a symbol for pymatgen elements and one-element compositions, the
    formula for structures, ``str`` otherwise."""
    symbol = getattr(x, "symbol", None)
    if isinstance(symbol, str):
        return symbol
    formula = getattr(x, "reduced_formula", None) or (x.get_chemical_formula() if hasattr(x, "get_chemical_formula") else None)
    if isinstance(formula, str):
        return formula
    return str(x)


def stack_features(*frames: pd.DataFrame, on: str) -> pd.DataFrame:
    """Join several featurizer outputs that share the entry column ``on``."""
    out = frames[0]
    for f in frames[1:]:
        out = out.merge(f, on=on, how="outer")
    return out
