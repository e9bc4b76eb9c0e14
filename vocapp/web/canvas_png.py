"""The canvas as a print-resolution PNG (matplotlib ``Figure``, thread-safe: no pyplot state).

Same encoding as the SVG: colour by zone, size by 12-month value, leave-alone crossed, co-creation
ringed, zone labels above the points; the run, its date and the filter in a caption.
"""
from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from vocapp.core.canvas import CanvasDefinition
from vocapp.web.canvas_picture import Box, point_radius, zone_bounds

#: 10 x 8 inches at 220 dpi: about 2,200 px wide, enough to print at A4 width
FIGSIZE, DPI = (10, 8), 220
UNHEARD_Y = (-12.0, -2.0)  # the strip under the plot for accounts not yet heard
#: text options for every staff- or user-written string: as written, never matplotlib's mathtext
#: (a zone named "$5k+" would otherwise be typeset, and an unbalanced one would fail the download)
PLAIN = {"parse_math": False}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _plain(text: str) -> str:
    """``text`` with its control characters (tabs, line breaks: no glyph in the font) as one space each run."""
    return _CONTROL.sub(" ", str(text))


def canvas_png(frame: pd.DataFrame, definition: CanvasDefinition, caption: str = "", box: Box = Box()) -> bytes:
    """PNG of the canvas (or of ``box``) at print resolution, with ``caption`` under it."""
    from matplotlib.figure import Figure  # saved by the PNG backend it picks itself; no global backend switch

    figure = Figure(figsize=FIGSIZE, dpi=DPI)
    axes = figure.add_subplot()
    low = UNHEARD_Y[0] if box.shows_unheard else box.y0
    span = box.y1 - low
    for zone in definition.zones:
        if not zone.heard:
            continue
        x0, x1, y0, y1 = zone_bounds(definition)[zone.id]
        if x1 <= box.x0 or x0 >= box.x1 or y1 <= box.y0 or y0 >= box.y1:
            continue
        axes.axvspan(max(x0, box.x0), min(x1, box.x1), (max(y0, box.y0) - low) / span,
                     (min(y1, box.y1) - low) / span, color=zone.colour, alpha=0.12, zorder=0)
        axes.text(max(x0, box.x0) + 0.01 * (box.x1 - box.x0), min(y1, box.y1) - 0.04 * span, _plain(zone.name),
                  fontsize=10, weight="bold", zorder=5, bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none"},
                  **PLAIN)
    if box.shows_unheard:
        axes.axhspan(*UNHEARD_Y, color=definition.unheard_zone.colour, alpha=0.12, zorder=0)
        axes.text(box.x0 + 0.01 * (box.x1 - box.x0), -5, _plain(f"{definition.unheard_zone.name} (opportunity only)"),
                  fontsize=9, **PLAIN, zorder=5, bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none"})
    _points(axes, frame, definition)
    for cut, line in ((definition.opportunity_cut, axes.axvline), (definition.readiness_cut, axes.axhline)):
        line(cut, color="#555", linestyle="--", linewidth=0.8, zorder=1)
    axes.set_xlim(box.x0, box.x1)
    axes.set_ylim(low, box.y1)
    axes.set_xlabel(_plain(definition.raw["axes"]["x"].get("label", "Opportunity")), **PLAIN)
    axes.set_ylabel(_plain(definition.raw["axes"]["y"].get("label", "Readiness")), **PLAIN)
    axes.set_title("Customer Segmentation Canvas (× leave alone, dashed ring co-creation candidate)")
    if caption:
        figure.text(0.01, 0.005, _plain(caption), fontsize=9, color="#333", **PLAIN)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _points(axes, frame: pd.DataFrame, definition: CanvasDefinition) -> None:
    if not len(frame):
        return
    colours = {z.name: z.colour for z in definition.zones}
    heard = frame["heard"].astype(bool).to_numpy()
    ys = np.where(heard, pd.to_numeric(frame["readiness"], errors="coerce").fillna(0).to_numpy(),
                  np.random.default_rng(0).uniform(-10, -4, len(frame)))
    xs = pd.to_numeric(frame["opportunity"], errors="coerce").fillna(0).to_numpy()
    sizes = (point_radius(frame["value"]).to_numpy() ** 2) * 1.6
    order = np.argsort(-sizes, kind="stable")  # large first, so small points stay visible
    axes.scatter(xs[order], ys[order], s=sizes[order], c=[colours.get(z, "#777") for z in frame["zone"].to_numpy()[order]],
                 alpha=0.85, edgecolors="white", linewidths=0.5, zorder=2)
    rings = frame["co_creation"].astype(bool).to_numpy()
    if rings.any():
        axes.scatter(xs[rings], ys[rings], s=sizes[rings] * 2.2, facecolors="none", edgecolors="black",
                     linewidths=0.8, linestyle="--", zorder=3)
    flagged = frame["leave_alone"].astype(bool).to_numpy()
    if flagged.any():
        axes.scatter(xs[flagged], ys[flagged], marker="x", c="black", s=30, linewidths=1, zorder=4)
