"""The item key: which Likert items measure which construct, their keying direction and scale range."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .errors import KeyMismatchError


@dataclass(frozen=True)
class ItemKey:
    """Likert items in questionnaire order with construct, reverse flag and scale bounds per item."""

    items: tuple[str, ...]
    construct: Mapping[str, str]
    reverse: Mapping[str, bool]
    scale_min: Mapping[str, float]
    scale_max: Mapping[str, float]
    construct_order: tuple[str, ...] = field(default=())

    @property
    def constructs(self) -> list[str]:
        """Constructs in declaration order (falls back to first appearance among the items)."""
        declared = [c for c in self.construct_order if c in set(self.construct.values())]
        seen = list(dict.fromkeys(self.construct[i] for i in self.items))
        return declared + [c for c in seen if c not in declared]

    def items_of(self, construct: str) -> list[str]:
        """Items keyed to ``construct``, in questionnaire order."""
        return [i for i in self.items if self.construct[i] == construct]

    def restrict(self, items: Iterable[str]) -> "ItemKey":
        """A key over the given subset of items (questionnaire order kept)."""
        wanted = set(items)
        unknown = sorted(wanted - set(self.items))
        if unknown:
            raise KeyMismatchError(f"items not in the key: {', '.join(unknown)}")
        kept = tuple(i for i in self.items if i in wanted)
        return ItemKey(
            items=kept,
            construct={i: self.construct[i] for i in kept},
            reverse={i: self.reverse[i] for i in kept},
            scale_min={i: self.scale_min[i] for i in kept},
            scale_max={i: self.scale_max[i] for i in kept},
            construct_order=self.construct_order,
        )

    def to_records(self) -> list[dict[str, Any]]:
        """JSON-serialisable list of {item_id, construct, reverse, min, max} (the ``likert_key`` shape)."""
        return [
            {
                "item_id": i,
                "construct": self.construct[i],
                "reverse": bool(self.reverse[i]),
                "min": float(self.scale_min[i]),
                "max": float(self.scale_max[i]),
            }
            for i in self.items
        ]

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]], construct_order: Iterable[str] = ()
    ) -> "ItemKey":
        """Build a key from dicts with item_id, construct, reverse, min, max."""
        records = list(records)
        items = tuple(str(r["item_id"]) for r in records)
        if len(set(items)) != len(items):
            dupes = sorted({i for i in items if items.count(i) > 1})
            raise KeyMismatchError(f"item ids appear more than once in the key: {', '.join(dupes)}")
        for r in records:
            if float(r["max"]) <= float(r["min"]):
                raise KeyMismatchError(
                    f"item {r['item_id']}: scale max ({r['max']}) must be above min ({r['min']})"
                )
        return cls(
            items=items,
            construct={str(r["item_id"]): str(r["construct"]) for r in records},
            reverse={str(r["item_id"]): bool(r.get("reverse", False)) for r in records},
            scale_min={str(r["item_id"]): float(r["min"]) for r in records},
            scale_max={str(r["item_id"]): float(r["max"]) for r in records},
            construct_order=tuple(construct_order),
        )


def build_item_key(defn: Mapping[str, Any]) -> ItemKey:
    """Item key of a survey definition: every Likert item with a construct, in questionnaire order."""
    scales = {s["id"]: s for s in defn.get("scales", []) or []}
    records = []
    for page in defn.get("pages", []) or []:
        for item in page.get("items", []) or []:
            if item.get("type") != "likert" or not item.get("construct"):
                continue
            scale = scales.get(item.get("scale"))
            if scale is None:
                raise KeyMismatchError(
                    f"item {item.get('id')}: scale {item.get('scale')!r} is not defined in the survey"
                )
            records.append(
                {
                    "item_id": item["id"],
                    "construct": item["construct"],
                    "reverse": bool(item.get("reverse", False)),
                    "min": scale["min"],
                    "max": scale["max"],
                }
            )
    order = [c["id"] for c in defn.get("constructs", []) or []]
    return ItemKey.from_records(records, construct_order=order)


def common_item_key(keys: Iterable[ItemKey]) -> ItemKey:
    """Key over the items shared by every version's key; keying must agree across versions."""
    keys = list(keys)
    if not keys:
        raise KeyMismatchError("no survey versions to build an item key from")
    first = keys[0]
    shared = [i for i in first.items if all(i in k.construct for k in keys[1:])]
    for other in keys[1:]:
        for i in shared:
            if (other.construct[i], other.reverse[i], other.scale_min[i], other.scale_max[i]) != (
                first.construct[i], first.reverse[i], first.scale_min[i], first.scale_max[i]
            ):
                raise KeyMismatchError(
                    f"item {i} is keyed differently across survey versions "
                    "(construct, reverse flag or scale differ); give it a new id in the new version"
                )
    if not shared:
        raise KeyMismatchError("the survey versions have no Likert items in common")
    return first.restrict(shared)
