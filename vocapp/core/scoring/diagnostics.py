"""Checks and diagnostics on the fitting data: size, constant items, singularity, KMO, Bartlett,
eigenvalues and parallel analysis."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .errors import ConstantItemError, InsufficientDataError, SingularMatrixError
from .parallel import parallel_analysis

MIN_RESPONSES = 100
MIN_RESPONSES_PER_ITEM = 5
SINGULAR_TOLERANCE = 1e-8


def minimum_responses(n_items: int) -> int:
    """Fewest complete responses we fit a factor model on: 100, and at least 5 per item."""
    return max(MIN_RESPONSES, MIN_RESPONSES_PER_ITEM * n_items)


def check_constant_items(data: pd.DataFrame) -> None:
    """Raise ConstantItemError naming every item with no variation in ``data``."""
    sd = data.std(axis=0, ddof=0)
    constant = [str(c) for c, v in sd.items() if not np.isfinite(v) or v == 0]
    if constant:
        detail = ", ".join(
            f"{c} (every answer is {data[c].dropna().iloc[0]:g})" if data[c].notna().any()
            else f"{c} (never answered)" for c in constant
        )
        raise ConstantItemError(
            f"Cannot fit a factor model: item(s) with the same answer from every respondent carry no "
            f"information: {detail}. Remove the item(s) from the key or collect more varied responses.",
            constant,
        )


def check_sample_size(n: int, n_items: int) -> None:
    """Raise InsufficientDataError when ``n`` complete responses are too few to fit the model."""
    minimum = minimum_responses(n_items)
    if n < minimum:
        raise InsufficientDataError(
            f"Cannot fit a factor model on {n} valid response(s) to {n_items} items: at least "
            f"{minimum} are needed (100, and 5 per item). Unit-weighted scale means (0-100) can still "
            "be computed, but treat them as provisional: they are not weighted by a fitted model.",
            n=n, n_items=n_items, minimum=minimum,
        )


def check_singular(corr: pd.DataFrame) -> np.ndarray:
    """Return the eigenvalues (descending); raise SingularMatrixError naming the dependent items
    (also when pairwise-complete correlations are not positive definite)."""
    values, vectors = np.linalg.eigh(corr.to_numpy())
    if values[0] < SINGULAR_TOLERANCE * max(values[-1], 1.0):
        weights = np.abs(vectors[:, 0])
        involved = [str(corr.columns[j]) for j in np.argsort(-weights) if weights[j] > 0.1]
        raise SingularMatrixError(
            "Cannot fit a factor model: the item correlation matrix is singular (or not positive "
            "definite), so some items are an exact linear combination of others (involved: "
            f"{', '.join(involved)}). Look for duplicated or derived columns and remove one of them.",
            involved,
        )
    return values[::-1]


def kmo(corr: pd.DataFrame) -> tuple[float, pd.Series]:
    """Kaiser-Meyer-Olkin sampling adequacy, overall and per item, from the correlation matrix."""
    r = corr.to_numpy()
    inv = np.linalg.inv(r)
    d = np.sqrt(np.diag(inv))
    partial = -inv / np.outer(d, d)
    off = ~np.eye(len(r), dtype=bool)
    r2 = np.where(off, r**2, 0.0)
    p2 = np.where(off, partial**2, 0.0)
    per_item = r2.sum(axis=0) / (r2.sum(axis=0) + p2.sum(axis=0))
    overall = r2.sum() / (r2.sum() + p2.sum())
    return float(overall), pd.Series(per_item, index=corr.columns)


def bartlett(corr: pd.DataFrame, n: int) -> dict:
    """Bartlett's test of sphericity: chi2 = -(n - 1 - (2p + 5)/6) ln|R| on p(p-1)/2 df."""
    p = corr.shape[0]
    _, logdet = np.linalg.slogdet(corr.to_numpy())
    chi2 = -(n - 1 - (2 * p + 5) / 6) * logdet
    df = p * (p - 1) / 2
    return {"chi2": float(chi2), "df": int(df), "p_value": float(stats.chi2.sf(chi2, df))}


def pairwise_correlations(data: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Pairwise-complete Pearson correlations of the columns, and the number of rows behind each pair.

    The same values as ``data.corr()`` (each pair over the rows answering both items; NaN for a pair
    with no spread), computed from four matrix products over the answered mask instead of a loop over
    pairs: the counts N = M'M, the within-pair sums and sums of squares of each item (X'M, (X*X)'M) and
    the cross-products X'X, with X the column-centred values (0 where missing) for accuracy.
    """
    centred = data.to_numpy(dtype=float, copy=True)
    missing = np.isnan(centred)
    answered = np.logical_not(missing).astype(np.float64)
    with warnings.catch_warnings():  # an all-missing column has no mean: its pairs come out NaN below
        warnings.simplefilter("ignore", RuntimeWarning)
        centred -= np.nanmean(centred, axis=0)
    centred[missing] = 0.0
    counts = answered.T @ answered
    sums = centred.T @ answered  # sums[i, j]: item i summed over the rows answering both i and j
    products = centred.T @ centred
    np.square(centred, out=centred)
    squares = centred.T @ answered
    with np.errstate(invalid="ignore", divide="ignore"):
        covariance = products - sums * sums.T / counts
        spread = np.clip(squares - sums * sums / counts, 0.0, None)
        corr = covariance / np.sqrt(spread * spread.T)
    corr[~np.isfinite(corr) | (counts < 2)] = np.nan
    np.clip(corr, -1.0, 1.0, out=corr)
    diagonal = np.isfinite(np.diag(corr))
    corr[np.diag_indices_from(corr)] = np.where(diagonal, 1.0, np.nan)
    return pd.DataFrame(corr, index=data.columns, columns=data.columns), counts


def check_fit_data(data: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Run every refusal check on the fitting responses (missing answers allowed).

    Returns (pairwise-complete correlation matrix, its eigenvalues, n), where n is the number of
    responses behind the sparsest item pair: the (conservative) sample size for the size check.
    """
    check_constant_items(data)
    corr, counts = pairwise_correlations(data)
    n = int(counts.min()) if data.shape[1] else 0
    check_sample_size(n, data.shape[1])
    return corr, check_singular(corr), n


def diagnose(
    corr: pd.DataFrame, eigenvalues: np.ndarray, counts: dict[str, int], n_declared: int,
    n_parallel: int = 20, random_state: int | None = 0,
) -> dict:
    """JSON-serialisable diagnostics of the fitting data.

    ``counts``: ``n_rows`` (responses used), ``n_complete`` (of those, answering every item) and
    ``n_pairwise_min`` (responses behind the sparsest item pair). Bartlett's test and parallel analysis
    use the rows, as psych does with raw data; ``n`` is kept as the rows for the CFA and the frozen model.
    """
    n = int(counts["n_rows"])
    overall, per_item = kmo(corr)
    parallel = parallel_analysis(corr.to_numpy(), n, n_parallel, 95.0, random_state)
    return {
        "n": n,
        **{k: int(v) for k, v in counts.items()},
        "n_valid": n,
        "n_items": int(corr.shape[0]),
        "kmo": overall,
        "kmo_items": {str(k): float(v) for k, v in per_item.items()},
        "bartlett": bartlett(corr, n),
        "eigenvalues": [float(v) for v in eigenvalues],
        "parallel": parallel,
        "suggested_factors": parallel["suggested_factors"],
        "suggested_components": parallel["suggested_components"],
        "parallel_basis": "factor-based (as psych fa.parallel fa='fa')",
        "declared_constructs": int(n_declared),
    }
