"""Validity checks on simulated populations with known truth: account-interval coverage and the
leave-alone rule's precision and recall, with account-level correlations against the oracle.

Used by ``bench/validity.py`` (full sizes, the whole grid, the choice of the probability setting)
and by the tests (small sizes). The probability setting is chosen on populations drawn from
``TUNING_SEED`` and the grid is reported on populations drawn from ``REPORT_SEED``: the two never
share a population.
"""
from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np
import pandas as pd

from vocapp.core.canvas.definition import DEFAULT_LEAVE_ALONE_PROBABILITY, CanvasDefinition
from vocapp.core.scoring import score_responses
from vocapp.core.scoring.accounts import estimate_accounts, probability_below

from .base import SyntheticBase, generate_base
from .populations import Population, simulate_population
from .responses import synthetic_key

GRID = {"response_rate": (0.4, 0.6, 0.75, 0.9), "contacts": (1, 2, 4, 6), "icc": (0.3, 0.5, 0.8),
        "careless_share": (0.0, 0.05)}
#: probability settings the tuning compares (the canvas definition requires more than 0.5)
CANDIDATE_PROBABILITIES = (0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
TUNING_SEED = 1000
REPORT_SEED = 0
#: a cell's precision counts in the choice only when the rule flags at least this many accounts there
#: (with fewer, its 95% interval is wider than +/- 0.18: 5 right of 8 flagged is what a rule of true
#: precision 0.8 gives one time in five)
MIN_FLAGGED_FOR_PRECISION = 20
#: the expected-precision rule measured beside the fixed setting (see ``expected_precision_setting``)
EXPECTED_PRECISION = 0.88
#: synthetic bases (vocapp/core/synthetic/base.py) the choice must also hold on: precision >= 0.85 over
#: all accounts (tests/core/test_canvas_acceptance.py checks seeds 101, 202, 303 at the default)
BASE_TUNING_SEEDS = (7, 8, 9, 10, 11, 12)
BASE_PRECISION = 0.85
CONSTRUCTS = ("trust", "appetite", "innovation")


def required_precision(icc: float, response_rate: float) -> float:
    """The issue's precision target for a cell: 0.85 where ICC >= 0.5 and response >= 60%, else 0.80."""
    return 0.85 if icc >= 0.5 and response_rate >= 0.6 else 0.80


def recall_required(icc: float, response_rate: float) -> bool:
    """Whether the issue asks recall >= 0.60 of a cell (ICC >= 0.5 and response >= 60%)."""
    return icc >= 0.5 and response_rate >= 0.6


def score_population(pop: Population, role_weights: dict | None = None,
                     level: float = 0.90) -> tuple[pd.DataFrame, pd.Index, pd.DataFrame]:
    """Fit the scoring model on the population's answers and estimate its accounts: long rows joined
    to the truth (``<construct>_true``, latent a_j, ``low_appetite``), the valid responses' ids and
    the valid responses' 0-100 scores (with account_id)."""
    outcome = score_responses(pop.answers, pop.key)
    frame = outcome.scores[pop.key.constructs].join(pop.respondents[["account_id", "role"]])
    frame["excluded"] = outcome.flags["excluded"]
    estimates = estimate_accounts(frame, pop.key.constructs, role_weights, level).frame
    valid = frame.index[~frame["excluded"]]
    return estimates.merge(pop.truth, on="account_id", how="left"), valid, frame.loc[valid]


def interval_coverage(accounts_per_count: int = 1000, counts: range = range(1, 11), icc: float = 0.5,
                      random_state: int = 0, **population) -> pd.DataFrame:
    """Share of 90% account intervals that hold the true account value, per construct and respondent
    count (each count equally common; every contact responds), plus the narrowest interval seen."""
    per_account = np.repeat(np.array(list(counts)), accounts_per_count)
    pop = simulate_population(len(per_account), contacts=per_account, response_rate=1.0, icc=icc,
                              random_state=random_state, **population)
    rows, _, _ = score_population(pop)
    truth = np.select([rows["construct"] == c for c in pop.key.constructs],
                      [rows[f"{c}_true"] for c in pop.key.constructs])
    rows["covered"] = (rows["low"] <= truth) & (truth <= rows["high"])
    rows["width"] = rows["high"] - rows["low"]
    return (rows.groupby(["construct", "n_respondents"])
            .agg(coverage=("covered", "mean"), accounts=("covered", "size"), min_width=("width", "min"))
            .reset_index())


def correlations(pop: Population, rows: pd.DataFrame, valid: pd.Index,
                 scores: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    """Per construct over heard accounts: r(estimate, a_j), the oracle r(mean respondent latent, a_j)
    (the same valid respondents' true latent scores) and the **cap** r(observed account mean, oracle
    mean). With observed = c * oracle + independent measurement error, r(observed, a) = oracle r x cap
    exactly, so no estimator built on the account means can pass r/oracle = cap by more than noise
    (cap^2 is the reliability of an account mean as a measure of its respondents' latent mean)."""
    out = {}
    respondents = pop.respondents.loc[valid]
    for c in pop.key.constructs:
        est = rows[rows["construct"] == c].set_index("account_id")
        oracle = respondents.groupby("account_id")[c].mean().reindex(est.index)
        observed = scores.groupby("account_id")[c].mean().reindex(est.index)
        truth = est[c]
        out[c] = (float(np.corrcoef(est["score"], truth)[0, 1]), float(np.corrcoef(oracle, truth)[0, 1]),
                  float(np.corrcoef(observed, oracle)[0, 1]))
    return out


def flag_counts(probability: np.ndarray, truly_low: np.ndarray, setting: float) -> dict:
    """Flagged, precision and recall of the rule P(below cut) > ``setting``."""
    flagged = probability > setting
    hits = int((flagged & truly_low).sum())
    return {"flagged": int(flagged.sum()), "hits": hits,
            "precision": hits / flagged.sum() if flagged.any() else float("nan"),
            "recall": hits / truly_low.sum() if truly_low.any() else float("nan")}


def best_recall(probability: np.ndarray, truly_low: np.ndarray, precision: float) -> float:
    """The largest recall any threshold on ``probability`` reaches at precision >= ``precision``
    (computed with the truth: what the posterior's ranking allows, whatever the setting)."""
    order = np.argsort(-probability, kind="stable")
    hits = np.cumsum(truly_low[order])
    ok = hits / np.arange(1, len(order) + 1) >= precision
    return float(hits[ok].max() / truly_low.sum()) if ok.any() and truly_low.any() else 0.0


def expected_precision_setting(probability: np.ndarray, precision: float) -> float:
    """The per-run setting of a rule that controls the posterior expected precision (Bayesian FDR):
    the lowest probability t such that the mean of P over the accounts with P > t is >= ``precision``
    (the posterior's own forecast of the flagged set's precision; 1.0 when no set reaches it)."""
    ranked = np.sort(probability)[::-1]
    expected = np.cumsum(ranked) / np.arange(1, len(ranked) + 1)
    ok = np.where(expected >= precision)[0]
    if not len(ok):
        return 1.0
    last = ok.max()
    return float(ranked[last + 1]) if last + 1 < len(ranked) else 0.0


def evaluate_cell(n_accounts: int, response_rate: float, contacts: int, icc: float, careless_share: float,
                  cut: float = 35.0, probability: float = DEFAULT_LEAVE_ALONE_PROBABILITY, random_state: int = 0,
                  sweep: Sequence[float] = ()) -> dict:
    """One grid cell: the leave-alone appetite rule (P(appetite < cut) > probability) against the true
    low-appetite accounts among the heard ones, the best recall any threshold reaches at the cell's
    required precision, and per construct the account-level r against the oracle r and the cap.
    ``sweep``: further settings, reported as ``precision@p``/``recall@p``/``flagged@p``/``hits@p``."""
    pop = simulate_population(n_accounts, contacts=contacts, response_rate=response_rate, icc=icc,
                              careless_share=careless_share, level=cut, random_state=random_state)
    rows, valid, scores = score_population(pop)
    appetite = rows[rows["construct"] == "appetite"]
    prob = probability_below(appetite, cut).to_numpy()
    truly_low = appetite["low_appetite"].to_numpy(dtype=bool)
    cell = {"response_rate": response_rate, "contacts": contacts, "icc": icc, "careless_share": careless_share,
            "heard": int(len(appetite)), "truly_low": int(truly_low.sum()), "probability": probability,
            **flag_counts(prob, truly_low, probability),
            "best_recall": best_recall(prob, truly_low, required_precision(icc, response_rate))}
    expected_setting = expected_precision_setting(prob, EXPECTED_PRECISION)
    cell["expected_setting"] = expected_setting
    for name, value in flag_counts(prob, truly_low, expected_setting).items():
        cell[f"{name}@expected"] = value
    for setting in sweep:
        for name, value in flag_counts(prob, truly_low, setting).items():
            cell[f"{name}@{setting:g}"] = value
    for c, (r, oracle, cap) in correlations(pop, rows, valid, scores).items():
        cell[f"r_{c}"], cell[f"oracle_{c}"], cell[f"cap_{c}"] = r, oracle, cap
        cell[f"ratio_{c}"] = r / oracle
    return cell


def grid_cells(**levels) -> list[tuple]:
    """(response_rate, contacts, icc, careless_share) for every combination of the GRID levels."""
    return list(itertools.product(*{**GRID, **levels}.values()))


def grid(n_accounts: int = 2000, random_state: int = REPORT_SEED,
         probability: float = DEFAULT_LEAVE_ALONE_PROBABILITY, sweep: Sequence[float] = (), cut: float = 35.0,
         **levels) -> pd.DataFrame:
    """``evaluate_cell`` over every combination of the GRID levels (override any with a tuple); cell
    i draws its population from ``random_state + i``."""
    cells = [evaluate_cell(n_accounts, rr, k, icc, cs, cut=cut, probability=probability,
                           random_state=random_state + i, sweep=sweep)
             for i, (rr, k, icc, cs) in enumerate(grid_cells(**levels))]
    return pd.DataFrame(cells)


def place_base(base: SyntheticBase, definition: CanvasDefinition,
               settings: Sequence[float] | None = None) -> pd.DataFrame | dict[float, pd.DataFrame]:
    """Score a synthetic base's answers (quality flags + ConstructScorer), estimate its accounts and
    place them with ``definition``: the canvas pipeline end to end, without a database. With
    ``settings``, one placement per leave-alone probability setting (scored once)."""
    from dataclasses import replace

    from vocapp.core.canvas import account_metrics, essential_only_counts, opportunity_scores, place_accounts
    from vocapp.core.scoring import ConstructScorer

    key = synthetic_key()
    responses = base.responses.merge(base.contacts[["email", "account_id", "role"]], on="email")
    responses.index = pd.RangeIndex(1, len(responses) + 1, name="response_id")
    outcome = score_responses(responses[list(key.items)], key, scorer=ConstructScorer(n_parallel=20))
    contact_scores = (outcome.scores.join(responses[["account_id", "role"]])
                      .join(outcome.flags[["excluded"]]).reset_index())
    account_scores = estimate_accounts(contact_scores, key.constructs).frame
    metrics = account_metrics(base.transactions, definition.categories, base.as_of, base.accounts,
                              definition.size_attribute)
    opportunity = opportunity_scores(metrics, definition.opportunity_weights)
    essential = essential_only_counts(responses)
    if settings is None:
        return place_accounts(base.accounts, account_scores, opportunity, essential, definition)
    return {p: place_accounts(base.accounts, account_scores, opportunity, essential,
                              replace(definition, leave_alone_probability=p)) for p in settings}


def base_flags(definition: CanvasDefinition, seeds: Sequence[int] = BASE_TUNING_SEEDS,
               settings: Sequence[float] = CANDIDATE_PROBABILITIES, n_accounts: int = 400) -> pd.DataFrame:
    """Leave-alone flags against ``wants_left_alone`` over ALL accounts of the synthetic bases drawn
    from ``seeds``, pooled, at each probability setting: flagged, hits, wanted, precision, recall."""
    key = synthetic_key()
    totals = {p: np.zeros(3) for p in settings}
    for seed in seeds:
        base = generate_base(key.to_records(), n_accounts=n_accounts, seed=seed)
        truth = base.truth.set_index("account_id")["wants_left_alone"]
        for p, placed in place_base(base, definition, settings).items():
            wanted = truth.reindex(placed["account_id"]).to_numpy(dtype=bool)
            flag = placed["leave_alone"].to_numpy(dtype=bool)
            totals[p] += (flag.sum(), (flag & wanted).sum(), wanted.sum())
    rows = [{"probability": p, "flagged": int(f), "hits": int(h), "wanted": int(w),
             "precision": h / f if f else float("nan"), "recall": h / w if w else float("nan")}
            for p, (f, h, w) in totals.items()]
    return pd.DataFrame(rows)


def choose_probability(cells: pd.DataFrame, candidates: Sequence[float] = CANDIDATE_PROBABILITIES,
                       base: pd.DataFrame | None = None) -> tuple[float, pd.DataFrame]:
    """The decision rule: among the candidate settings (swept in ``cells``), those whose precision
    meets the cell's required level (0.85 where ICC >= 0.5 and response >= 60%, else 0.80) in every
    cell where it flags at least ``MIN_FLAGGED_FOR_PRECISION`` accounts; of those, the one with the
    largest mean recall over the cells where recall is required. Returns the setting and one row per
    candidate (cells missing precision, lowest precision over the counted cells, mean recall and cells
    meeting recall 0.60 where it is required). With ``base`` (``base_flags``' table) a candidate must
    also reach ``BASE_PRECISION`` there. Without any admissible candidate the strictest is returned."""
    need = np.array([required_precision(i, r) for i, r in zip(cells["icc"], cells["response_rate"])])
    asked = np.array([recall_required(i, r) for i, r in zip(cells["icc"], cells["response_rate"])])
    rows = []
    for p in candidates:
        precision = cells[f"precision@{p:g}"].to_numpy(dtype=float)
        counted = cells[f"flagged@{p:g}"].to_numpy() >= MIN_FLAGGED_FOR_PRECISION
        misses = int((counted & (precision < need)).sum())
        rows.append({"probability": p, "precision_misses": misses,
                     "min_precision": float(precision[counted].min()) if counted.any() else np.nan,
                     "mean_recall": float(cells.loc[asked, f"recall@{p:g}"].mean()),
                     "recall_met": int((cells.loc[asked, f"recall@{p:g}"] >= 0.60).sum())})
    table = pd.DataFrame(rows)
    admissible = table["precision_misses"] == 0
    if base is not None:
        table["base_precision"] = base.set_index("probability")["precision"].reindex(table["probability"]).to_numpy()
        table["base_recall"] = base.set_index("probability")["recall"].reindex(table["probability"]).to_numpy()
        admissible &= table["base_precision"] >= BASE_PRECISION
    admissible = table[admissible]
    if admissible.empty:
        return float(max(candidates)), table
    return float(admissible.sort_values("mean_recall", ascending=False)["probability"].iloc[0]), table
