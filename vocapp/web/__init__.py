"""The web layer: one thin blueprint per area. Each parses a request, calls a service and renders."""
from __future__ import annotations

import importlib
import time

from flask import Flask, render_template

from vocapp.web.api.problems import ApiProblem, from_exception, is_api_request
from vocapp.web.hygiene import DatabaseIntConverter, add_security_headers, reject_nul_characters

#: (module under vocapp.web exposing ``bp``, URL prefix), one per area
BLUEPRINTS = [
    ("auth", "/auth"),
    ("home", ""),
    ("staff", "/staff"),
    ("surveys", "/surveys"),
    ("imports", "/imports"),
    ("legacy", ""),
    ("contacts", "/contacts"),
    ("scoring", "/scoring"),
    ("canvas", "/canvas"),
    ("exports", "/exports"),
    ("campaigns", "/campaigns"),
    ("unsubscribe", "/u"),
    ("docs", "/docs"),
    ("jobs", "/jobs"),
    ("webhooks", "/webhooks"),
    ("respondent", "/s"),
    ("api", "/api"),
]


def register_blueprints(app: Flask) -> None:
    """Register every area's blueprint that exists, and the error pages."""
    app.url_map.converters["int"] = DatabaseIntConverter  # before any rule is added
    app.before_request(reject_nul_characters)
    app.after_request(add_security_headers)
    for module_name, prefix in BLUEPRINTS:
        module = importlib.import_module(f"vocapp.web.{module_name}")
        app.register_blueprint(module.bp, url_prefix=prefix or None)

    @app.context_processor
    def navigation() -> dict[str, object]:
        return {"has_endpoint": lambda name: name in app.view_functions}

    for status in (400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429, 500):
        app.register_error_handler(status, _error_page(status))
    app.register_error_handler(ApiProblem, lambda error: from_exception(error, error.status))


def _error_page(status: int):
    def handler(error: Exception):
        if is_api_request():  # the JSON API answers with problem details, never a page
            return from_exception(error, status)
        description = getattr(error, "description", None)
        custom = description if description and description != getattr(type(error), "description", None) else None
        return render_template("errors/error.html", status=status, error=error, custom=custom,
                               wait=_wait_minutes()), status

    return handler


def _wait_minutes() -> int | None:
    """Minutes until the rate limit that refused this request lets it through again."""
    from vocapp.services.sessions import limiter

    limit = limiter.current_limit
    if limit is None or not limit.breached:
        return None
    # reset_at is a whole second: rounding (not ceil) keeps a fresh 15-minute window saying 15, not 16
    return max(1, round((limit.reset_at - time.time()) / 60))
