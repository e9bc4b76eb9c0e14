"""Horn's parallel analysis: how many factors stand out above random data of the same size."""
from __future__ import annotations

import numpy as np


def random_eigenvalues(
    n: int, p: int, n_iter: int = 20, percentile: float = 95.0, random_state: int | None = 0
) -> np.ndarray:
    """The ``percentile`` of each ordered eigenvalue of correlation matrices of ``n_iter`` normal
    ``n`` x ``p`` random data sets (seeded, so repeated runs agree)."""
    if n_iter < 1:
        raise ValueError("parallel analysis needs at least one random data set")
    rng = np.random.default_rng(random_state)
    eigs = np.empty((n_iter, p))
    for k in range(n_iter):
        x = rng.standard_normal((n, p))
        x -= x.mean(axis=0)
        x /= np.sqrt((x * x).sum(axis=0))
        eigs[k] = np.sort(np.linalg.eigvalsh(x.T @ x))[::-1]
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
