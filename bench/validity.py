"""Validity of account estimates and the leave-alone rule on simulated populations with known truth.

    python bench/validity.py [--accounts 2000] [--coverage-accounts 2000] [--probability 0.8] [--cut 35]

Prints (1) the coverage of the 90% account intervals per construct at every respondent count 1..10
(target 88-92%, never zero width) and (2) the grid of populations (response rate 40/60/75/90%,
1/2/4/6 contacts per account, ICC 0.3/0.5/0.8, 0/5% careless respondents): per cell the leave-alone
rule's precision and recall against the true low-appetite accounts among the heard ones, and per
construct the account-level r with the truth next to the oracle r, with the issue's targets checked.
Generator: vocapp/core/synthetic/populations.py; evaluation: vocapp/core/synthetic/validity.py.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from vocapp.core.synthetic.validity import GRID, evaluate_cell, interval_coverage


def targets(cell: dict) -> list[str]:
    """The issue's targets this cell misses."""
    missed = []
    if not cell["precision"] >= 0.80:
        missed.append("precision<.80")
    if cell["icc"] >= 0.5 and cell["response_rate"] >= 0.6:
        if not cell["precision"] >= 0.85:
            missed.append("precision<.85")
        if not cell["recall"] >= 0.60:
            missed.append("recall<.60")
    for c in ("trust", "appetite", "innovation"):
        if cell[f"ratio_{c}"] < 0.93:
            missed.append(f"r_{c}<.93 oracle")
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000, help="accounts per grid cell")
    parser.add_argument("--coverage-accounts", type=int, default=2000, help="accounts per respondent count")
    parser.add_argument("--probability", type=float, default=0.80, help="leave-alone posterior probability")
    parser.add_argument("--cut", type=float, default=35.0, help="leave-alone appetite level (0-100)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    pd.set_option("display.width", 200)

    start = time.perf_counter()
    cov = interval_coverage(args.coverage_accounts, random_state=args.seed)
    table = cov.pivot(index="n_respondents", columns="construct", values="coverage")
    print(f"90% interval coverage, {args.coverage_accounts} accounts per respondent count "
          f"({time.perf_counter() - start:.1f} s); narrowest interval {cov['min_width'].min():.1f} points")
    print((100 * table).round(1).to_string())
    print(f"within 88-92% everywhere: {bool(((table >= 0.88) & (table <= 0.92)).all().all())}\n")

    rows = []
    cells = [(rr, k, icc, cs) for rr in GRID["response_rate"] for k in GRID["contacts"]
             for icc in GRID["icc"] for cs in GRID["careless_share"]]
    print(f"leave-alone: P(appetite < {args.cut:g}) > {args.probability:g}; {args.accounts} accounts per cell")
    print("resp contacts  icc careless | heard  low flagged precision recall | r/oracle trust appetite innovation | missed")
    for i, (rr, k, icc, cs) in enumerate(cells):
        cell = evaluate_cell(args.accounts, rr, k, icc, cs, cut=args.cut, probability=args.probability,
                             random_state=args.seed + i)
        cell["missed"] = ", ".join(targets(cell))
        rows.append(cell)
        print(f"{rr:4.0%} {k:8d} {icc:4.1f} {cs:8.0%} | {cell['heard']:5d} {cell['truly_low']:4d} {cell['flagged']:7d} "
              f"{cell['precision']:9.3f} {cell['recall']:6.3f} | "
              + " ".join(f"{cell[f'r_{c}']:.3f}/{cell[f'oracle_{c}']:.3f}" for c in ("trust", "appetite", "innovation"))
              + f" | {cell['missed']}", flush=True)
    grid = pd.DataFrame(rows)
    print(f"\n{len(grid)} cells in {time.perf_counter() - start:.0f} s; cells missing a target: "
          f"{int((grid['missed'] != '').sum())}")
    flagged = grid[grid["flagged"] > 0]
    print(f"precision over cells that flag anything: min {flagged['precision'].min():.3f}; cells flagging none: "
          f"{int((grid['flagged'] == 0).sum())}")
    ratios = grid[[f"ratio_{c}" for c in ("trust", "appetite", "innovation")]].to_numpy()
    print(f"account r / oracle r: min {np.nanmin(ratios):.3f}, median {np.nanmedian(ratios):.3f}")


if __name__ == "__main__":
    main()
