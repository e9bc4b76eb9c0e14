"""Who a campaign reaches: filters on relationship, role, zone, attributes and past answers, and the
contacts always (or by default) left out, with the reason for each."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from vocapp.errors import VocappError

#: never e-mailed, whatever the campaign says (in this order of precedence)
ALWAYS_LEFT_OUT = ("erased", "unsubscribed", "bounced", "complained")
#: every reason a matching contact is left out, in the order they are checked
LEFT_OUT_REASONS = ALWAYS_LEFT_OUT + ("leave_alone", "answered_since")
REASON_LABELS = {
    "erased": "erased", "unsubscribed": "unsubscribed", "bounced": "bounced (hard bounce)",
    "complained": "complained (marked as spam)", "leave_alone": "account flagged leave-alone on the canvas",
    "answered_since": "answered this survey since the given date",
}
LIST_FILTERS = ("relationship", "role", "zone", "language")
ATTRIBUTE_FILTERS = ("contact_attributes", "account_attributes")
#: contact frame columns the rules read
CONTACT_COLUMNS = ("contact_id", "email", "relationship", "role", "language", "zone", "leave_alone",
                   "contact_attributes", "account_attributes", "last_completed_at") + ALWAYS_LEFT_OUT


class AudienceError(VocappError):
    """A campaign's audience filters cannot be used; the message names the filter."""


def clean_filters(raw: dict) -> dict:
    """Validated, normalised filters: lists of non-empty strings, attribute maps {name: [values]},
    ``not_answered_since`` as an ISO date. Unknown keys are an error."""
    unknown = sorted(set(raw) - set(LIST_FILTERS) - set(ATTRIBUTE_FILTERS) - {"not_answered_since"})
    if unknown:
        raise AudienceError(f"unknown audience filter(s): {', '.join(unknown)}")
    clean: dict = {}
    for key in LIST_FILTERS:
        values = [str(v).strip() for v in (raw.get(key) or []) if str(v).strip()]
        if values:
            clean[key] = sorted(set(values))
    for key in ATTRIBUTE_FILTERS:
        attributes = raw.get(key) or {}
        if not isinstance(attributes, dict):
            raise AudienceError(f"{key} must map attribute names to lists of values")
        kept = {str(name): sorted({str(v) for v in (vals if isinstance(vals, list) else [vals])})
                for name, vals in attributes.items() if str(name).strip()}
        if kept:
            clean[key] = kept
    since = raw.get("not_answered_since")
    if since:
        try:
            clean["not_answered_since"] = dt.date.fromisoformat(str(since)).isoformat()
        except ValueError:
            raise AudienceError(f"not_answered_since: {since!r} is not a date (YYYY-MM-DD)") from None
    return clean


def parse_attribute_pairs(pairs: list[str], what: str) -> dict[str, list[str]]:
    """``["size=large", "size=medium", "region=north"]`` -> ``{"size": ["large", "medium"], "region": ["north"]}``."""
    parsed: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = str(pair).partition("=")
        if not sep or not name.strip():
            raise AudienceError(f"{what}: {pair!r} is not NAME=VALUE")
        parsed.setdefault(name.strip(), []).append(value.strip())
    return parsed


def _attribute_mask(column: pd.Series, wanted: dict[str, list[str]]) -> pd.Series:
    mask = pd.Series(True, index=column.index)
    for name, values in wanted.items():
        found = column.map(lambda attrs, n=name: None if not isinstance(attrs, dict) or attrs.get(n) is None
                           else str(attrs.get(n)))
        mask &= found.isin(values)
    return mask


def matching(contacts: pd.DataFrame, filters: dict) -> pd.Series:
    """Which contacts the filters select (before anyone is left out)."""
    mask = pd.Series(True, index=contacts.index)
    for key in LIST_FILTERS:
        if filters.get(key):
            mask &= contacts[key].astype("string").isin(filters[key]).fillna(False).astype(bool)
    for key in ATTRIBUTE_FILTERS:
        if filters.get(key):
            mask &= _attribute_mask(contacts[key], filters[key])
    return mask


@dataclass
class Reach:
    """A campaign's audience: the included contacts and every left-out one with its reason."""

    matching: int
    included: pd.DataFrame
    left_out: pd.DataFrame  # contact_id, email, reason
    counts: dict[str, int] = field(default_factory=dict)  # reason -> contacts left out

    def summary(self) -> dict:
        """JSON-ready: matching, included, left_out {reason: n}."""
        return {"matching": self.matching, "included": int(len(self.included)), "left_out": dict(self.counts)}


def select_audience(contacts: pd.DataFrame, filters: dict, include_leave_alone: bool = False) -> Reach:
    """Apply ``filters`` to ``contacts`` (CONTACT_COLUMNS) and leave out, with the first reason that
    applies: erased, unsubscribed, bounced, complained, leave-alone (unless included) and contacts who
    completed the survey on or after ``not_answered_since``."""
    filters = clean_filters(filters)
    selected = contacts[matching(contacts, filters)]
    reason = pd.Series(pd.NA, index=selected.index, dtype="string")
    checks: list[tuple[str, pd.Series]] = [(name, selected[name].astype(bool)) for name in ALWAYS_LEFT_OUT]
    if not include_leave_alone:
        checks.append(("leave_alone", selected["leave_alone"].astype(bool)))
    if filters.get("not_answered_since"):
        since = pd.Timestamp(filters["not_answered_since"], tz="UTC")
        answered = pd.to_datetime(selected["last_completed_at"], utc=True) >= since
        checks.append(("answered_since", answered.fillna(False).astype(bool)))
    for name, hit in checks:
        reason = reason.mask(reason.isna() & hit, name)
    out = reason.notna()
    left_out = selected.loc[out, ["contact_id", "email"]].assign(reason=reason[out].astype(str))
    counts = {name: int((left_out["reason"] == name).sum()) for name in LEFT_OUT_REASONS}
    return Reach(matching=int(len(selected)), included=selected[~out], left_out=left_out,
                 counts={k: v for k, v in counts.items() if v})
