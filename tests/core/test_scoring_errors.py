"""Unusable data gives a specific, readable error (and small data a scale-mean fallback)."""
from __future__ import annotations

import numpy as np
import pytest

from vocapp.core.scoring import (ConstantItemError, ConstructScorer, InsufficientDataError,
                                 KeyMismatchError, SingularMatrixError, response_matrix, score_responses)
from vocapp.core.synthetic.responses import simulate_responses, synthetic_key

KEY = synthetic_key(("trust", "appetite", "innovation"), 6, 2, 1, 5)


def answers(n, seed=0):
    return simulate_responses(KEY, 0.7, n, None, random_state=seed)[0]


def test_too_few_responses_refuses_with_the_numbers():
    matrix = response_matrix(answers(80), KEY)
    with pytest.raises(InsufficientDataError) as err:
        ConstructScorer().fit(matrix, KEY)
    message = str(err.value)
    assert "80" in message and "at least 100" in message and "scale means" in message


def test_below_five_per_item_refuses_even_above_one_hundred():
    key = synthetic_key(("a", "b", "c", "d"), 8, 2, 1, 5)  # 32 items need 160 responses
    data = simulate_responses(key, 0.7, 150, None, random_state=1)[0]
    with pytest.raises(InsufficientDataError, match="at least 160"):
        ConstructScorer().fit(response_matrix(data, key), key)


def test_small_data_still_gets_unit_weighted_scale_means_with_a_warning():
    data = answers(40)
    outcome = score_responses(data, KEY)
    assert outcome.scorer is None and outcome.model is None
    assert outcome.warnings and "provisional" in outcome.warnings[0]
    expected = (outcome.matrix[KEY.items_of("trust")].mean(axis=1) - 1) / 4 * 100
    np.testing.assert_allclose(outcome.scores["trust"], expected)
    assert outcome.scores["trust_z"].isna().all()
    with pytest.raises(InsufficientDataError):
        score_responses(data, KEY, allow_scale_means=False)


def test_constant_item_is_named():
    data = answers(400)
    data["appetite_3"] = 3.0
    with pytest.raises(ConstantItemError) as err:
        ConstructScorer().fit(response_matrix(data, KEY), KEY)
    assert err.value.items == ["appetite_3"]
    assert "appetite_3 (every answer is 3)" in str(err.value)


def test_singular_correlation_matrix_names_the_dependent_items():
    data = answers(400)
    data["innovation_2"] = data["innovation_1"]  # a duplicated column
    with pytest.raises(SingularMatrixError) as err:
        ConstructScorer().fit(response_matrix(data, KEY), KEY)
    assert set(err.value.items[:2]) == {"innovation_1", "innovation_2"}
    assert "singular" in str(err.value) and "innovation_1" in str(err.value)


def test_unknown_method_rotation_and_missing_items_are_explained():
    matrix = response_matrix(answers(300), KEY)
    with pytest.raises(ValueError, match="unknown rotation 'sideways'"):
        ConstructScorer(rotation="sideways").fit(matrix, KEY)
    with pytest.raises(ValueError, match="unknown factoring method 'magic'"):
        ConstructScorer(method="magic").fit(matrix, KEY)
    with pytest.raises(KeyMismatchError, match="trust_1"):
        response_matrix(answers(10).drop(columns="trust_1"), KEY)
