"""Horn's parallel analysis, factor-based (as psych's ``fa.parallel(fa = "fa")``) and component-based.

Both compare observed eigenvalues with the 95th percentile of the same eigenvalues of random normal
data of the same size (n rows, p items); the suggested count is the number of leading observed values
above that line (psych's rule: the first that is not above it ends the count).

- component-based: eigenvalues of the correlation matrix R;
- factor-based: eigenvalues of R with its diagonal replaced by the communalities of a one-factor
  minres model (psych's ``fa(R, nfactors = 1)$values``), for the data and for each random set.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from .efa import reduced_eigenvalues

BASES = ("factors", "components")


def random_correlations(n: int, p: int, n_iter: int, random_state: int | None = 0):
    """Yield ``n_iter`` correlation matrices of n x p standard-normal data sets (seeded).

    The centred scatter matrix of n independent N(0, I) rows is Wishart(n - 1, I), so each matrix is
    drawn from that distribution directly (Bartlett decomposition, O(p^2)) instead of generating n x p
    numbers: identical in distribution, and free at 100k respondents.
    """
    if n_iter < 1:
        raise ValueError("parallel analysis needs at least one random data set")
    if n - 1 < p:
        raise ValueError(f"parallel analysis needs more responses ({n}) than items ({p})")
    rng = np.random.default_rng(random_state)
    for _ in range(n_iter):
        scatter = np.atleast_2d(stats.wishart.rvs(df=n - 1, scale=np.eye(p), random_state=rng))
        d = np.sqrt(np.diag(scatter))
        yield scatter / np.outer(d, d)


def random_eigenvalues(n: int, p: int, n_iter: int = 20, random_state: int | None = 0) -> dict[str, np.ndarray]:
    """Eigenvalues of ``n_iter`` random data sets: {"components": n_iter x p, "factors": n_iter x p}."""
    components, factors = [], []
    for corr in random_correlations(n, p, n_iter, random_state):
        components.append(np.sort(np.linalg.eigvalsh(corr))[::-1])
        factors.append(reduced_eigenvalues(corr))
    return {"components": np.array(components), "factors": np.array(factors)}


def suggested_count(observed: np.ndarray, random: np.ndarray) -> int:
    """Number of leading observed eigenvalues above their random counterparts (stops at the first miss)."""
    above = np.asarray(observed) > np.asarray(random)
    return int(len(above) if above.all() else np.argmin(above))


def parallel_analysis(
    corr: np.ndarray, n: int, n_iter: int = 20, percentile: float = 95.0,
    random_state: int | None = 0,
) -> dict:
    """Factor- and component-based parallel analysis of correlation matrix ``corr`` on ``n`` rows.

    ``suggested_factors`` is the factor-based count (the one the run summary shows, as psych's
    "number of factors"); ``suggested_components`` the component-based one.
    """
    corr = np.asarray(corr, dtype=float)
    observed = {"components": np.sort(np.linalg.eigvalsh(corr))[::-1], "factors": reduced_eigenvalues(corr)}
    simulated = random_eigenvalues(n, corr.shape[0], n_iter, random_state)
    line = {kind: np.percentile(simulated[kind], percentile, axis=0) for kind in BASES}
    return {
        "n_iter": int(n_iter),
        "percentile": float(percentile),
        "n": int(n),
        "basis": "factors",
        "random_eigenvalues": [float(v) for v in line["components"]],
        "random_mean_eigenvalues": [float(v) for v in simulated["components"].mean(axis=0)],
        "factor_eigenvalues": [float(v) for v in observed["factors"]],
        "random_factor_eigenvalues": [float(v) for v in line["factors"]],
        "random_mean_factor_eigenvalues": [float(v) for v in simulated["factors"].mean(axis=0)],
        "suggested_factors": suggested_count(observed["factors"], line["factors"]),
        "suggested_components": suggested_count(observed["components"], line["components"]),
    }
