"""Spreadsheet safety: text a spreadsheet would run as a formula is neutralised; numbers stay numbers."""
from __future__ import annotations

from typing import Any

import pandas as pd

#: a cell starting with one of these is read as a formula (or DDE command) by Excel, LibreOffice, Sheets
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_series(values: pd.Series) -> pd.Series:
    """Vectorised ``neutralise`` over one column (only text columns can change)."""
    if values.dtype != object and not isinstance(values.dtype, pd.StringDtype):
        return values
    text = values.where(values.map(type) == str)
    risky = text.str.startswith(FORMULA_PREFIXES, na=False)
    if not risky.any():
        return values
    out = values.copy()
    out[risky] = "'" + text[risky]
    return out


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised (numeric, boolean and date columns untouched)."""
    return frame.apply(neutralise_series) if len(frame.columns) else frame
