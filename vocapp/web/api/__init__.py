"""The REST API area: JSON under /api/v1 (``views``, ``jobs``) authenticated by personal API tokens,
its OpenAPI document and reference page (``reference``), and the admins' token pages (``tokens``).

Importing this package declares every route on ``bp``; pydantic and the services load on first use."""
from vocapp.web.api.routes import ROUTES, bp, rate_limit_headers
from vocapp.web.api import jobs, reference, tokens, views  # noqa: F401,E402 - they declare the routes

bp.after_request(rate_limit_headers)

__all__ = ["ROUTES", "bp"]
