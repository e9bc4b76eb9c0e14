"""Known-truth checks on simulated responses."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from factor_analyzer import FactorAnalyzer

from vocapp.core.scoring import ConstructScorer, FrozenModel, response_matrix, score_responses
from vocapp.core.synthetic.responses import simulate_responses, synthetic_key

PHI = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.2], [0.5, 0.2, 1.0]])


@pytest.fixture(scope="module")
def simulated():
    key = synthetic_key(("trust", "appetite", "innovation"), 6, 2, 1, 5)
    rng = np.random.default_rng(11)
    loadings = {i: rng.uniform(0.65, 0.80) for i in key.items}
    answers, latent = simulate_responses(key, loadings, 2000, PHI, random_state=5)
    return key, answers, latent, score_responses(answers, key)


def test_simulation_has_the_requested_design(simulated):
    key, answers, _, _ = simulated
    assert answers.shape == (2000, 18)
    assert sum(key.reverse.values()) == 6
    assert set(np.unique(answers.to_numpy())) == {1.0, 2.0, 3.0, 4.0, 5.0}
    # reverse-keyed items are stored as answered, so they correlate negatively with their siblings
    assert answers["trust_1"].corr(answers["trust_6"]) < 0


def test_contact_scores_recover_latent_truth_and_are_named_right(simulated):
    key, _, latent, outcome = simulated
    scores = outcome.scores
    for construct in key.constructs:
        r = {other: np.corrcoef(scores[construct], latent[other])[0, 1] for other in key.constructs}
        assert r[construct] >= 0.90
        assert max(r, key=r.get) == construct
        assert np.corrcoef(scores[f"{construct}_z"], latent[construct])[0, 1] >= 0.90


def test_z_scores_are_standardised_on_the_fitting_sample(simulated):
    _, _, _, outcome = simulated
    z = outcome.scores.filter(like="_z")
    assert z.mean().abs().max() < 1e-6 and (z.std(ddof=0) - 1).abs().max() < 1e-6


def test_factor_correlations_in_construct_order_even_when_factor_analyzer_sorts():
    # the first declared construct has the weakest loadings, so factor_analyzer re-sorts its factors
    key = synthetic_key(("a", "b", "c"), 6, 2, 1, 5)
    strength = {"a": 0.55, "b": 0.85, "c": 0.7}
    loadings = {i: strength[key.construct[i]] for i in key.items}
    phi = np.array([[1.0, 0.1, 0.5], [0.1, 1.0, 0.3], [0.5, 0.3, 1.0]])
    answers, _ = simulate_responses(key, loadings, 4000, phi, random_state=2)
    matrix = response_matrix(answers, key)
    naive = FactorAnalyzer(n_factors=3, rotation="oblimin").fit(matrix.to_numpy())
    naive_first = [key.items[np.argmax(np.abs(naive.loadings_[:, f]))][0] for f in range(3)]
    assert naive_first != ["a", "b", "c"], "precondition: factor_analyzer re-orders the factors"
    scorer = ConstructScorer().fit(matrix, key)
    reported = scorer.factor_correlations_.loc[["a", "b", "c"], ["a", "b", "c"]].to_numpy()
    # attenuated by 5-point discretisation, but order and size must match the truth
    assert reported == pytest.approx(phi, abs=0.07)
    assert reported[0, 2] > reported[1, 2] > reported[0, 1]


def test_frozen_model_round_trips_through_json(simulated):
    key, answers, _, outcome = simulated
    stored = json.loads(json.dumps(outcome.model))
    again = FrozenModel.from_dict(stored).transform(outcome.matrix)
    pd.testing.assert_frame_equal(again, outcome.scorer.transform(outcome.matrix))
    # new responses are scored with the stored model, not refitted
    new_answers, _ = simulate_responses(key, 0.7, 50, PHI, random_state=99, index=range(9001, 9051))
    applied = score_responses(new_answers, key, model=stored)
    assert applied.scorer is None
    pd.testing.assert_frame_equal(applied.scores, outcome.scorer.transform(response_matrix(new_answers, key)))


def test_missing_answers_renormalise_the_scale_weights(simulated):
    key, _, _, outcome = simulated
    model = FrozenModel.from_dict(outcome.model)
    row = pd.DataFrame([{i: 5.0 for i in key.items}], index=["r"])
    row.loc["r", ["trust_2", "trust_3"]] = np.nan
    scores = model.transform(row)
    assert scores.at["r", "trust"] == pytest.approx(100.0)
    empty = pd.DataFrame([{i: np.nan for i in key.items}], index=["e"])
    assert model.transform(empty).isna().all(axis=None)


@pytest.mark.parametrize("method,rotation", [("ml", "promax"), ("principal", "varimax"), ("minres", None)])
def test_method_and_rotation_are_configurable(simulated, method, rotation):
    key, _, latent, outcome = simulated
    scorer = ConstructScorer(method=method, rotation=rotation).fit(outcome.matrix, key)
    assert scorer.model_["method"] == method and scorer.model_["rotation"] == rotation
    if rotation in ("varimax", None):
        assert scorer.factor_correlations_.to_numpy() == pytest.approx(np.eye(3))
    if rotation is not None:
        assert (scorer.item_assignment_ == pd.Series(key.construct)).all()


def test_parallel_analysis_suggests_the_true_number_of_factors(simulated):
    _, _, _, outcome = simulated
    parallel = outcome.scorer.diagnostics_["parallel"]
    assert parallel["suggested_factors"] == 3 and parallel["n_iter"] >= 20
    noise = pd.DataFrame(np.random.default_rng(0).integers(1, 6, (500, 12)).astype(float))
    from vocapp.core.scoring.parallel import parallel_analysis
    on_noise = parallel_analysis(noise.corr().to_numpy(), 500, 20, random_state=1)
    assert on_noise["suggested_factors"] <= 1 and on_noise["suggested_components"] <= 1
    assert parallel["suggested_components"] == 3 and parallel["basis"] == "factors"


def test_cfa_fit_indices_separate_right_and_wrong_keys(simulated):
    key, _, _, outcome = simulated
    right = outcome.scorer.fit_indices_
    assert right["converged"] and right["cfi"] > 0.98 and right["rmsea"] < 0.03
    records = key.to_records()
    for r in records:  # swap two items between trust and appetite
        if r["item_id"] in ("trust_1", "trust_2"):
            r["construct"] = "appetite"
        elif r["item_id"] in ("appetite_1", "appetite_2"):
            r["construct"] = "trust"
    wrong_key = type(key).from_records(records, key.constructs)
    wrong = ConstructScorer().fit(outcome.matrix, wrong_key).fit_indices_
    assert wrong["cfi"] < right["cfi"] - 0.1 and wrong["rmsea"] > right["rmsea"] + 0.05


def test_scattered_missing_answers_do_not_discard_responses():
    key = synthetic_key(("trust", "appetite", "innovation"), 6, 2, 1, 5)
    answers, latent = simulate_responses(key, 0.72, 1500, PHI, random_state=8, missing_rate=0.06)
    outcome = score_responses(answers, key)
    diag = outcome.scorer.diagnostics_
    # with 6% missing per item only ~1/3 of responses are complete; pairwise correlations use them all
    assert diag["n_complete"] < 0.5 * diag["n_valid"] and diag["n"] > 0.85 * diag["n_valid"]
    for construct in key.constructs:
        ok = outcome.scores[construct].notna()
        assert np.corrcoef(outcome.scores.loc[ok, construct], latent.loc[ok, construct])[0, 1] >= 0.88
