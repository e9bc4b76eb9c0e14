"""Placement rules: readiness, zones, leave-alone reasons, interval width, hysteresis, movements."""
import pandas as pd
import pytest
from scipy import stats

from vocapp.core.canvas import essential_only_counts, load_canvas_definition, movements, place_accounts
from vocapp.core.scoring import aggregate_accounts

DEFN = load_canvas_definition()


def scores(rows):
    """rows: (account_id, construct, score, low, high, n)."""
    return pd.DataFrame(rows, columns=["account_id", "construct", "score", "low", "high", "n_respondents"])


def account(acc, trust, appetite, innovation=50, band=(5, 5, 5), n=3):
    return [(acc, "trust", trust, trust - band[0], trust + band[0], n),
            (acc, "appetite", appetite, appetite - band[1], appetite + band[1], n),
            (acc, "innovation", innovation, innovation - band[2], innovation + band[2], n)]


def place(score_rows, opportunity, essential=None, previous=None, ids=None):
    ids = ids or list(opportunity)
    return place_accounts(pd.DataFrame({"account_id": ids}), scores(score_rows), pd.Series(opportunity),
                          pd.Series(essential or {}, dtype=int), DEFN, previous).set_index("account_id")


def test_readiness_zones_and_unheard_accounts():
    rows = account("P", 80, 60, innovation=90) + account("B", 30, 50) + account("E", 70, 70) + account("S", 20, 45)
    placed = place(rows, {"P": 90, "B": 75, "E": 10, "S": 20, "U": 66})
    assert placed.loc["P", "readiness"] == pytest.approx(70)
    assert placed["zone"].to_dict() == {"P": "Partner", "B": "Build trust", "E": "Engage",
                                        "S": "Serve efficiently", "U": "Not yet heard"}
    unheard = placed.loc["U"]
    assert unheard["opportunity"] == 66 and unheard["n_respondents"] == 0 and pd.isna(unheard["readiness"])
    assert not unheard["leave_alone"]
    assert placed.loc["P", "co_creation"] and not placed.loc["E", "co_creation"]


def test_leave_alone_from_the_posterior_probability_below_the_cut_and_explains_itself():
    def with_posterior(rows, observed_shift=-3):
        """Add observed means and posterior SDs (half-width / z(0.95)) to account() rows."""
        frame = scores(rows)
        frame["observed"] = frame["score"] + observed_shift
        frame["sd"] = (frame["high"] - frame["score"]) / stats.norm.ppf(0.95)
        return frame

    rows = (account("LOW", 40, 24, band=(5, 9, 5)) + account("STRADDLE", 40, 30, band=(5, 12, 5))
            + account("ASK", 60, 70) + account("BOTH", 40, 20, band=(5, 6, 5), n=1))
    ids = ["LOW", "STRADDLE", "ASK", "BOTH"]
    placed = place_accounts(pd.DataFrame({"account_id": ids}), with_posterior(rows), pd.Series(dict.fromkeys(ids, 50)),
                            pd.Series({"ASK": 1, "BOTH": 2}), DEFN).set_index("account_id")
    assert 33 < DEFN.leave_alone_cut <= 40 and DEFN.leave_alone_probability == 0.8
    # P(appetite < 35) = Phi((35 - 24) / (9 / 1.645)) = 0.978
    assert placed.loc["LOW", "leave_alone_reason"] == (
        "appetite 24 [15-33] (observed 21) from 3 respondents: P(below 35) 98% (flagged above 80%)")
    assert not placed.loc["STRADDLE", "leave_alone"]  # P = Phi(5 / 7.3) = 0.75, not above 0.80
    assert placed.loc["ASK", "leave_alone_reason"] == "asked for essential contact only"
    assert placed.loc["BOTH", "leave_alone_reason"] == (
        "appetite 20 [14-26] (observed 17) from 1 respondent: P(below 35) 100% (flagged above 80%); "
        "asked for essential contact only (2 respondents)")
    assert placed["leave_alone"].sum() == 3
    assert placed.loc["LOW", "appetite_observed"] == 21 and placed.loc["LOW", "appetite"] == 24


def test_leave_alone_of_runs_stored_without_a_posterior_uses_the_whole_interval():
    rows = account("LOW", 40, 24, band=(5, 9, 5)) + account("STRADDLE", 40, 28, band=(5, 12, 5))
    placed = place(rows, {"LOW": 50, "STRADDLE": 50})
    assert placed.loc["LOW", "leave_alone_reason"] == "appetite 24 [15-33] from 3 respondents: P(below 35) 100% (flagged above 80%)"
    assert not placed.loc["STRADDLE", "leave_alone"]  # upper end 40 is not below the cut


def test_essential_only_answer_counts_and_flags_even_an_unheard_account():
    answers = pd.DataFrame({"account_id": ["A", "A", "B", "C"],
                            "contact_preference": ["essential_only", "open_to_more", None, "essential_only"]})
    counts = essential_only_counts(answers)
    assert counts.to_dict() == {"A": 1, "B": 0, "C": 1}
    placed = place(account("A", 60, 60), {"A": 50, "C": 50}, essential=counts.to_dict())
    assert placed.loc["C", "zone"] == "Not yet heard"
    assert placed.loc["C", "leave_alone_reason"] == "asked for essential contact only"


def test_one_respondent_has_a_wider_interval_than_many_and_is_not_silenced_on_it():
    appetite = {"MANY": [15, 25, 18, 22, 20, 20], "ONE": [20], "SPREAD": [10, 70, 40],
                "A": [55, 65], "B": [60, 50, 70], "C": [58, 62, 45], "D": [65, 52]}
    contact_rows = [{"response_id": f"{acc}{i}", "account_id": acc, "role": "user", "appetite": value,
                     "trust": 50.0, "innovation": 50.0}
                    for acc, values in appetite.items() for i, value in enumerate(values)]
    account_scores = aggregate_accounts(pd.DataFrame(contact_rows), ["trust", "appetite", "innovation"])
    ids = list(appetite)
    placed = place_accounts(pd.DataFrame({"account_id": ids}), account_scores, pd.Series(dict.fromkeys(ids, 50)),
                            None, DEFN).set_index("account_id")
    width = placed["appetite_high"] - placed["appetite_low"]
    assert width["ONE"] > width["MANY"] > 0
    assert placed.loc["MANY", "leave_alone"] and "(observed 20) from 6 respondents: P(below 35)" in \
        placed.loc["MANY", "leave_alone_reason"]
    assert not placed.loc["ONE", "leave_alone"]  # one voice at 20 is pulled towards the mean


def test_hysteresis_keeps_the_previous_side_within_the_margin():
    rows = account("NEAR", 70, 70) + account("FAR", 70, 70) + account("NEW", 70, 70) + account("UP", 70, 70)
    opportunity = {"NEAR": 47, "FAR": 44, "NEW": 47, "UP": 53}
    previous = pd.Series({"NEAR": "Partner", "FAR": "Partner", "UP": "Engage"})
    placed = place(rows, opportunity, previous=previous)
    assert placed["zone"].to_dict() == {"NEAR": "Partner", "FAR": "Engage", "NEW": "Engage", "UP": "Engage"}
    assert placed["held_by_hysteresis"].to_dict() == {"NEAR": True, "FAR": False, "NEW": False, "UP": True}
    again = place(rows, {**opportunity, "UP": 56}, previous=previous)
    assert again.loc["UP", "zone"] == "Partner"


def test_movements_between_two_placements():
    before = pd.Series({"a": "Partner", "b": "Partner", "c": "Engage", "d": "Engage"})
    after = pd.Series({"a": "Partner", "b": "Engage", "c": "Partner", "e": "Not yet heard"})
    table = movements(before, after)
    counts = {(r.from_zone, r.to_zone): r.count for r in table.itertuples()}
    assert counts == {("Partner", "Partner"): 1, ("Partner", "Engage"): 1, ("Engage", "Partner"): 1,
                      ("Engage", "(none)"): 1, ("(none)", "Not yet heard"): 1}
    assert table["moved"].sum() == 4
