"""Account-level construct scores: role-weighted means over valid respondents with 90% intervals."""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats

DEFAULT_ROLE_WEIGHTS: dict[str, float] = {"decision_maker": 2.0, "influencer": 1.5, "user": 1.0}
UNKNOWN_ROLE_WEIGHT = 1.0
OUTPUT_COLUMNS = ["account_id", "construct", "score", "low", "high", "n_respondents"]


def _pooled_spread(groups: pd.DataFrame, values: pd.Series) -> tuple[float, float]:
    """Pooled within-account SD and its df from accounts with 2+ respondents; else the overall SD."""
    multi = groups[groups["n"] >= 2]
    df = float((multi["n_eff"] - 1).sum())
    if df > 0:
        return float(np.sqrt((multi["var"] * (multi["n_eff"] - 1)).sum() / df)), df
    if len(values) >= 2:
        return float(values.std(ddof=1)), float(len(values) - 1)
    return float("nan"), 0.0


def aggregate_accounts(
    contact_scores: pd.DataFrame,
    constructs: list[str],
    role_weights: Mapping[str, float] | None = None,
    level: float = 0.90,
) -> pd.DataFrame:
    """Long frame (account_id, construct, score, low, high, n_respondents) of account scores.

    Score = weighted mean of valid respondents' 0-100 scores (weights by ``role``; unknown roles 1).
    Interval = mean +/- t(df) * sd / sqrt(n_eff) with n_eff = (sum w)^2 / sum w^2, sd the weighted
    within-account SD and df = n_eff - 1; an account with one respondent uses the pooled within-account
    SD (and its df) instead. Bounds are clipped to 0-100; with no spread to estimate they are 0 and 100.
    Rows with ``excluded`` true (if that column exists), no account or no score are left out, so an
    account without a valid respondent gets no row.
    """
    weights_by_role = dict(DEFAULT_ROLE_WEIGHTS if role_weights is None else role_weights)
    frame = contact_scores
    if "excluded" in frame.columns:
        frame = frame[~frame["excluded"].fillna(False).astype(bool)]
    frame = frame[frame["account_id"].notna()]
    weight = frame["role"].map(weights_by_role).astype(float).fillna(UNKNOWN_ROLE_WEIGHT) \
        if "role" in frame.columns else pd.Series(1.0, index=frame.index)
    parts = []
    for construct in constructs:
        x = pd.to_numeric(frame[construct], errors="coerce")
        ok = x.notna() & (weight > 0)
        d = pd.DataFrame({"account_id": frame["account_id"][ok], "w": weight[ok], "x": x[ok]})
        if d.empty:
            continue
        d["wx"] = d["w"] * d["x"]
        d["w2"] = d["w"] ** 2
        g = d.groupby("account_id", sort=True).agg(sw=("w", "sum"), sw2=("w2", "sum"),
                                                   swx=("wx", "sum"), n=("x", "size"))
        g["mean"] = g["swx"] / g["sw"]
        d["dev2"] = d["w"] * (d["x"] - d["account_id"].map(g["mean"])) ** 2
        g["ss"] = d.groupby("account_id", sort=True)["dev2"].sum()
        g["n_eff"] = g["sw"] ** 2 / g["sw2"]
        with np.errstate(invalid="ignore", divide="ignore"):
            g["var"] = np.where(g["n"] >= 2, g["ss"] / (g["sw"] - g["sw2"] / g["sw"]), np.nan)
        pooled_sd, pooled_df = _pooled_spread(g, d["x"])
        single = g["n"] < 2
        sd = np.where(single, pooled_sd, np.sqrt(g["var"]))
        df = np.where(single, pooled_df, np.maximum(g["n_eff"] - 1, 1.0))
        with np.errstate(invalid="ignore"):
            t = stats.t.ppf(0.5 + level / 2, np.where(df > 0, df, 1.0))
            half = np.where((df > 0) & np.isfinite(sd), t * sd / np.sqrt(g["n_eff"]), np.inf)
        parts.append(pd.DataFrame({
            "account_id": g.index,
            "construct": construct,
            "score": g["mean"].to_numpy(),
            "low": np.clip(g["mean"].to_numpy() - half, 0.0, 100.0),
            "high": np.clip(g["mean"].to_numpy() + half, 0.0, 100.0),
            "n_respondents": g["n"].to_numpy().astype(int),
        }))
    if not parts:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    return pd.concat(parts, ignore_index=True)[OUTPUT_COLUMNS]
