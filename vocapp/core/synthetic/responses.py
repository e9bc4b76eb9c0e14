"""Simulate Likert answers from correlated latent factors with a known item key and loadings."""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from vocapp.core.scoring.key import ItemKey


def synthetic_key(
    constructs: Sequence[str] = ("trust", "appetite", "innovation"),
    items_per_construct: int = 6,
    reverse_per_construct: int = 2,
    scale_min: int = 1,
    scale_max: int = 5,
) -> ItemKey:
    """Key with items ``<construct>_<k>``; the last ``reverse_per_construct`` of each are reverse-keyed."""
    records = [
        {"item_id": f"{c}_{k}", "construct": c, "reverse": k > items_per_construct - reverse_per_construct,
         "min": scale_min, "max": scale_max}
        for c in constructs for k in range(1, items_per_construct + 1)
    ]
    return ItemKey.from_records(records, construct_order=constructs)


def simulate_responses(
    key: ItemKey,
    loadings: Mapping[str, float] | float,
    n: int,
    factor_correlations: np.ndarray | pd.DataFrame | None = None,
    random_state: int | None = 0,
    missing_rate: float = 0.0,
    index: Sequence | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw ``n`` respondents: latent f ~ N(0, Phi); item y = l f_c + sqrt(1 - l^2) e; y cut into the
    scale's points at equal-probability normal thresholds; reverse-keyed items are stored reversed
    (as a respondent would answer them). Returns (answers with one column per item, latent scores with
    one column per construct), both indexed by ``index`` or 1..n."""
    rng = np.random.default_rng(random_state)
    constructs = key.constructs
    k = len(constructs)
    phi = np.eye(k) if factor_correlations is None else np.asarray(factor_correlations, dtype=float)
    latent = rng.multivariate_normal(np.zeros(k), phi, size=n, method="cholesky")
    idx = pd.Index(range(1, n + 1) if index is None else list(index), name="response_id")
    answers = {}
    for item in key.items:
        lam = float(loadings if isinstance(loadings, (int, float)) else loadings[item])
        if not 0 < abs(lam) < 1:
            raise ValueError(f"loading of {item} must be strictly between -1 and 1, got {lam}")
        y = lam * latent[:, constructs.index(key.construct[item])] + np.sqrt(1 - lam**2) * rng.standard_normal(n)
        lo, hi = int(key.scale_min[item]), int(key.scale_max[item])
        cuts = stats.norm.ppf(np.linspace(0, 1, hi - lo + 2)[1:-1])
        x = (lo + np.searchsorted(cuts, y)).astype(float)
        if key.reverse[item]:
            x = lo + hi - x
        if missing_rate > 0:
            x[rng.random(n) < missing_rate] = np.nan
        answers[item] = x
    return (pd.DataFrame(answers, index=idx),
            pd.DataFrame(latent, index=idx.copy(), columns=constructs))
