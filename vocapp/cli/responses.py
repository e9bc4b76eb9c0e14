"""``vocapp responses``: the responses command group."""
from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("responses", help="Responses: import historical responses.")

commands = [group]
