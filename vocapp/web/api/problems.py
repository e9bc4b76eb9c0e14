"""RFC 9457 problem details: every API error is ``application/problem+json``, never the HTML error page."""
from __future__ import annotations

from typing import Any

import orjson
from flask import Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

API_PREFIX = "/api/v1"
PROBLEM_TYPE = "application/problem+json"
#: at most this many located errors in one problem (the total is always given)
MAX_ERRORS = 1000


class ApiProblem(Exception):
    """Raised by an API view: answered as a problem with this status, detail and located errors."""

    def __init__(self, status: int, detail: str | None = None, errors: list[dict[str, Any]] | None = None,
                 error_count: int | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or HTTP_STATUS_CODES.get(status, "Error"))
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers or {}
        self.error_count = error_count if error_count is not None else (len(errors) if errors else None)


def is_api_request() -> bool:
    """Whether this request is to the JSON API (its errors are problem details)."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def problem_response(status: int, detail: str | None = None, errors: list[dict[str, Any]] | None = None,
                     error_count: int | None = None, headers: dict[str, str] | None = None) -> Response:
    """A problem details response (``type`` about:blank, ``title`` the status phrase)."""
    body: dict[str, Any] = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"),
                            "status": status, "instance": request.path}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors[:MAX_ERRORS]
        body["error_count"] = error_count if error_count is not None else len(errors)
    response = Response(orjson.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_exception(error: Exception, status: int) -> Response:
    """The problem for an HTTP error raised anywhere under /api/v1 (404, 405, 413, 429, 500 ...)."""
    if isinstance(error, ApiProblem):
        return problem_response(error.status, error.detail, error.errors, error.error_count, error.headers)
    detail = None
    headers: dict[str, str] = {}
    if isinstance(error, HTTPException):
        status = error.code or status
        if status != 500 and error.description != type(error).description:
            detail = str(error.description)
        if status == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        if status == 429:
            detail = "Too many requests for this token; wait for Retry-After seconds."
    return problem_response(status, detail, headers=headers)
