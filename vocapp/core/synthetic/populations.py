"""Simulated member populations with known account truth, for judging account estimates and the
leave-alone rule across response rates, contacts per account, ICCs and careless respondents.

Each account j has a standardised latent value a_j per construct (correlated as in the synthetic base;
a ``low_share`` of accounts form a low-appetite cluster, appetite ~ N(-1.9, 0.4), like regulatory-only
members). Contact i of account j has latent f_ij = sqrt(icc) a_j + sqrt(1 - icc) d_ij, d_ij ~ N(0, 1),
so ``icc`` is the share of a contact's latent variance that belongs to the account. Each contact
responds with probability ``response_rate``; a ``careless_share`` of respondents answer at random.
Items follow ``simulate_responses``' model: y = l f + sqrt(1 - l^2) e cut at equal-probability normal
thresholds. The account's **true value** on the 0-100 score scale is theta_j = E[score | a_j], exact
from the normal model (a careful respondent's expected score), and ``low_appetite`` marks theta < ``level``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from vocapp.core.scoring.key import ItemKey

from vocapp.core.constants import CONTACT_ROLES as ROLES

from .base import LATENT_CORRELATION
from .responses import synthetic_key

LOW_APPETITE = (-1.9, 0.4)


@dataclass
class Population:
    """``answers`` (response_id x item, as respondents give them), ``respondents`` (response_id,
    account_id, role, careless, latent per construct) and ``truth`` (account_id, latent a_j and true
    0-100 value ``<construct>_true`` per construct, ``low_appetite``: true appetite below the level)."""

    key: ItemKey
    answers: pd.DataFrame
    respondents: pd.DataFrame
    truth: pd.DataFrame


def true_score(account_latent: np.ndarray, key: ItemKey, construct: str, icc: float, loading: float) -> np.ndarray:
    """E[0-100 score | a_j] for a careful respondent: the mean over the construct's items of the
    expected rescaled answer, with y | a_j ~ N(l sqrt(icc) a_j, 1 - l^2 icc)."""
    items = key.items_of(construct)
    centre = loading * np.sqrt(icc) * np.asarray(account_latent, dtype=float)
    spread = np.sqrt(1 - loading**2 * icc)
    out = np.zeros_like(centre)
    for item in items:
        lo, hi = int(key.scale_min[item]), int(key.scale_max[item])
        cuts = stats.norm.ppf(np.linspace(0, 1, hi - lo + 2)[1:-1])
        # E[category - lo] = sum over cuts of P(y > cut); reverse keying is undone by the response matrix
        expected = stats.norm.sf((cuts[None, :] - centre[:, None]) / spread).sum(axis=1)
        out += 100.0 * expected / (hi - lo)
    return out / len(items)


def simulate_population(
    n_accounts: int = 2000, contacts: int | Sequence[int] = 3, response_rate: float = 0.75, icc: float = 0.5,
    careless_share: float = 0.0, low_share: float = 0.10, level: float = 35.0, loading: float = 0.75,
    missing_rate: float = 0.02, key: ItemKey | None = None, random_state: int | None = 0,
) -> Population:
    """Draw a population of ``n_accounts`` accounts with ``contacts`` contacts each, or one count per
    account when ``contacts`` is a sequence (see module doc)."""
    rng = np.random.default_rng(random_state)
    key = key or synthetic_key(items_per_construct=8)
    constructs = key.constructs
    k = len(constructs)
    corr = LATENT_CORRELATION[:k, :k] if k <= len(LATENT_CORRELATION) else np.eye(k)
    a = rng.multivariate_normal(np.zeros(k), corr, size=n_accounts, method="cholesky")
    if "appetite" in constructs and low_share > 0:
        cluster = rng.random(n_accounts) < low_share
        a[cluster, constructs.index("appetite")] = rng.normal(*LOW_APPETITE, size=cluster.sum())
    account_ids = np.arange(1, n_accounts + 1)
    per_account = np.broadcast_to(np.asarray(contacts, dtype=int), (n_accounts,))
    owner = np.repeat(np.arange(n_accounts), per_account)
    responds = rng.random(len(owner)) < response_rate
    owner = owner[responds]
    m = len(owner)
    latent = np.sqrt(icc) * a[owner] + np.sqrt(1 - icc) * rng.standard_normal((m, k))
    careless = rng.random(m) < careless_share
    index = pd.Index(np.arange(1, m + 1), name="response_id")
    answers = {}
    for item in key.items:
        lo, hi = int(key.scale_min[item]), int(key.scale_max[item])
        cuts = stats.norm.ppf(np.linspace(0, 1, hi - lo + 2)[1:-1])
        y = loading * latent[:, constructs.index(key.construct[item])] + np.sqrt(1 - loading**2) * rng.standard_normal(m)
        x = (lo + np.searchsorted(cuts, y)).astype(float)
        if key.reverse[item]:
            x = lo + hi - x
        x[careless] = rng.integers(lo, hi + 1, size=careless.sum())
        x[rng.random(m) < missing_rate] = np.nan
        answers[item] = x
    respondents = pd.DataFrame({"account_id": account_ids[owner], "role": rng.choice(ROLES, size=m, p=[0.3, 0.4, 0.3]),
                                "careless": careless}, index=index)
    for j, c in enumerate(constructs):
        respondents[c] = latent[:, j]
    truth = pd.DataFrame({"account_id": account_ids})
    for j, c in enumerate(constructs):
        truth[c] = a[:, j]
        truth[f"{c}_true"] = true_score(a[:, j], key, c, icc, loading)
    truth["low_appetite"] = truth["appetite_true"] < level if "appetite" in constructs else False
    return Population(key, pd.DataFrame(answers, index=index), respondents, truth)
