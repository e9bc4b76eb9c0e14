"""Validation of contacts files (one row per contact, with its account)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from vocapp.core.constants import CONTACT_ROLES, RELATIONSHIPS

from . import parsers
from .columns import CheckedTable, Column, TableSpec, check_table
from .issues import ValidationResult

#: longest value of a free attribute column (stored in the contact's attributes)
MAX_ATTRIBUTE_CHARS = 1_000

CONTACT_SPEC = TableSpec(
    columns=(
        Column("email", value_required=True, parse=parsers.email(), max_length=320),
        Column("first_name", parse=parsers.text(), max_length=120),
        Column("last_name", parse=parsers.text(), max_length=120),
        Column("account_id", value_required=True, parse=parsers.text(), max_length=120),
        Column("account_name", parse=parsers.text(), max_length=300),
        Column("relationship", value_required=True,
               parse=parsers.choice({value: value for value in RELATIONSHIPS}, "relationship")),
        Column("role", parse=parsers.choice({value: value for value in CONTACT_ROLES}, "role")),
        Column("language", required=False,
               parse=parsers.pattern(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?", "language code", "en, cy, en-GB",
                                     transform=lambda cells: cells.str.replace("_", "-", regex=False)
                                     .str.slice(0, 3).str.lower() + cells.str.slice(3))),
    ),
    extra_columns="keep",
    extra_max_length=MAX_ATTRIBUTE_CHARS,
)


def validate_contacts(frame: pd.DataFrame, filename: str) -> ValidationResult:
    """Validate a contacts table.

    ``clean`` has columns email (lower-cased), first_name, last_name, account_id,
    account_name, relationship, role, language and ``attributes`` (dict of the
    extra columns, normalised header -> text, blanks left out).
    """
    checked = check_table(frame, CONTACT_SPEC, filename)
    values = checked.values
    if "email" in values:
        _check_duplicate_emails(checked, values["email"])
    if "account_id" in values and "account_name" in values:
        _check_account_names(checked, values["account_id"], values["account_name"])
    if "language" not in values:
        values["language"] = pd.Series(pd.NA, index=values.index, dtype=object)
    values["attributes"] = _attributes(checked.extras)
    return ValidationResult(checked.clean(), checked.sorted_issues())


def _check_duplicate_emails(checked: CheckedTable, emails: pd.Series) -> None:
    emails = emails.dropna()
    repeated = emails.duplicated(keep="first")
    first_row = emails.reset_index().groupby("email")["row"].first()
    rows = emails[repeated].map(first_row)
    reasons = "email " + emails[repeated].astype(str) + " also appears on row " + rows.astype(str) + \
        " (emails must be unique, ignoring case)"
    checked.add(reasons, "email")


def _check_account_names(checked: CheckedTable, account_ids: pd.Series, names: pd.Series) -> None:
    named = pd.DataFrame({"account_id": account_ids, "name": names}).dropna()
    if named.empty:
        return
    first = named.reset_index().groupby("account_id").first()
    first_name = named["account_id"].map(first["name"])
    first_row = named["account_id"].map(first["row"])
    conflict = named["name"] != first_name
    reasons = ("account " + named["account_id"] + " is named '" + first_name + "' on row "
               + first_row.astype(str) + " but '" + named["name"] + "' here")
    checked.add(reasons.where(conflict), "account_name")


def _attributes(extras: pd.DataFrame) -> pd.Series:
    """One dict per row of its non-blank extra cells, built column by column (no wide intermediate)."""
    records: list[dict[str, str]] = [{} for _ in extras.index]
    for name in extras.columns:
        cells = extras[name]
        present = cells.notna().to_numpy(dtype=bool)
        for position, value in zip(np.flatnonzero(present).tolist(), cells[present].tolist()):
            records[position][name] = value
    return pd.Series(records, index=extras.index, dtype=object)
