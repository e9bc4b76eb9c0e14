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


_ESCAPED = {"-": r"\-", "\t": r"\t", "\r": r"\r"}
#: the prefixes as one regular expression (RE2, Arrow's engine)
_RISKY = "^[" + "".join(_ESCAPED.get(p, p) for p in FORMULA_PREFIXES) + "]"


def _risky(values: pd.Series) -> pd.Series:
    """True where the cell is text starting with a formula prefix: one pass of Arrow's regex kernel
    over the column when it holds only text and missing values, else a per-value check."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed kinds (text and numbers): check each value
        text = None
    if text is not None and (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
        matched = pc.fill_null(pc.match_substring_regex(text, _RISKY), False)
        return pd.Series(matched.to_numpy(zero_copy_only=False), index=values.index)
    if text is not None and pa.types.is_null(text.type):
        return pd.Series(False, index=values.index)
    return values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES)).astype(bool)


def neutralise_series(values: pd.Series) -> pd.Series:
    """Vectorised ``neutralise`` over one column (only text columns can change)."""
    if values.dtype != object and not isinstance(values.dtype, pd.StringDtype):
        return values
    risky = _risky(values)
    if not risky.any():
        return values
    out = values.copy()
    out[risky] = "'" + values[risky].astype(str)
    return out


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised (numeric, boolean and date columns untouched)."""
    return frame.apply(neutralise_series) if len(frame.columns) else frame
