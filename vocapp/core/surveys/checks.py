"""Semantic checks the schema cannot express: references, duplicates, display logic, balance."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from .model import (CHOICE_TYPES, NUMERIC_TYPES, ItemRef, answer_range, dict_entries, entries_by_id,
                    iter_items, option_values)
from .problems import Problem, index_path, key_path
from .translations import translation_problems

MIN_ITEMS_PER_CONSTRUCT = 3


@dataclass
class Reporter:
    """Collects problems for one file, locating each path through ``locate``."""

    filename: str
    locate: Callable[[str], "int | None"]
    problems: list[Problem] = field(default_factory=list)

    def error(self, path: str, message: str) -> None:
        self.problems.append(Problem("error", self.filename, self.locate(path), path, message))

    def warning(self, path: str, message: str) -> None:
        self.problems.append(Problem("warning", self.filename, self.locate(path), path, message))

    def where(self, path: str) -> str:
        line = self.locate(path)
        return f"{path}, line {line}" if line is not None else path


def semantic_problems(defn: Any, reporter: Reporter) -> list[Problem]:
    """Run every cross-reference and consistency check on ``defn``."""
    if not isinstance(defn, dict):
        return reporter.problems
    for kind, key in (("construct", "constructs"), ("scale", "scales"), ("page", "pages")):
        _check_unique(reporter, kind, ((path, entry.get("id")) for _, path, entry in dict_entries(defn, key)))
    refs = list(iter_items(defn))
    _check_unique(reporter, "item", ((ref.path, ref.item.get("id")) for ref in refs))
    for _, path, scale in dict_entries(defn, "scales"):
        _check_scale(reporter, path, scale)
    for ref in refs:
        _check_item(reporter, defn, ref)
        _check_show_if(reporter, defn, ref, refs)
    _check_constructs(reporter, defn, refs)
    for path, message in translation_problems(defn):
        reporter.error(path, message)
    return reporter.problems


def _check_unique(reporter: Reporter, kind: str, entries: Iterable[tuple[str, Any]], field_name: str = "id") -> None:
    first: dict[Any, str] = {}
    for path, value in entries:
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            continue
        if value in first:
            reporter.error(key_path(path, field_name),
                           f"duplicate {kind} {field_name} '{value}' (first used at {reporter.where(first[value])})")
        else:
            first[value] = path


def _check_scale(reporter: Reporter, path: str, scale: dict) -> None:
    low, high = scale.get("min"), scale.get("max")
    if not (isinstance(low, int) and isinstance(high, int)):
        return
    if low >= high:
        reporter.error(key_path(path, "max"), f"max ({high}) must be greater than min ({low})")
        return
    labels = scale.get("labels")
    if not isinstance(labels, dict):
        return
    for point in labels:
        label_path = key_path(key_path(path, "labels"), point)
        if not isinstance(point, int) or isinstance(point, bool):
            reporter.error(label_path, f"label key {point!r} is not a scale point (a whole number)")
        elif not low <= point <= high:
            reporter.error(label_path, f"label for point {point} is outside the scale's range {low} to {high}")


def _check_item(reporter: Reporter, defn: dict, ref: ItemRef) -> None:
    item, path = ref.item, ref.path
    item_type = item.get("type")
    if not isinstance(item_type, str):
        return
    if item_type == "likert":
        for key, kind in (("scale", "scales"), ("construct", "constructs")):
            value = item.get(key)
            known = entries_by_id(defn, kind)
            if isinstance(value, str) and value not in known:
                listed = ", ".join(known) or "none"
                reporter.error(key_path(path, key), f"unknown {key} '{value}' (defined {kind}: {listed})")
    else:
        if item.get("reverse") is True:
            reporter.error(key_path(path, "reverse"), f"'reverse' only applies to likert items, not {item_type}")
        for key in ("scale", "construct"):
            if key in item:
                reporter.error(key_path(path, key), f"'{key}' only applies to likert items, not {item_type}")
    if item_type not in CHOICE_TYPES and "options" in item:
        reporter.error(key_path(path, "options"), f"'options' only apply to choice items, not {item_type}")
    if item_type != "number":
        for key in ("min", "max"):
            if key in item:
                reporter.error(key_path(path, key), f"'{key}' only applies to number items, not {item_type}")
    elif isinstance(item.get("min"), (int, float)) and isinstance(item.get("max"), (int, float)):
        if item["min"] >= item["max"]:
            reporter.error(key_path(path, "max"), f"max ({item['max']}) must be greater than min ({item['min']})")
    if item_type in CHOICE_TYPES:
        _check_unique(reporter, "option", ((index_path(key_path(path, "options"), index), option.get("value"))
                                           for index, _, option in dict_entries(item, "options")), "value")


def _check_show_if(reporter: Reporter, defn: dict, ref: ItemRef, refs: list[ItemRef]) -> None:
    condition = ref.item.get("show_if")
    if not isinstance(condition, dict) or not isinstance(condition.get("item"), str):
        return
    path = key_path(ref.path, "show_if")
    target_id = condition["item"]
    target = next((other for other in refs if other.item.get("id") == target_id), None)
    if target is None:
        reporter.error(key_path(path, "item"), f"show_if refers to unknown item '{target_id}'")
        return
    if target.position == ref.position:
        reporter.error(key_path(path, "item"), "show_if refers to the item itself")
        return
    if target.position > ref.position:
        reporter.error(key_path(path, "item"),
                       f"show_if refers to item '{target_id}', which comes later ({reporter.where(target.path)}); "
                       "conditions may only use earlier answers")
        return
    _check_condition_values(reporter, defn, path, condition, target.item)


def _check_condition_values(reporter: Reporter, defn: dict, path: str, condition: dict, target: dict) -> None:
    target_id, target_type = target.get("id"), target.get("type")
    valid_range = answer_range(defn, target)
    values = condition.get("in")
    if isinstance(values, list):
        for index, value in enumerate(values):
            value_path = index_path(key_path(path, "in"), index)
            if target_type in CHOICE_TYPES:
                options = option_values(target)
                if value not in options:
                    reporter.error(value_path, f"{value!r} is not an option of item '{target_id}' "
                                               f"(options: {', '.join(map(str, options))})")
            elif target_type in NUMERIC_TYPES:
                if not isinstance(value, int) or isinstance(value, bool):
                    reporter.error(value_path, f"{value!r} is not a possible answer to {target_type} item "
                                               f"'{target_id}' (answers are numbers)")
                elif valid_range and not valid_range[0] <= value <= valid_range[1]:
                    reporter.error(value_path, _out_of_range(value, target_id, valid_range))
    if "op" in condition:
        value = condition.get("value")
        if target_type not in NUMERIC_TYPES:
            reporter.error(key_path(path, "op"), f"'op' needs a numeric item, but '{target_id}' is "
                                                 f"{target_type}; use 'in: [...]' instead")
        elif isinstance(value, (int, float)) and valid_range and not valid_range[0] <= value <= valid_range[1]:
            reporter.error(key_path(path, "value"), _out_of_range(value, target_id, valid_range))


def _out_of_range(value: Any, target_id: Any, valid_range: tuple[float, float]) -> str:
    return f"{value!r} is outside the answers to item '{target_id}' ({valid_range[0]} to {valid_range[1]})"


def _check_constructs(reporter: Reporter, defn: dict, refs: list[ItemRef]) -> None:
    likert = [ref.item for ref in refs if ref.item.get("type") == "likert"]
    for _, path, construct in dict_entries(defn, "constructs"):
        construct_id = construct.get("id")
        items = [item for item in likert if item.get("construct") == construct_id]
        if not items:
            reporter.warning(path, f"construct '{construct_id}' is not measured by any item")
            continue
        if len(items) < MIN_ITEMS_PER_CONSTRUCT:
            reporter.warning(path, f"construct '{construct_id}' has only {len(items)} item(s); "
                                   f"at least {MIN_ITEMS_PER_CONSTRUCT} are needed for a reliable score")
        if not any(item.get("reverse") is True for item in items):
            reporter.warning(path, f"construct '{construct_id}' has no reverse-keyed item; include at least "
                                   "one so agreeing with everything can be detected")

