"""``vocapp surveys``: the surveys command group."""
from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("surveys", help="Survey definitions: check, load, list, export.")

commands = [group]
