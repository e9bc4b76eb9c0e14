"""The web layer: one thin blueprint per area. Each parses a request, calls a service and renders."""
from __future__ import annotations

import importlib

from flask import Flask, render_template

#: (module under vocapp.web, attribute holding the blueprint, URL prefix). A module that is not
#: there yet is skipped, so areas can land one at a time.
BLUEPRINTS = [
    ("auth", "bp", "/auth"),
    ("home", "bp", ""),
    ("designer", "bp", "/designer"),
    ("contacts", "bp", "/contacts"),
    ("campaigns", "bp", "/campaigns"),
    ("respondent", "bp", "/r"),
    ("scoring", "bp", "/scoring"),
    ("canvas", "bp", "/canvas"),
    ("exports", "bp", "/exports"),
]


def register_blueprints(app: Flask) -> None:
    """Register every area's blueprint that exists, and the error pages."""
    for module_name, attribute, prefix in BLUEPRINTS:
        try:
            module = importlib.import_module(f"vocapp.web.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"vocapp.web.{module_name}":
                continue
            raise
        app.register_blueprint(getattr(module, attribute), url_prefix=prefix or None)

    @app.context_processor
    def navigation() -> dict[str, object]:
        return {"has_endpoint": lambda name: name in app.view_functions}

    for status in (400, 403, 404, 413, 500):
        app.register_error_handler(status, _error_page(status))


def _error_page(status: int):
    def handler(error: Exception):
        return render_template("errors/error.html", status=status, error=error), status

    return handler
