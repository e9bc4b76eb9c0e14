"""Canvas definition file: load, validate with located problems, and expose as a typed object.

The format is documented in docs/canvas.md; the default ships as ``default_canvas.yaml`` next to this
module. Every problem names the file, the line (when known) and the path inside the document.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from vocapp.core.surveys.problems import Problem, index_path, key_path
from vocapp.core.surveys.source import LineMap, read_source, size_problem

DEFAULT_CANVAS_PATH = Path(__file__).with_name("default_canvas.yaml")
KINDS = ("membership_fee", "commercial_service", "ignore")
METRIC_NAMES = (
    "total_12m", "membership_fees_12m", "commercial_12m", "purchase_frequency", "recency_days",
    "breadth", "growth", "commercial_share", "headroom",
)
SIDES = ("high", "low")
#: leave alone when P(appetite below the cut) exceeds this: the lowest setting keeping precision on the
#: tuning grid and bases (bench/validity.py, choose_probability; docs/canvas.md)
DEFAULT_LEAVE_ALONE_PROBABILITY = 0.80

_NUMBER = {"type": "number"}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 300}
#: a zone's name is stored with every placement (placements.zone holds 40 characters)
_ZONE_NAME = {"type": "string", "minLength": 1, "maxLength": 40}
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["axes", "zones", "leave_alone", "hysteresis", "opportunity", "categories", "innovation"],
    "additionalProperties": False,
    "properties": {
        "id": _TEXT,
        "title": _TEXT,
        "axes": {
            "type": "object", "required": ["x", "y"], "additionalProperties": False,
            "properties": {
                "x": {"type": "object", "required": ["cut"], "additionalProperties": False,
                      "properties": {"measure": {"const": "opportunity"}, "label": _TEXT,
                                     "cut": {"type": "number", "minimum": 0, "maximum": 100}}},
                "y": {"type": "object", "required": ["cut", "weights"], "additionalProperties": False,
                      "properties": {"measure": {"const": "readiness"}, "label": _TEXT,
                                     "cut": {"type": "number", "minimum": 0, "maximum": 100},
                                     "weights": {"type": "object", "minProperties": 1,
                                                 "additionalProperties": {"type": "number", "minimum": 0}}}},
            },
        },
        "innovation": {"type": "object", "required": ["construct", "threshold"], "additionalProperties": False,
                       "properties": {"construct": _TEXT,
                                      "threshold": {"type": "number", "minimum": 0, "maximum": 100}}},
        "zones": {
            "type": "array", "minItems": 2,
            "items": {"type": "object", "required": ["id", "name", "service_model"], "additionalProperties": False,
                      "properties": {"id": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}, "name": _ZONE_NAME,
                                     "service_model": _TEXT, "colour": {"type": "string",
                                                                         "pattern": "^#[0-9a-fA-F]{6}$"},
                                     "opportunity": {"enum": list(SIDES)}, "readiness": {"enum": list(SIDES)},
                                     "heard": {"type": "boolean"}}},
        },
        "leave_alone": {"type": "object", "required": ["construct", "cut"], "additionalProperties": False,
                        "properties": {"construct": _TEXT, "cut": {"type": "number", "minimum": 0, "maximum": 100},
                                       "probability": {"type": "number", "exclusiveMinimum": 0.5,
                                                       "exclusiveMaximum": 1},
                                       "essential_only": {"type": "boolean"}}},
        "hysteresis": {"type": "object", "required": ["margin"], "additionalProperties": False,
                       "properties": {"margin": {"type": "number", "minimum": 0, "maximum": 50}}},
        "opportunity": {"type": "object", "required": ["weights"], "additionalProperties": False,
                        "properties": {"weights": {"type": "object", "minProperties": 1,
                                                   "propertyNames": {"enum": list(METRIC_NAMES)},
                                                   "additionalProperties": {"type": "number", "minimum": 0}},
                                       "size_attribute": {"type": ["string", "null"]}}},
        "categories": {"type": "object", "additionalProperties": {"enum": list(KINDS)}},
    },
}


class CanvasDefinitionError(ValueError):
    """Raised when a canvas definition cannot be used; ``problems`` lists every located problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Zone:
    """A named canvas zone and the service model it implies."""

    id: str
    name: str
    service_model: str
    colour: str
    opportunity: str | None  # "high" | "low" | None for the unheard zone
    readiness: str | None
    heard: bool = True


@dataclass(frozen=True)
class CanvasDefinition:
    """Validated canvas definition (see docs/canvas.md)."""

    raw: dict
    source: str
    opportunity_cut: float
    readiness_cut: float
    readiness_weights: dict[str, float]
    innovation_construct: str
    innovation_threshold: float
    zones: tuple[Zone, ...]
    leave_alone_construct: str
    leave_alone_cut: float
    leave_alone_essential_only: bool
    leave_alone_probability: float
    hysteresis_margin: float
    opportunity_weights: dict[str, float]
    size_attribute: str | None
    categories: dict[str, str] = field(default_factory=dict)

    @property
    def unheard_zone(self) -> Zone:
        return next(z for z in self.zones if not z.heard)

    def zone_for(self, opportunity_side: str, readiness_side: str) -> Zone:
        return next(z for z in self.zones if z.heard and z.opportunity == opportunity_side
                    and z.readiness == readiness_side)

    @property
    def constructs_used(self) -> list[str]:
        """Every construct the definition needs scores for (readiness weights, innovation, leave-alone)."""
        names = list(self.readiness_weights) + [self.innovation_construct, self.leave_alone_construct]
        return list(dict.fromkeys(names))


def _path_text(parts) -> str:
    path = ""
    for part in parts:
        path = index_path(path, part) if isinstance(part, int) else key_path(path, part)
    return path


def _semantic_problems(raw: dict) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    zones = raw["zones"]
    seen_ids: set[str] = set()
    combos: dict[tuple[str, str], int] = {}
    unheard = []
    for i, zone in enumerate(zones):
        if zone["id"] in seen_ids:
            problems.append((f"zones[{i}].id", f"duplicate zone id {zone['id']!r}"))
        seen_ids.add(zone["id"])
        if zone.get("heard", True) is False:
            unheard.append(i)
            continue
        if "opportunity" not in zone or "readiness" not in zone:
            problems.append((f"zones[{i}]", "a heard zone needs both 'opportunity' and 'readiness' (high|low)"))
            continue
        combo = (zone["opportunity"], zone["readiness"])
        if combo in combos:
            problems.append((f"zones[{i}]", f"opportunity={combo[0]}, readiness={combo[1]} is already "
                                            f"zone {zones[combos[combo]]['id']!r}"))
        combos[combo] = i
    for side_x in SIDES:
        for side_y in SIDES:
            if (side_x, side_y) not in combos:
                problems.append(("zones", f"no zone for opportunity={side_x}, readiness={side_y}"))
    if len(unheard) != 1:
        problems.append(("zones", f"exactly one zone must have 'heard: false' (found {len(unheard)})"))
    seen_categories: dict[str, str] = {}
    for name in raw["categories"]:
        normal = str(name).strip().lower()
        if normal in seen_categories:
            problems.append((f"categories.{name}", f"category {name!r} repeats {seen_categories[normal]!r} "
                                                   "(categories match case-insensitively)"))
        seen_categories[normal] = str(name)
    if sum(raw["axes"]["y"]["weights"].values()) <= 0:
        problems.append(("axes.y.weights", "weights must not all be zero"))
    if sum(raw["opportunity"]["weights"].values()) <= 0:
        problems.append(("opportunity.weights", "weights must not all be zero"))
    return problems


def validate_canvas_definition(raw: Any, filename: str = "<canvas>", lines: LineMap | None = None) -> list[Problem]:
    """Return every problem in a parsed canvas definition (empty list when valid)."""
    lines = lines or LineMap()
    if not isinstance(raw, dict):
        return [Problem("error", filename, 1, "", "a canvas definition must be a mapping")]
    problems = []
    validator = jsonschema.Draft202012Validator(_SCHEMA)
    for error in sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path))):
        path = _path_text(error.absolute_path)
        problems.append(Problem("error", filename, lines.line_for(path), path, error.message))
    if problems:
        return problems
    for path, message in _semantic_problems(raw):
        problems.append(Problem("error", filename, lines.line_for(path), path, message))
    return problems


def build_canvas_definition(raw: dict, source: str = "<canvas>", lines: LineMap | None = None) -> CanvasDefinition:
    """Validate ``raw`` and build a CanvasDefinition; raise CanvasDefinitionError listing all problems."""
    problems = validate_canvas_definition(raw, source, lines)
    if problems:
        raise CanvasDefinitionError(problems)
    zones = tuple(
        Zone(id=z["id"], name=z["name"], service_model=z["service_model"], colour=z.get("colour", "#777777"),
             opportunity=z.get("opportunity"), readiness=z.get("readiness"), heard=z.get("heard", True))
        for z in raw["zones"]
    )
    leave = raw["leave_alone"]
    return CanvasDefinition(
        raw=raw, source=source,
        opportunity_cut=float(raw["axes"]["x"]["cut"]),
        readiness_cut=float(raw["axes"]["y"]["cut"]),
        readiness_weights={k: float(v) for k, v in raw["axes"]["y"]["weights"].items()},
        innovation_construct=raw["innovation"]["construct"],
        innovation_threshold=float(raw["innovation"]["threshold"]),
        zones=zones,
        leave_alone_construct=leave["construct"],
        leave_alone_cut=float(leave["cut"]),
        leave_alone_essential_only=bool(leave.get("essential_only", True)),
        leave_alone_probability=float(leave.get("probability", DEFAULT_LEAVE_ALONE_PROBABILITY)),
        hysteresis_margin=float(raw["hysteresis"]["margin"]),
        opportunity_weights={k: float(v) for k, v in raw["opportunity"]["weights"].items()},
        size_attribute=raw["opportunity"].get("size_attribute"),
        categories={str(k).strip().lower(): v for k, v in raw["categories"].items()},
    )


def parse_canvas_definition(text: str, filename: str = "<canvas>") -> CanvasDefinition:
    """Parse YAML (or JSON, by file name) into a CanvasDefinition; raise CanvasDefinitionError when invalid."""
    parsed = read_source(text, filename)
    if parsed.problems:
        raise CanvasDefinitionError(parsed.problems)
    return build_canvas_definition(parsed.data, filename, parsed.lines)


def load_canvas_definition(path: str | Path | None = None) -> CanvasDefinition:
    """Load a canvas definition file (the shipped default when ``path`` is None)."""
    path = Path(path) if path is not None else DEFAULT_CANVAS_PATH
    try:
        too_large = size_problem(path.stat().st_size, str(path))
        if too_large is not None:
            raise CanvasDefinitionError([too_large])
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CanvasDefinitionError([Problem("error", str(path), None, "", f"cannot read the file: {exc.strerror}")])
    except UnicodeDecodeError as exc:
        raise CanvasDefinitionError([Problem("error", str(path), None, "",
                                             f"not UTF-8 text (byte {exc.start}); is it a YAML or JSON file?")])
    return parse_canvas_definition(text, str(path))
