"""A run's summary figures: the box-plot statistics matplotlib would compute from every score, a
histogram that counts every score, small whatever the number of responses."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.cbook import boxplot_stats

from vocapp.core.scoring.summary import DECIMALS, score_summary, summary_table


def scores_frame(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    scores = pd.DataFrame({"trust": np.clip(rng.normal(60, 15, n), 0, 100),
                           "appetite": np.clip(rng.standard_t(3, n) * 10 + 50, 0, 100)},
                          index=pd.Index(np.arange(1, n + 1), name="response_id"))
    scores.loc[scores.index % 17 == 0, "appetite"] = np.nan
    relationship = pd.Series(rng.choice(["member", "customer", None], n), index=scores.index)
    return scores, relationship


def test_box_statistics_match_matplotlibs_from_the_raw_scores():
    scores, relationship = scores_frame(5000)
    summary = score_summary(scores, relationship, ["trust", "appetite"])
    groups = {(g["construct"], g["relationship"]): g for g in summary["groups"]}
    assert list(groups) == [(c, r) for c in ("trust", "appetite") for r in ("customer", "member", "unknown")]
    for (construct, kind), group in groups.items():
        mask = (relationship.fillna("unknown") == kind).to_numpy()
        values = scores.loc[mask, construct].dropna().to_numpy()
        expected = boxplot_stats(values)[0]
        assert group["count"] == len(values)
        for key in ("mean", "med", "q1", "q3", "whislo", "whishi"):
            assert group["median" if key == "med" else key] == pytest.approx(expected[key], abs=10 ** -DECIMALS)
        # summarised to DECIMALS places (see the module): the extremes are the raw ones to that precision
        assert group["min"] == round(values.min(), DECIMALS) and group["max"] == round(values.max(), DECIMALS)
        assert group["fliers"] == sorted(set(np.round(expected["fliers"], 1).tolist()))
        assert sum(group["histogram"]) == len(values) and len(group["histogram"]) == 100
    assert sum(g["count"] for g in summary["groups"] if g["construct"] == "appetite") == scores["appetite"].count()


def test_histogram_bins_are_one_point_wide_and_100_falls_in_the_last():
    scores = pd.DataFrame({"trust": [0.0, 0.5, 1.0, 99.99, 100.0]})
    group = score_summary(scores, pd.Series(["member"] * 5), ["trust"])["groups"][0]
    assert group["histogram"][0] == 2 and group["histogram"][1] == 1 and group["histogram"][99] == 2


def test_the_stored_figures_stay_small_and_plain_json_at_any_size():
    small = json.dumps(score_summary(*scores_frame(1000), ["trust", "appetite"]), allow_nan=False)
    large = json.dumps(score_summary(*scores_frame(300_000, seed=1), ["trust", "appetite"]), allow_nan=False)
    assert len(large) < 60_000 and len(large) < 4 * len(small) + 20_000


def test_types_without_scores_are_shown_empty_and_no_responses_give_no_groups():
    scores = pd.DataFrame({"trust": [50.0, np.nan], "appetite": [np.nan, np.nan]})
    summary = score_summary(scores, pd.Series(["member", "customer"]), ["trust", "appetite"])
    empty = [g for g in summary["groups"] if g["count"] == 0]
    assert {(g["construct"], g["relationship"]) for g in empty} == {
        ("trust", "customer"), ("appetite", "customer"), ("appetite", "member")}
    assert all(g["mean"] is None and g["fliers"] == [] for g in empty)
    assert summary_table(summary)[0] == {"construct": "appetite", "relationship": "customer", "count": 0,
                                         "mean": None, "median": None}
    assert score_summary(scores.iloc[:0], pd.Series([], dtype=object), ["trust"])["groups"] == []


def test_a_score_printed_to_15_digits_lands_in_the_same_bin_as_the_score_itself():
    # SQLite's JSON keeps 15 significant digits: 23.999999999999996 comes back from the database as 24
    computed = pd.DataFrame({"trust": [23.999999999999996, 50.0]})
    stored = pd.DataFrame({"trust": [float(f"{value:.15g}") for value in computed["trust"]]})
    assert stored["trust"][0] == 24.0 != computed["trust"][0]
    kinds = pd.Series(["member", "member"])
    assert score_summary(computed, kinds, ["trust"]) == score_summary(stored, kinds, ["trust"])
