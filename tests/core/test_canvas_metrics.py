"""Account metrics and opportunity: windows, refunds, duplicates, unmapped categories, headroom."""
import math

import numpy as np
import pandas as pd
import pytest

from vocapp.core.canvas import account_metrics, opportunity_scores, unmapped_categories

MAPPING = {"membership_fee": "membership_fee", "Training": "commercial_service",
           "events": "commercial_service", "donation": "ignore"}
AS_OF = "2026-06-30"


def tx(rows):
    return pd.DataFrame(rows, columns=["account_id", "date", "amount", "category", "reference"])


def test_account_without_transactions_still_appears_with_zeros_and_nan():
    frame = tx([("A", "2026-05-01", 100, "training", "r1")])
    accounts = pd.DataFrame({"account_id": ["A", "B"]})
    m = account_metrics(frame, MAPPING, AS_OF, accounts=accounts)
    assert list(m.index) == ["A", "B"]
    b = m.loc["B"]
    assert b["total_12m"] == 0 and b["purchase_frequency"] == 0 and b["breadth"] == 0 and b["growth"] == 0
    assert math.isnan(b["recency_days"]) and math.isnan(b["commercial_share"])


def test_refunds_net_out_and_refunds_only_account_has_no_purchases():
    frame = tx([("A", "2026-05-01", 100, "training", "r1"), ("A", "2026-05-20", -40, "training", "r2"),
                ("B", "2026-04-01", -25, "training", "r3")])
    m = account_metrics(frame, MAPPING, AS_OF)
    assert m.loc["A", "commercial_12m"] == pytest.approx(60)
    assert m.loc["A", "purchase_frequency"] == 1
    assert m.loc["A", "recency_days"] == (pd.Timestamp(AS_OF) - pd.Timestamp("2026-05-01")).days
    refunds_only = m.loc["B"]
    assert refunds_only["commercial_12m"] == pytest.approx(-25)
    assert refunds_only["purchase_frequency"] == 0 and refunds_only["breadth"] == 0
    assert math.isnan(refunds_only["recency_days"]) and math.isnan(refunds_only["commercial_share"])


def test_duplicate_references_are_counted_once_but_rows_without_reference_are_kept():
    once = tx([("A", "2026-05-01", 100, "training", "r1")])
    twice = tx([("A", "2026-05-01", 100, "training", "r1"), ("A", "2026-05-01", 100, "training", "r1")])
    assert account_metrics(twice, MAPPING, AS_OF).equals(account_metrics(once, MAPPING, AS_OF))
    no_ref = tx([("A", "2026-05-01", 100, "training", None), ("A", "2026-05-01", 100, "training", "")])
    assert account_metrics(no_ref, MAPPING, AS_OF).loc["A", "commercial_12m"] == pytest.approx(200)


def test_windows_growth_share_breadth_and_mapping_case():
    frame = tx([
        ("A", "2026-06-01", 300, "membership_fee", "f1"), ("A", "2026-03-01", 100, " TRAINING ", "t1"),
        ("A", "2026-02-01", 100, "events", "t2"), ("A", "2025-03-01", 250, "membership_fee", "f0"),
        ("A", "2024-01-01", 999, "training", "old"), ("A", "2026-07-15", 500, "training", "future"),
        ("A", "2026-01-01", 80, "donation", "d1"),
        ("N", "2026-01-01", 50, "events", "n1"),
    ])
    m = account_metrics(frame, MAPPING, AS_OF)
    a = m.loc["A"]
    assert (a["membership_fees_12m"], a["commercial_12m"], a["total_12m"]) == (300, 200, 500)
    assert a["prior_12m"] == 250
    assert a["growth"] == pytest.approx((500 - 250) / ((500 + 250) / 2))
    assert a["commercial_share"] == pytest.approx(200 / 500)
    assert a["breadth"] == 3  # membership_fee, training, events (ignored donation not counted)
    assert a["purchase_frequency"] == 2
    assert m.loc["N", "growth"] == pytest.approx(2.0)  # new spend against an empty prior year


def test_unmapped_categories_are_reported_and_left_out():
    frame = tx([("A", "2026-05-01", 100, "training", "t1"), ("A", "2026-05-02", 70, "Consulting", "c1"),
                ("B", "2026-05-03", 30, "Consulting", "c2"), ("B", "2026-05-03", 5, "misc", "m1")])
    report = unmapped_categories(frame, MAPPING)
    assert report.to_dict("records") == [{"category": "Consulting", "n_transactions": 2, "amount": 100},
                                         {"category": "misc", "n_transactions": 1, "amount": 5}]
    m = account_metrics(frame, MAPPING, AS_OF)
    assert m.loc["A", "total_12m"] == 100 and m.loc["B", "total_12m"] == 0


def test_headroom_is_gap_to_upper_quartile_of_same_size_band():
    totals = {"A": 100, "B": 200, "C": 300, "D": 400, "E": 50}
    frame = tx([(k, "2026-05-01", v, "training", k) for k, v in totals.items()])
    accounts = pd.DataFrame({"account_id": list(totals) + ["F"],
                             "revenue_band": ["small"] * 4 + ["large", None]})
    m = account_metrics(frame, MAPPING, AS_OF, accounts=accounts, size_attribute="revenue_band")
    benchmark = np.percentile([100, 200, 300, 400], 75)
    assert m.loc["A", "headroom"] == pytest.approx(benchmark - 100)
    assert m.loc["D", "headroom"] == 0
    assert m.loc["E", "headroom"] == 0  # alone in its band
    assert math.isnan(m.loc["F", "headroom"])


def test_opportunity_ranks_within_base_and_respects_weights():
    frame = tx([("big", "2026-06-01", 900, "training", "b1"), ("big", "2026-05-01", 900, "events", "b2"),
                ("mid", "2026-01-01", 300, "training", "m1"), ("small", "2025-08-01", 20, "training", "s1")])
    accounts = pd.DataFrame({"account_id": ["big", "mid", "small", "none"]})
    m = account_metrics(frame, MAPPING, AS_OF, accounts=accounts)
    scores = opportunity_scores(m, {"total_12m": 2, "recency_days": 1, "breadth": 1, "headroom": 1})
    assert scores.between(0, 100).all()
    assert list(scores.sort_values(ascending=False).index) == ["big", "mid", "small", "none"]
    recency_only = opportunity_scores(m, {"recency_days": 1})
    assert recency_only["big"] > recency_only["mid"] > recency_only["small"] > recency_only["none"]
    with pytest.raises(ValueError, match="unknown metrics: nonsense"):
        opportunity_scores(m, {"nonsense": 1})
