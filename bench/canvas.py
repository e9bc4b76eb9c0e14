"""Benchmark the canvas core on a large generated base (pure pandas; no database).

    python bench/canvas.py [--accounts 50000] [--seed 0]

Generates a synthetic base (accounts, ~3 contacts each, transactions, responses), then times and prints:
account metrics, opportunity, account aggregation of contact scale scores, placement (zones, hysteresis
against the first placement, leave-alone reasons), unheard estimates and exploratory clusters, plus
the peak memory (max RSS) of the process.
"""
from __future__ import annotations

import argparse
import resource
import time

from vocapp.core.canvas import (ExploratoryClusters, account_metrics, cluster_features, essential_only_counts,
                                estimate_unheard, load_canvas_definition, opportunity_scores, place_accounts)
from vocapp.core.scoring import aggregate_accounts, response_matrix, scale_mean_scores
from vocapp.core.synthetic.base import generate_base
from vocapp.core.synthetic.responses import synthetic_key


def timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label:<38} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    key = synthetic_key()
    definition = load_canvas_definition()
    base = timed("generate base", generate_base, key.to_records(), n_accounts=args.accounts, seed=args.seed)
    print(f"accounts {len(base.accounts)}, contacts {len(base.contacts)}, transactions {len(base.transactions)}, "
          f"responses {len(base.responses)}")
    answers = base.responses.merge(base.contacts[["email", "account_id", "role"]], on="email")
    metrics = timed("account metrics", account_metrics, base.transactions, definition.categories, base.as_of,
                    base.accounts, "employees")
    opportunity = timed("opportunity", opportunity_scores, metrics, definition.opportunity_weights)
    scores = scale_mean_scores(response_matrix(answers[list(key.items)], key), key)
    account_scores = timed("aggregate accounts", aggregate_accounts,
                           scores.join(answers[["account_id", "role"]]), key.constructs)
    essential = essential_only_counts(answers)
    placed = timed("place accounts", place_accounts, base.accounts, account_scores, opportunity, essential,
                   definition)
    previous = placed.set_index("account_id")["zone"]
    timed("place again with hysteresis", place_accounts, base.accounts, account_scores, opportunity, essential,
          definition, previous)
    unheard = timed("unheard estimates (5-fold CV)", estimate_unheard, placed, metrics, definition)
    print(f"  cv R2 {unheard.report.get('cv_r2')}, side accuracy {unheard.report.get('cv_side_accuracy')}")
    features = cluster_features(placed, metrics, key.constructs)
    sample = features.sample(min(len(features), 5000), random_state=0)  # silhouette is O(n^2)
    clusters = timed(f"clusters on {len(sample)} heard accounts", ExploratoryClusters(random_state=0).fit, sample)
    print(f"  k = {clusters.n_clusters_}, silhouette {clusters.silhouette_scores_}")
    print(f"flagged {int(placed['leave_alone'].sum())} of {len(placed)}; "
          f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
