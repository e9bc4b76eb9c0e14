"""The canvas picture: an SVG drawn server-side (few points: each with a title and a link to its account
page; many: bare points) and a print-resolution matplotlib PNG with the same encoding.

Both can show the whole canvas or a zoomed ``Box`` of it (a zone, or a rectangle an analyst selected).
Styling is done with SVG presentation attributes only (no ``<style>``, no ``style=``), so the picture
works under the strict Content-Security-Policy, inline in the page and as a file.
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from markupsafe import escape

from vocapp.core.canvas import CanvasDefinition

WIDTH, HEIGHT = 720, 560
LEFT, TOP, PLOT_W, PLOT_H = 60, 20, 620, 420
STRIP_TOP = TOP + PLOT_H + 30   # band for accounts not yet heard (opportunity only)
STRIP_H = 40
#: Up to this many points the picture is drawn inline in the page with a <title> (hover details) and a
#: link to the account page on every point. Above it each point is a bare circle and the page shows the
#: picture as a separately cached image, explored by zooming (server-side) and by canvas.js (hover,
#: click, rectangle select) when scripts run: ~450 bytes of markup per detailed point would make a
#: 5,000-account page 2 MB, and thousands of tab stops would bury the table.
POINT_DETAIL_LIMIT = 300
FONT = 'font-family="sans-serif" fill="#333"'
LABEL = f'{FONT} font-size="13" font-weight="600" paint-order="stroke" stroke="#fff" stroke-width="3"'
AXIS = f'{FONT} font-size="12"'


@dataclass(frozen=True)
class Box:
    """The part of the canvas drawn, in score points: opportunity x0..x1, readiness y0..y1."""

    x0: float = 0.0
    x1: float = 100.0
    y0: float = 0.0
    y1: float = 100.0

    @property
    def whole(self) -> bool:
        return (self.x0, self.x1, self.y0, self.y1) == (0.0, 100.0, 0.0, 100.0)

    @property
    def shows_unheard(self) -> bool:
        """The strip of accounts not yet heard belongs to the bottom of the canvas."""
        return self.y0 <= 0

    def px(self, value):
        """SVG x of an opportunity score (clipped to the box)."""
        return LEFT + PLOT_W * (np.clip(value, self.x0, self.x1) - self.x0) / (self.x1 - self.x0)

    def py(self, value):
        """SVG y of a readiness score (clipped to the box)."""
        return TOP + PLOT_H * (1 - (np.clip(value, self.y0, self.y1) - self.y0) / (self.y1 - self.y0))

    def ticks(self, low: float, high: float) -> list[float]:
        """Five round tick values across ``low``..``high``."""
        step = (high - low) / 4
        return [round(low + i * step, 1) for i in range(5)]


def point_radius(values: pd.Series) -> pd.Series:
    """Radius 3-12 px by the square root of net 12-month spend (area proportional to value)."""
    spend = pd.to_numeric(values, errors="coerce").fillna(0).clip(lower=0)
    top = math.sqrt(spend.max()) if len(spend) and spend.max() > 0 else 1.0
    return 3 + 9 * np.sqrt(spend) / top


def _fmt(value) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}"


def point_title(row: dict, constructs: list[str]) -> str:
    """Hover text: account, zone, scores with intervals, respondents, leave-alone reason."""
    parts = [f"{row['external_id']} {row['account_name']}", f"zone: {row['zone']}"]
    for c in constructs:
        if row.get(c) is not None and not (isinstance(row.get(c), float) and math.isnan(row[c])):
            parts.append(f"{c} {_fmt(row[c])} [{_fmt(row.get(f'{c}_low'))}-{_fmt(row.get(f'{c}_high'))}]")
    parts.append(f"readiness {_fmt(row['readiness'])}" if row.get("heard") else
                 f"readiness estimate {_fmt(row.get('estimated_readiness'))} (not yet heard)")
    parts.append(f"opportunity {_fmt(row['opportunity'])}")
    parts.append(f"{row['n_respondents']} respondent(s)")
    if row.get("leave_alone"):
        parts.append(f"LEAVE ALONE: {row['leave_alone_reason']}")
    if row.get("co_creation"):
        parts.append("co-creation candidate")
    return "; ".join(parts)


def zone_bounds(definition: CanvasDefinition) -> dict[str, tuple[float, float, float, float]]:
    """Each heard zone's rectangle in score points (opportunity from, to, readiness from, to)."""
    x, y = definition.opportunity_cut, definition.readiness_cut
    spans = {"low": (0.0, x), "high": (x, 100.0)}
    heights = {"low": (0.0, y), "high": (y, 100.0)}
    return {zone.id: (*spans[zone.opportunity], *heights[zone.readiness]) for zone in definition.zones if zone.heard}


def _zone_shapes(definition: CanvasDefinition, box: Box) -> tuple[list[str], list[str]]:
    """Zone rectangles (drawn under the points) and their labels (drawn over them, with a halo)."""
    rects, labels = [], []
    bounds = zone_bounds(definition)
    for zone in definition.zones:
        if not zone.heard:
            if box.shows_unheard:
                rects.append(f'<rect x="{LEFT}" y="{STRIP_TOP}" width="{PLOT_W}" height="{STRIP_H}" fill="{zone.colour}"'
                             f' fill-opacity="0.12" stroke="{zone.colour}"/>')
                labels.append(f'<text x="{LEFT + 6}" y="{STRIP_TOP + 14}" {LABEL}>{escape(zone.name)} '
                              '(opportunity only)</text>')
            continue
        x0, x1, y0, y1 = bounds[zone.id]
        if x1 <= box.x0 or x0 >= box.x1 or y1 <= box.y0 or y0 >= box.y1:
            continue
        left, right, top, bottom = box.px(x0), box.px(x1), box.py(y1), box.py(y0)
        rects.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{right - left:.1f}" height="{bottom - top:.1f}" '
                     f'fill="{zone.colour}" fill-opacity="0.12"/>')
        labels.append(f'<text x="{left + 6:.1f}" y="{top + 16:.1f}" {LABEL}>{escape(zone.name)}</text>')
    return rects, labels


def point_geometry(frame: pd.DataFrame, box: Box = Box()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre x, centre y (SVG units) and radius of every point (unheard accounts jittered in their strip)."""
    heard = frame["heard"].astype(bool).to_numpy()
    opportunity = pd.to_numeric(frame["opportunity"], errors="coerce").fillna(0).clip(0, 100).to_numpy()
    readiness = pd.to_numeric(frame["readiness"], errors="coerce").fillna(0).clip(0, 100).to_numpy()
    jitter = np.random.default_rng(0).uniform(-10, 10, len(frame))
    cx = box.px(opportunity)
    cy = np.where(heard, box.py(readiness), STRIP_TOP + 22 + jitter)
    radius = point_radius(frame["value"]).to_numpy() if len(frame) else np.zeros(0)
    return cx, cy, radius


def _cross(cx: float, cy: float, r: float) -> str:
    d = r * 0.8
    return f"M{cx - d:.1f} {cy - d:.1f}L{cx + d:.1f} {cy + d:.1f}M{cx - d:.1f} {cy + d:.1f}L{cx + d:.1f} {cy - d:.1f}"


RING = 'fill="none" stroke="#000" stroke-dasharray="2 2"'
CROSS = 'fill="none" stroke="#000" stroke-width="2"'


def _detailed_points(frame: pd.DataFrame, geometry, colours: dict, constructs: list[str],
                     link: Callable[[int], str] | None) -> list[str]:
    """One group per account with a <title> (hover details) and, given ``link``, a link to its page."""
    out = []
    for row, cx, cy, r in zip(frame.to_dict("records"), *geometry):
        shape = [f'<title>{escape(point_title(row, constructs))}</title>',
                 f'<circle class="pt" cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colours.get(row["zone"], "#777")}"'
                 ' fill-opacity="0.85" stroke="#fff" stroke-width="1"/>']
        if row.get("co_creation"):
            shape.append(f'<circle class="cc" cx="{cx:.1f}" cy="{cy:.1f}" r="{r + 3:.1f}" {RING}/>')
        if row.get("leave_alone"):
            shape.append(f'<path class="la" d="{_cross(cx, cy, r)}" {CROSS}/>')
        body = "".join(shape)
        if link is not None:
            body = f'<a href="{escape(link(int(row["account_id"])))}">{body}</a>'
        out.append(f'<g class="account" data-zone="{escape(row["zone"])}">{body}</g>')
    return out


def compact_radius(frame: pd.DataFrame, radius: np.ndarray) -> np.ndarray:
    """Points shrink with the number drawn (down to 40% at 6,250 or more) so a dense canvas stays readable."""
    return radius * min(1.0, max(0.4, math.sqrt(1000 / max(len(frame), 1))))


def _compact_points(frame: pd.DataFrame, geometry, colours: dict) -> list[str]:
    """Bare circles grouped by zone (largest first, so small points stay visible), then every co-creation
    ring and every leave-alone cross as one element each: no per-point title, link or group."""
    cx, cy, radius = geometry
    radius = compact_radius(frame, radius)
    order = np.argsort(-radius, kind="stable")
    zones = frame["zone"].to_numpy()[order]
    cx, cy, radius = cx[order], cy[order], radius[order]
    out = []
    for zone in dict.fromkeys(zones):
        mask = zones == zone
        circles = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
                          for x, y, r in zip(cx[mask], cy[mask], radius[mask]))
        out.append(f'<g class="zone-points" data-zone="{escape(zone)}" fill="{colours.get(zone, "#777")}" '
                   f'fill-opacity="0.85" stroke="#fff" stroke-width="0.4">{circles}</g>')
    rings = frame["co_creation"].astype(bool).to_numpy()[order]
    if rings.any():
        out.append('<g class="cc" fill="none" stroke="#000" stroke-width="0.7" stroke-dasharray="1.5 1.5">'
                   + "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r + 1.5:.1f}"/>'
                             for x, y, r in zip(cx[rings], cy[rings], radius[rings])) + "</g>")
    flagged = frame["leave_alone"].astype(bool).to_numpy()[order]
    if flagged.any():
        out.append('<path class="la" fill="none" stroke="#000" stroke-width="1" d="' + "".join(
            _cross(x, y, r) for x, y, r in zip(cx[flagged], cy[flagged], radius[flagged])) + '"/>')
    return out


def _frame_and_axes(definition: CanvasDefinition, box: Box) -> list[str]:
    parts = [f'<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="none" stroke="#555"/>']
    if box.x0 < definition.opportunity_cut < box.x1:
        xc = box.px(definition.opportunity_cut)
        parts.append(f'<line x1="{xc:.1f}" y1="{TOP}" x2="{xc:.1f}" y2="{TOP + PLOT_H}" stroke="#555" '
                     'stroke-dasharray="4 3"/>')
    if box.y0 < definition.readiness_cut < box.y1:
        yc = box.py(definition.readiness_cut)
        parts.append(f'<line x1="{LEFT}" y1="{yc:.1f}" x2="{LEFT + PLOT_W}" y2="{yc:.1f}" stroke="#555" '
                     'stroke-dasharray="4 3"/>')
    for tick in box.ticks(box.x0, box.x1):
        parts.append(f'<text x="{box.px(tick):.1f}" y="{TOP + PLOT_H + 16}" text-anchor="middle" {AXIS}>{tick:g}</text>')
    for tick in box.ticks(box.y0, box.y1):
        parts.append(f'<text x="{LEFT - 8}" y="{box.py(tick) + 4:.1f}" text-anchor="end" {AXIS}>{tick:g}</text>')
    parts.append(f'<text x="{LEFT + PLOT_W / 2}" y="{HEIGHT - 6}" text-anchor="middle" {AXIS}>'
                 f'{escape(definition.raw["axes"]["x"].get("label", "Opportunity"))} →</text>')
    parts.append(f'<text transform="translate(16 {TOP + PLOT_H / 2}) rotate(-90)" text-anchor="middle" '
                 f'{AXIS}>{escape(definition.raw["axes"]["y"].get("label", "Readiness"))} →</text>')
    return parts


def canvas_svg(frame: pd.DataFrame, definition: CanvasDefinition, constructs: list[str],
               link: Callable[[int], str] | None = None, detailed: bool | None = None, box: Box = Box()) -> str:
    """SVG of the canvas (or of ``box``): zones, axes, one point per account (size by value, colour by
    zone, leave-alone crossed, co-creation ringed), zone labels on top.

    ``detailed`` (default: at most POINT_DETAIL_LIMIT points) gives each point a <title> with the
    account's details and, with ``link``, a link to its page; otherwise points are bare circles.
    """
    detailed = len(frame) <= POINT_DETAIL_LIMIT if detailed is None else detailed
    colours = {z.name: z.colour for z in definition.zones}
    geometry = point_geometry(frame, box)
    area = "" if box.whole else (f" (zoomed: opportunity {box.x0:g}-{box.x1:g}, readiness {box.y0:g}-{box.y1:g})")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
             f'height="{HEIGHT}" role="img" aria-labelledby="canvas-title canvas-desc" class="canvas-svg">',
             '<title id="canvas-title">Customer Segmentation Canvas</title>',
             f'<desc id="canvas-desc">{len(frame)} accounts by opportunity (x) and relationship readiness (y)'
             f'{escape(area)}; the account table lists the same accounts.</desc>',
             '<rect width="100%" height="100%" fill="#fff"/>']
    rects, labels = _zone_shapes(definition, box)
    parts += rects + _frame_and_axes(definition, box)
    parts += (_detailed_points(frame, geometry, colours, constructs, link) if detailed
              else _compact_points(frame, geometry, colours))
    parts += labels
    parts.append("</svg>")
    return "\n".join(parts)
