"""Item key, response matrix (reverse-keying, missing) and 0-100 anchoring."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vocapp.core.scoring import (ItemKey, KeyMismatchError, build_item_key, common_item_key,
                                 response_matrix, scale_mean_scores, weighted_scale_scores)

DEFN = {
    "id": "mini", "constructs": [{"id": "trust"}, {"id": "appetite"}],
    "scales": [{"id": "agree5", "min": 1, "max": 5}, {"id": "ten", "min": 0, "max": 10}],
    "pages": [{"id": "p", "items": [
        {"id": "q1", "type": "likert", "scale": "agree5", "construct": "appetite"},
        {"id": "q2", "type": "likert", "scale": "agree5", "construct": "trust", "reverse": True},
        {"id": "nps", "type": "nps"},
        {"id": "q3", "type": "likert", "scale": "ten", "construct": "trust"},
    ]}],
}


def test_key_from_definition_keeps_questionnaire_and_construct_order():
    key = build_item_key(DEFN)
    assert key.items == ("q1", "q2", "q3")
    assert key.constructs == ["trust", "appetite"]
    assert key.reverse == {"q1": False, "q2": True, "q3": False}
    assert (key.scale_min["q3"], key.scale_max["q3"]) == (0, 10)


def test_reverse_keying_and_missing_values():
    key = build_item_key(DEFN)
    answers = pd.DataFrame({"q1": [1, 5, None], "q2": [1, 4, 3], "q3": [0, 7, 99], "other": [1, 2, 3]},
                           index=pd.Index([10, 11, 12], name="response_id"))
    matrix = response_matrix(answers, key)
    assert list(matrix.columns) == ["q1", "q2", "q3"]
    assert matrix["q2"].tolist() == [5, 2, 3]  # 1 + 5 - x
    assert np.isnan(matrix.at[12, "q1"])  # missing stays missing
    assert np.isnan(matrix.at[12, "q3"])  # out of the scale's range counts as missing
    assert matrix.at[11, "q3"] == 7


def test_zero_to_hundred_is_anchored_to_the_scale():
    key = build_item_key(DEFN)
    weights = {"trust": {"q2": 0.8, "q3": 0.4}, "appetite": {"q1": 1.0}}
    keyed = pd.DataFrame({"q1": [1, 5, 3, 2], "q2": [1, 5, 3, np.nan], "q3": [0, 10, 5, 10]},
                         index=list("abcd"))
    scores = weighted_scale_scores(keyed, key, weights)
    assert scores.loc["a"].tolist() == pytest.approx([0, 0])
    assert scores.loc["b"].tolist() == pytest.approx([100, 100])
    assert scores.loc["c"].tolist() == pytest.approx([50, 50])
    assert scores.at["d", "trust"] == pytest.approx(100)  # weights re-normalised over answered items
    assert scale_mean_scores(keyed, key).at["c", "trust"] == 50


def test_items_common_to_versions():
    full = build_item_key(DEFN)
    pulse = full.restrict(["q2", "q1"])
    assert common_item_key([full, pulse]).items == ("q1", "q2")
    clash = ItemKey.from_records([{**r, "reverse": not r["reverse"]} for r in pulse.to_records()])
    with pytest.raises(KeyMismatchError, match="keyed differently"):
        common_item_key([full, clash])
