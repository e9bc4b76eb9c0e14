"""``vocapp canvas``: the canvas command group."""
from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("canvas", help="The Customer Segmentation Canvas: place, show, movements, suppression.")

commands = [group]
