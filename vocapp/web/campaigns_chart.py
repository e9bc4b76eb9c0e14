"""The completions-per-day bar chart of a campaign's progress page: SVG drawn on the server with
presentation attributes only (no style attributes or blocks), text escaped by the SVG template."""
from __future__ import annotations

from flask import render_template

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 240, 40, 40, 16


def completions_svg(points: list[dict]) -> str:
    """Bars of ``points`` ({day: ISO date, count}) with a y axis from 0 to the highest day."""
    if not points:
        return ""
    peak = max(max(p["count"] for p in points), 1)
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    step = plot_w / len(points)
    label_every = max(1, len(points) // 10)
    bars = [{"x": round(LEFT + i * step + step * 0.1, 2), "w": round(max(step * 0.8, 1), 2),
             "y": round(TOP + plot_h * (1 - p["count"] / peak), 2), "h": round(plot_h * p["count"] / peak, 2),
             "day": p["day"], "count": p["count"], "label": i % label_every == 0,
             "cx": round(LEFT + (i + 0.5) * step, 2)} for i, p in enumerate(points)]
    ticks = sorted({0, peak // 2, peak})
    return render_template("campaigns/_completions.svg", bars=bars, width=WIDTH, height=HEIGHT, left=LEFT,
                           top=TOP, bottom=HEIGHT - BOTTOM, right=WIDTH - 10, total=sum(p["count"] for p in points),
                           ticks=[{"value": t, "y": round(TOP + plot_h * (1 - t / peak), 2)} for t in ticks])
