"""Polychoric correlations of ordinal (Likert) items, two-step maximum likelihood as psych's
``polychoric()`` (global thresholds, 0.5 added to empty cells).

Each item's thresholds are the normal quantiles of its cumulative answer shares (over every response
answering it). For each item pair, rho maximises the multinomial log-likelihood of the pair's
contingency table (rows answering both), sum n_ab log P_ab(rho), where P_ab is the bivariate normal
probability of the rectangle between the thresholds, computed with Owen's T function (vectorised, so
a 25-item matrix takes well under a second). No Python library on PyPI that is kept up provides this
on its own (semopy has one inside a large SEM package), hence this tested implementation.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

BIG = 8.0  # thresholds beyond +-8 SD stand in for infinity (Phi(8) = 1 - 6e-16)
ZERO_CELL = 0.5  # psych's correct = 0.5


def _bivariate_cdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """P(X <= h, Y <= k) for a standard bivariate normal with correlation rho (Owen's T form)."""
    h, k = np.broadcast_arrays(np.asarray(h, dtype=float), np.asarray(k, dtype=float))
    r = np.sqrt(1 - rho * rho)
    with np.errstate(divide="ignore", invalid="ignore"):
        a_h = np.where(h != 0, (k - rho * h) / (h * r), 0.0)
        a_k = np.where(k != 0, (h - rho * k) / (k * r), 0.0)
    # T(0, a) = arctan(a) / (2 pi): at h = 0 the argument is +-inf, so the term is sign(k) / 4
    t_h = np.where(h != 0, special.owens_t(h, a_h), 0.25 * np.sign(k))
    t_k = np.where(k != 0, special.owens_t(k, a_k), 0.25 * np.sign(h))
    out = 0.5 * (special.ndtr(h) + special.ndtr(k)) - t_h - t_k
    odd = (h * k < 0) | ((h * k == 0) & (h + k < 0))
    out = out - 0.5 * odd
    # h = 0 or k = 0: Owen's T with a = +-inf; use the exact quadrant formula there
    both0 = (h == 0) & (k == 0)
    out = np.where(both0, 0.25 + np.arcsin(rho) / (2 * np.pi), out)
    return np.clip(out, 0.0, 1.0)


def thresholds(values: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Normal-quantile thresholds between ``categories`` (sorted) from the answered ``values``."""
    counts = np.array([(values == c).sum() for c in categories], dtype=float)
    cumulative = np.cumsum(counts)[:-1] / counts.sum()
    return np.clip(stats.norm.ppf(cumulative), -BIG, BIG)


def _pair_rho(table: np.ndarray, tx: np.ndarray, ty: np.ndarray) -> float:
    table = np.where(table == 0, ZERO_CELL, table)
    ex, ey = np.concatenate([[-BIG], tx, [BIG]]), np.concatenate([[-BIG], ty, [BIG]])

    def negative_loglik(rho: float) -> float:
        cdf = _bivariate_cdf(ex[:, None], ey[None, :], rho)
        cells = cdf[1:, 1:] - cdf[:-1, 1:] - cdf[1:, :-1] + cdf[:-1, :-1]
        return -float((table * np.log(np.clip(cells, 1e-300, None))).sum())

    result = optimize.minimize_scalar(negative_loglik, bounds=(-0.9999, 0.9999), method="bounded",
                                      options={"xatol": 1e-8})
    return float(result.x)


def polychoric_correlations(data: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Polychoric correlation matrix of the columns (ordinal values, NaN missing) and the number of
    rows behind each pair (pairwise complete), like ``pairwise_correlations``."""
    values = data.to_numpy(dtype=float)
    p = values.shape[1]
    answered = ~np.isnan(values)
    counts = answered.T.astype(float) @ answered.astype(float)
    levels, codes, cuts = [], [], []
    for j in range(p):
        column = values[answered[:, j], j]
        cats = np.unique(column)
        levels.append(cats)
        code = np.full(len(values), -1)
        code[answered[:, j]] = np.searchsorted(cats, column)
        codes.append(code)
        cuts.append(thresholds(column, cats))
    corr = np.eye(p)
    for i in range(p):
        for j in range(i):
            both = (codes[i] >= 0) & (codes[j] >= 0)
            if len(levels[i]) < 2 or len(levels[j]) < 2 or both.sum() < 2:
                corr[i, j] = corr[j, i] = np.nan
                continue
            width = len(levels[j])
            table = np.bincount(codes[i][both] * width + codes[j][both],
                                minlength=len(levels[i]) * width).reshape(len(levels[i]), width).astype(float)
            corr[i, j] = corr[j, i] = _pair_rho(table, cuts[i], cuts[j])
    return pd.DataFrame(corr, index=data.columns, columns=data.columns), counts
