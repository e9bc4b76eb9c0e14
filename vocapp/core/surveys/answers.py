"""Respondent answers: display logic (``show_if``) and turning posted form values into typed answers.

Used by every place that shows a questionnaire (designer preview, respondent pages). Works on
any ``form`` object with ``getlist(name) -> list[str]`` (e.g. Flask's ``request.form``).
"""
from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from .messages import Message
from .model import CHOICE_TYPES, NPS_RANGE, entries_by_id, iter_items, option_values

#: form value of the "not applicable" answer; stored as ``None`` (scored as missing)
NOT_APPLICABLE = "na"
MAX_TEXT_LENGTH = 5000
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
}
_NOT_A_NUMBER = Message("Please enter a number, for example 250 or 12.5.")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class FormData(Protocol):
    def getlist(self, key: str) -> list[str]: ...


def field_name(item_id: str) -> str:
    """Name of the form field carrying an item's answer."""
    return f"answer-{item_id}"


def condition_met(condition: dict | None, answers: dict[str, Any]) -> bool:
    """Whether ``show_if`` is satisfied by ``answers`` (no condition = always shown)."""
    if not condition:
        return True
    answer = answers.get(condition.get("item"))
    if answer is None:
        return False
    if "in" in condition:
        allowed = condition["in"]
        chosen = answer if isinstance(answer, list) else [answer]
        return any(value in allowed for value in chosen)
    compare = OPERATORS.get(condition.get("op"))
    if compare is None or isinstance(answer, (bool, list, str)):
        return False
    return compare(answer, condition.get("value"))


def visible_item_ids(defn: dict, answers: dict[str, Any]) -> set[str]:
    """Ids of the items shown given ``answers``; an item that depends on a hidden item is hidden."""
    visible: set[str] = set()
    for ref in iter_items(defn):
        condition = ref.item.get("show_if")
        if not condition or (condition.get("item") in visible and condition_met(condition, answers)):
            visible.add(ref.item["id"])
    return visible


@dataclass
class PageAnswers:
    """Typed answers to the items of one page, and a respondent-facing error per item."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_page_answers(defn: dict, page: dict, form: FormData, earlier: dict[str, Any] | None = None) -> PageAnswers:
    """Read the answers to ``page`` from ``form``.

    Items hidden by ``show_if`` (given ``earlier`` answers and those on this page) are dropped;
    required visible items left blank get an error. "Not applicable" is stored as ``None``.
    """
    known = dict(earlier or {})
    result = PageAnswers()
    visible = visible_item_ids(defn, known)
    for item in page.get("items", []):
        item_id = item["id"]
        condition = item.get("show_if")
        shown = not condition or (condition.get("item") in visible and condition_met(condition, known))
        if not shown:
            visible.discard(item_id)
            known.pop(item_id, None)
            continue
        visible.add(item_id)
        raw = [value.strip() for value in form.getlist(field_name(item_id))]
        raw = [value for value in raw if value]
        if not raw:
            known.pop(item_id, None)
            if item.get("required"):
                result.errors[item_id] = Message("Please answer this question.")
            continue
        value, error = _typed_answer(defn, item, raw)
        if error:
            result.errors[item_id] = error
        else:
            result.answers[item_id] = known[item_id] = value
    return result


def _typed_answer(defn: dict, item: dict, raw: list[str]) -> tuple[Any, str | None]:
    kind = item.get("type")
    if kind in ("likert", "nps"):
        low, high = NPS_RANGE
        not_applicable = False
        if kind == "likert":
            scale = entries_by_id(defn, "scales").get(item.get("scale"), {})
            low, high = scale.get("min", 0), scale.get("max", 0)
            not_applicable = bool(scale.get("not_applicable"))
        if raw[0] == NOT_APPLICABLE and not_applicable:
            return None, None
        if raw[0].lstrip("-").isdigit() and low <= int(raw[0]) <= high:
            return int(raw[0]), None
        return None, Message("Please choose one of the answers shown.")
    if kind in CHOICE_TYPES:
        values = option_values(item)
        if any(value not in values for value in raw):
            return None, Message("Please choose from the answers shown.")
        if kind == "single_choice":
            return (raw[0], None) if len(raw) == 1 else (None, Message("Please choose only one answer."))
        return [value for value in values if value in raw], None
    if kind == "number":
        return _number_answer(item, raw[0])
    text = raw[0]
    if len(text) > MAX_TEXT_LENGTH:
        return None, Message("Please keep your answer under %(limit)s characters (it has %(length)s).",
                             limit=f"{MAX_TEXT_LENGTH:,}", length=f"{len(text):,}")
    return text, None


def _number_answer(item: dict, raw: str) -> tuple[Any, str | None]:
    compact = raw.replace(",", "").replace(" ", "")
    if not _NUMBER.match(compact):
        return None, _NOT_A_NUMBER
    number = float(compact)
    if not math.isfinite(number):
        return None, _NOT_A_NUMBER
    low, high = item.get("min"), item.get("max")
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            return None, Message("Please enter a number between %(low)s and %(high)s.", low=_plain(low),
                                 high=_plain(high))
        if low is not None:
            return None, Message("Please enter a number of at least %(low)s.", low=_plain(low))
        return None, Message("Please enter a number of at most %(high)s.", high=_plain(high))
    return (int(number) if number.is_integer() else number), None


def _plain(number: float | int | None) -> str:
    return f"{number:g}" if isinstance(number, float) else str(number)


def prune_hidden(defn: dict, answers: dict[str, Any]) -> dict[str, Any]:
    """``answers`` without those to items that are hidden (or unknown) given ``answers`` themselves."""
    visible = visible_item_ids(defn, answers)
    return {item_id: value for item_id, value in answers.items() if item_id in visible}


def missing_required(defn: dict, answers: dict[str, Any]) -> dict[str, int]:
    """Required items that are shown but unanswered, as ``{item_id: page_index}`` in questionnaire order.

    "Not applicable" (stored as ``None``) counts as an answer.
    """
    visible = visible_item_ids(defn, answers)
    return {ref.item["id"]: ref.page_index for ref in iter_items(defn)
            if ref.item.get("required") and ref.item["id"] in visible and ref.item["id"] not in answers}


def next_page_index(defn: dict, current: int, answers: dict[str, Any], step: int) -> int | None:
    """Index of the next page (``step`` 1) or previous page (``step`` -1) with a visible item, or None."""
    visible = visible_item_ids(defn, answers)
    index = current + step
    while 0 <= index < len(defn["pages"]):
        if any(item["id"] in visible or _same_page_condition(item, defn["pages"][index])
               for item in defn["pages"][index]["items"]):
            return index
        index += step
    return None


def _same_page_condition(item: dict, page: dict) -> bool:
    condition = item.get("show_if")
    return bool(condition) and condition.get("item") in {entry["id"] for entry in page["items"]}
