"""Validity checks on simulated populations with known truth: account-interval coverage and the
leave-alone rule's precision and recall, with account-level correlations against the oracle.

Used by ``bench/validity.py`` (full sizes, the whole grid) and by the tests (small sizes).
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from vocapp.core.scoring import score_responses
from vocapp.core.scoring.accounts import estimate_accounts, probability_below

from .populations import Population, simulate_population

GRID = {"response_rate": (0.4, 0.6, 0.75, 0.9), "contacts": (1, 2, 4, 6), "icc": (0.3, 0.5, 0.8),
        "careless_share": (0.0, 0.05)}


def score_population(pop: Population, role_weights: dict | None = None,
                     level: float = 0.90) -> tuple[pd.DataFrame, pd.Index]:
    """Fit the scoring model on the population's answers and estimate its accounts: long rows joined
    to the truth (``<construct>_true``, latent a_j, ``low_appetite``), and the valid responses' ids."""
    outcome = score_responses(pop.answers, pop.key)
    frame = outcome.scores[pop.key.constructs].join(pop.respondents[["account_id", "role"]])
    frame["excluded"] = outcome.flags["excluded"]
    estimates = estimate_accounts(frame, pop.key.constructs, role_weights, level).frame
    return estimates.merge(pop.truth, on="account_id", how="left"), frame.index[~frame["excluded"]]


def interval_coverage(accounts_per_count: int = 1000, counts: range = range(1, 11), icc: float = 0.5,
                      random_state: int = 0, **population) -> pd.DataFrame:
    """Share of 90% account intervals that hold the true account value, per construct and respondent
    count (each count equally common; every contact responds), plus the narrowest interval seen."""
    per_account = np.repeat(np.array(list(counts)), accounts_per_count)
    pop = simulate_population(len(per_account), contacts=per_account, response_rate=1.0, icc=icc,
                              random_state=random_state, **population)
    rows, _ = score_population(pop)
    truth = np.select([rows["construct"] == c for c in pop.key.constructs],
                      [rows[f"{c}_true"] for c in pop.key.constructs])
    rows["covered"] = (rows["low"] <= truth) & (truth <= rows["high"])
    rows["width"] = rows["high"] - rows["low"]
    return (rows.groupby(["construct", "n_respondents"])
            .agg(coverage=("covered", "mean"), accounts=("covered", "size"), min_width=("width", "min"))
            .reset_index())


def _correlations(pop: Population, rows: pd.DataFrame, valid: pd.Index) -> dict[str, tuple[float, float]]:
    """Per construct: r(estimate, a_j) and the oracle r(mean respondent latent, a_j) over heard accounts
    (the oracle averages the same valid respondents' true latent scores)."""
    out = {}
    for c in pop.key.constructs:
        est = rows[rows["construct"] == c].set_index("account_id")
        respondents = pop.respondents.loc[valid]
        oracle = respondents.groupby("account_id")[c].mean().reindex(est.index)
        truth = est[c]
        out[c] = (float(np.corrcoef(est["score"], truth)[0, 1]), float(np.corrcoef(oracle, truth)[0, 1]))
    return out


def evaluate_cell(n_accounts: int, response_rate: float, contacts: int, icc: float, careless_share: float,
                  cut: float = 35.0, probability: float = 0.80, random_state: int = 0) -> dict:
    """One grid cell: the leave-alone appetite rule (P(appetite < cut) > probability) against the true
    low-appetite accounts among the heard ones, and the account-level r against the oracle r."""
    pop = simulate_population(n_accounts, contacts=contacts, response_rate=response_rate, icc=icc,
                              careless_share=careless_share, level=cut, random_state=random_state)
    rows, valid = score_population(pop)
    appetite = rows[rows["construct"] == "appetite"]
    flagged = probability_below(appetite, cut) > probability
    truly_low = appetite["low_appetite"].astype(bool)
    hits = int((flagged & truly_low).sum())
    cell = {"response_rate": response_rate, "contacts": contacts, "icc": icc, "careless_share": careless_share,
            "heard": int(len(appetite)), "truly_low": int(truly_low.sum()), "flagged": int(flagged.sum()),
            "precision": hits / flagged.sum() if flagged.any() else float("nan"),
            "recall": hits / truly_low.sum() if truly_low.any() else float("nan")}
    for c, (r, oracle) in _correlations(pop, rows, valid).items():
        cell[f"r_{c}"], cell[f"oracle_{c}"] = r, oracle
        cell[f"ratio_{c}"] = r / oracle
    return cell


def grid(n_accounts: int = 2000, random_state: int = 0, **levels) -> pd.DataFrame:
    """``evaluate_cell`` over every combination of the GRID levels (override any with a tuple)."""
    axes = {**GRID, **levels}
    cells = [evaluate_cell(n_accounts, rr, k, icc, cs, random_state=random_state + i)
             for i, (rr, k, icc, cs) in enumerate(itertools.product(*axes.values()))]
    return pd.DataFrame(cells)
