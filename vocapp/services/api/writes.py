"""JSON imports through the API: records become a table of text cells (as a file's would be) and go
through the very validation and all-or-nothing write of the file imports (``services/imports``)."""
from __future__ import annotations

import hashlib
from typing import Any

import orjson
import pandas as pd

from vocapp.core.imports import ImportIssue
from vocapp.core.imports.contacts import CONTACT_SPEC
from vocapp.core.imports.header import normalise_header
from vocapp.errors import VocappError
from vocapp.services.imports import ImportReport
from vocapp.services.imports.contacts import import_contacts_frame
from vocapp.services.imports.transactions import import_transactions_frame

from .tokens import TokenHolder, audit_token_action

CONTACT_COLUMNS = [column.name for column in CONTACT_SPEC.columns]
TRANSACTION_COLUMNS = ["account_id", "date", "amount", "currency", "category", "description", "reference"]
#: the row number that stands for "the request as a whole" in located issues
WHOLE_REQUEST = -1


class RecordsError(VocappError):
    """Records that cannot even be turned into a table (located issues in ``issues``)."""

    def __init__(self, issues: list[ImportIssue]) -> None:
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


def _cell(value: Any) -> Any:
    """A JSON value as a file's cell: text, stripped; blank or null is missing."""
    if value is None:
        return pd.NA
    if isinstance(value, bool):
        value = "true" if value else "false"
    text = str(value).strip()
    return text if text else pd.NA


def records_frame(records: list[dict[str, Any]], columns: list[str], name: str) -> pd.DataFrame:
    """Records as a text frame with ``columns`` (then any extra keys), indexed by record position."""
    extra = list(dict.fromkeys(key for record in records for key in record if key not in columns))
    data = {column: [_cell(record.get(column)) for record in records] for column in columns + extra}
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(records), name="row"), dtype=object)
    frame.attrs["header_row"] = WHOLE_REQUEST
    return frame


def contact_records(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contacts with their ``attributes`` spread into columns, as in a file; an attribute named like a
    standard column is refused (it would overwrite it)."""
    standard = {normalise_header(column) for column in CONTACT_COLUMNS + ["account_name"]}
    issues, out = [], []
    for index, contact in enumerate(contacts):
        record = {key: value for key, value in contact.items() if key != "attributes"}
        for key, value in (contact.get("attributes") or {}).items():
            if normalise_header(key) in standard or not normalise_header(key):
                issues.append(ImportIssue("api", index, f"attributes.{key}",
                                          "an attribute may not be named like a contact field"))
            record[f"attr:{key}"] = value
        out.append(record)
    if issues:
        raise RecordsError(issues)
    return out


def _digest(records: list[dict[str, Any]]) -> str:
    return hashlib.sha256(orjson.dumps(records, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _audited(report: ImportReport, holder: TokenHolder, kind: str, n: int) -> ImportReport:
    audit_token_action(holder, f"api.{kind}_import", "import_run", report.run_id,
                       {"records": n, "ok": report.ok, "dry_run": report.dry_run, "counts": report.counts()})
    return report


def import_contact_records(contacts: list[dict[str, Any]], holder: TokenHolder, dry_run: bool = False) -> ImportReport:
    """Upsert contacts (and their accounts) from API records, all or nothing; audited."""
    records = contact_records(contacts)
    frame = records_frame(records, CONTACT_COLUMNS, "api")
    frame.columns = [column.removeprefix("attr:") for column in frame.columns]
    report = import_contacts_frame(frame, _digest(contacts), f"api:{holder.name}", dry_run, holder.staff)
    return _audited(report, holder, "contacts", len(contacts))


def import_transaction_records(transactions: list[dict[str, Any]], holder: TokenHolder, create_accounts: bool = False,
                               dry_run: bool = False) -> ImportReport:
    """Add transactions from API records, all or nothing (a known reference is skipped); audited."""
    frame = records_frame(transactions, TRANSACTION_COLUMNS, "api")
    report = import_transactions_frame(frame, _digest(transactions), f"api:{holder.name}", create_accounts,
                                       dry_run, holder.staff)
    return _audited(report, holder, "transactions", len(transactions))


def located_issue(issue: ImportIssue) -> dict[str, Any]:
    """An import issue located by record index and field (index None: the request as a whole)."""
    index = issue.row if issue.row is not None and issue.row >= 0 else None
    field = issue.column
    parts = [str(index)] if index is not None else []
    if field is not None:
        parts += ["attributes", field.removeprefix("attributes.")] if field.startswith("attributes.") else [field]
    return {"index": index, "field": field, "detail": issue.reason,
            "pointer": "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)}
