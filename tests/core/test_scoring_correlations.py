"""Pairwise-complete correlations by matrix products agree with pandas' pair-by-pair ``DataFrame.corr``,
including the awkward pairs (no overlap, one overlapping row, no spread within the overlap)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vocapp.core.scoring.diagnostics import check_fit_data, pairwise_correlations


def frame(rows: int, columns: int, missing: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 6, (rows, columns)).astype(float)
    values[:, 1] += values[:, 0]  # some real correlation
    values[rng.random(values.shape) < missing] = np.nan
    return pd.DataFrame(values, columns=[f"q{j}" for j in range(columns)])


@pytest.mark.parametrize("rows, columns, missing", [(2000, 12, 0.0), (2000, 12, 0.05), (300, 6, 0.4)])
def test_matches_pandas_pairwise_correlations_and_counts(rows, columns, missing):
    data = frame(rows, columns, missing, seed=rows + columns)
    corr, counts = pairwise_correlations(data)
    pd.testing.assert_frame_equal(corr, data.corr(), atol=1e-12, rtol=0)
    answered = data.notna().astype(int)
    np.testing.assert_array_equal(counts, (answered.T @ answered).to_numpy())


def test_pairs_without_enough_overlap_or_spread_are_missing_like_pandas():
    data = frame(40, 5, 0.0, seed=3)
    data.loc[:19, "q2"] = np.nan
    data.loc[20:, "q3"] = np.nan   # q2 and q3 never answered together
    data.loc[1:, "q4"] = np.nan    # q4 answered once
    data.loc[0, "q0"] = 3.0
    corr, counts = pairwise_correlations(data)
    expected = data.corr()
    assert counts[2, 3] == 0 and np.isnan(corr.loc["q2", "q3"])
    assert np.isnan(corr.loc["q4", "q0"]) and np.isnan(corr.loc["q4", "q4"])
    pd.testing.assert_frame_equal(corr, expected, atol=1e-12, rtol=0)


def test_the_fit_checks_use_the_sparsest_pair_as_n():
    data = frame(400, 6, 0.0, seed=5)
    data.loc[:149, "q5"] = np.nan
    corr, _, n = check_fit_data(data)
    assert n == 250
    pd.testing.assert_frame_equal(corr, data.corr(), atol=1e-12, rtol=0)
