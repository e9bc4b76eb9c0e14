"""Read definition text (YAML or JSON) into data plus a map from location path to line.

Every document is bounded before it is built: at most MAX_DEFINITION_CHARS characters, MAX_DEPTH levels
of nesting (checked on the parser's event stream, which needs no recursion) and MAX_YAML_VALUES values
after YAML aliases are expanded. Survey definitions and canvas definitions are both read here.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring
from typing import Any

import yaml

from .problems import Problem, index_path, key_path


@dataclass
class LineMap:
    """Line numbers (1-based) of every path in a source document.

    A mapping entry is located at its key's line, a list element at its first
    line. Paths that are not in the source (e.g. a missing key) resolve to the
    nearest enclosing path that is.
    """

    lines: dict[str, int] = field(default_factory=dict)

    def record(self, path: str, line: int) -> None:
        self.lines.setdefault(path, line)

    def line_for(self, path: str) -> int | None:
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = parent_path(path)


def parent_path(path: str) -> str:
    """``a.b[2].c`` -> ``a.b[2]`` -> ``a.b`` -> ``a`` -> ``''``."""
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


@dataclass
class ParsedSource:
    """Result of reading a document: data (None if unreadable), line map, syntax problems."""

    data: Any
    lines: LineMap
    problems: list[Problem]


def is_json_filename(filename: str) -> bool:
    return filename.lower().endswith(".json")


#: largest definition text (the default questionnaire has about 8,000 characters)
MAX_DEFINITION_CHARS = 1 << 20
#: largest definition file in bytes (UTF-8 takes up to 4 bytes a character)
MAX_DEFINITION_BYTES = 4 * MAX_DEFINITION_CHARS
#: deepest nesting of mappings and lists (a survey definition needs 9 levels)
MAX_DEPTH = 32


def read_source(text: str, filename: str) -> ParsedSource:
    """Parse ``text`` as JSON (``*.json``) or YAML (anything else), keeping line numbers."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        problem = Problem("error", filename, 1, "", "the definition is empty")
        return ParsedSource(None, LineMap(), [problem])
    if len(text) > MAX_DEFINITION_CHARS:
        return ParsedSource(None, LineMap(), [Problem(
            "error", filename, None, "", f"the definition has {len(text):,} characters; at most "
            f"{MAX_DEFINITION_CHARS:,} are accepted")])
    deep = _json_depth_problem(text, filename) if is_json_filename(filename) else _yaml_depth_problem(text, filename)
    if deep is not None:
        return ParsedSource(None, LineMap(), [deep])
    parsed = _read_json(text, filename) if is_json_filename(filename) else _read_yaml(text, filename)
    nul = _nul_problem(parsed, filename)
    return parsed if nul is None else ParsedSource(None, parsed.lines, [nul])


def _nul_problem(parsed: ParsedSource, filename: str) -> Problem | None:
    """A NUL character in any key or text (e.g. YAML "\\0"): no database text column can store it."""
    stack: list[tuple[Any, str]] = [(parsed.data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                child_path = key_path(path, str(key))
                if "\x00" in str(key):
                    stack.append((str(key), child_path))
                stack.append((child, child_path))
        elif isinstance(value, list):
            stack.extend((child, index_path(path, index)) for index, child in enumerate(value))
        elif isinstance(value, str) and "\x00" in value:
            return Problem("error", filename, parsed.lines.line_for(path), path, "text contains a NUL character")
    return None


def size_problem(size: int, filename: str) -> Problem | None:
    """A problem when a definition file of ``size`` bytes is too large to read."""
    if size <= MAX_DEFINITION_BYTES:
        return None
    return Problem("error", filename, None, "", f"the file is larger than {MAX_DEFINITION_BYTES:,} bytes, "
                                                "the most a definition may have")


def _too_deep(filename: str, line: int | None) -> Problem:
    return Problem("error", filename, line, "", f"the document is nested more than {MAX_DEPTH} levels deep")


def _yaml_depth_problem(text: str, filename: str) -> Problem | None:
    """The first mapping or list nested deeper than MAX_DEPTH, from PyYAML's (non-recursive) event parser."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return _too_deep(filename, event.start_mark.line + 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None  # the full read reports the syntax error with its line
    return None


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_depth_problem(text: str, filename: str) -> Problem | None:
    """The first object or array nested deeper than MAX_DEPTH (brackets outside strings)."""
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        char = token.group(0)
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return _too_deep(filename, text.count("\n", 0, token.start()) + 1)
        elif char in "]}":
            depth -= 1
    return None


def _read_yaml(text: str, filename: str) -> ParsedSource:
    lines = LineMap()
    problems: list[Problem] = []
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return ParsedSource(None, lines, [Problem("error", filename, 1, "", "the definition is empty")])
        alias_problem = _alias_problem(node, filename)
        if alias_problem is not None:
            return ParsedSource(None, lines, [alias_problem])
        _walk_yaml(node, "", lines, problems, filename)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = "; ".join(part for part in (exc.context, exc.problem) if part)
        return ParsedSource(None, lines, [Problem("error", filename, line, "", f"YAML syntax error: {reason}")])
    except yaml.YAMLError as exc:
        return ParsedSource(None, lines, [Problem("error", filename, None, "", f"YAML error: {exc}")])
    finally:
        loader.dispose()
    return ParsedSource(data, lines, problems)


#: most values a YAML definition may expand to (aliases re-use nodes; a default questionnaire has ~1,000)
MAX_YAML_VALUES = 100_000


def _alias_problem(root: yaml.Node, filename: str) -> Problem | None:
    """An alias that contains itself, or aliases expanding to more than MAX_YAML_VALUES values."""
    stack: list[tuple[yaml.Node, frozenset[int]]] = [(root, frozenset())]
    count = 0
    while stack:
        node, ancestors = stack.pop()
        count += 1
        if count > MAX_YAML_VALUES:
            return Problem("error", filename, None, "",
                           f"the YAML expands to more than {MAX_YAML_VALUES:,} values (anchors and aliases?)")
        if id(node) in ancestors:
            return Problem("error", filename, node.start_mark.line + 1, "",
                           "recursive YAML alias: an anchored value contains itself")
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            continue
        inside = ancestors | {id(node)}
        stack.extend((child, inside) for child in children)
    return None


def _walk_yaml(node: yaml.Node, path: str, lines: LineMap, problems: list[Problem], filename: str) -> None:
    lines.record(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_line = key_node.start_mark.line + 1
            child = key_path(path, key)
            if key in first_seen:
                problems.append(Problem("error", filename, key_line, child,
                                        f"duplicate key '{key}' (first on line {first_seen[key]})"))
            else:
                first_seen[key] = key_line
            lines.record(child, key_line)
            _walk_yaml(value_node, child, lines, problems, filename)
    elif isinstance(node, yaml.SequenceNode):
        for index, element in enumerate(node.value):
            _walk_yaml(element, index_path(path, index), lines, problems, filename)


def _read_json(text: str, filename: str) -> ParsedSource:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = Problem("error", filename, exc.lineno, "", f"JSON syntax error: {exc.msg} (column {exc.colno})")
        return ParsedSource(None, LineMap(), [problem])
    lines = LineMap()
    problems: list[Problem] = []
    _JsonLineScanner(text, lines, problems, filename).value(0, "")
    return ParsedSource(data, lines, problems)


class _JsonLineScanner:
    """Walks already-valid JSON text, recording the line of every path."""

    _WHITESPACE = " \t\r\n"

    def __init__(self, text: str, lines: LineMap, problems: list[Problem], filename: str) -> None:
        self.text = text
        self.lines = lines
        self.problems = problems
        self.filename = filename
        self.decoder = json.JSONDecoder()

    def line_at(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def skip(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] in self._WHITESPACE:
            pos += 1
        return pos

    def value(self, pos: int, path: str) -> int:
        pos = self.skip(pos)
        self.lines.record(path, self.line_at(pos))
        char = self.text[pos]
        if char == "{":
            return self._object(pos + 1, path)
        if char == "[":
            return self._array(pos + 1, path)
        _, end = self.decoder.raw_decode(self.text, pos)
        return end

    def _object(self, pos: int, path: str) -> int:
        first_seen: dict[str, int] = {}
        pos = self.skip(pos)
        if self.text[pos] == "}":
            return pos + 1
        while True:
            pos = self.skip(pos)
            key_line = self.line_at(pos)
            key, pos = scanstring(self.text, pos + 1)
            child = key_path(path, key)
            if key in first_seen:
                self.problems.append(Problem("error", self.filename, key_line, child,
                                             f"duplicate key '{key}' (first on line {first_seen[key]})"))
            else:
                first_seen[key] = key_line
            self.lines.record(child, key_line)
            pos = self.skip(pos) + 1  # the colon
            pos = self.skip(self.value(pos, child))
            if self.text[pos] == "}":
                return pos + 1
            pos += 1  # the comma

    def _array(self, pos: int, path: str) -> int:
        pos = self.skip(pos)
        if self.text[pos] == "]":
            return pos + 1
        index = 0
        while True:
            pos = self.skip(self.value(pos, index_path(path, index)))
            index += 1
            if self.text[pos] == "]":
                return pos + 1
            pos += 1
