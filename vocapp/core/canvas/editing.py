"""Edits staff make to a canvas definition in the browser: category mapping and cuts.

Each returns a new raw definition (dict); :func:`vocapp.core.canvas.definition.build_canvas_definition`
then validates it exactly as it validates a file.
"""
from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from .definition import DEFAULT_LEAVE_ALONE_PROBABILITY

CATEGORY_KINDS = ("membership_fee", "commercial_service", "ignore")
#: the cuts staff may change, as (label, path in the definition)
CUTS = {
    "opportunity_cut": ("Opportunity cut (0-100)", ("axes", "x", "cut")),
    "readiness_cut": ("Readiness cut (0-100)", ("axes", "y", "cut")),
    "innovation_threshold": ("Co-creation: innovation score at least (0-100)", ("innovation", "threshold")),
    "leave_alone_cut": ("Leave alone: appetite below (0-100)", ("leave_alone", "cut")),
    "leave_alone_probability": ("Leave alone: when the probability that appetite is below that exceeds "
                                "(0.5-1, e.g. 0.8)", ("leave_alone", "probability")),
    "hysteresis_margin": ("Hysteresis margin (points)", ("hysteresis", "margin")),
}


def with_categories(raw: dict, mapping: dict[str, str]) -> dict:
    """Copy of ``raw`` whose ``categories`` are ``mapping`` (category -> kind; keys trimmed, lower-cased)."""
    result = copy.deepcopy(raw)
    result["categories"] = {str(category).strip().lower(): kind for category, kind in sorted(mapping.items())
                            if str(category).strip()}
    return result


def cut_values(raw: dict) -> dict[str, Any]:
    """The current value of every editable cut."""
    values = {name: _get(raw, path) for name, (_, path) in CUTS.items()}
    if values["leave_alone_probability"] is None:  # definitions saved before the key existed
        values["leave_alone_probability"] = DEFAULT_LEAVE_ALONE_PROBABILITY
    return values


def with_cuts(raw: dict, values: dict[str, float]) -> dict:
    """Copy of ``raw`` with the given cuts (names from :data:`CUTS`) replaced."""
    result = copy.deepcopy(raw)
    for name, value in values.items():
        *parents, last = CUTS[name][1]
        holder = result
        for key in parents:
            holder = holder.setdefault(key, {})
        holder[last] = int(value) if float(value).is_integer() else float(value)
    return result


def definition_hash(raw: dict) -> str:
    """SHA-256 of the definition's canonical JSON: equal for equal content, whatever the key order."""
    return hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                                     default=str).encode("utf-8")).hexdigest()


def _get(raw: dict, path: tuple[str, ...]) -> Any:
    value: Any = raw
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value
