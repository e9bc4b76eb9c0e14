"""Seeded synthetic membership base: accounts, contacts, transactions and survey responses with known truth.

Every account gets a true (latent, standard normal) trust, appetite and innovation drive. Contacts
vary around their account's truth; respondents answer the Likert items from their own latent values
plus noise, with missing answers. Regulatory-only members (members who join because regulation
requires it and want nothing more) have very low appetite, buy nothing beyond the fee, and some of
their respondents answer ``contact_preference: essential_only``.

``truth.wants_left_alone`` is the ground truth the leave-alone flag is judged against: the account is
regulatory-only or its true appetite is at least one standard deviation below the mean.
The frames use the import file shapes, so they can be written to CSV and imported as they are.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vocapp.core.constants import CONTACT_PREFERENCE_ITEM, CONTACT_ROLES, ESSENTIAL_ONLY, RELATIONSHIPS

CONSTRUCTS = ("trust", "appetite", "innovation")
LATENT_CORRELATION = np.array([[1.0, 0.4, 0.2], [0.4, 1.0, 0.3], [0.2, 0.3, 1.0]])
LEFT_ALONE_APPETITE_Z = -1.0
COMMERCIAL_CATEGORIES = ("training", "events", "consultancy", "certification", "publications")
FIRST_NAMES = ("Alex", "Sam", "Jo", "Priya", "Tom", "Megan", "Rhys", "Aisha", "Owen", "Carys", "Li", "Nia")
LAST_NAMES = ("Jones", "Evans", "Patel", "Smith", "Davies", "Khan", "Hughes", "Price", "Lewis", "Morgan")
NAME_WORDS = ("Acme", "Cambrian", "Harbour", "Northgate", "Riverside", "Summit", "Valley", "Orchard",
              "Meridian", "Beacon", "Keystone", "Pioneer")
SECTORS = ("Engineering", "Foods", "Logistics", "Components", "Systems", "Textiles", "Energy", "Print")


@dataclass
class SyntheticBase:
    """Generated frames in import shapes plus the truth behind them."""

    accounts: pd.DataFrame      # account_id, account_name, relationship, employees
    contacts: pd.DataFrame      # email, first_name, last_name, account_id, account_name, relationship, role, language
    transactions: pd.DataFrame  # account_id, date, amount, category, currency, description, reference
    responses: pd.DataFrame     # email, submitted_at, one column per answered item id
    truth: pd.DataFrame         # account_id, trust, appetite, innovation (latent z), *_score (0-100),
    #                             regulatory_only, wants_left_alone
    as_of: pd.Timestamp


def likert_answers(latent: pd.DataFrame, key_records: list[dict], rng: np.random.Generator,
                   loading: float = 0.75, missing_rate: float = 0.05) -> pd.DataFrame:
    """Minimal local Likert simulator: one answer per item from the respondent's latent construct value.

    y = loading * latent + noise, cut at evenly spaced normal thresholds into the item's scale points;
    reverse-keyed items are mirrored; answers go missing completely at random with ``missing_rate``.
    """
    n = len(latent)
    answers = {}
    for record in key_records:
        low, high = int(record["min"]), int(record["max"])
        points = high - low + 1
        thresholds = np.linspace(-1.5, 1.5, points - 1)
        y = loading * latent[record["construct"]].to_numpy() + np.sqrt(1 - loading**2) * rng.standard_normal(n)
        value = low + np.searchsorted(thresholds, y)
        if record.get("reverse"):
            value = low + high - value
        answers[record["item_id"]] = np.where(rng.random(n) < missing_rate, np.nan, value.astype(float))
    return pd.DataFrame(answers, index=latent.index)


def _accounts(n: int, rng: np.random.Generator, regulatory_share: float) -> pd.DataFrame:
    relationship = rng.choice(RELATIONSHIPS, size=n, p=[0.5, 0.2, 0.3])
    employees = np.round(np.exp(rng.normal(3.8, 1.1, size=n))).astype(int) + 1
    regulatory = (relationship == "member") & (rng.random(n) < regulatory_share / 0.5)
    names = [f"{rng.choice(NAME_WORDS)} {rng.choice(SECTORS)} {i + 1} Ltd" for i in range(n)]
    return pd.DataFrame({"account_id": [f"ACC{i + 1:05d}" for i in range(n)], "account_name": names,
                         "relationship": relationship, "employees": employees, "regulatory_only": regulatory})


def _truth(accounts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    z = rng.multivariate_normal(np.zeros(3), LATENT_CORRELATION, size=len(accounts))
    truth = pd.DataFrame(z, columns=list(CONSTRUCTS))
    regulatory = accounts["regulatory_only"].to_numpy()
    truth.loc[regulatory, "appetite"] = rng.normal(-1.9, 0.4, size=regulatory.sum())
    truth.loc[regulatory, "trust"] -= 0.3
    for construct in CONSTRUCTS:
        truth[f"{construct}_score"] = np.clip(50 + 20 * truth[construct], 0, 100).round(1)
    truth.insert(0, "account_id", accounts["account_id"].to_numpy())
    truth["regulatory_only"] = regulatory
    truth["wants_left_alone"] = regulatory | (truth["appetite"] <= LEFT_ALONE_APPETITE_Z).to_numpy()
    return truth


def _contacts(accounts: pd.DataFrame, rng: np.random.Generator, mean_contacts: float) -> pd.DataFrame:
    per_account = 1 + rng.poisson(mean_contacts - 1, size=len(accounts))
    rows = accounts.loc[accounts.index.repeat(per_account)].reset_index(drop=True)
    n = len(rows)
    first = rng.choice(FIRST_NAMES, size=n)
    last = rng.choice(LAST_NAMES, size=n)
    domain = rows["account_id"].str.lower() + ".example.org"
    email = (pd.Series(first).str.lower() + "." + pd.Series(last).str.lower() + "."
             + pd.Series(np.arange(1, n + 1)).astype(str) + "@" + domain)
    return pd.DataFrame({
        "email": email, "first_name": first, "last_name": last, "account_id": rows["account_id"],
        "account_name": rows["account_name"], "relationship": rows["relationship"],
        "role": rng.choice(CONTACT_ROLES, size=n, p=[0.3, 0.4, 0.3]),
        "language": rng.choice(["en", "cy"], size=n, p=[0.85, 0.15]),
    })


def _transactions(accounts: pd.DataFrame, truth: pd.DataFrame, as_of: pd.Timestamp,
                  rng: np.random.Generator) -> pd.DataFrame:
    days_back = 730
    pays_fee = accounts["relationship"].isin(["member", "both"]).to_numpy()
    fee_amount = np.round(150 + 4 * np.sqrt(accounts["employees"].to_numpy()) * 10, -1)
    fee_rows = []
    for year in (0, 1):
        day = rng.integers(0, 365, size=len(accounts)) + 365 * year
        fee_rows.append(pd.DataFrame({"account_id": accounts["account_id"], "days": day,
                                      "amount": fee_amount, "category": "membership_fee"})[pays_fee])
    fees = pd.concat(fee_rows, ignore_index=True)

    buys = accounts["relationship"].isin(["customer", "both"]).to_numpy() * 1.0 + 0.3
    size_effect = 0.3 * np.log(accounts["employees"].to_numpy() / 50)
    rate = np.exp(0.8 + 0.6 * truth["appetite"].to_numpy() + size_effect) * buys
    rate[accounts["regulatory_only"].to_numpy()] = 0.0
    counts = rng.poisson(rate * 2)  # two years of purchases
    owner = np.repeat(np.arange(len(accounts)), counts)
    purchases = pd.DataFrame({
        "account_id": accounts["account_id"].to_numpy()[owner],
        "days": rng.integers(0, days_back, size=len(owner)),
        "amount": np.round(np.exp(rng.normal(6.0, 0.8, size=len(owner))), 2),
        "category": rng.choice(COMMERCIAL_CATEGORIES, size=len(owner)),
    })
    purchases.loc[rng.random(len(purchases)) < 0.01, "category"] = "Miscellaneous"
    refunded = purchases[rng.random(len(purchases)) < 0.03].copy()
    refunded["amount"] = -refunded["amount"]
    refunded["days"] = (refunded["days"] - 14).clip(lower=0)
    tx = pd.concat([fees, purchases, refunded], ignore_index=True)
    tx = tx.sort_values(["days", "account_id"], ascending=[False, True], ignore_index=True)
    return pd.DataFrame({
        "account_id": tx["account_id"],
        "date": (as_of - pd.to_timedelta(tx["days"], unit="D")).dt.strftime("%Y-%m-%d"),
        "amount": tx["amount"].round(2),
        "category": tx["category"],
        "currency": "GBP",
        "description": np.where(tx["amount"] < 0, "Refund: ", "") + tx["category"].str.replace("_", " "),
        "reference": [f"T{i + 1:07d}" for i in range(len(tx))],
    })


def _responses(contacts: pd.DataFrame, truth: pd.DataFrame, key_records: list[dict], as_of: pd.Timestamp,
               rng: np.random.Generator, response_rate: float, contact_noise: float) -> pd.DataFrame:
    responded = contacts[rng.random(len(contacts)) < response_rate].reset_index(drop=True)
    account_truth = truth.set_index("account_id").loc[responded["account_id"]].reset_index()
    latent = pd.DataFrame({c: account_truth[c].to_numpy() + contact_noise * rng.standard_normal(len(responded))
                           for c in CONSTRUCTS})
    answers = likert_answers(latent, key_records, rng)
    sloppy = rng.random(len(answers)) < 0.05  # a few respondents skip much of the questionnaire
    answers[sloppy] = answers[sloppy].mask(rng.random(answers[sloppy].shape) < 0.5)
    regulatory = account_truth["regulatory_only"].to_numpy()
    low_appetite = account_truth["wants_left_alone"].to_numpy() & ~regulatory
    p_essential = np.where(regulatory, 0.5, np.where(low_appetite, 0.25, 0.01))
    essential = rng.random(len(responded)) < p_essential
    other = rng.choice(["open_to_more", "no_preference"], size=len(responded))
    answers[CONTACT_PREFERENCE_ITEM] = np.where(essential, ESSENTIAL_ONLY, other)
    answers["decision_role"] = responded["role"].to_numpy()
    nps = np.clip(np.round(7 + 1.5 * latent["trust"] + 1.2 * rng.standard_normal(len(responded))), 0, 10)
    answers["nps"] = nps.astype(int)
    submitted = as_of - pd.to_timedelta(rng.integers(1, 60, size=len(responded)), unit="D")
    answers.insert(0, "submitted_at", submitted.strftime("%Y-%m-%dT%H:%M:%S"))
    answers.insert(0, "email", responded["email"].to_numpy())
    return answers


def generate_base(key_records: list[dict], n_accounts: int = 150, seed: int = 0, as_of="2026-06-30",
                  mean_contacts: float = 3.0, response_rate: float = 0.6, regulatory_share: float = 0.12,
                  contact_noise: float = 0.5) -> SyntheticBase:
    """Generate a synthetic base; ``key_records`` is the likert_key of the questionnaire answered."""
    rng = np.random.default_rng(seed)
    as_of = pd.Timestamp(as_of)
    accounts = _accounts(n_accounts, rng, regulatory_share)
    truth = _truth(accounts, rng)
    contacts = _contacts(accounts, rng, mean_contacts)
    transactions = _transactions(accounts, truth, as_of, rng)
    responses = _responses(contacts, truth, key_records, as_of, rng, response_rate, contact_noise)
    return SyntheticBase(accounts=accounts.drop(columns="regulatory_only"), contacts=contacts,
                         transactions=transactions, responses=responses, truth=truth, as_of=as_of)
