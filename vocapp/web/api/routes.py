"""How an API route is declared and served: ``api_route`` registers a view with its scope, roles and
request/response schemas (named, resolved in ``schemas`` on first use); every call is authenticated by
a bearer token, authorised by the token's scope and its holder's role, rate-limited per token, and its
query and body validated before the view runs. ``ROUTES`` is what the OpenAPI document is made from."""
from __future__ import annotations

import hashlib
import importlib
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import orjson
from flask import Blueprint, Response, current_app, request

from vocapp.errors import VocappError
from vocapp.services.api.tokens import TokenHolder, authenticate_token, csrf, limiter
from vocapp.web.api.problems import API_PREFIX, ApiProblem

bp = Blueprint("api", __name__)
#: JSON nesting deeper than this is refused before validation (our bodies need 3 levels)
MAX_JSON_DEPTH = 8
HOLDER_KEY = "vocapp.api_holder"


@dataclass
class Route:
    """One API operation, as the OpenAPI document describes it."""

    rule: str
    method: str
    operation_id: str
    summary: str
    scope: str
    roles: tuple[str, ...]
    response: str
    status: int = 200
    query: str | None = None
    body: str | None = None
    body_is_array: bool = False
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    description: str = ""


ROUTES: list[Route] = []


def schemas() -> Any:
    """The schema module (pydantic), imported on the first API request."""
    return importlib.import_module("vocapp.web.api.schemas")


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_holder() -> TokenHolder | None:
    """The holder of this request's bearer token (looked up once per request), or None."""
    if HOLDER_KEY not in request.environ:
        secret = _bearer()
        request.environ[HOLDER_KEY] = authenticate_token(secret, request.remote_addr) if secret else None
    return request.environ[HOLDER_KEY]


def _limit_key() -> str:
    """Rate-limit bucket: the token (hashed) when it is valid, else the client address."""
    holder = current_holder()
    if holder is not None:
        return f"api-token:{holder.token_id}"
    return f"api-client:{hashlib.sha256(str(request.remote_addr).encode()).hexdigest()[:16]}"


def _check_json(value: Any, limit: int) -> None:
    """Refuse JSON nested deeper than ``limit`` or holding a NUL character (PostgreSQL text cannot store
    one), naming where (a JSON Pointer)."""
    stack: list[tuple[Any, tuple]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, (list, dict)):
            if len(path) >= limit:
                raise ApiProblem(400, f"the JSON is nested deeper than {limit} levels")
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str) and "\x00" in key:
                    raise ApiProblem(422, "a NUL character (\\u0000) cannot be stored", [_nul_at(path + (key,))])
                stack.append((child, path + (key,)))
        elif isinstance(item, str) and "\x00" in item:
            raise ApiProblem(422, "a NUL character (\\u0000) cannot be stored", [_nul_at(path)])


def _nul_at(path: tuple) -> dict[str, Any]:
    index = path[0] if path and isinstance(path[0], int) else None
    rest = path[1:] if index is not None else path
    return {"index": index, "field": ".".join(str(p) for p in rest) or None,
            "detail": "a NUL character (\\u0000) cannot be stored",
            "pointer": "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)}


def read_json_body() -> Any:
    """The request body as JSON: bounded in size (API_MAX_BODY_MB, never above MAX_CONTENT_LENGTH) and depth."""
    limit = min(int(current_app.config["API_MAX_BODY_MB"]) * 1024 * 1024, current_app.config["MAX_CONTENT_LENGTH"])
    if request.mimetype != "application/json":
        raise ApiProblem(415, "send the body as application/json")
    if request.content_length is not None and request.content_length > limit:
        raise ApiProblem(413, f"the body is larger than {limit // (1024 * 1024)} MiB; send fewer records per request")
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise ApiProblem(413, f"the body is larger than {limit // (1024 * 1024)} MiB; send fewer records per request")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ApiProblem(400, f"the body is not valid JSON: {exc}") from None
    _check_json(value, MAX_JSON_DEPTH)
    return value


def located(error: Any, body_is_array: bool = False) -> list[dict[str, Any]]:
    """A pydantic ValidationError as located problems: record index, field and a JSON Pointer."""
    out = []
    for item in error.errors(include_url=False):
        loc = list(item.get("loc") or ())
        index = loc.pop(0) if body_is_array and loc and isinstance(loc[0], int) else None
        name = ".".join(str(part) for part in loc) or None
        pointer = "/" + "/".join(str(part) for part in ([index] if index is not None else []) + loc)
        out.append({"index": index, "field": name, "detail": item.get("msg", "invalid"), "pointer": pointer})
    return out


def _validate(model_name: str, value: Any, status: int, is_array: bool = False) -> Any:
    from pydantic import TypeAdapter, ValidationError

    model = getattr(schemas(), model_name)
    try:
        return TypeAdapter(list[model]).validate_python(value) if is_array else model.model_validate(value)
    except ValidationError as exc:
        errors = located(exc, is_array)
        raise ApiProblem(status, f"{len(errors)} problem(s) in the {'body' if status == 422 else 'query'}; "
                                 "nothing was changed", errors) from None


def _serve(route: Route, view: Callable, kwargs: dict[str, Any]) -> Response:
    holder = current_holder()
    if holder is None:
        raise ApiProblem(401, "send a valid API token: Authorization: Bearer <token>",
                         headers={"WWW-Authenticate": 'Bearer realm="vocapp"'})
    if route.scope not in holder.scopes:
        raise ApiProblem(403, f"this token lacks the '{route.scope}' scope")
    if not holder.has_role(*route.roles):
        raise ApiProblem(403, f"the token's role ({holder.role}) may not do this")
    if route.query:
        kwargs["query"] = _validate(route.query, request.args.to_dict(flat=True), 400)
    if route.body:
        kwargs["body"] = _validate(route.body, read_json_body(), 422, route.body_is_array)
    try:
        result = view(holder, **kwargs)
    except VocappError as error:
        # a cursor not handed out is a bad request; anything else a service refuses names what is missing
        raise ApiProblem(400 if type(error).__name__ == "CursorError" else 404, str(error)) from None
    model = getattr(schemas(), route.response)
    payload = model.model_validate(result).model_dump(mode="json")
    return Response(orjson.dumps(payload), status=route.status, mimetype="application/json")


def api_route(rule: str, method: str = "GET", *, scope: str, roles: tuple[str, ...], response: str,
              summary: str, **options: Any) -> Callable:
    """Declare an API operation at ``/api/v1<rule>``; the view gets ``(holder, **path, query=, body=)``."""
    def decorator(view: Callable) -> Callable:
        route = Route(rule, method, view.__name__, summary, scope, roles, response,
                      description=(view.__doc__ or "").strip(), **options)
        ROUTES.append(route)

        def endpoint(**kwargs: Any) -> Response:
            return _serve(route, view, kwargs)

        endpoint.__name__, endpoint.__module__, endpoint.__doc__ = view.__name__, view.__module__, view.__doc__
        limited = limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api",
                                       key_func=_limit_key)(endpoint)
        csrf.exempt(limited)
        bp.add_url_rule(API_PREFIX.removeprefix("/api") + rule, view.__name__, limited, methods=[method])
        return view

    return decorator


def rate_limit_headers(response: Response) -> Response:
    """``RateLimit-Limit``/``-Remaining``/``-Reset`` (seconds) on every API answer (IETF draft names)."""
    current = limiter.current_limit
    if current is not None:
        response.headers["RateLimit-Limit"] = str(current.limit.amount)
        response.headers["RateLimit-Remaining"] = str(max(0, current.remaining))
        reset = max(0, int(current.reset_at - time.time()))
        response.headers["RateLimit-Reset"] = str(reset)
        if response.status_code == 429:
            response.headers["Retry-After"] = str(max(1, reset))
    return response
