"""Validation of transaction files (fees, purchases, refunds), chunk by chunk."""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import replace

import pandas as pd

from . import parsers
from .columns import Column, TableSpec, check_table
from .issues import ImportIssue, ValidationResult

MAX_AMOUNT = 10**12  # the database keeps 14 digits, 2 after the point

TRANSACTION_SPEC = TableSpec(
    columns=(
        Column("account_id", value_required=True, max_length=120),
        Column("date", value_required=True),
        Column("amount", value_required=True, parse=parsers.decimal("amount", limit=MAX_AMOUNT)),
        Column("category", value_required=True, max_length=120),
        Column("currency", required=False,
               parse=parsers.pattern(r"[A-Z]{3}", "currency code", "GBP, EUR", transform=lambda c: c.str.upper())),
        Column("description", required=False, max_length=500),
        Column("reference", required=False, max_length=120),
    ),
    extra_columns="reject",
    unexpected_reason=lambda header: (
        "unexpected column; transactions files have account_id, date, amount, category "
        "and optionally currency, description, reference"),
)
OPTIONAL = ("currency", "description", "reference")


def validate_transactions(frame: pd.DataFrame, filename: str, known_account_ids: Collection[str] | None = None,
                          create_accounts: bool = False, today: dt.date | None = None,
                          seen_references: dict[str, int] | None = None) -> ValidationResult:
    """Validate one chunk (or all) of a transactions table.

    Dates must not be after ``today`` (default: the current date).  Accounts
    outside ``known_account_ids`` are errors unless ``create_accounts`` (None
    skips the check).  A reference seen before - earlier in the chunk or in
    ``seen_references`` (reference -> row, updated in place so it can be carried
    across chunks; pre-fill it with references already stored) - is reported in
    ``skipped`` and left out of ``clean``.

    ``clean`` columns: account_id, date (datetime64), amount (float), amount_text
    (the validated amount as written, for exact decimal storage), category,
    currency (upper-case), description, reference.
    """
    today = today or dt.date.today()
    spec = TableSpec(
        tuple(replace(column, parse=parsers.iso_date(today)) if column.name == "date" else column
              for column in TRANSACTION_SPEC.columns),
        TRANSACTION_SPEC.extra_columns, TRANSACTION_SPEC.unexpected_reason)
    checked = check_table(frame, spec, filename)
    values = checked.values
    if known_account_ids is not None and not create_accounts and "account_id" in values:
        accounts = values["account_id"].dropna()
        unknown = ~accounts.isin(set(known_account_ids))
        checked.add(("no account has the id " + accounts +
                     " (import the contacts first, or use --create-accounts)").where(unknown), "account_id")
    if "amount" in values:
        values["amount_text"] = frame[checked.column_label("amount")]
    for name in OPTIONAL:
        if name not in values:
            values[name] = pd.Series(pd.NA, index=values.index, dtype=object)
    clean = checked.clean()
    skipped = _repeated_references(clean, filename, checked.column_label("reference"),
                                   {} if seen_references is None else seen_references)
    if skipped:
        clean = clean.drop(index=[issue.row for issue in skipped])
    return ValidationResult(clean, checked.sorted_issues(), skipped)


def _repeated_references(clean: pd.DataFrame, filename: str, label: str, seen: dict[str, int]) -> list[ImportIssue]:
    references = clean["reference"].dropna()
    if references.empty:
        return []
    values = references.tolist()
    earlier = pd.Series([seen.get(reference) for reference in values], index=references.index, dtype=float)
    within = references.duplicated(keep="first") & earlier.isna()
    if within.any():
        first_rows = references.reset_index().groupby("reference")["row"].first()
        earlier = earlier.fillna(references[within].map(first_rows))
    repeated = earlier.dropna()
    new = references[earlier.isna()]
    seen.update(zip(new.tolist(), new.index.tolist()))
    return [ImportIssue(filename, int(row), label,
                        f"reference {reference} already appears on row {int(first)}; this row is skipped" if first > 0
                        else f"reference {reference} was imported before; this row is skipped")
            for (row, first), reference in zip(repeated.items(), references[repeated.index])]
