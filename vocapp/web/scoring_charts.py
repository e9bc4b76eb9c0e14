"""SVG charts for the scoring pages; data in, SVG text out.

Thread-safe in a threaded server: each chart is its own ``matplotlib.figure.Figure`` (saved by the SVG
backend it picks itself), never pyplot's global figure state. The one setting they share, text kept as
text in the SVG, is set once when this module loads and never changed while drawing.
"""
from __future__ import annotations

import io
import re
from html import escape, unescape

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

mpl.rcParams["svg.fonttype"] = "none"


_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')


def _presentation_attributes(declarations: str) -> str:
    """``fill: #fff; stroke-width: 0.8`` -> ``fill="#fff" stroke-width="0.8"``."""
    pairs = (part.split(":", 1) for part in declarations.split(";") if ":" in part)
    return " ".join(f'{name.strip()}="{escape(value.strip())}"' for name, value in pairs)


def without_inline_styles(svg: str) -> str:
    """Matplotlib's SVG with its <style> block and style="" attributes turned into presentation attributes
    (fill=, stroke=, font-size=...), which a strict Content-Security-Policy allows (style-src 'self')."""
    block = _STYLE_BLOCK.search(svg)
    if block:
        rules = re.fullmatch(r"\s*\*\s*\{(.*)\}\s*", block.group(1), re.S)
        if rules is None:
            raise ValueError(f"unexpected matplotlib style rules: {block.group(1)!r}")
        svg = svg[:block.start()] + svg[block.end():]
        svg = svg.replace("<svg ", f"<svg {_presentation_attributes(rules.group(1))} ", 1)
    return _STYLE_ATTRIBUTE.sub(lambda match: _presentation_attributes(unescape(match.group(1))), svg)


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    return without_inline_styles(buffer.getvalue())


def scree_svg(eigenvalues: list[float], random_line: list[float], declared: int) -> str:
    """Eigenvalues with Horn's parallel-analysis 95th-percentile line and the declared count marked."""
    x = np.arange(1, len(eigenvalues) + 1)
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.subplots()
    ax.plot(x, eigenvalues, "o-", color="#1f4e79", label="Observed eigenvalues")
    if random_line:
        ax.plot(x, random_line, "s--", color="#c55a11", label="Random data, 95th percentile")
    ax.axvline(declared + 0.5, color="#777", linestyle=":", label=f"Declared constructs ({declared})")
    ax.set_xlabel("Factor number")
    ax.set_ylabel("Eigenvalue")
    ax.set_xticks(x)
    ax.legend(frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return _svg(fig)


def loadings_svg(loadings: pd.DataFrame, misfit: set[str]) -> str:
    """Heatmap of items x factors (diverging, -1..1) with values written in; misfit items marked '*'."""
    height = max(3.0, 0.28 * len(loadings) + 1.2)
    fig = Figure(figsize=(1.1 * loadings.shape[1] + 2.6, height))
    ax = fig.subplots()
    image = ax.imshow(loadings.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(loadings.shape[1]), loadings.columns, rotation=30, ha="right")
    labels = [f"* {i}" if i in misfit else i for i in loadings.index]
    ax.set_yticks(range(len(loadings)), labels)
    for tick, item in zip(ax.get_yticklabels(), loadings.index):
        if item in misfit:
            tick.set_color("#b00020")
            tick.set_fontweight("bold")
    for (r, c), value in np.ndenumerate(loadings.to_numpy()):
        ax.text(c, r, f"{value:.2f}", ha="center", va="center", fontsize=8,
                color="white" if abs(value) > 0.55 else "black")
    fig.colorbar(image, ax=ax, label="Loading", shrink=0.8)
    return _svg(fig)


def distributions_svg(groups: list[dict], constructs: list[str]) -> str:
    """Box plots of 0-100 scores per construct, one box per relationship type, from a run's stored
    summary groups (``vocapp.core.scoring.summary``: quartiles, whiskers, outliers, mean)."""
    kinds = sorted({g["relationship"] for g in groups})
    fig = Figure(figsize=(3.2 * len(constructs), 3.4))
    axes = fig.subplots(1, len(constructs), sharey=True, squeeze=False)
    for ax, construct in zip(axes[0], constructs):
        boxes = {g["relationship"]: g for g in groups if g["construct"] == construct and g["count"]}
        stats = [{"med": g["median"], "q1": g["q1"], "q3": g["q3"], "whislo": g["whislo"], "whishi": g["whishi"],
                  "mean": g["mean"], "fliers": g["fliers"], "label": kind}
                 for kind, g in boxes.items()]
        ax.bxp(stats, positions=[kinds.index(kind) + 1 for kind in boxes], showmeans=True)
        ax.set_xticks(range(1, len(kinds) + 1), kinds)
        ax.set_xlim(0.5, len(kinds) + 0.5)
        ax.set_title(construct)
        ax.set_ylim(0, 100)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("Score (0-100)")
    return _svg(fig)
