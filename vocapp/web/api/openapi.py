"""The OpenAPI 3.1 document, generated from the declared routes (``routes.ROUTES``) and their pydantic
schemas (JSON Schema 2020-12, which OpenAPI 3.1 uses as is); and the reference page made from it."""
from __future__ import annotations

import functools
import re
from typing import Any

from vocapp.web.api.problems import API_PREFIX, PROBLEM_TYPE
from vocapp.web.api.routes import ROUTES, Route, schemas

REF = "#/components/schemas/{model}"
#: what every operation may answer besides its success
ERRORS = {
    "400": "Malformed request (query, cursor or JSON)", "401": "No valid API token",
    "403": "The token lacks the scope, or its role may not do this", "404": "Not found",
    "413": "Body too large", "415": "Body not sent as application/json",
    "422": "Records refused; each problem names its record index and field", "429": "Rate limit reached",
}
RATE_HEADERS = {name: {"description": text, "schema": {"type": "integer"}} for name, text in (
    ("RateLimit-Limit", "Requests allowed per window for this token"),
    ("RateLimit-Remaining", "Requests left in this window"),
    ("RateLimit-Reset", "Seconds until the window resets"))}


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """A Flask rule as an OpenAPI path and its path parameters."""
    parameters = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule):
        schema = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1} if converter == "int" else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return API_PREFIX + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), parameters


def _query_parameters(model: Any) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    return [{"name": name, "in": "query", "required": name in required, "schema": prop,
             **({"description": prop["description"]} if "description" in prop else {})}
            for name, prop in schema.get("properties", {}).items()]


def _operation(route: Route) -> dict[str, Any]:
    module = schemas()
    operation: dict[str, Any] = {
        "operationId": route.operation_id, "summary": route.summary, "description": route.description,
        "tags": ["jobs" if route.rule.startswith("/jobs") else route.rule.strip("/").split("/")[0]],
        "security": [{"bearerAuth": []}], "x-scope": route.scope, "x-roles": list(route.roles),
        "responses": {str(route.status): {
            "description": "Success", "headers": RATE_HEADERS,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=route.response)}}},
            **({"links": route.links} if route.links else {})}},
    }
    _, parameters = _path(route.rule)
    if route.query:
        parameters += _query_parameters(getattr(module, route.query))
    if parameters:
        operation["parameters"] = parameters
    if route.body:
        item = {"$ref": REF.format(model=route.body)}
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"type": "array", "items": item} if route.body_is_array else item}}}
    for status, text in ERRORS.items():
        operation["responses"][status] = {"description": text,
                                          "content": {PROBLEM_TYPE: {"schema": {"$ref": REF.format(model="Problem")}}}}
    operation["responses"]["429"]["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                                "description": "Seconds to wait"}}
    return operation


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of /api/v1 (made once per process)."""
    from pydantic.json_schema import models_json_schema

    module = schemas()
    names = sorted({name for route in ROUTES for name in (route.response, route.body) if name} | {"Problem"})
    _, definitions = models_json_schema([(getattr(module, name), "serialization") for name in names],
                                        ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        path, _ = _path(route.rule)
        paths.setdefault(path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "vocapp API", "version": "1",
                 "description": "Read accounts, contacts, responses, runs and campaigns; import contacts and "
                                "transactions; start scoring and placement. See docs/api.md."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": definitions.get("$defs", {}),
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                          "description": "A personal API token (docs/api.md)"}}},
    }
