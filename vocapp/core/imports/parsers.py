"""Vectorised cell parsers: each takes non-blank strings and returns (values, reasons)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd
from email_validator import EmailNotValidError, validate_email

from .columns import Parser
from .issues import MAX_VALUE_CHARS, quote_value

NO_PROBLEM = np.nan
DECIMAL_PATTERN = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$"
INTEGER_PATTERN = r"^[+-]?\d+$"
TIME_PATTERN = r"^[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$"


def shown(cells: pd.Series) -> pd.Series:
    """Cells quoted for messages (long values shortened)."""
    text = cells.astype(str)
    text = text.where(text.str.len() <= MAX_VALUE_CHARS, text.str.slice(0, MAX_VALUE_CHARS - 3) + "...")
    return "'" + text + "'"


def reasons_where(bad: pd.Series, cells: pd.Series, suffix: str) -> pd.Series:
    """Reason ``'<value>' <suffix>`` where ``bad`` is true, missing elsewhere (built for bad cells only)."""
    reasons = pd.Series(NO_PROBLEM, index=cells.index, dtype=object)
    bad = bad.fillna(False).to_numpy(dtype=bool)
    if bad.any():
        reasons[bad] = (shown(cells[bad]) + " " + suffix).to_numpy(dtype=object)
    return reasons


def text() -> Parser:
    """Free text, kept exactly as written (surrounding spaces removed)."""
    return lambda cells: (cells, pd.Series(NO_PROBLEM, index=cells.index, dtype=object))


def choice(options: dict[str, str], what: str) -> Parser:
    """One of ``options`` (keys are case/space-insensitive spellings, values canonical)."""
    lookup = {key.strip().lower(): value for key, value in options.items()}
    allowed = ", ".join(dict.fromkeys(options.values()))

    def parse(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
        key = cells.str.lower().str.replace(r"[\s\-]+", "_", regex=True)
        values = key.map(lookup)
        direct = cells.str.lower().map(lookup)
        values = values.fillna(direct)
        return values, reasons_where(values.isna(), cells, f"is not a valid {what} (allowed: {allowed})")
    return parse


def decimal(what: str = "number", limit: float | None = None) -> Parser:
    """A decimal number written with '.' as decimal separator and no thousands separator.

    With ``limit``, numbers whose magnitude reaches it are refused.
    """
    def parse(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
        ok = cells.str.match(DECIMAL_PATTERN).astype(bool)
        values = pd.to_numeric(cells.where(ok), errors="coerce").astype(float)
        reasons = reasons_where(~ok, cells, f"is not a valid {what} (use digits with '.' for decimals, "
                                            "no thousands separators, e.g. -1234.50)")
        if limit is not None:
            reasons = reasons.fillna(reasons_where(values.abs() >= limit, cells, f"is too large (limit {limit:g})"))
        return values, reasons
    return parse


def integer_range(low: int, high: int, what: str, missing_labels: Iterable[str] = ()) -> Parser:
    """A whole number from ``low`` to ``high``; any of ``missing_labels`` means missing."""
    labels = {label.strip().lower() for label in missing_labels if label}
    extra = "".join(f", or '{label}'" for label in missing_labels if label)

    def parse(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
        compact = cells.str.replace(r"\.0+$", "", regex=True)
        is_label = cells.str.lower().isin(labels)
        whole = compact.str.match(INTEGER_PATTERN).astype(bool)
        numbers = pd.to_numeric(compact.where(whole), errors="coerce")
        ok = (numbers >= low) & (numbers <= high)
        values = numbers.where(ok & ~is_label).astype("Int64")
        bad = ~(ok | is_label)
        return values, reasons_where(bad, cells, f"is off the scale of {what} (allowed: whole numbers {low} to "
                                                 f"{high}, or blank{extra})")
    return parse


def iso_date(today: dt.date | None = None) -> Parser:
    """A calendar date YYYY-MM-DD (a time part is allowed and ignored); not after ``today``."""
    def parse(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
        rest = cells.str.slice(10)
        time_ok = ((rest == "") | rest.str.match(TIME_PATTERN)).astype(bool)
        dates = pd.to_datetime(cells.str.slice(0, 10).where(time_ok), format="%Y-%m-%d", errors="coerce")
        reasons = reasons_where(dates.isna(), cells, "is not a valid date (expected YYYY-MM-DD, e.g. 2024-03-31)")
        if today is not None:
            future = dates > pd.Timestamp(today)
            reasons = reasons.fillna(reasons_where(future, cells, f"is in the future (today is {today.isoformat()})"))
        return dates, reasons
    return parse


def iso_datetime_utc() -> Parser:
    """ISO 8601 date or date-time; an offset is converted to UTC, no offset means UTC.

    Result: naive UTC timestamps (a date alone is midnight UTC).
    """
    def parse(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
        values = [_parse_datetime(cell) for cell in cells]
        result = pd.Series(values, index=cells.index, dtype="datetime64[us]")
        return result, reasons_where(result.isna(), cells,
                                     "is not a valid date or date-time (expected ISO 8601, "
                                     "e.g. 2024-03-31 or 2024-03-31T14:05:00+01:00)")
    return parse


def _parse_datetime(cell: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(cell)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def email() -> Parser:
    """An email address (syntax only, no DNS); the result is lower-cased for matching."""
    def parse(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
        values, reasons = {}, {}
        for row, cell in cells.items():
            try:
                validate_email(cell, check_deliverability=False, test_environment=True)
                values[row] = cell.lower()
            except EmailNotValidError as error:
                reasons[row] = f"{quote_value(cell)} is not a valid email address: {error}"
        return (pd.Series(values, index=cells.index, dtype=object),
                pd.Series(reasons, index=cells.index, dtype=object))
    return parse


def pattern(regex: str, what: str, example: str, transform=None) -> Parser:
    """A value matching ``regex`` (after ``transform``), e.g. a currency code."""
    def parse(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
        values = transform(cells) if transform else cells
        ok = values.str.fullmatch(regex).astype(bool)
        return values.where(ok), reasons_where(~ok, cells, f"is not a valid {what} (e.g. {example})")
    return parse
