"""Demo step: generate the synthetic base and load accounts, contacts and transactions through the importers."""
from __future__ import annotations

import datetime as dt

from vocapp.core.surveys import likert_key
from vocapp.core.synthetic.base import generate_base
from vocapp.errors import VocappError
from vocapp.services.imports import ImportReport, import_contacts, import_transactions


def require_ok(report: ImportReport) -> ImportReport:
    """Stop the demo with the first located error when an import was refused."""
    if not report.ok:
        raise VocappError(f"demo {report.kind} import failed: {report.errors[0]}")
    return report


def run(context) -> str:
    definition = context.shared["definition"]
    base = generate_base(likert_key(definition), n_accounts=context.n_accounts, seed=context.seed)
    context.shared["base"] = base
    contacts_file = context.workdir / "contacts.csv"
    transactions_file = context.workdir / "transactions.csv"
    base.contacts.to_csv(contacts_file, index=False)
    base.transactions.to_csv(transactions_file, index=False)
    contacts = require_ok(import_contacts(contacts_file))
    today = max(dt.date.today(), base.as_of.date())
    transactions = require_ok(import_transactions(transactions_file, today=today))
    return (f"imported {contacts.extra_counts['accounts_created']} accounts, {contacts.created} contacts and "
            f"{transactions.created} transactions from {context.workdir}")
