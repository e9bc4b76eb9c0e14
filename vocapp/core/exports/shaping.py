"""Row shaping: raw rows read from the database (one chunk at a time) into typed export frames.

Every function takes a chunk as a DataFrame and returns a frame whose columns are exactly the
export's ``Variable`` list, typed by ``conform``, so every chunk of one export has the same schema.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .codebook import Variable

_DTYPES = {"integer": "Int64", "float": "float64", "boolean": "boolean"}


def _column(values: pd.Series, kind: str) -> pd.Series:
    if kind in ("integer", "float"):
        plain = values.map(lambda v: None if isinstance(v, (bool, list, dict)) else v) if values.dtype == object \
            else values
        numbers = pd.to_numeric(plain, errors="coerce")
        if kind == "integer":
            numbers = numbers.where(numbers.isna() | (numbers == np.round(numbers)))
        return numbers.astype(_DTYPES[kind])
    if kind == "boolean":
        try:
            return values.astype("boolean")
        except (TypeError, ValueError):
            return values.astype(object).where(values.notna(), None).map(
                lambda v: None if v is None else bool(v)).astype("boolean")
    if kind == "datetime":
        if not len(values):
            return values.astype("datetime64[ns, UTC]")
        try:
            return pd.to_datetime(values, utc=True, format="ISO8601")
        except (TypeError, ValueError):
            return pd.to_datetime(values, utc=True, format="mixed")
    if isinstance(values.dtype, pd.StringDtype):  # already text (pandas' string dtype, missing as NA)
        return values
    text = values.astype(object)
    if pd.api.types.infer_dtype(text, skipna=True) not in ("string", "empty"):
        text = text.where(text.isna(), text.map(str))
    return text.where(text.notna(), None)


def conform(frame: pd.DataFrame, variables: Sequence[Variable]) -> pd.DataFrame:
    """``frame`` with exactly the variables' columns, in order, typed by kind (missing columns empty)."""
    index = pd.RangeIndex(len(frame))
    out = {}
    for v in variables:
        values = frame[v.name].reset_index(drop=True) if v.name in frame.columns else pd.Series(
            [None] * len(frame), index=index, dtype=object)
        out[v.name] = _column(values, v.kind)
    return pd.DataFrame(out, index=index)


def _from_dicts(dicts: pd.Series, key: str | None = None) -> pd.DataFrame:
    """A column of dicts (or None) as a frame, one column per key (``key``: the inner dict's value)."""
    records = [(d or {}) for d in dicts]
    if key is not None:
        records = [{k: (v or {}).get(key) if isinstance(v, dict) else None for k, v in r.items()} for r in records]
    return pd.DataFrame.from_records(records, index=dicts.index) if records else pd.DataFrame(index=dicts.index)


def shape_accounts(raw: pd.DataFrame, variables: Sequence[Variable], constructs: Sequence[str],
                   metrics: Sequence[str], scoring_run_id: int | None, placement_run_id: int) -> pd.DataFrame:
    """Placements with their ``details`` (scores with intervals, metrics) as accounts-export rows."""
    details = raw["details"].map(lambda d: d or {})
    frame = pd.DataFrame({
        "account_id": raw["external_id"], "account_name": raw["name"],
        "relationship": details.map(lambda d: d.get("relationship") or None),
        "n_respondents": details.map(lambda d: d.get("n_respondents") or 0),
        "readiness": raw["readiness"], "opportunity": raw["opportunity"], "zone": raw["zone"],
        "leave_alone": raw["leave_alone"], "leave_alone_reason": raw["leave_alone_reason"],
        "scoring_run_id": scoring_run_id, "placement_run_id": placement_run_id,
    }, index=raw.index)
    scores = details.map(lambda d: d.get("scores") or {})
    for part, suffix in (("score", ""), ("low", "_low"), ("high", "_high")):
        values = _from_dicts(scores, part)
        for c in constructs:
            frame[f"{c}{suffix}"] = values[c] if c in values.columns else np.nan
    metric_values = _from_dicts(details.map(lambda d: d.get("metrics") or {}))
    for m in metrics:
        frame[m] = metric_values[m] if m in metric_values.columns else np.nan
    return conform(frame, variables)


def shape_contacts(raw: pd.DataFrame, variables: Sequence[Variable], flags: Sequence[str],
                   scoring_run_id: int | None) -> pd.DataFrame:
    """Contacts joined to their responses and scores (one column per construct and ``<c>_z``, taken
    out of the JSON by the database; ``scored_in`` the run id where scored) as contacts-export rows."""
    scored = raw["scored_in"].notna()
    frame = raw.rename(columns={"external_id": "account_id", "status": "response_status"})
    frame["response_status"] = raw["status"].where(raw["status"].notna(), "none")
    frame["scoring_run_id"] = pd.Series(scoring_run_id, index=raw.index).where(scored)
    flag_text = raw["flags"].where(raw["flags"].notna(), "").astype(str)
    for f in flags:
        frame[f"flag_{f}"] = (("," + flag_text + ",").str.contains(f",{f},", regex=False)).where(scored)
    return conform(frame, variables)


def shape_responses(raw: pd.DataFrame, variables: Sequence[Variable],
                    options: dict[str, list[tuple[str, str]]]) -> pd.DataFrame:
    """Responses with their answers JSON as responses-export rows (multiple choice as 0/1 per option)."""
    frame = pd.DataFrame({
        "response_id": raw["response_id"], "account_id": raw["external_id"], "survey_version": raw["version"],
        "source": raw["source"], "status": raw["status"], "submitted_at": raw["submitted_at"],
        "duration_seconds": raw["duration_seconds"],
    }, index=raw.index)
    answers = _from_dicts(raw["answers"])
    for item_id, pairs in options.items():
        chosen = answers[item_id] if item_id in answers.columns else pd.Series(None, index=raw.index, dtype=object)
        for value, column in pairs:
            frame[column] = chosen.map(lambda x, v=value: (int(v in x) if isinstance(x, list)
                                                           else None if x is None or x != x else int(x == v)))
    names = {v.name for v in variables}
    for item_id in answers.columns:
        if item_id in names and item_id not in frame.columns:
            frame[item_id] = answers[item_id]
    return conform(frame, variables)


