"""Problems said in a designer's words: where in the questionnaire, and what to do.

The validator locates a problem by an internal path (``pages[1].items[2].scale``). Staff read
"Page 2 “How you see us”, question trust_3: choose a scale"; the path stays available as a detail
for anyone editing the YAML.
"""
from __future__ import annotations

import re
from typing import Any

from .model import localise
from .problems import Problem

_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")
#: what each key is called on the designer's forms
FIELD_NAMES = {
    "id": "id", "type": "type", "text": "question text", "help": "help text", "required": "required",
    "scale": "scale", "construct": "construct", "reverse": "reverse-keyed", "options": "options",
    "min": "smallest answer", "max": "largest answer", "show_if": "display logic", "title": "title",
    "intro": "introduction", "label": "label", "description": "description", "labels": "point labels",
    "not_applicable": "“not applicable” answer", "languages": "languages", "thank_you": "thank-you message",
}
#: validator messages that have a plainer way of saying them (pattern -> wording)
PLAIN_MESSAGES = [
    (re.compile(r"^missing required key '(\w+)' \(likert items need it\)$"),
     lambda m: f"choose the {FIELD_NAMES.get(m.group(1), m.group(1))} (every likert statement needs one)"),
    (re.compile(r"^missing required key '(\w+)'$"), lambda m: f"the {FIELD_NAMES.get(m.group(1), m.group(1))} is missing"),
]


def split_path(path: str) -> list[str | int]:
    """``pages[1].items[0].text`` -> ``['pages', 1, 'items', 0, 'text']``."""
    return [int(index) if index else key for key, index in _STEP.findall(path)]


def where(defn: Any, path: str) -> str:
    """Where ``path`` points, in words: page number and title, item or construct id, and field."""
    steps, parts, entry = split_path(path), [], defn
    position = 0
    while position < len(steps):
        step = steps[position]
        following = steps[position + 1] if position + 1 < len(steps) else None
        if isinstance(step, str) and isinstance(following, int):
            entries = entry.get(step) if isinstance(entry, dict) else None
            entry = entries[following] if isinstance(entries, list) and following < len(entries) else None
            parts.append(_name_entry(step, following, entry))
            position += 2
            continue
        parts.append(FIELD_NAMES.get(str(step), str(step)))
        entry = entry.get(step) if isinstance(entry, dict) else None
        position += 1
    return ", ".join(part for part in parts if part) or "the survey"


def _name_entry(kind: str, index: int, entry: Any) -> str:
    ident = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else None
    if kind == "pages":
        title = localise(entry.get("title")) if isinstance(entry, dict) else ""
        return f"Page {index + 1}" + (f" “{title}”" if title else "")
    names = {"items": "question", "constructs": "construct", "scales": "scale", "options": "option"}
    return f"{names.get(kind, kind)} {ident}" if ident else f"{names.get(kind, kind)} {index + 1}"


def plain_message(problem: Problem) -> str:
    """The problem's message said for a designer (the validator's own text when there is no plainer one)."""
    steps = split_path(problem.path)
    if problem.message.startswith("needs at least 1 entr"):
        last = steps[-1] if steps else ""
        return {"items": "has no questions yet: add one", "pages": "has no pages yet: add one",
                "options": "has no options yet: add at least one"}.get(str(last), problem.message)
    for pattern, wording in PLAIN_MESSAGES:
        match = pattern.match(problem.message)
        if match:
            return wording(match)
    return problem.message


def describe(defn: Any, problem: Problem) -> str:
    """``Page 2 “Title”, question q_1: choose the scale …`` for one problem."""
    if not problem.path:
        return plain_message(problem)
    path = problem.path
    if problem.message.startswith("needs at least 1 entr"):  # say where the empty list is, not the list
        path = path[: max(path.rfind("."), 0)]
    return f"{where(defn, path) if path else 'the survey'}: {plain_message(problem)}"
