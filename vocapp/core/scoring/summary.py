"""A run's summary figures: what the run page and its charts show about the 0-100 scores.

Computed once, when the run is scored, and stored with it (``scoring_runs.summary``), so a page view
reads one row instead of every response's scores. Per construct and relationship type (``unknown``
for responses without a contact) of the unflagged responses: the count, mean, quartiles, extremes, the
box-plot whiskers and outliers (Tukey's 1.5 x IQR rule, computed as ``matplotlib.cbook.boxplot_stats``
does) and a histogram of 1-point bins. Outliers are kept rounded to 0.1 and once each (a chart of the
0-100 range cannot show finer), so the stored figures stay small whatever the number of responses.

Scores are summarised rounded to ``DECIMALS`` places: SQLite's JSON keeps 15 significant digits, so a
score of 23.999999999999996 is stored as 24; rounded first, the summary made at scoring time and the one
made later from the stored scores put every score in the same histogram bin.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

#: histogram bin edges: 1-point bins over 0-100, the last one closed (a score of 100 falls in it)
BIN_EDGES = np.arange(0, 101, 1.0)
WHISKER = 1.5
FLIER_DECIMALS = 1
#: places the scores are rounded to before they are summarised (well inside 15 significant digits)
DECIMALS = 10
UNKNOWN = "unknown"


def _float(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _group_figures(values: np.ndarray) -> dict[str, Any]:
    """Count, mean, quartiles, extremes, whiskers, outliers and histogram of one group's scores."""
    count = int(len(values))
    histogram = np.histogram(np.clip(values, 0, 100), bins=BIN_EDGES)[0].astype(int).tolist()
    if not count:
        return {"count": 0, "mean": None, "median": None, "q1": None, "q3": None, "min": None, "max": None,
                "whislo": None, "whishi": None, "fliers": [], "histogram": histogram}
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    iqr = q3 - q1
    low_limit, high_limit = q1 - WHISKER * iqr, q3 + WHISKER * iqr
    inside = values[(values >= low_limit) & (values <= high_limit)]
    whislo = inside.min() if len(inside) else q1
    whishi = inside.max() if len(inside) else q3
    outliers = values[(values < whislo) | (values > whishi)]
    fliers = np.unique(np.round(outliers, FLIER_DECIMALS))
    return {"count": count, "mean": _float(values.mean()), "median": _float(median), "q1": _float(q1),
            "q3": _float(q3), "min": _float(values.min()), "max": _float(values.max()),
            "whislo": _float(whislo), "whishi": _float(whishi), "fliers": fliers.tolist(), "histogram": histogram}


def score_summary(scores: pd.DataFrame, relationship: pd.Series, constructs: Sequence[str]) -> dict[str, Any]:
    """Summary figures of ``scores`` (one row per unflagged response, a 0-100 column per construct).

    ``relationship`` gives each response's relationship type (indexed like ``scores``; missing:
    ``unknown``). Returns plain JSON: ``{"bin_edges": [...], "groups": [{"construct", "relationship",
    "count", "mean", "median", "q1", "q3", "min", "max", "whislo", "whishi", "fliers", "histogram"}]}``,
    the groups by construct (in ``constructs`` order), then relationship type (sorted); every type that
    occurs appears under every construct, with count 0 where no response has that score.
    """
    kinds = relationship.reindex(scores.index).astype(object).where(lambda s: s.notna(), UNKNOWN).astype(str)
    types = sorted(kinds.unique())
    codes = kinds.to_numpy()
    groups = []
    for construct in constructs:
        column = np.round(scores[construct].to_numpy(dtype=float), DECIMALS)
        for kind in types:
            values = column[(codes == kind) & ~np.isnan(column)]
            groups.append({"construct": construct, "relationship": kind, **_group_figures(values)})
    return {"bin_edges": BIN_EDGES.tolist(), "groups": groups}


def summary_table(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's table rows (construct, relationship, count, mean, median), by construct and type."""
    rows = [{k: g[k] for k in ("construct", "relationship", "count", "mean", "median")}
            for g in summary.get("groups", [])]
    return sorted(rows, key=lambda r: (r["construct"], r["relationship"]))
