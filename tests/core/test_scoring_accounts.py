"""Account estimates: role weights, counts, REML variance components, empirical-Bayes estimates and
posterior intervals (never of zero width), and their coverage on a population with known truth."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from vocapp.core.scoring import aggregate_accounts
from vocapp.core.scoring.accounts import estimate_accounts, variance_components
from vocapp.core.synthetic.validity import evaluate_cell, interval_coverage


def contacts(rows):
    return pd.DataFrame(rows, columns=["response_id", "account_id", "role", "trust", "excluded"])


def test_role_weighted_observed_mean_and_counts():
    frame = contacts([(1, "A", "decision_maker", 80, False), (2, "A", "user", 50, False),
                      (3, "A", "influencer", 60, False), (4, "A", "user", 0, True),
                      (5, "B", "user", 30, False), (6, "B", "user", 40, False)])
    out = aggregate_accounts(frame, ["trust"]).set_index("account_id")
    assert out.at["A", "observed"] == pytest.approx((2 * 80 + 50 + 1.5 * 60) / 4.5)
    assert out.at["A", "n_respondents"] == 3
    equal = aggregate_accounts(frame, ["trust"], role_weights={"decision_maker": 1, "influencer": 1,
                                                               "user": 1}).set_index("account_id")
    assert equal.at["A", "observed"] == pytest.approx(190 / 3)


def test_account_without_valid_respondent_has_no_row():
    frame = contacts([(1, "A", "user", 40, False), (2, "B", "user", 70, True), (3, "C", "user", None, False)])
    assert aggregate_accounts(frame, ["trust"])["account_id"].tolist() == ["A"]


def test_balanced_reml_equals_the_anova_estimates():
    rng = np.random.default_rng(3)
    groups = rng.normal(50, 10, size=40)[:, None] + rng.normal(0, 15, size=(40, 5))
    n, mean = np.full(40, 5.0), groups.mean(axis=1)
    ssw = ((groups - mean[:, None]) ** 2).sum(axis=1)
    msw = ssw.sum() / (40 * 4)
    msb = 5 * ((mean - mean.mean()) ** 2).sum() / 39
    vc = variance_components(n, mean, ssw)
    assert vc["estimable"] and vc["within"] == pytest.approx(msw, rel=1e-4)
    assert vc["between"] == pytest.approx((msb - msw) / 5, rel=1e-3)
    assert vc["icc"] == pytest.approx(vc["between"] / (vc["between"] + vc["within"]))


def test_estimate_is_the_posterior_mean_and_intervals_never_have_zero_width():
    rows = [(k, "SAME", "user", 40.0, False) for k in range(3)]  # everyone agrees: the old [m, m] case
    rows += [(10 + k, "MIXED", "user", v, False) for k, v in enumerate([30, 70, 55, 45])]
    rows += [(20, "ONE", "user", 90.0, False), (21, "TWO", "user", 60.0, False), (22, "TWO", "user", 80.0, False)]
    est = estimate_accounts(contacts(rows), ["trust"])
    out, vc = est.frame.set_index("account_id"), est.components["trust"]
    assert (out["high"] - out["low"] > 1).all()
    n = out["n_respondents"].astype(float)
    shrink = vc["between"] / (vc["between"] + vc["within"] / n)
    assert out["score"].to_numpy() == pytest.approx((vc["mean"] + shrink * (out["observed"] - vc["mean"])).to_numpy())
    assert out["sd"].to_numpy() == pytest.approx(np.sqrt(shrink * vc["within"] / n).to_numpy())
    z = stats.norm.ppf(0.95)
    assert out.at["MIXED", "high"] == pytest.approx(min(out.at["MIXED", "score"] + z * out.at["MIXED", "sd"], 100))
    assert out.at["ONE", "sd"] > out.at["TWO", "sd"] > out.at["MIXED", "sd"]  # fewer voices, wider
    assert abs(out.at["ONE", "score"] - vc["mean"]) < abs(90 - vc["mean"])  # one voice is shrunk


def test_single_respondent_accounts_use_the_assumed_icc():
    rows = [(k, f"A{k}", "user", float(v), False) for k, v in enumerate([20, 40, 60, 80, 50])]
    est = estimate_accounts(contacts(rows), ["trust"], assumed_icc=0.3)
    vc = est.components["trust"]
    assert not vc["estimable"] and vc["icc"] == 0.3 and vc["assumed_icc"]
    assert (est.frame["high"] > est.frame["low"]).all()


@pytest.mark.slow
def test_interval_coverage_at_every_respondent_count():
    """Known truth (theta_j = E[score | account]); every count 1..10 with 1000 accounts each."""
    cov = interval_coverage(1000, random_state=11)
    assert set(cov["n_respondents"]) == set(range(1, 11))
    assert cov["coverage"].between(0.88, 0.92).all(), cov
    assert (cov["min_width"] > 0).all()


@pytest.mark.slow
def test_leave_alone_grid_cells_at_small_size():
    """Small-size cells of bench/validity.py's grid: precision where the rule flags, recall and r/oracle
    on a well-heard cell; one respondent per account is never enough to flag on appetite alone."""
    rich = evaluate_cell(1500, response_rate=0.9, contacts=6, icc=0.8, careless_share=0.0, random_state=1)
    assert rich["precision"] >= 0.85 and rich["recall"] >= 0.60
    assert min(rich[f"ratio_{c}"] for c in ("trust", "appetite", "innovation")) >= 0.93
    middle = evaluate_cell(1500, response_rate=0.6, contacts=4, icc=0.5, careless_share=0.05, random_state=2)
    assert middle["precision"] >= 0.85 and middle["flagged"] > 0
    single = evaluate_cell(1000, response_rate=0.75, contacts=1, icc=0.8, careless_share=0.0, random_state=3)
    assert single["flagged"] == 0 and single["truly_low"] > 0
