"""Import services: contacts, historical responses and transactions, all-or-nothing.

Each reads and validates the whole file with vocapp.core.imports, adds the checks
that need the database, then writes everything in one transaction - or nothing.
Every attempt is recorded as an ImportRun.
"""
from .contacts import import_contacts
from .report import ImportReport
from .responses import import_responses
from .transactions import import_transactions

__all__ = ["ImportReport", "import_contacts", "import_responses", "import_transactions"]
