"""``vocapp transactions``: the transactions command group."""
from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("transactions", help="Transactions: import fees and purchases.")

commands = [group]
