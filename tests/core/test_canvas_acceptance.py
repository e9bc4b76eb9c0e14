"""Acceptance: the leave-alone flag against known truth on simulated bases, through the real pipeline.

Each base has several contacts per account, regulatory-only members who want nothing more, noisy and
missing answers (see vocapp/core/synthetic/base.py). Contact answers are scored by the scoring core
(quality flags + ConstructScorer), aggregated per account with intervals, and placed with the shipped
default canvas. Precision and recall are counted over ALL accounts, so an account nobody answered for
counts as a miss. Three independent bases are pooled so one lucky draw cannot carry the result.
"""
import pandas as pd
import pytest

from vocapp.core.canvas import (account_metrics, essential_only_counts, load_canvas_definition,
                                opportunity_scores, place_accounts)
from vocapp.core.scoring import ConstructScorer, aggregate_accounts, score_responses
from vocapp.core.synthetic.base import generate_base
from vocapp.core.synthetic.responses import synthetic_key

SEEDS = (101, 202, 303)


def run_pipeline(base, key, definition):
    responses = base.responses.merge(base.contacts[["email", "account_id", "role"]], on="email")
    responses.index = pd.RangeIndex(1, len(responses) + 1, name="response_id")
    outcome = score_responses(responses[list(key.items)], key, scorer=ConstructScorer(n_parallel=20))
    contact_scores = (outcome.scores.join(responses[["account_id", "role"]])
                      .join(outcome.flags[["excluded"]]).reset_index())
    account_scores = aggregate_accounts(contact_scores, key.constructs)
    metrics = account_metrics(base.transactions, definition.categories, base.as_of, base.accounts,
                              definition.size_attribute)
    opportunity = opportunity_scores(metrics, definition.opportunity_weights)
    return place_accounts(base.accounts, account_scores, opportunity, essential_only_counts(responses),
                          definition)


@pytest.mark.slow
def test_leave_alone_precision_and_recall_against_known_truth():
    key = synthetic_key()
    definition = load_canvas_definition()
    flagged = wanted = hits = 0
    for seed in SEEDS:
        base = generate_base(key.to_records(), n_accounts=400, seed=seed)
        placed = run_pipeline(base, key, definition)
        truth = base.truth.set_index("account_id")["wants_left_alone"].reindex(placed["account_id"]).to_numpy()
        flag = placed["leave_alone"].to_numpy()
        assert (placed.loc[flag, "leave_alone_reason"] != "").all()
        flagged, wanted, hits = flagged + flag.sum(), wanted + truth.sum(), hits + (flag & truth).sum()
        print(f"seed {seed}: flagged {flag.sum()}, want to be left alone {truth.sum()}, "
              f"correct {(flag & truth).sum()}, unheard {(~placed['heard']).sum()} of {len(placed)}")
    precision, recall = hits / flagged, hits / wanted
    print(f"leave-alone (cut {definition.leave_alone_cut:g}): precision {precision:.3f}, recall {recall:.3f} "
          f"over {len(SEEDS)} bases")
    assert precision >= 0.85
    assert recall >= 0.6
