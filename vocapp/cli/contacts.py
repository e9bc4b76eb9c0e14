"""``vocapp contacts``: the contacts command group."""
from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("contacts", help="Accounts and contacts: import.")

commands = [group]
