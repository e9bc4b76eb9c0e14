"""Structural validation against ``survey_definitions/schema.json``, as located problems."""
from __future__ import annotations

import difflib
import json
from functools import lru_cache
from typing import Any, Callable, Iterator

import jsonschema
from jsonschema.exceptions import ValidationError

from ..resources import resource_dir
from .problems import Problem, index_path, key_path

SCHEMA_PATH = resource_dir("survey_definitions") / "schema.json"

_JSON_TYPE_NAMES = {"object": "mapping", "array": "list", "integer": "whole number"}
Locate = Callable[[str], "int | None"]


@lru_cache(maxsize=1)
def definition_schema() -> dict:
    """The JSON Schema (draft 2020-12) every definition must satisfy."""
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(definition_schema())


def schema_problems(defn: Any, filename: str, locate: Locate) -> list[Problem]:
    """Every schema violation in ``defn`` as an error located by path and line."""
    problems = []
    for error in _validator().iter_errors(defn):
        for path, message in _describe(error, error_path(error.absolute_path, defn)):
            problems.append(Problem("error", filename, locate(path), path, message))
    return problems


def error_path(parts: Any, instance: Any) -> str:
    """Location path of a jsonschema error; integers are list indexes only inside lists."""
    path = ""
    for part in parts:
        if isinstance(instance, list) and isinstance(part, int):
            path = index_path(path, part)
            instance = instance[part] if 0 <= part < len(instance) else None
        else:
            path = key_path(path, part)
            instance = instance.get(part) if isinstance(instance, dict) else None
    return path


#: JSON value types in the words an author reads, bool first (True is also an int)
_VALUE_TYPE_NAMES = ((bool, "true/false"), (int, "whole number"), (float, "number"), (str, "string"),
                     (dict, "mapping"), (list, "list"), (type(None), "nothing (null)"))


def type_name(value: Any) -> str:
    """The kind of a parsed YAML/JSON value, as a problem message names it."""
    return next((name for kind, name in _VALUE_TYPE_NAMES if isinstance(value, kind)), type(value).__name__)


def _expected(types: Any) -> str:
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(_JSON_TYPE_NAMES.get(name, name) for name in names)


def _describe(error: ValidationError, path: str) -> Iterator[tuple[str, str]]:
    """Turn one jsonschema error at ``path`` into ``(path, message)`` pairs a person can act on."""
    kind, instance, schema = error.validator, error.instance, error.schema
    custom = schema.get("errorMessage") if isinstance(schema, dict) else None
    if kind == "required":
        reason = ""
        if "then" in error.schema_path and isinstance(instance, dict):
            reason = f" ({instance.get('type')} items need it)"
        for key in error.validator_value:
            if isinstance(instance, dict) and key not in instance:
                yield path, f"missing required key '{key}'{reason}"
    elif kind == "additionalProperties" and isinstance(instance, dict):
        known = list(schema.get("properties", {}))
        for key in instance:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else f"; allowed keys: {', '.join(known)}"
                yield key_path(path, key), f"unknown key '{key}'{hint}"
    elif kind == "type":
        hint = " (in YAML, quote words such as yes, no, on and off)" if isinstance(instance, bool) else ""
        yield path, f"expected {_expected(error.validator_value)}, got {type_name(instance)}{hint}"
    elif kind == "enum":
        choices = ", ".join(str(choice) for choice in error.validator_value)
        yield path, f"{instance!r} is not allowed here; expected one of: {choices}"
    elif kind == "pattern":
        yield path, f"{instance!r} {custom or 'does not match ' + error.validator_value}"
    elif kind in ("minLength", "minProperties"):
        yield path, "must not be empty"
    elif kind == "maxLength":
        yield path, f"is longer than {error.validator_value} characters"
    elif kind == "minItems":
        yield path, f"needs at least {error.validator_value} entr{'y' if error.validator_value == 1 else 'ies'}"
    elif kind == "uniqueItems":
        yield path, "contains the same entry more than once"
    elif custom:
        yield path, custom
    else:
        yield path, error.message
