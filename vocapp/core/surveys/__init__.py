"""Survey-definition format: parse YAML/JSON with line numbers, validate, hash and export.

Pure Python (PyYAML + jsonschema); no web or database code. See docs/survey-definitions.md.
"""
from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any, Callable

from .checks import Reporter, semantic_problems
from .model import (CHOICE_TYPES, ITEM_TYPES, NPS_RANGE, NUMERIC_TYPES, ItemRef, answer_range,
                    declared_languages, dict_entries, entries_by_id, items_by_id, iter_items, likert_key, localise,
                    option_values, scale_points)
from .problems import Problem, has_errors, sort_problems
from .schema import SCHEMA_PATH, definition_schema, schema_problems
from .serialise import canonical_json, content_hash, dump_definition, normalise_definition, order_definition
from .source import MAX_DEFINITION_BYTES, LineMap, read_source, size_problem
from .translations import iter_texts

__all__ = [
    "CHOICE_TYPES", "ITEM_TYPES", "MAX_DEFINITION_BYTES", "NPS_RANGE", "NUMERIC_TYPES", "SCHEMA_PATH", "ItemRef", "LineMap", "Problem",
    "answer_range", "canonical_json", "content_hash", "declared_languages", "definition_schema",
    "dict_entries", "dump_definition", "entries_by_id", "has_errors", "items_by_id", "iter_items", "iter_texts", "likert_key",
    "load_definition_file", "localise", "normalise_definition", "option_values", "order_definition", "parse_definition",
    "scale_points", "size_problem", "validate_definition",
]


def parse_definition(text: str, filename: str = "<definition>") -> tuple[dict | None, list[Problem]]:
    """Parse and validate definition text (JSON if ``filename`` ends in .json, else YAML).

    Returns ``(definition, problems)``. The definition is ``None`` when the text
    cannot be read as a mapping at all; otherwise it is returned even if it has
    errors, so callers must check :func:`has_errors` before using it.
    """
    source = read_source(text, filename)
    if source.data is None:
        return None, source.problems
    if not isinstance(source.data, dict):
        return None, [Problem("error", filename, source.lines.line_for(""), "",
                              "a definition must be a mapping of keys (id, title, pages, ...)")]
    defn = normalise_definition(source.data)
    return defn, sort_problems(source.problems + validate_definition(defn, filename, source.lines))


def load_definition_file(path: str | PathLike) -> tuple[dict | None, list[Problem]]:
    """Read and validate a definition file; problems name the file as given."""
    filename = str(path)
    try:
        too_large = size_problem(Path(path).stat().st_size, filename)
        if too_large is not None:
            return None, [too_large]
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, [Problem("error", filename, None, "", f"cannot read file: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return None, [Problem("error", filename, line, "", "file is not UTF-8 text")]
    return parse_definition(text, filename)


def validate_definition(defn: Any, filename: str = "<definition>",
                        source_lines: LineMap | Mapping[str, int] | None = None) -> list[Problem]:
    """Schema and semantic problems of ``defn``, located through ``source_lines`` if given."""
    locate = _locator(source_lines)
    problems = schema_problems(defn, filename, locate)
    problems += semantic_problems(defn, Reporter(filename, locate))
    return sort_problems(problems)


def _locator(source_lines: LineMap | Mapping[str, int] | None) -> Callable[[str], int | None]:
    if source_lines is None:
        return lambda path: None
    if isinstance(source_lines, LineMap):
        return source_lines.line_for
    return LineMap(dict(source_lines)).line_for
