"""Account aggregation: role weights, respondent counts, intervals."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from vocapp.core.scoring import aggregate_accounts


def contacts(rows):
    return pd.DataFrame(rows, columns=["response_id", "account_id", "role", "trust", "excluded"])


def test_role_weighted_mean_and_counts():
    frame = contacts([(1, "A", "decision_maker", 80, False), (2, "A", "user", 50, False),
                      (3, "A", "influencer", 60, False), (4, "A", "user", 0, True)])
    out = aggregate_accounts(frame, ["trust"]).set_index("account_id")
    assert out.at["A", "score"] == pytest.approx((2 * 80 + 50 + 1.5 * 60) / 4.5)
    assert out.at["A", "n_respondents"] == 3
    equal = aggregate_accounts(frame, ["trust"], role_weights={"decision_maker": 1, "influencer": 1,
                                                               "user": 1}).set_index("account_id")
    assert equal.at["A", "score"] == pytest.approx(190 / 3)


def test_account_without_valid_respondent_has_no_row():
    frame = contacts([(1, "A", "user", 40, False), (2, "B", "user", 70, True), (3, "C", "user", None, False)])
    out = aggregate_accounts(frame, ["trust"])
    assert out["account_id"].tolist() == ["A"]


def test_interval_widens_with_fewer_respondents_and_uses_pooled_spread_for_one():
    pattern = [40, 60, 45, 55, 50, 35, 65, 50, 42, 58]
    rows = [(k, "big", "user", v, False) for k, v in enumerate(pattern)]
    rows += [(100 + k, "small", "user", v, False) for k, v in enumerate(pattern[:3])]
    rows += [(200, "single", "user", 70, False)]
    out = aggregate_accounts(contacts(rows), ["trust"], level=0.90).set_index("account_id")
    width = out["high"] - out["low"]
    assert width["big"] < width["small"]
    assert (out["low"] < out["score"]).all() and (out["score"] < out["high"]).all()
    big, small = np.array(pattern), np.array(pattern[:3])
    ss = ((big - big.mean()) ** 2).sum() + ((small - small.mean()) ** 2).sum()
    pooled_sd, df = np.sqrt(ss / (9 + 2)), 11
    half = stats.t.ppf(0.95, df) * pooled_sd
    assert out.at["single", "low"] == pytest.approx(70 - half)
    assert out.at["single", "high"] == pytest.approx(70 + half)
    big_half = stats.t.ppf(0.95, 9) * big.std(ddof=1) / np.sqrt(10)
    assert out.at["big", "high"] == pytest.approx(big.mean() + big_half)


def test_bounds_stay_on_the_score_scale_and_output_is_long():
    rows = [(1, "A", "user", 2, False), (2, "A", "user", 30, False)]
    frame = contacts(rows).assign(appetite=[99, 100])
    out = aggregate_accounts(frame, ["trust", "appetite"])
    assert list(out.columns) == ["account_id", "construct", "score", "low", "high", "n_respondents"]
    assert out["construct"].tolist() == ["trust", "appetite"]
    assert (out["low"] >= 0).all() and (out["high"] <= 100).all()
