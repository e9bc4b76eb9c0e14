"""Import accounts and contacts: upsert by lower-cased e-mail, accounts created or renamed."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import insert, select, update

from vocapp.core.imports import SPREADSHEET_FORMATS, ImportIssue, read_table
from vocapp.core.imports.contacts import validate_contacts
from vocapp.extensions import db
from vocapp.models import Account, Contact, ImportRun, StaffUser, utcnow

from .report import ImportReport, header_as_written
from .runs import execute_import

CONTACT_FIELDS = ("first_name", "last_name", "relationship", "role", "language")
BATCH = 1000


def _text(value: Any, default: Any = None) -> Any:
    return default if value is None or (not isinstance(value, (dict, list)) and pd.isna(value)) else value


def import_contacts(path: str | Path, dry_run: bool = False, filename: str | None = None,
                    staff: StaffUser | None = None) -> ImportReport:
    """Validate a contacts file and, if it has no error, upsert every contact and account in one transaction.

    Contacts match existing ones by lower-cased e-mail; accounts by ``account_id``
    (created when new, renamed when ``account_name`` differs). Extra columns are
    merged into the contact's attributes. ``dry_run`` counts without writing.

    Data rights: a row whose e-mail belongs to an erased contact is skipped (reported
    in ``skipped_rows``, not an error), so erased personal data never comes back; and
    an import never sets or clears ``consent_at``, ``unsubscribed_at`` or ``erased_at``.
    """
    return execute_import("contacts", path, filename, dry_run, staff, _work(
        lambda name: read_table(path, name, formats=SPREADSHEET_FORMATS), dry_run))


def import_contacts_frame(frame: pd.DataFrame, sha256: str, filename: str, dry_run: bool = False,
                          staff: StaffUser | None = None) -> ImportReport:
    """``import_contacts`` for a table already in hand (the API's JSON records, as text cells): the
    same validation, the same all-or-nothing write, the same ImportRun record."""
    return execute_import("contacts", None, filename, dry_run, staff, _work(lambda name: frame, dry_run),
                          sha256=sha256)


def _work(read: Callable[[str], pd.DataFrame], dry_run: bool) -> Callable[[ImportReport, ImportRun], None]:
    def work(report: ImportReport, run: ImportRun) -> None:
        frame = read(report.filename)
        report.set_preview(frame)
        result = validate_contacts(frame, report.filename)
        report.add_errors(result.errors)
        if not report.ok:
            return
        _apply(result.clean, report, header_as_written(frame, "email"), write=not dry_run)

    return work


def _apply(clean: pd.DataFrame, report: ImportReport, email_header: str, write: bool) -> None:
    existing = {contact.email: contact for contact in db.session.scalars(select(Contact))}
    clean = _without_erased(clean, existing, report, email_header)
    account_ids = _upsert_accounts(clean, report, write)
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    for row in clean.itertuples(index=False):
        _flush(new_rows, changed_rows, write, BATCH)
        values = {name: _text(getattr(row, name)) for name in CONTACT_FIELDS}
        values["first_name"] = values["first_name"] or ""
        values["last_name"] = values["last_name"] or ""
        account_id = account_ids.get(row.account_id)
        contact = existing.get(row.email)
        if contact is None:
            report.created += 1
            new_rows.append({"email": row.email, "account_id": account_id, "attributes": row.attributes, **values})
            continue
        if values["language"] is None:
            values["language"] = contact.language
        attributes = {**(contact.attributes or {}), **row.attributes}
        current = {name: getattr(contact, name) for name in CONTACT_FIELDS}
        if current == values and contact.account_id == account_id and attributes == (contact.attributes or {}):
            report.unchanged += 1
            continue
        report.updated += 1
        changed_rows.append({"id": contact.id, "account_id": account_id, "attributes": attributes,
                             "updated_at": utcnow(), **values})
    _flush(new_rows, changed_rows, write, 1)


def _flush(new_rows: list[dict[str, Any]], changed_rows: list[dict[str, Any]], write: bool, at_least: int) -> None:
    """Write (unless a dry run) and forget the pending rows once ``at_least`` of a kind are waiting."""
    for rows, statement in ((new_rows, insert), (changed_rows, update)):
        if len(rows) >= at_least:
            if write:
                db.session.execute(statement(Contact), rows)
            rows.clear()


def _without_erased(clean: pd.DataFrame, existing: dict[str, Contact], report: ImportReport,
                    email_header: str) -> pd.DataFrame:
    """Drop (and report as skipped) the rows of contacts erased on request (an erased contact's e-mail
    is stored as its placeholder, vocapp.services.rights.erased_placeholder)."""
    from vocapp.services.rights import erased_placeholder
    skipped = []
    for row, email in clean["email"].items():
        contact = existing.get(email) or existing.get(erased_placeholder(email))
        if contact is not None and contact.erased_at is not None:
            skipped.append(ImportIssue(report.filename, int(row), email_header,
                                       f"contact was erased on {contact.erased_at.date().isoformat()}; "
                                       "not re-imported"))
    report.add_skipped(skipped)
    return clean.drop(index=[issue.row for issue in skipped])


def _upsert_accounts(clean: pd.DataFrame, report: ImportReport, write: bool) -> dict[str, int | None]:
    """Create/rename accounts; return external id -> database id (None for new ones in a dry run)."""
    names = clean.dropna(subset=["account_name"]).groupby("account_id")["account_name"].first()
    wanted = list(dict.fromkeys(clean["account_id"]))
    existing = {account.external_id: account for account in db.session.scalars(select(Account))}
    created, renamed = [], []
    for external_id in wanted:
        name = names.get(external_id)
        account = existing.get(external_id)
        if account is None:
            created.append({"external_id": external_id, "name": name or external_id})
        elif name and name != account.name:
            renamed.append({"id": account.id, "name": name, "updated_at": utcnow()})
    report.extra_counts["accounts_created"] = len(created)
    report.extra_counts["accounts_renamed"] = len(renamed)
    if write:
        for start in range(0, len(created), BATCH):
            db.session.execute(insert(Account), created[start:start + BATCH])
        if renamed:
            db.session.execute(update(Account), renamed)
    ids = dict(db.session.execute(select(Account.external_id, Account.id)).all())
    return {external_id: ids.get(external_id) for external_id in wanted}
