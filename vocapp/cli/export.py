"""``vocapp export``: the export command group."""
from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("export", help="Export scored results (CSV, Excel, SPSS, Parquet).")

commands = [group]
