"""The results report's statistics: per item, counts and percentages per answer, mean and standard
deviation for scales, overall and by group; groups under ``min_group`` respondents are suppressed.

Input is one frame of responses (any set: a survey's, a campaign's) with one column per item id
holding the raw answers, and one column per grouping (relationship, zone).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from vocapp.core.surveys import NPS_RANGE, entries_by_id, localise

DEFAULT_MIN_GROUP = 5
SCALE_TYPES = ("likert", "nps")


@dataclass
class GroupStats:
    """One group's answers to one item (``suppressed``: fewer than the minimum respondents, nothing shown)."""

    name: str
    n: int
    suppressed: bool
    counts: list[tuple[Any, str, int, float]] = field(default_factory=list)  # (value, label, count, percent)
    mean: float | None = None
    sd: float | None = None
    nps: float | None = None


@dataclass
class ItemReport:
    """One item: its overall statistics, the same by each grouping, and free text (text items only)."""

    item_id: str
    text: str
    kind: str
    overall: GroupStats
    groups: dict[str, list[GroupStats]]
    texts: list[str] = field(default_factory=list)


def answer_options(item: dict, definition: dict) -> list[tuple[Any, str]]:
    """The (value, label) answers of a scale or choice item, in order (none for number and text)."""
    kind = item.get("type")
    if kind == "likert":
        scale = entries_by_id(definition, "scales").get(item.get("scale"), {})
        labels = {int(k): localise(v) for k, v in (scale.get("labels") or {}).items()}
        low, high = scale.get("min"), scale.get("max")
        return [(p, labels.get(p, str(p))) for p in range(low, high + 1)] if isinstance(low, int) else []
    if kind == "nps":
        return [(p, str(p)) for p in range(NPS_RANGE[0], NPS_RANGE[1] + 1)]
    if kind in ("single_choice", "multi_choice"):
        return [(o.get("value"), localise(o.get("label"))) for o in item.get("options") or [] if isinstance(o, dict)]
    return []


def _answered(values: pd.Series, kind: str) -> pd.Series:
    if kind == "multi_choice":
        return values[values.map(lambda v: isinstance(v, list))]
    if kind == "text":
        return values[values.map(lambda v: isinstance(v, str) and v.strip() != "")]
    if kind in ("likert", "nps", "number"):
        numbers = pd.to_numeric(values.map(lambda v: None if isinstance(v, (bool, list, dict)) else v),
                                errors="coerce")
        return numbers.dropna()
    return values[values.map(lambda v: isinstance(v, str))]


def group_stats(name: str, values: pd.Series, kind: str, options: Sequence[tuple[Any, str]],
                min_group: int) -> GroupStats:
    """Statistics of one group's answers (``values``: raw answers of its respondents)."""
    answered = _answered(values, kind)
    n = int(len(answered))
    if n < min_group:
        return GroupStats(name, n, True)
    stats = GroupStats(name, n, False)
    if kind == "multi_choice":
        chosen = pd.Series([v for answer in answered for v in answer], dtype=object).value_counts()
    elif kind in ("likert", "nps", "single_choice"):
        chosen = answered.value_counts()
    else:
        chosen = pd.Series(dtype=int)
    stats.counts = [(value, label, int(chosen.get(value, 0)), 100.0 * int(chosen.get(value, 0)) / n)
                    for value, label in options]
    if kind in ("likert", "nps", "number"):
        numbers = answered.astype(float)
        stats.mean = float(numbers.mean())
        stats.sd = float(numbers.std(ddof=1)) if n > 1 else None
    if kind == "nps":
        stats.nps = 100.0 * (float((answered >= 9).mean()) - float((answered <= 6).mean()))
    return stats


def build_report(responses: pd.DataFrame, items: Sequence[tuple[dict, dict]], groupings: Sequence[str],
                 min_group: int = DEFAULT_MIN_GROUP) -> list[ItemReport]:
    """One ItemReport per item (``items``: (item, its definition) pairs, e.g. ``merged_items``). Free
    text is listed only when the item's answerers reach ``min_group``; groups follow ``groupings``
    (columns of ``responses``; missing values grouped as 'unknown')."""
    out = []
    for item, definition in items:
        item_id, kind = item.get("id"), item.get("type")
        values = responses[item_id] if item_id in responses.columns else pd.Series(dtype=object)
        options = answer_options(item, definition)
        overall = group_stats("all respondents", values, kind, options, min_group)
        groups: dict[str, list[GroupStats]] = {}
        if kind != "text":
            for grouping in groupings:
                keys = responses[grouping].fillna("unknown").astype(str) if grouping in responses else pd.Series(
                    dtype=object)
                groups[grouping] = [group_stats(str(key), values[keys == key], kind, options, min_group)
                                    for key in sorted(keys.unique())]
        texts = [] if kind != "text" or overall.suppressed else [" ".join(t.split()) for t in _answered(values, kind)]
        out.append(ItemReport(item_id, " ".join(localise(item.get("text")).split()), kind, overall, groups, texts))
    return out


def histogram(values: pd.Series, bins: int = 10, low: float = 0.0, high: float = 100.0) -> list[tuple[float, int]]:
    """(bin start, count) over ``bins`` equal bins from ``low`` to ``high`` (values outside clipped)."""
    numbers = pd.to_numeric(values, errors="coerce").dropna().clip(low, high).to_numpy(dtype=float)
    counts, edges = np.histogram(numbers, bins=bins, range=(low, high))
    return [(float(edge), int(count)) for edge, count in zip(edges[:-1], counts)]


def reason_kinds(reasons: pd.Series) -> list[tuple[str, int]]:
    """Main leave-alone reasons, most frequent first: each reason's parts ('; ') with their numbers
    taken out, e.g. 'appetite 23 [12-30] from 3 respondents' -> 'appetite clearly low'."""
    kinds: list[str] = []
    for reason in reasons.dropna():
        for part in str(reason).split("; "):
            part = part.strip()
            if not part:
                continue
            if re.match(r"^[\w-]+ \d", part):
                kinds.append(f"{part.split()[0]} clearly low")
            else:
                kinds.append(re.sub(r"\s*\(.*\)$", "", part))
    counted = pd.Series(kinds, dtype=object).value_counts()
    return [(str(kind), int(n)) for kind, n in counted.items()]


REPORT_COLUMNS = ["item_id", "item_text", "grouping", "group", "n", "answer", "answer_label", "count", "percent",
                  "mean", "sd"]


def report_rows(items: Sequence[ItemReport]) -> pd.DataFrame:
    """The report as a long table (one row per item, group and answer; suppressed groups have only n
    blanked and no answers); free text is not included."""
    rows = []
    for item in items:
        groups = [("all", item.overall)] + [(g, s) for g, stats in item.groups.items() for s in stats]
        for grouping, stats in groups:
            base = {"item_id": item.item_id, "item_text": item.text, "grouping": grouping, "group": stats.name,
                    "n": None if stats.suppressed else stats.n, "mean": stats.mean, "sd": stats.sd}
            if stats.suppressed or not stats.counts:
                rows.append({**base, "answer": "(suppressed)" if stats.suppressed else None})
            for value, label, count, percent in stats.counts:
                rows.append({**base, "answer": value, "answer_label": label, "count": count, "percent": percent})
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)
