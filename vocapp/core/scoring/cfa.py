"""Confirmatory check of the declared key with factor_analyzer's ConfirmatoryFactorAnalyzer.

factor_analyzer fits by maximum likelihood but does not report fit indices, so they are computed
here from the fitted model-implied matrix Sigma (fitted to the item correlation matrix) and the sample correlation matrix S (p items,
n responses):

- F_ML = ln|Sigma| + tr(S Sigma^-1) - ln|S| - p;   chi2 = N F_ML (N rows, as lavaan's default
  likelihood = "normal": 85.31 on Holzinger-Swineford where (N - 1) F_ML gives 85.02)
- df = p(p+1)/2 - q, with q = p loadings + p error variances + k(k-1)/2 factor correlations
  (factor variances fixed at 1)
- baseline (independence) model: chi2_0 = -N ln|S|, df_0 = p(p-1)/2
- RMSEA = sqrt(max(chi2 - df, 0) / (df N))
- CFI = 1 - max(chi2 - df, 0) / max(chi2_0 - df_0, chi2 - df, 0)
- TLI = (chi2_0/df_0 - chi2/df) / (chi2_0/df_0 - 1)
- SRMR = root mean square of the lower-triangle residuals S - Sigma
"""
from __future__ import annotations

import warnings
from typing import Mapping

import numpy as np
import pandas as pd
from factor_analyzer import ConfirmatoryFactorAnalyzer
from factor_analyzer.confirmatory_factor_analyzer import ModelSpecification
from scipy import stats

from .key import ItemKey


def fit_indices(sample: np.ndarray, implied: np.ndarray, n: int, n_factors: int) -> dict:
    """chi-square, df, p, RMSEA, CFI, TLI and SRMR for a simple-structure CFA (formulas above)."""
    p = sample.shape[0]
    _, logdet_sigma = np.linalg.slogdet(implied)
    _, logdet_s = np.linalg.slogdet(sample)
    f_ml = logdet_sigma + np.trace(sample @ np.linalg.inv(implied)) - logdet_s - p
    chi2 = max(n * f_ml, 0.0)
    df = p * (p + 1) // 2 - (2 * p + n_factors * (n_factors - 1) // 2)
    chi2_0 = -n * logdet_s
    df_0 = p * (p - 1) // 2
    out = {"chi2": float(chi2), "df": int(df), "n": int(n), "baseline_chi2": float(chi2_0),
           "baseline_df": int(df_0)}
    out["p_value"] = float(stats.chi2.sf(chi2, df)) if df > 0 else float("nan")
    out["rmsea"] = float(np.sqrt(max(chi2 - df, 0.0) / (df * n))) if df > 0 else float("nan")
    denom = max(chi2_0 - df_0, chi2 - df, 0.0)
    out["cfi"] = float(1 - max(chi2 - df, 0.0) / denom) if denom > 0 else 1.0
    if df > 0 and chi2_0 / df_0 != 1:
        out["tli"] = float((chi2_0 / df_0 - chi2 / df) / (chi2_0 / df_0 - 1))
    else:
        out["tli"] = float("nan")
    lower = np.tril_indices(p)
    out["srmr"] = float(np.sqrt(np.mean((sample - implied)[lower] ** 2)))
    return out


def model_specification(key: ItemKey, start: Mapping[str, float] | None = None) -> ModelSpecification:
    """The declared simple structure as a factor_analyzer ModelSpecification (items grouped by construct).

    The specification's loading matrix is non-zero exactly where the key lets an item load, and
    factor_analyzer starts its optimiser from those values (1.0 by default). ``start`` gives better
    starting loadings per item (the EFA's loading on the item's own construct, say); values that are
    missing, not finite or below 0.05 in size keep 1.0, so the free pattern never changes.

    Built directly rather than with ``ModelSpecificationParser.parse_model_specification_from_dict``:
    under pandas >= 3 (copy-on-write) the parser hands factor_analyzer a read-only array and
    ``ModelSpecification`` then fails with "assignment destination is read-only".
    """
    constructs = key.constructs
    items = [i for c in constructs for i in key.items_of(c)]
    pattern = np.zeros((len(items), len(constructs)), dtype=float)
    for row, item in enumerate(items):
        value = float((start or {}).get(item, 1.0))
        usable = np.isfinite(value) and abs(value) >= 0.05
        pattern[row, constructs.index(key.construct[item])] = value if usable else 1.0
    return ModelSpecification(pattern, len(constructs), len(items), constructs, items)


def fixed_zero_bounds(model: ModelSpecification) -> list[tuple[float | None, float | None]]:
    """L-BFGS-B bounds for factor_analyzer's parameter vector that pin the loadings the key fixes at 0.

    factor_analyzer optimises every entry of the items x factors loading matrix and zeroes the fixed
    ones inside its objective, so their finite-difference gradient is always 0: the same model, but
    (for 24 items and 3 constructs) 102 parameters to differentiate instead of 54. With them bounded
    at (0, 0) SciPy removes them from the problem, which halves the objective evaluations; the
    estimates agree with the unbounded run to the optimiser's tolerance. (The factor variances look
    redundant too, as the objective rescales the factor covariances to correlations, but pinning them
    at 1 lets those correlations leave [-1, 1] unchecked: a wrong key then "fits" perfectly.)
    """
    free = np.asarray(model.loadings).flatten(order="F") != 0  # factor_analyzer's _combine order
    rest = model.n_variables + model.n_factors + model.n_lower_diag  # error vars, factor vars, covs
    return [(None, None) if f else (0.0, 0.0) for f in free] + [(None, None)] * rest


def fit_cfa(corr: pd.DataFrame, n: int, key: ItemKey, max_iter: int = 500,
            start: Mapping[str, float] | None = None) -> dict:
    """Fit the declared simple structure to the item correlation matrix; never raises for a failed fit.

    ``start``: starting loadings per item (see ``model_specification``); the optimum is the same, it is
    only reached in fewer steps. Returns ``{"converged": bool, "message": str, ...fit indices,
    "loadings": {item: loading}}``.
    """
    model = model_specification(key, start)
    items = list(model.variable_names)
    sample = corr.loc[items, items]
    try:
        # n_obs only scales factor_analyzer's ML objective (the optimum does not depend on it); at the
        # real n the objective is so large that L-BFGS-B's finite-difference line search often stops
        # with "ABNORMAL", so optimise the per-observation objective and use the real n for the indices.
        cfa = ConfirmatoryFactorAnalyzer(
            model, n_obs=1, is_cov_matrix=True, disp=False, max_iter=max_iter,
            bounds=fixed_zero_bounds(model),
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cfa.fit(np.array(sample, dtype=float))
        failed = [str(w.message) for w in caught if "failed to converge" in str(w.message)]
        implied = cfa.get_model_implied_cov()
        result = fit_indices(np.array(sample, dtype=float), implied, n, model.n_factors)
    except (np.linalg.LinAlgError, ValueError, AssertionError) as exc:
        return {"converged": False, "message": f"CFA could not be fitted: {exc}"}
    if not all(np.isfinite([result["chi2"], result["cfi"]])):
        return {"converged": False, "message": "CFA produced a non-finite fit; indices not reported"}
    loadings = np.asarray(cfa.loadings_)
    result["loadings"] = {item: float(loadings[r].sum()) for r, item in enumerate(items)}
    result["factor_correlations"] = np.asarray(cfa.factor_varcovs_).tolist()
    result["converged"] = not failed
    result["message"] = (
        "CFA did not converge; indices are from the last iterate and may be unreliable: " + failed[0]
        if failed else "converged"
    )
    return result
