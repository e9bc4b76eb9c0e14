"""Account-level construct estimates that borrow strength across accounts (contacts within accounts).

Per construct, the respondents' 0-100 scores follow a one-way random-effects model
y_ij = theta_j + e_ij, theta_j ~ N(mu, tau^2) (between accounts), e_ij ~ N(0, sigma^2) (within).
mu, tau^2 and sigma^2 are estimated by REML over all accounts; each account then gets its observed
(role-weighted) mean and the empirical-Bayes (posterior) estimate of theta_j with its posterior
interval. An account heard from one person is pulled towards the mean in proportion to how noisy one
person is; an account heard from many keeps close to its own mean.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import optimize, stats
from threadpoolctl import threadpool_limits

DEFAULT_ROLE_WEIGHTS: dict[str, float] = {"decision_maker": 2.0, "influencer": 1.5, "user": 1.0}
UNKNOWN_ROLE_WEIGHT = 1.0
#: ICC used when a run cannot estimate it (no account with two respondents): the low end of what
#: contact-within-account surveys show, so single voices are shrunk rather than trusted
DEFAULT_ASSUMED_ICC = 0.3
OUTPUT_COLUMNS = ["account_id", "construct", "score", "low", "high", "n_respondents", "observed", "sd"]


def _reml_objective(log_var: np.ndarray, n: np.ndarray, mean: np.ndarray, ssw: np.ndarray) -> float:
    """-2 x restricted log-likelihood of the one-way random-effects model (mu profiled out)."""
    sigma2, tau2 = np.exp(log_var)
    total = sigma2 + n * tau2
    w = n / total
    mu = (w * mean).sum() / w.sum()
    return float(((n - 1) * np.log(sigma2) + np.log(total) + ssw / sigma2 + w * (mean - mu) ** 2).sum()
                 + np.log(w.sum()))


def variance_components(n: np.ndarray, mean: np.ndarray, ssw: np.ndarray,
                        assumed_icc: float = DEFAULT_ASSUMED_ICC) -> dict:
    """REML between- and within-account variances from per-account counts, means and within sums of
    squares; ``icc`` = between / (between + within). Without any account of two or more respondents
    the two cannot be told apart (every account is one person): ``estimable`` is False and the total
    variance is split by ``assumed_icc`` instead (reported as such).
    """
    n, mean, ssw = (np.asarray(a, dtype=float) for a in (n, mean, ssw))
    df_within = float((n - 1).sum())
    grand = float((n * mean).sum() / n.sum())
    total_var = float(ssw.sum() + (n * (mean - grand) ** 2).sum()) / max(n.sum() - 1, 1.0)
    if df_within < 1 or len(n) < 2 or total_var <= 0:
        spread = max(total_var, 1e-12)
        return {"estimable": False, "mean": grand, "between": assumed_icc * spread,
                "within": (1 - assumed_icc) * spread, "icc": float(assumed_icc), "assumed_icc": True,
                "n_accounts": int(len(n)), "n_respondents": int(n.sum())}
    within0 = max(float(ssw.sum()) / df_within, 1e-6 * total_var)
    between0 = max(total_var - within0, 0.05 * total_var)
    floor = np.log(1e-8 * total_var)
    with threadpool_limits(limits=1, user_api="blas"):  # two parameters: BLAS threads only contend
        result = optimize.minimize(_reml_objective, np.log([within0, between0]), args=(n, mean, ssw),
                                   method="L-BFGS-B", bounds=[(floor, None), (floor, None)])
    sigma2, tau2 = np.exp(result.x)
    w = n / (sigma2 + n * tau2)
    return {"estimable": True, "mean": float((w * mean).sum() / w.sum()), "between": float(tau2),
            "within": float(sigma2), "icc": float(tau2 / (tau2 + sigma2)), "n_accounts": int(len(n)),
            "n_respondents": int(n.sum()), "converged": bool(result.success)}


@dataclass
class AccountEstimates:
    """Long rows per account and construct plus the per-construct variance components."""

    frame: pd.DataFrame
    components: dict[str, dict] = field(default_factory=dict)
    level: float = 0.90


def _weights(frame: pd.DataFrame, role_weights: Mapping[str, float] | None) -> pd.Series:
    by_role = dict(DEFAULT_ROLE_WEIGHTS if role_weights is None else role_weights)
    if "role" not in frame.columns:
        return pd.Series(1.0, index=frame.index)
    return frame["role"].map(by_role).astype(float).fillna(UNKNOWN_ROLE_WEIGHT)


def estimate_accounts(
    contact_scores: pd.DataFrame,
    constructs: list[str],
    role_weights: Mapping[str, float] | None = None,
    level: float = 0.90,
    assumed_icc: float = DEFAULT_ASSUMED_ICC,
) -> AccountEstimates:
    """Multilevel account estimates per construct over valid respondents.

    Rows with ``excluded`` true (if that column exists), no account or no score are left out. Per
    account: ``observed`` = role-weighted mean (weights by ``role``; unknown roles 1), with Kish's
    effective n_eff = (sum w)^2 / sum w^2; ``score`` = mu + B (observed - mu), B = tau^2 / (tau^2 +
    sigma^2 / n_eff); ``sd`` = sqrt(B sigma^2 / n_eff), the posterior SD; ``low``/``high`` = score -/+
    z sd (the ``level`` posterior interval, clipped to 0-100). When tau^2 cannot be estimated (no
    account with two respondents) ``assumed_icc`` splits the total variance instead.
    """
    frame = contact_scores
    if "excluded" in frame.columns:
        frame = frame[~frame["excluded"].fillna(False).astype(bool)]
    frame = frame[frame["account_id"].notna()]
    weight = _weights(frame, role_weights)
    z = float(stats.norm.ppf(0.5 + level / 2))
    parts, components = [], {}
    codes, accounts = pd.factorize(frame["account_id"], sort=True)
    for construct in constructs:
        x = pd.to_numeric(frame[construct], errors="coerce").to_numpy(dtype=float)
        w = weight.to_numpy(dtype=float)
        ok = np.isfinite(x) & (w > 0)
        if not ok.any():
            continue
        sums = lambda values: np.bincount(codes[ok], weights=values, minlength=len(accounts))  # noqa: E731
        n_all = sums(np.ones(ok.sum()))
        heard = n_all > 0
        xo, wo = x[ok], w[ok]
        n, sx, sx2 = n_all[heard], sums(xo)[heard], sums(xo * xo)[heard]
        sw, sw2, swx = sums(wo)[heard], sums(wo * wo)[heard], sums(wo * xo)[heard]
        mean = sx / n
        ssw = np.clip(sx2 - n * mean**2, 0.0, None)
        vc = variance_components(n, mean, ssw, assumed_icc)
        components[construct] = vc
        observed = swx / sw
        n_eff = sw**2 / sw2
        noise = vc["within"] / n_eff
        shrink = vc["between"] / (vc["between"] + noise)
        estimate = vc["mean"] + shrink * (observed - vc["mean"])
        sd = np.sqrt(shrink * noise)
        parts.append(pd.DataFrame({
            "account_id": accounts[heard], "construct": construct, "score": estimate,
            "low": np.clip(estimate - z * sd, 0.0, 100.0), "high": np.clip(estimate + z * sd, 0.0, 100.0),
            "n_respondents": n.astype(int), "observed": observed, "sd": sd,
        }))
    out = pd.concat(parts, ignore_index=True)[OUTPUT_COLUMNS] if parts else pd.DataFrame(columns=OUTPUT_COLUMNS)
    return AccountEstimates(out, components, level)


def aggregate_accounts(
    contact_scores: pd.DataFrame,
    constructs: list[str],
    role_weights: Mapping[str, float] | None = None,
    level: float = 0.90,
) -> pd.DataFrame:
    """The long rows of ``estimate_accounts`` (account_id, construct, score, low, high, n_respondents,
    observed, sd)."""
    return estimate_accounts(contact_scores, constructs, role_weights, level).frame


def probability_below(estimates: pd.DataFrame, level: float) -> pd.Series:
    """Posterior probability that each row's account value is below ``level`` (normal posterior)."""
    sd = estimates["sd"].to_numpy(dtype=float)
    score = estimates["score"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = stats.norm.cdf((level - score) / sd)
    return pd.Series(np.where(sd > 0, p, (score < level).astype(float)), index=estimates.index)
