"""The CFA pins the key's zero loadings through factor_analyzer's `bounds` and starts from the EFA's
loadings: the same estimates as the stock, unbounded, cold-started ConfirmatoryFactorAnalyzer, from far
fewer objective evaluations; on simulated data, on real data (bfi) and on a wrong key."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factor_analyzer import ConfirmatoryFactorAnalyzer

from vocapp.core.surveys import load_definition_file
from vocapp.core.scoring import ConstructScorer, build_item_key, response_matrix
from vocapp.core.scoring.cfa import fit_cfa, fixed_zero_bounds, model_specification
from vocapp.core.synthetic.responses import simulate_responses, synthetic_key

BFI = Path(__file__).resolve().parents[1] / "data" / "bfi"
PHI = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.2], [0.5, 0.2, 1.0]])


class CountingCFA(ConfirmatoryFactorAnalyzer):
    """Stock ConfirmatoryFactorAnalyzer that counts objective evaluations."""

    calls = 0

    def _objective(self, *args):
        type(self).calls += 1
        return super()._objective(*args)


def stock_fit(sample: np.ndarray, model, bounds=None) -> tuple[ConfirmatoryFactorAnalyzer, int]:
    CountingCFA.calls = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfa = CountingCFA(model, n_obs=1, is_cov_matrix=True, disp=False, max_iter=500, bounds=bounds)
        cfa.fit(sample)
    return cfa, CountingCFA.calls


@pytest.fixture(scope="module")
def data():
    key = synthetic_key(("trust", "appetite", "innovation"), 6, 2, 1, 5)
    rng = np.random.default_rng(4)
    answers, _ = simulate_responses(key, {i: rng.uniform(0.55, 0.80) for i in key.items}, 1500, PHI,
                                    random_state=9)
    return key, response_matrix(answers, key)


def test_bounds_pin_exactly_the_loadings_the_key_fixes(data):
    key, _ = data
    model = model_specification(key)
    bounds = fixed_zero_bounds(model)
    n_load = model.n_variables * model.n_factors
    assert len(bounds) == n_load + model.n_variables + model.n_factors + model.n_lower_diag
    pinned = [k for k, b in enumerate(bounds) if b == (0.0, 0.0)]
    assert len(pinned) == n_load - model.n_variables  # every item loads on its own construct only
    assert all(b == (None, None) for b in bounds[n_load:])


def test_bounded_cfa_matches_the_stock_fit_with_fewer_evaluations(data):
    key, matrix = data
    model = model_specification(key)
    items = list(model.variable_names)
    sample = matrix[items].corr().to_numpy()
    stock, stock_calls = stock_fit(sample, model)
    bounded, bounded_calls = stock_fit(sample, model, fixed_zero_bounds(model))
    np.testing.assert_allclose(bounded.loadings_, stock.loadings_, atol=1e-4)
    np.testing.assert_allclose(bounded.get_model_implied_cov(), stock.get_model_implied_cov(), atol=1e-4)
    assert bounded_calls < 0.7 * stock_calls
    fit = fit_cfa(matrix[items].corr(), len(matrix), key)
    assert fit["converged"]
    for item, value in zip(items, stock.loadings_.sum(axis=1)):
        assert fit["loadings"][item] == pytest.approx(value, abs=1e-4)


def swapped_key(key, pairs):
    """``key`` with each (a, b) pair of items' constructs exchanged: a wrong key."""
    records = key.to_records()
    construct = {r["item_id"]: r["construct"] for r in records}
    for a, b in pairs:
        for r in records:
            if r["item_id"] == a:
                r["construct"] = construct[b]
            elif r["item_id"] == b:
                r["construct"] = construct[a]
    return type(key).from_records(records, key.constructs)


def bfi_data():
    definition, _ = load_definition_file(BFI / "bfi.yaml")
    key = build_item_key(definition)
    return key, response_matrix(pd.read_csv(BFI / "bfi.csv").set_index("id"), key)


@pytest.mark.parametrize("case", ["simulated", "simulated, wrong key", "bfi"])
def test_start_from_the_efa_reaches_the_stock_optimum_in_fewer_evaluations(data, case):
    key, matrix = bfi_data() if case == "bfi" else data
    if case == "simulated, wrong key":
        key = swapped_key(key, [("trust_1", "appetite_1"), ("trust_2", "appetite_2")])
    scorer = ConstructScorer().fit(matrix, key)  # its CFA starts from its own EFA loadings
    start = {i: scorer.loadings_.at[i, key.construct[i]] for i in key.items}
    warm_model = model_specification(key, start)
    cold_model = model_specification(key)
    assert ((np.asarray(warm_model.loadings) != 0) == (np.asarray(cold_model.loadings) != 0)).all()
    assert not np.array_equal(warm_model.loadings, cold_model.loadings)

    items = list(cold_model.variable_names)
    corr = matrix[items].corr()
    sample = corr.to_numpy()
    stock, stock_calls = stock_fit(sample, cold_model)
    warm, warm_calls = stock_fit(sample, warm_model, fixed_zero_bounds(warm_model))
    cold, cold_calls = stock_fit(sample, cold_model, fixed_zero_bounds(cold_model))
    np.testing.assert_allclose(warm.get_model_implied_cov(), stock.get_model_implied_cov(), atol=2e-4)
    np.testing.assert_allclose(warm.loadings_, stock.loadings_, atol=1e-3)
    assert cold_calls < stock_calls
    if case != "simulated, wrong key":  # a wrong key's EFA start is no better than 1.0, only as right
        assert warm_calls < cold_calls

    n = len(matrix)  # the rows, as the scorer (and lavaan) use
    fitted = scorer.fit_indices_
    assert fitted["converged"]
    reference = fit_cfa(corr, n, key)  # cold start, same bounds
    for index in ("chi2", "rmsea", "cfi", "tli", "srmr"):
        assert fitted[index] == pytest.approx(reference[index], rel=1e-4, abs=1e-6), index
    if case == "simulated, wrong key":
        assert fitted["cfi"] < 0.9 and fitted["rmsea"] > 0.08  # a wrong key still shows as misfit
