"""``vocapp campaigns``: the campaigns command group."""
from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("campaigns", help="Invitation campaigns: create, send, remind (see the issues).")

commands = [group]
