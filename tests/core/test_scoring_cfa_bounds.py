"""The CFA pins the key's zero loadings through factor_analyzer's `bounds`: the same estimates as the
stock, unbounded ConfirmatoryFactorAnalyzer, from about half the objective evaluations."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from factor_analyzer import ConfirmatoryFactorAnalyzer

from vocapp.core.scoring import response_matrix
from vocapp.core.scoring.cfa import fit_cfa, fixed_zero_bounds, model_specification
from vocapp.core.synthetic.responses import simulate_responses, synthetic_key

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
