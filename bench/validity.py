"""Validity of account estimates and the leave-alone rule on simulated populations with known truth.

    nice python bench/validity.py [--accounts 6000] [--tune-accounts 6000] [--coverage-accounts 2000]
                                  [--probability P] [--cut 35] [--skip-coverage]

Prints (1) the coverage of the 90% account intervals per construct at every respondent count 1..10
(target 88-92%, never zero width); (2) the choice of the leave-alone probability setting on the
**tuning** populations (seeds from TUNING_SEED): precision and recall of each candidate over the grid
and the setting the decision rule picks (vocapp/core/synthetic/validity.py ``choose_probability``);
(3) the grid on the **report** populations (seeds from REPORT_SEED, none shared with the tuning):
response rate 40/60/75/90%, 1/2/4/6 contacts per account, ICC 0.3/0.5/0.8, 0/5% careless
respondents. Per cell: the rule's precision and recall against the true low-appetite accounts among
the heard ones, the best recall any threshold on the posterior reaches at the cell's required
precision (``best``: what the evidence allows), and per construct r/oracle with the cap
r(observed account mean, oracle mean) in brackets; the issue's targets are checked and a miss is
marked ``unreachable`` when no threshold (recall) or no estimator of the account means (r) could
meet it. Generator: vocapp/core/synthetic/populations.py.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from vocapp.core.canvas import load_canvas_definition
from vocapp.core.canvas.definition import DEFAULT_LEAVE_ALONE_PROBABILITY
from vocapp.core.synthetic.validity import (
    BASE_PRECISION, BASE_TUNING_SEEDS, CANDIDATE_PROBABILITIES, CONSTRUCTS, EXPECTED_PRECISION,
    MIN_FLAGGED_FOR_PRECISION, REPORT_SEED, TUNING_SEED, base_flags, choose_probability, grid, interval_coverage,
    recall_required, required_precision,
)

R_TARGET = 0.93
PROPOSED_CAP_SHARE = 0.97


def targets(cell: dict, probability: float) -> list[str]:
    """The issue's targets this cell misses, each marked when it is out of reach."""
    missed = []
    need = required_precision(cell["icc"], cell["response_rate"])
    if cell["flagged"] > 0 and cell["precision"] < need:
        few = f" ({cell['flagged']} flagged)" if cell["flagged"] < MIN_FLAGGED_FOR_PRECISION else ""
        missed.append(f"P<{need:.2f}{few}")
    if recall_required(cell["icc"], cell["response_rate"]) and not cell["recall"] >= 0.60:
        missed.append("R<.60" + (" unreachable" if cell["best_recall"] < 0.60 else ""))
    for c in CONSTRUCTS:
        if cell[f"ratio_{c}"] < R_TARGET:
            missed.append(f"r_{c}" + (" unreachable" if cell[f"cap_{c}"] < R_TARGET else ""))
    return missed


def coverage(accounts: int) -> None:
    """Section 1: interval coverage per respondent count."""
    start = time.perf_counter()
    cov = interval_coverage(accounts, random_state=REPORT_SEED)
    table = cov.pivot(index="n_respondents", columns="construct", values="coverage")
    print(f"90% interval coverage, {accounts} accounts per respondent count "
          f"({time.perf_counter() - start:.1f} s); narrowest interval {cov['min_width'].min():.1f} points")
    print((100 * table).round(1).to_string())
    print(f"within 88-92% everywhere: {bool(((table >= 0.88) & (table <= 0.92)).all().all())}\n")


def tune(accounts: int, cut: float) -> tuple[float, float]:
    """Section 2: the candidates on the tuning populations; the settings the rule chooses on the grid
    and bases together, and on the grid alone."""
    start = time.perf_counter()
    cells = grid(accounts, random_state=TUNING_SEED, sweep=CANDIDATE_PROBABILITIES, cut=cut)
    grid_only, _ = choose_probability(cells)
    base = base_flags(load_canvas_definition(), BASE_TUNING_SEEDS)
    chosen, table = choose_probability(cells, base=base)
    print(f"tuning populations: grid seeds {TUNING_SEED}+cell, {accounts} accounts per cell; synthetic bases "
          f"seeds {', '.join(map(str, BASE_TUNING_SEEDS))} ({time.perf_counter() - start:.0f} s); grid precision "
          f"counted where >= {MIN_FLAGGED_FOR_PRECISION} flagged; base precision must be >= {BASE_PRECISION}")
    print(table.round(3).to_string(index=False))
    print(f"chosen on the grid alone: {grid_only:g}; on the grid and the bases: {chosen:g} "
          f"(canvas default {DEFAULT_LEAVE_ALONE_PROBABILITY:g})\n")
    return chosen, grid_only


def report(accounts: int, probability: float, cut: float, compare: float) -> pd.DataFrame:
    """Section 3: the grid on the report populations at ``probability`` (``compare`` swept beside)."""
    start = time.perf_counter()
    print(f"report populations: seeds {REPORT_SEED}+cell, {accounts} accounts per cell; "
          f"leave-alone: P(appetite < {cut:g}) > {probability:g}")
    print("resp contacts  icc careless | heard   low flagged precision recall  best | "
          "r/oracle (cap) trust appetite innovation | missed")
    cells = grid(accounts, random_state=REPORT_SEED, probability=probability, sweep=(compare,), cut=cut)
    for cell in cells.to_dict("records"):
        missed = targets(cell, probability)
        print(f"{cell['response_rate']:4.0%} {cell['contacts']:8d} {cell['icc']:4.1f} {cell['careless_share']:8.0%} | "
              f"{cell['heard']:5d} {cell['truly_low']:5d} {cell['flagged']:7d} {cell['precision']:9.3f} "
              f"{cell['recall']:6.3f} {cell['best_recall']:5.2f} | "
              + " ".join(f"{cell[f'ratio_{c}']:.3f} ({cell[f'cap_{c}']:.3f})" for c in CONSTRUCTS)
              + f" | {', '.join(missed)}")
    print(f"{len(cells)} cells in {time.perf_counter() - start:.0f} s")
    return cells


def summary(cells: pd.DataFrame, probability: float, compare: float) -> None:
    """Section 4: the targets counted, at the setting and at ``compare``."""
    need = np.array([required_precision(i, r) for i, r in zip(cells["icc"], cells["response_rate"])])
    asked = np.array([recall_required(i, r) for i, r in zip(cells["icc"], cells["response_rate"])])
    for label, suffix in ((f"{probability:g}", ""), (f"{compare:g}", f"@{compare:g}")):
        flagged, precision = cells[f"flagged{suffix}"], cells[f"precision{suffix}"]
        recall = cells[f"recall{suffix}"]
        flags = flagged > 0
        print(f"setting {label}: precision >= target in {int((precision[flags] >= need[flags]).sum())} of "
              f"{int(flags.sum())} flagging cells (min {precision[flags].min():.3f}; "
              f"{int((flagged == 0).sum())} cells flag none); recall >= .60 in {int((recall[asked] >= 0.6).sum())} "
              f"of {int(asked.sum())} required cells ({int((recall[asked & (cells['contacts'] > 1)] >= 0.6).sum())} "
              f"of {int((asked & (cells['contacts'] > 1)).sum())} with 2-6 contacts)")
    reachable = asked & (cells["best_recall"] >= 0.60)
    print(f"recall reachable (best >= .60 at the required precision) in {int(reachable.sum())} of {int(asked.sum())} "
          f"required cells; met in {int((cells.loc[reachable, 'recall'] >= 0.6).sum())} of them")
    recall_ep, precision_ep, flagged_ep = (cells[f"{m}@expected"] for m in ("recall", "precision", "flagged"))
    counted = flagged_ep >= MIN_FLAGGED_FOR_PRECISION
    print(f"proposal, expected-precision rule (flag while the mean P of the flagged set >= {EXPECTED_PRECISION:g}): "
          f"precision >= target in {int((precision_ep[counted] >= need[counted]).sum())} of {int(counted.sum())} "
          f"cells flagging >= {MIN_FLAGGED_FOR_PRECISION} (min {precision_ep[counted].min():.3f}); recall >= .60 in "
          f"{int((recall_ep[asked] >= 0.6).sum())} of {int(asked.sum())} required cells")
    ratio = cells[[f"ratio_{c}" for c in CONSTRUCTS]].to_numpy()
    cap = cells[[f"cap_{c}" for c in CONSTRUCTS]].to_numpy()
    print(f"account r / oracle r: >= {R_TARGET} in {int((ratio >= R_TARGET).sum())} of {ratio.size} "
          f"(cell x construct; min {ratio.min():.3f}, median {np.median(ratio):.3f}); the cap is below {R_TARGET} "
          f"in {int((cap < R_TARGET).sum())}; ratio / cap min {(ratio / cap).min():.3f}, median "
          f"{np.median(ratio / cap):.3f}; proposed target ratio >= {PROPOSED_CAP_SHARE} x cap met in "
          f"{int((ratio >= PROPOSED_CAP_SHARE * cap).sum())} of {ratio.size}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=6000, help="accounts per report cell")
    parser.add_argument("--tune-accounts", type=int, default=6000, help="accounts per tuning cell (0: skip)")
    parser.add_argument("--coverage-accounts", type=int, default=2000, help="accounts per respondent count")
    parser.add_argument("--probability", type=float, default=None,
                        help="report at this setting (default: the one the tuning chooses, else the canvas default)")
    parser.add_argument("--cut", type=float, default=35.0, help="leave-alone appetite level (0-100)")
    parser.add_argument("--skip-coverage", action="store_true")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    start = time.perf_counter()
    if not args.skip_coverage:
        coverage(args.coverage_accounts)
    chosen, grid_only = (tune(args.tune_accounts, args.cut) if args.tune_accounts
                         else (DEFAULT_LEAVE_ALONE_PROBABILITY, DEFAULT_LEAVE_ALONE_PROBABILITY))
    probability = args.probability if args.probability is not None else chosen
    cells = report(args.accounts, probability, args.cut, grid_only)
    summary(cells, probability, grid_only)
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
