"""Canonical form, content hash and YAML/JSON export of definitions."""
from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any, Literal

import yaml

from .model import dict_entries

_INTEGER_KEY = re.compile(r"^-?\d+$")


def normalise_definition(defn: dict) -> dict:
    """Return a copy with scale label keys as integers (JSON object keys are always strings)."""
    result = copy.deepcopy(defn)
    for _, _, scale in dict_entries(result, "scales"):
        labels = scale.get("labels")
        if isinstance(labels, dict):
            scale["labels"] = {_label_key(key): value for key, value in labels.items()}
    return result


def _label_key(key: Any) -> Any:
    return int(key) if isinstance(key, str) and _INTEGER_KEY.match(key) else key


SURVEY_KEYS = ("id", "title", "version", "languages", "description", "thank_you", "constructs", "scales", "pages")
CONSTRUCT_KEYS = ("id", "label", "description")
SCALE_KEYS = ("id", "min", "max", "labels", "not_applicable")
PAGE_KEYS = ("id", "title", "intro", "items")
ITEM_KEYS = ("id", "type", "text", "help", "required", "show_if", "scale", "construct", "reverse", "options", "min",
             "max")
OPTION_KEYS = ("value", "label")
SHOW_IF_KEYS = ("item", "in", "op", "value")


def _ordered(entry: Any, keys: tuple[str, ...]) -> Any:
    if not isinstance(entry, dict):
        return entry
    known = {key: entry[key] for key in keys if key in entry}
    return {**known, **{key: value for key, value in entry.items() if key not in known}}


def order_definition(defn: dict) -> dict:
    """Copy of ``defn`` with keys in the documented order (e.g. after a database reordered them)."""
    result = _ordered(normalise_definition(defn), SURVEY_KEYS)
    for key, keys in (("constructs", CONSTRUCT_KEYS), ("scales", SCALE_KEYS), ("pages", PAGE_KEYS)):
        if isinstance(result.get(key), list):
            result[key] = [_ordered(entry, keys) for entry in result[key]]
    for _, _, scale in dict_entries(result, "scales"):
        labels = scale.get("labels")
        if isinstance(labels, dict) and all(isinstance(point, int) for point in labels):
            scale["labels"] = dict(sorted(labels.items()))
    for _, _, page in dict_entries(result, "pages"):
        if isinstance(page.get("items"), list):
            page["items"] = [_ordered(item, ITEM_KEYS) for item in page["items"]]
        for _, _, item in dict_entries(page, "items"):
            if isinstance(item.get("options"), list):
                item["options"] = [_ordered(option, OPTION_KEYS) for option in item["options"]]
            if "show_if" in item:
                item["show_if"] = _ordered(item["show_if"], SHOW_IF_KEYS)
    return result


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def canonical_json(defn: dict) -> str:
    """Compact JSON with sorted keys: identical for definitions that differ only in formatting."""
    return json.dumps(_canonical(defn), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(defn: dict) -> str:
    """SHA-256 hex digest of :func:`canonical_json` (key order, layout and comments don't count)."""
    return hashlib.sha256(canonical_json(defn).encode("utf-8")).hexdigest()


class _ReadableDumper(yaml.SafeDumper):
    """Block style with indented lists, short scalar lists inline, multi-line text as ``|`` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    scalars_only = all(isinstance(item, (str, int, float, bool)) and not (isinstance(item, str) and "\n" in item)
                       for item in data)
    flow = bool(data) and scalars_only and sum(len(str(item)) for item in data) < 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_ReadableDumper.add_representer(list, _represent_list)
_ReadableDumper.add_representer(str, _represent_str)


def dump_definition(defn: dict, fmt: Literal["yaml", "json"] = "yaml") -> str:
    """Serialise a definition; parsing the result gives back an equal definition (same hash)."""
    if fmt == "json":
        return json.dumps(defn, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.dump(defn, Dumper=_ReadableDumper, sort_keys=False, allow_unicode=True,
                         default_flow_style=False, width=100)
    raise ValueError(f"unknown format {fmt!r}; use 'yaml' or 'json'")
