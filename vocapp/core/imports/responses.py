"""Validation of historical survey responses against a survey definition."""
from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from . import parsers
from .columns import CheckedTable, Column, Parser, TableSpec, check_table
from .issues import ValidationResult
from ..surveys.answers import MAX_TEXT_LENGTH

NPS_RANGE = (0, 10)
MULTI_SEPARATOR = ";"


def definition_items(definition: dict) -> list[dict]:
    """Items of a survey definition in questionnaire order."""
    return [item for page in definition.get("pages", []) for item in page.get("items", [])]


def _label_texts(label: object) -> list[str]:
    if isinstance(label, dict):
        return [str(text) for text in label.values()]
    return [str(label)] if label is not None else []


def _options(item: dict) -> dict[str, str]:
    """Accepted spellings (value or any label, any case) -> option value."""
    options: dict[str, str] = {}
    for option in item.get("options", []):
        value = str(option["value"])
        for text in _label_texts(option.get("label")):
            options.setdefault(text, value)
        options[value] = value
    return options


def _multi_choice(options: dict[str, str], item_id: str) -> Parser:
    single = parsers.choice(options, f"option of {item_id}")

    def parse(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
        parts = cells.str.split(MULTI_SEPARATOR).explode().str.strip()
        parts = parts[parts.notna() & (parts != "")]
        values, reasons = single(parts)
        chosen = values.groupby(level=0).agg(lambda picked: sorted(set(picked.dropna())))
        first_reason = reasons.dropna().groupby(level=0).first()
        return chosen.reindex(cells.index), first_reason.reindex(cells.index)
    return parse


def item_parser(item: dict, scales: dict[str, dict]) -> Parser:
    """Parser for the answers to one item (by its type)."""
    kind = item.get("type")
    if kind in ("likert", "nps"):
        scale = scales.get(item.get("scale", ""), {})
        low, high = (scale["min"], scale["max"]) if scale else NPS_RANGE
        what = f"item {item['id']}" + (f" (scale {scale['id']})" if scale else "")
        not_applicable = _label_texts(scale.get("not_applicable")) if scale else []
        return parsers.integer_range(int(low), int(high), what, not_applicable)
    if kind == "single_choice":
        return parsers.choice(_options(item), f"option of {item['id']}")
    if kind == "multi_choice":
        return _multi_choice(_options(item), item["id"])
    if kind == "number":
        return parsers.decimal(f"number for {item['id']}")
    return parsers.text()


def response_spec(definition: dict) -> TableSpec:
    """Column spec for a responses file of this survey definition."""
    scales = {scale["id"]: scale for scale in definition.get("scales", [])}
    items = definition_items(definition)
    survey = f"survey {definition.get('id', '?')}" + (
        f" version {definition['version']}" if definition.get("version") is not None else "")
    columns = [
        Column("email", value_required=True, parse=parsers.email(), max_length=320),
        Column("submitted_at", value_required=True, parse=parsers.iso_datetime_utc()),
    ] + [Column(item["id"], required=False, parse=item_parser(item, scales), exact=True,
                max_length=MAX_TEXT_LENGTH if item.get("type") == "text" else None) for item in items]
    return TableSpec(
        tuple(columns), extra_columns="reject",
        unexpected_reason=lambda header: f"'{header}' is not an item of {survey} "
                                         f"(items: {', '.join(item['id'] for item in items)})")


def validate_responses(frame: pd.DataFrame, filename: str, definition: dict,
                       known_emails: Collection[str] | None = None) -> ValidationResult:
    """Validate historical responses.

    ``clean`` has email (lower-cased), submitted_at (naive UTC) and one column per
    item of the definition (missing item columns are all-missing).  When
    ``known_emails`` (lower-case) is given, other emails are errors: this is the
    hook the service uses to check contacts against the database.
    """
    spec = response_spec(definition)
    checked = check_table(frame, spec, filename)
    values = checked.values
    if known_emails is not None and "email" in values:
        emails = values["email"].dropna()
        unknown = ~emails.isin(set(known_emails))
        checked.add(("no contact has the email " + emails + "; import the contacts first").where(unknown), "email")
    if {"email", "submitted_at"} <= set(values.columns):
        _check_repeated_submissions(checked, values)
    for column in spec.columns[2:]:
        if column.name not in values:
            values[column.name] = pd.Series(np.nan, index=values.index, dtype=object)
    return ValidationResult(checked.clean(), checked.sorted_issues())


def _check_repeated_submissions(checked: CheckedTable, values: pd.DataFrame) -> None:
    keys = values[["email", "submitted_at"]].dropna()
    repeated = keys.duplicated(keep="first")
    if not repeated.any():
        return
    first_rows = keys.reset_index().groupby(["email", "submitted_at"])["row"].first()
    reasons = {}
    for row, (email, submitted) in keys[repeated].iterrows():
        reasons[row] = (f"{email} already has a response submitted at {submitted.isoformat()} on row "
                        f"{first_rows[(email, submitted)]}")
    checked.add(pd.Series(reasons, dtype=object), "submitted_at")
