"""Internal-consistency reliability per construct: Cronbach's alpha and McDonald's omega."""
from __future__ import annotations

import numpy as np
import pandas as pd


def cronbach_alpha(items: pd.DataFrame) -> float:
    """alpha = k/(k-1) * (1 - sum of item variances / variance of the sum), on complete rows."""
    data = items.dropna()
    k = data.shape[1]
    if k < 2 or len(data) < 2:
        return float("nan")
    total_var = data.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - data.var(ddof=1).sum() / total_var))


def mcdonald_omega(loadings: np.ndarray | pd.Series) -> float:
    """omega = (sum l)^2 / ((sum l)^2 + sum(1 - l^2)) from standardised loadings on the construct."""
    lam = np.clip(np.asarray(loadings, dtype=float), -0.999, 0.999)
    if lam.size < 2:
        return float("nan")
    common = lam.sum() ** 2
    return float(common / (common + (1 - lam**2).sum()))
