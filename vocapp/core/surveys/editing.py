"""Small edits to a definition dict, as the Surveys pages make them (all return a new dict)."""
from __future__ import annotations

import copy
from typing import Any

from .model import CHOICE_TYPES, declared_languages, entries_by_id, items_by_id


def unused_id(prefix: str, taken: set[str]) -> str:
    """``prefix_1``, ``prefix_2``, ... whichever is not taken yet."""
    number = 1
    while f"{prefix}_{number}" in taken:
        number += 1
    return f"{prefix}_{number}"


def move_entry(entries: list, index: int, offset: int) -> list:
    """Copy of ``entries`` with entry ``index`` moved by ``offset`` places (clamped to the ends)."""
    result = list(entries)
    if not 0 <= index < len(result):
        raise IndexError(index)
    target = max(0, min(len(result) - 1, index + offset))
    result.insert(target, result.pop(index))
    return result


def add_page(defn: dict) -> dict:
    """Append an empty page with a fresh id."""
    result = copy.deepcopy(defn)
    pages = result.setdefault("pages", [])
    page_id = unused_id("page", {page.get("id") for page in pages})
    pages.append({"id": page_id, "title": f"Page {len(pages) + 1}", "items": []})
    return result


def new_item(defn: dict, item_type: str) -> dict:
    """A new item of ``item_type`` with a fresh id and sensible defaults."""
    item: dict[str, Any] = {"id": unused_id("q", set(items_by_id(defn))), "type": item_type,
                            "text": "New question"}
    if item_type == "likert":
        scales, constructs = list(entries_by_id(defn, "scales")), list(entries_by_id(defn, "constructs"))
        if scales:
            item["scale"] = scales[0]
        if constructs:
            item["construct"] = constructs[0]
    if item_type in CHOICE_TYPES:
        item["options"] = [{"value": "option_1", "label": "Option 1"}, {"value": "option_2", "label": "Option 2"}]
    return item


def add_item(defn: dict, page_index: int, item_type: str) -> tuple[dict, int]:
    """Append a new item to page ``page_index``; returns the new definition and the item's index."""
    result = copy.deepcopy(defn)
    items = result["pages"][page_index].setdefault("items", [])
    items.append(new_item(defn, item_type))
    return result, len(items) - 1


def set_text(old: Any, new: str, defn: dict) -> Any:
    """Replace the default-language text, keeping any other translations of ``old``."""
    if isinstance(old, dict):
        updated = dict(old)
        updated[declared_languages(defn)[0]] = new
        return updated
    return new
