"""Synthetic base generator, unheard readiness estimates and exploratory clusters."""
import numpy as np
import pandas as pd

from vocapp.core.canvas import (ExploratoryClusters, ReadinessEstimator, account_metrics, cluster_features,
                                essential_only_counts, estimate_unheard, load_canvas_definition,
                                opportunity_scores, place_accounts)
from vocapp.core.scoring import aggregate_accounts, scale_mean_scores, response_matrix
from vocapp.core.synthetic.base import generate_base
from vocapp.core.synthetic.responses import synthetic_key

KEY = synthetic_key()
DEFN = load_canvas_definition()


def test_generated_base_has_import_shapes_truth_and_is_reproducible():
    base = generate_base(KEY.to_records(), n_accounts=60, seed=5)
    assert list(base.contacts.columns) == ["email", "first_name", "last_name", "account_id", "account_name",
                                           "relationship", "role", "language"]
    assert list(base.transactions.columns) == ["account_id", "date", "amount", "category", "currency",
                                               "description", "reference"]
    assert list(base.responses.columns[:2]) == ["email", "submitted_at"]
    assert set(KEY.items) | {"contact_preference"} <= set(base.responses.columns)
    assert base.contacts["email"].is_unique and base.transactions["reference"].is_unique
    assert set(base.responses["email"]) <= set(base.contacts["email"])
    assert base.contacts.groupby("account_id").size().mean() > 2
    assert (base.transactions["amount"] < 0).any() and base.responses[list(KEY.items)].isna().any().any()
    assert base.truth["regulatory_only"].any()
    assert set(base.accounts.loc[base.truth["regulatory_only"].to_numpy(), "relationship"]) == {"member"}
    again = generate_base(KEY.to_records(), n_accounts=60, seed=5)
    pd.testing.assert_frame_equal(base.responses, again.responses)


def test_regulatory_only_members_ask_for_essential_contact_and_buy_nothing_more():
    base = generate_base(KEY.to_records(), n_accounts=300, seed=9)
    answers = base.responses.merge(base.contacts[["email", "account_id"]], on="email")
    asked = essential_only_counts(answers).reindex(base.truth["account_id"]).fillna(0).to_numpy() > 0
    regulatory = base.truth["regulatory_only"].to_numpy()
    assert asked[regulatory].mean() > 0.4 > asked[~regulatory].mean()
    commercial = base.transactions[base.transactions["category"] != "membership_fee"]
    assert not set(commercial["account_id"]) & set(base.truth.loc[regulatory, "account_id"])


def placed_base(seed=3, n_accounts=200):
    base = generate_base(KEY.to_records(), n_accounts=n_accounts, seed=seed)
    answers = base.responses.merge(base.contacts[["email", "account_id", "role"]], on="email")
    scores = scale_mean_scores(response_matrix(answers[list(KEY.items)], KEY), KEY)
    account_scores = aggregate_accounts(scores.join(answers[["account_id", "role"]]), KEY.constructs)
    metrics = account_metrics(base.transactions, DEFN.categories, base.as_of, base.accounts, "employees")
    placed = place_accounts(base.accounts, account_scores, opportunity_scores(metrics, DEFN.opportunity_weights),
                            essential_only_counts(answers), DEFN)
    return placed, metrics


def test_unheard_accounts_get_a_labelled_estimate_that_never_sets_the_flag():
    placed, metrics = placed_base()
    result = estimate_unheard(placed, metrics, DEFN)
    unheard = placed.loc[~placed["heard"], "account_id"]
    assert sorted(result.estimates["account_id"]) == sorted(unheard)
    assert result.estimates["estimated_readiness"].between(0, 100).all()
    assert result.report["n_train"] == placed["heard"].sum()
    assert -1 <= result.report["cv_r2"] <= 1 and 0 <= result.report["cv_side_accuracy"] <= 1
    # the placement itself is unchanged: unheard accounts are only ever flagged for an explicit request
    unheard_rows = placed[~placed["heard"]]
    assert (unheard_rows["leave_alone"] == (unheard_rows["essential_only"] > 0)).all()


def test_readiness_estimator_follows_sklearn_rules_and_learns_a_real_signal():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = 50 + 15 * X["a"] + rng.normal(scale=3, size=300)
    model = ReadinessEstimator(random_state=0)
    assert model.fit(X, y) is model
    assert model.cv_r2_ > 0.8 and model.cv_side_accuracy_ > 0.85
    noise = ReadinessEstimator(random_state=0).fit(X, rng.normal(50, 10, size=300))
    assert noise.cv_r2_ < 0.1


def test_clusters_choose_k_by_silhouette():
    rng = np.random.default_rng(1)
    centres = np.array([[0, 0], [10, 0], [0, 10]])
    X = pd.DataFrame(np.vstack([c + rng.normal(size=(40, 2)) for c in centres]), columns=["x", "y"])
    model = ExploratoryClusters(random_state=0)
    assert model.fit(X) is model
    assert model.n_clusters_ == 3 == max(model.silhouette_scores_, key=model.silhouette_scores_.get)
    assert sorted(model.profiles_["accounts"]) == [40, 40, 40]
    placed, metrics = placed_base(seed=4, n_accounts=120)
    features = cluster_features(placed, metrics, KEY.constructs)
    assert len(features) == placed["heard"].sum()
    fitted = ExploratoryClusters(random_state=0).fit(features)
    assert fitted.labels_.index.equals(features.index) and 2 <= fitted.n_clusters_ <= 6
