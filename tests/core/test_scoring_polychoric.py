"""Polychoric correlations against R's psych (tests/data/reference/bfi_polychoric.csv) and the
--correlations polychoric option of the scorer."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from vocapp.core.scoring import ConstructScorer, build_item_key, score_responses
from vocapp.core.scoring.polychoric import _bivariate_cdf, polychoric_correlations
from vocapp.core.surveys import load_definition_file

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def bfi_valid():
    defn, _ = load_definition_file(DATA / "bfi" / "bfi.yaml")
    key = build_item_key(defn)
    outcome = score_responses(pd.read_csv(DATA / "bfi" / "bfi.csv").set_index("id"), key)
    return key, outcome.matrix[~outcome.flags["excluded"]]


@pytest.mark.parametrize("h, k, rho", [(0.3, -0.5, 0.4), (-1.2, 0.7, -0.6), (0.0, 0.5, 0.3), (0.0, 0.0, -0.2),
                                       (1.5, 1.5, 0.9), (-2.0, 0.0, 0.1)])
def test_bivariate_normal_cdf_matches_scipy(h, k, rho):
    expected = stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf([h, k])
    assert float(_bivariate_cdf(h, k, rho)) == pytest.approx(expected, abs=1e-7)


def test_bfi_polychoric_matrix_matches_psych(bfi_valid):
    _, valid = bfi_valid
    ours, counts = polychoric_correlations(valid)
    psych = pd.read_csv(DATA / "reference" / "bfi_polychoric.csv", index_col=0)
    diff = np.abs(ours.loc[psych.index, psych.columns].to_numpy() - psych.to_numpy())
    assert diff.max() < 0.005 and diff.mean() < 1e-4
    assert counts.min() == valid.notna().astype(float).T.dot(valid.notna().astype(float)).to_numpy().min()
    # ordinal correlations are larger than Pearson's for these 6-point items
    pearson = valid.corr().to_numpy()
    off = ~np.eye(len(pearson), dtype=bool)
    assert np.abs(ours.to_numpy()[off]).mean() > np.abs(pearson[off]).mean()


def test_scorer_with_polychoric_correlations(bfi_valid):
    key, valid = bfi_valid
    pearson = ConstructScorer().fit(valid, key)
    ordinal = ConstructScorer(correlations="polychoric").fit(valid, key)
    assert ordinal.model_["correlations"] == "polychoric" and ordinal.diagnostics_["correlations"] == "polychoric"
    assert pearson.model_["correlations"] == "pearson"
    assert (ordinal.loadings_.abs().idxmax(axis=1) == pd.Series(key.construct)).all()
    assert (ordinal.reliability_["omega"] > pearson.reliability_["omega"]).all()
    scores_p, scores_o = pearson.transform(valid), ordinal.transform(valid)
    for c in key.constructs:  # the 0-100 scores hardly move
        assert np.corrcoef(scores_p[c], scores_o[c])[0, 1] > 0.999
    with pytest.raises(ValueError, match="pearson, polychoric"):
        ConstructScorer(correlations="spearman").fit(valid, key)
