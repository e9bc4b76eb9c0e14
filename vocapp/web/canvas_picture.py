"""The canvas picture: an SVG drawn server-side (small canvases: points with titles and links to account
pages; large ones: bare points) and a matplotlib PNG."""
from __future__ import annotations

import io
import math
from collections.abc import Callable

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
#: picture as a separately cached image: ~450 bytes of markup per detailed point would make a
#: 5,000-account page 2 MB, and thousands of tab stops would bury the table.
POINT_DETAIL_LIMIT = 300
#: text styles as SVG presentation attributes: no <style> block or style="" (the CSP forbids inline styles)
LABEL = 'font-family="sans-serif" font-size="13" font-weight="600" fill="#333"'
AXIS = 'font-family="sans-serif" font-size="12" fill="#333"'


def _x(value: float) -> float:
    return LEFT + PLOT_W * min(max(value, 0.0), 100.0) / 100.0


def _y(value: float) -> float:
    return TOP + PLOT_H * (1 - min(max(value, 0.0), 100.0) / 100.0)


def point_radius(values: pd.Series) -> pd.Series:
    """Radius 3-12 px by the square root of net 12-month spend (area proportional to value)."""
    spend = pd.to_numeric(values, errors="coerce").fillna(0).clip(lower=0)
    top = math.sqrt(spend.max()) if len(spend) and spend.max() > 0 else 1.0
    return 3 + 9 * np.sqrt(spend) / top


def _fmt(value) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}"


def point_title(row: dict, constructs: list[str]) -> str:
    """Hover text: account, zone, scores with intervals, respondents, leave-alone reason."""
    parts = [f"{row['account_id']} {row['account_name']}", f"zone: {row['zone']}"]
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


def _zone_rects(definition: CanvasDefinition) -> list[str]:
    xc, yc = _x(definition.opportunity_cut), _y(definition.readiness_cut)
    spans = {"low": (LEFT, xc), "high": (xc, LEFT + PLOT_W)}
    heights = {"high": (TOP, yc), "low": (yc, TOP + PLOT_H)}
    out = []
    for zone in definition.zones:
        if not zone.heard:
            out.append(f'<rect x="{LEFT}" y="{STRIP_TOP}" width="{PLOT_W}" height="{STRIP_H}" fill="{zone.colour}" '
                       f'fill-opacity="0.12" stroke="{zone.colour}"/><text x="{LEFT + 6}" y="{STRIP_TOP + 14}" '
                       f'class="zone-label" {LABEL}>{escape(zone.name)} (opportunity only)</text>')
            continue
        (x0, x1), (y0, y1) = spans[zone.opportunity], heights[zone.readiness]
        out.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
                   f'fill="{zone.colour}" fill-opacity="0.12"/>'
                   f'<text x="{x0 + 6:.1f}" y="{y0 + 16:.1f}" class="zone-label" {LABEL}>{escape(zone.name)}</text>')
    return out


def _point_geometry(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre x, centre y and radius of every point (unheard accounts jittered inside their strip)."""
    heard = frame["heard"].astype(bool).to_numpy()
    opportunity = pd.to_numeric(frame["opportunity"], errors="coerce").fillna(0).clip(0, 100).to_numpy()
    readiness = pd.to_numeric(frame["readiness"], errors="coerce").fillna(0).clip(0, 100).to_numpy()
    jitter = np.random.default_rng(0).uniform(-10, 10, len(frame))
    cx = LEFT + PLOT_W * opportunity / 100
    cy = np.where(heard, TOP + PLOT_H * (1 - readiness / 100), STRIP_TOP + 22 + jitter)
    radius = point_radius(frame["value"]).to_numpy() if len(frame) else np.zeros(0)
    return cx, cy, radius


def _cross(cx: float, cy: float, r: float) -> str:
    d = r * 0.8
    return f"M{cx - d:.1f} {cy - d:.1f}L{cx + d:.1f} {cy + d:.1f}M{cx - d:.1f} {cy + d:.1f}L{cx + d:.1f} {cy - d:.1f}"


def _detailed_points(frame: pd.DataFrame, geometry, colours: dict, constructs: list[str],
                     link: Callable[[int], str] | None) -> list[str]:
    """One group per account with a <title> (hover details) and, given ``link``, a link to its page."""
    out = []
    for row, cx, cy, r in zip(frame.to_dict("records"), *geometry):
        shape = [f'<title>{escape(point_title(row, constructs))}</title>',
                 f'<circle class="pt" stroke="#fff" stroke-width="1" cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="{colours.get(row["zone"], "#777")}"'
                 f' fill-opacity="0.85"/>']
        if row.get("co_creation"):
            shape.append(f'<circle class="cc" fill="none" stroke="#000" stroke-dasharray="2 2" cx="{cx:.1f}" cy="{cy:.1f}" r="{r + 3:.1f}"/>')
        if row.get("leave_alone"):
            shape.append(f'<path class="la" fill="none" stroke="#000" stroke-width="2" d="{_cross(cx, cy, r)}"/>')
        body = "".join(shape)
        if link is not None:
            body = f'<a href="{escape(link(int(row["account_pk"])))}">{body}</a>'
        out.append(f'<g class="account" data-zone="{escape(row["zone"])}">{body}</g>')
    return out


def _compact_points(frame: pd.DataFrame, geometry, colours: dict) -> list[str]:
    """Bare circles grouped by zone (largest first, so small points stay visible), then every co-creation
    ring and every leave-alone cross as one element each: no per-point title, link or group. Points
    shrink with the number of accounts (down to 40% at 6,250 or more) so a dense canvas stays readable."""
    cx, cy, radius = geometry
    radius = radius * min(1.0, max(0.4, math.sqrt(1000 / max(len(frame), 1))))
    order = np.argsort(-radius, kind="stable")
    zones = frame["zone"].to_numpy()[order]
    cx, cy, radius = cx[order], cy[order], radius[order]
    out = []
    for zone in dict.fromkeys(zones):
        mask = zones == zone
        circles = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
                          for x, y, r in zip(cx[mask], cy[mask], radius[mask]))
        out.append(f'<g class="zone-points" stroke="#fff" stroke-width=".4" data-zone="{escape(zone)}" fill="{colours.get(zone, "#777")}" '
                   f'fill-opacity="0.85">{circles}</g>')
    rings = frame["co_creation"].astype(bool).to_numpy()[order]
    if rings.any():
        out.append('<g class="cc thin" fill="none" stroke="#000" stroke-width=".7" stroke-dasharray="1.5 1.5">' + "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r + 1.5:.1f}"/>'
                                              for x, y, r in zip(cx[rings], cy[rings], radius[rings])) + "</g>")
    flagged = frame["leave_alone"].astype(bool).to_numpy()[order]
    if flagged.any():
        out.append('<path class="la thin" fill="none" stroke="#000" stroke-width="1" d="' + "".join(_cross(x, y, r) for x, y, r in
                                                      zip(cx[flagged], cy[flagged], radius[flagged])) + '"/>')
    return out


def canvas_svg(frame: pd.DataFrame, definition: CanvasDefinition, constructs: list[str],
               link: Callable[[int], str] | None = None, detailed: bool | None = None) -> str:
    """SVG of the canvas: zones, axes, one point per account (size by value, colour by zone,
    leave-alone crossed, co-creation ringed).

    ``detailed`` (default: at most POINT_DETAIL_LIMIT points) gives each point a <title> with the
    account's details and, with ``link``, a link to its page; otherwise points are bare circles (the
    table and account pages carry the details), which keeps 20,000 points fast to draw and small.
    """
    detailed = len(frame) <= POINT_DETAIL_LIMIT if detailed is None else detailed
    colours = {z.name: z.colour for z in definition.zones}
    geometry = _point_geometry(frame)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
             f'height="{HEIGHT}" role="img" aria-labelledby="canvas-title canvas-desc" class="canvas-svg">',
             '<title id="canvas-title">Customer Segmentation Canvas</title>',
             f'<desc id="canvas-desc">{len(frame)} accounts by opportunity (x) and relationship readiness (y); '
             'the account table lists the same accounts.</desc>']
    parts += _zone_rects(definition)
    parts.append(f'<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="none" stroke="#555"/>')
    xc, yc = _x(definition.opportunity_cut), _y(definition.readiness_cut)
    parts.append(f'<line x1="{xc:.1f}" y1="{TOP}" x2="{xc:.1f}" y2="{TOP + PLOT_H}" stroke="#555" stroke-dasharray="4 3"/>')
    parts.append(f'<line x1="{LEFT}" y1="{yc:.1f}" x2="{LEFT + PLOT_W}" y2="{yc:.1f}" stroke="#555" stroke-dasharray="4 3"/>')
    for tick in range(0, 101, 25):
        parts.append(f'<text x="{_x(tick):.1f}" y="{TOP + PLOT_H + 16}" text-anchor="middle" class="axis" {AXIS}>{tick}</text>')
        parts.append(f'<text x="{LEFT - 8}" y="{_y(tick) + 4:.1f}" text-anchor="end" class="axis" {AXIS}>{tick}</text>')
    parts.append(f'<text x="{LEFT + PLOT_W / 2}" y="{HEIGHT - 6}" text-anchor="middle" class="axis" {AXIS}>'
                 f'{escape(definition.raw["axes"]["x"].get("label", "Opportunity"))} →</text>')
    parts.append(f'<text transform="translate(16 {TOP + PLOT_H / 2}) rotate(-90)" text-anchor="middle" '
                 f'class="axis" {AXIS}>{escape(definition.raw["axes"]["y"].get("label", "Readiness"))} →</text>')
    parts += (_detailed_points(frame, geometry, colours, constructs, link) if detailed
              else _compact_points(frame, geometry, colours))
    parts.append("</svg>")
    return "\n".join(parts)


def canvas_png(frame: pd.DataFrame, definition: CanvasDefinition) -> bytes:
    """PNG of the canvas drawn with matplotlib (same encoding as the SVG, without links)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 6.4), dpi=100)
    axes = figure.add_subplot()
    heard = frame[frame["heard"].astype(bool)] if len(frame) else frame
    unheard = frame[~frame["heard"].astype(bool)] if len(frame) else frame
    for zone in definition.zones:
        if not zone.heard:
            continue
        x0 = definition.opportunity_cut if zone.opportunity == "high" else 0
        x1 = 100 if zone.opportunity == "high" else definition.opportunity_cut
        y0 = definition.readiness_cut if zone.readiness == "high" else 0
        y1 = 100 if zone.readiness == "high" else definition.readiness_cut
        axes.axvspan(x0, x1, (y0 + 12) / 112, (y1 + 12) / 112, color=zone.colour, alpha=0.12)
        axes.text(x0 + 1, y1 - 4, zone.name, fontsize=9, weight="bold")
    axes.axhspan(-12, -2, color=definition.unheard_zone.colour, alpha=0.12)
    axes.text(1, -5, f"{definition.unheard_zone.name} (opportunity only)", fontsize=8)
    colours = {z.name: z.colour for z in definition.zones}
    for part, ys in ((heard, heard["readiness"] if len(heard) else []), (unheard, np.full(len(unheard), -7.0))):
        if len(part):
            sizes = point_radius(part["value"]) ** 2 * 1.6
            axes.scatter(part["opportunity"], ys, s=sizes, c=[colours.get(z, "#777") for z in part["zone"]],
                         alpha=0.85, edgecolors="white", linewidths=0.5)
            flagged = part["leave_alone"].astype(bool).to_numpy()
            axes.scatter(part["opportunity"][flagged], np.asarray(ys)[flagged], marker="x", c="black", s=30)
    axes.axvline(definition.opportunity_cut, color="#555", linestyle="--", linewidth=0.8)
    axes.axhline(definition.readiness_cut, color="#555", linestyle="--", linewidth=0.8)
    axes.set_xlim(0, 100)
    axes.set_ylim(-12, 100)
    axes.set_xlabel(definition.raw["axes"]["x"].get("label", "Opportunity"))
    axes.set_ylabel(definition.raw["axes"]["y"].get("label", "Readiness"))
    axes.set_title("Customer Segmentation Canvas (x = leave alone)")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()
