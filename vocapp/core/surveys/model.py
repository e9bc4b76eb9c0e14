"""Read-only helpers for walking a (parsed) survey definition.

All helpers tolerate malformed input (they skip entries of the wrong shape) so
validation can use them before the structure is known to be valid.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterator

from .problems import index_path, key_path

ITEM_TYPES = ("likert", "nps", "single_choice", "multi_choice", "text", "number")
CHOICE_TYPES = frozenset({"single_choice", "multi_choice"})
NUMERIC_TYPES = frozenset({"likert", "nps", "number"})
NPS_RANGE = (0, 10)
DEFAULT_LANGUAGES = ("en",)
#: rough seconds a respondent spends on an item of each type (reading included), for the time estimate
SECONDS_PER_ITEM = {"likert": 12, "nps": 12, "single_choice": 15, "multi_choice": 20, "number": 20, "text": 60}


@dataclass(frozen=True)
class ItemRef:
    """An item with where it sits: its page, its position and its location path."""

    page_index: int
    item_index: int
    page: dict
    item: dict
    path: str
    position: int  # 0-based position in the whole questionnaire


def dict_entries(defn: Any, key: str, parent: str = "") -> Iterator[tuple[int, str, dict]]:
    """Yield ``(index, path, entry)`` for each mapping in the list ``defn[key]``."""
    if not isinstance(defn, dict):
        return
    entries = defn.get(key)
    if not isinstance(entries, list):
        return
    list_path = key_path(parent, key)
    for index, entry in enumerate(entries):
        if isinstance(entry, dict):
            yield index, index_path(list_path, index), entry


def iter_items(defn: Any) -> Iterator[ItemRef]:
    """Yield every item in questionnaire order."""
    position = 0
    for page_index, page_path, page in dict_entries(defn, "pages"):
        for item_index, item_path, item in dict_entries(page, "items", page_path):
            yield ItemRef(page_index, item_index, page, item, item_path, position)
            position += 1


def items_by_id(defn: Any) -> dict[str, ItemRef]:
    """Map item id to its first occurrence."""
    found: dict[str, ItemRef] = {}
    for ref in iter_items(defn):
        item_id = ref.item.get("id")
        if isinstance(item_id, str):
            found.setdefault(item_id, ref)
    return found


def entries_by_id(defn: Any, key: str) -> dict[str, dict]:
    """Map id to entry for ``constructs`` or ``scales`` (first occurrence wins)."""
    found: dict[str, dict] = {}
    for _, _, entry in dict_entries(defn, key):
        if isinstance(entry.get("id"), str):
            found.setdefault(entry["id"], entry)
    return found


def declared_languages(defn: Any) -> list[str]:
    """The survey's languages (first = default); ``['en']`` if none are declared."""
    languages = defn.get("languages") if isinstance(defn, dict) else None
    if isinstance(languages, list) and languages and all(isinstance(code, str) for code in languages):
        return list(languages)
    return list(DEFAULT_LANGUAGES)


def pick_language(defn: Any, preferred: str | None) -> str:
    """The survey language for a respondent who prefers ``preferred`` (e.g. a contact's ``cy`` or ``en-GB``).

    An exact match wins, then a match of the primary subtag (``en-GB`` -> ``en``); otherwise the
    survey's default language.
    """
    languages = declared_languages(defn)
    wanted = (preferred or "").strip().lower()
    if wanted:
        for code in languages:
            if code.lower() == wanted:
                return code
        for code in languages:
            if code.lower().split("-")[0] == wanted.split("-")[0]:
                return code
    return languages[0]


def estimated_minutes(defn: Any) -> int:
    """Whole minutes a respondent needs for every item, from SECONDS_PER_ITEM (at least 1)."""
    seconds = sum(SECONDS_PER_ITEM.get(ref.item.get("type"), 20) for ref in iter_items(defn))
    return max(1, math.ceil(seconds / 60))


def localise(text: Any, language: str | None = None, fallbacks: list[str] | tuple[str, ...] = ()) -> str:
    """Return ``text`` in ``language``, else the first available fallback, else any translation."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if isinstance(text, dict):
        for code in ([language] if language else []) + list(fallbacks):
            if isinstance(text.get(code), str):
                return text[code]
        for value in text.values():
            if isinstance(value, str):
                return value
    return str(text)


def option_values(item: dict) -> list[str]:
    """The option values of a choice item, in order."""
    options = item.get("options")
    if not isinstance(options, list):
        return []
    return [option["value"] for option in options if isinstance(option, dict) and "value" in option]


def scale_points(scale: dict) -> list[int]:
    """All points of a scale, ``min`` to ``max`` inclusive."""
    low, high = scale.get("min"), scale.get("max")
    if not (isinstance(low, int) and isinstance(high, int)) or low > high:
        return []
    return list(range(low, high + 1))


def answer_range(defn: Any, item: dict) -> tuple[float, float] | None:
    """The numeric range an answer to ``item`` can take, if it is numeric and bounded."""
    item_type = item.get("type")
    if item_type == "nps":
        return NPS_RANGE
    if item_type == "likert":
        scale = entries_by_id(defn, "scales").get(item.get("scale"))
        points = scale_points(scale) if scale else []
        return (points[0], points[-1]) if points else None
    if item_type == "number":
        low, high = item.get("min"), item.get("max")
        if isinstance(low, (int, float)) and isinstance(high, (int, float)):
            return (low, high)
    return None


def likert_key(defn: dict) -> list[dict]:
    """Scoring key: ``{item_id, construct, reverse, min, max}`` per likert item, in questionnaire order."""
    scales = entries_by_id(defn, "scales")
    key = []
    for ref in iter_items(defn):
        item = ref.item
        if item.get("type") != "likert":
            continue
        scale = scales.get(item.get("scale"), {})
        key.append({
            "item_id": item.get("id"),
            "construct": item.get("construct"),
            "reverse": bool(item.get("reverse", False)),
            "min": scale.get("min"),
            "max": scale.get("max"),
        })
    return key
