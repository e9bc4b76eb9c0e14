"""Horn's parallel analysis: how many factors stand out above random data of the same size."""
from __future__ import annotations

import numpy as np
from scipy import stats


def random_eigenvalues(
    n: int, p: int, n_iter: int = 20, percentile: float = 95.0, random_state: int | None = 0
) -> np.ndarray:
    """The ``percentile`` of each ordered eigenvalue of the correlation matrices of ``n_iter`` random
    ``n`` x ``p`` standard-normal data sets (seeded, so repeated runs agree).

    The centred scatter matrix of n independent N(0, I) rows is Wishart(n - 1, I), so each data set's
    correlation matrix is drawn from that distribution directly (Bartlett decomposition, O(p^2)) instead
    of generating n x p numbers: identical in distribution, and free at 100k respondents.
    """
    if n_iter < 1:
        raise ValueError("parallel analysis needs at least one random data set")
    if n - 1 < p:
        raise ValueError(f"parallel analysis needs more responses ({n}) than items ({p})")
    rng = np.random.default_rng(random_state)
    eigs = np.empty((n_iter, p))
    for k in range(n_iter):
        scatter = np.atleast_2d(stats.wishart.rvs(df=n - 1, scale=np.eye(p), random_state=rng))
        d = np.sqrt(np.diag(scatter))
        eigs[k] = np.sort(np.linalg.eigvalsh(scatter / np.outer(d, d)))[::-1]
    return np.percentile(eigs, percentile, axis=0)


def suggested_factors(observed: np.ndarray, random: np.ndarray) -> int:
    """Number of leading observed eigenvalues above their random counterparts (stops at the first miss)."""
    above = np.asarray(observed) > np.asarray(random)
    return int(len(above) if above.all() else np.argmin(above))


def parallel_analysis(
    observed: np.ndarray, n: int, n_iter: int = 20, percentile: float = 95.0,
    random_state: int | None = 0,
) -> dict:
    """Horn's parallel analysis on correlation-matrix eigenvalues; returns the random line and the
    suggested number of factors."""
    random = random_eigenvalues(n, len(observed), n_iter, percentile, random_state)
    return {
        "n_iter": int(n_iter),
        "percentile": float(percentile),
        "random_eigenvalues": [float(v) for v in random],
        "suggested_factors": suggested_factors(observed, random),
    }
