"""Response-quality flags and their effect on fitting."""
from __future__ import annotations

import numpy as np
import pandas as pd

from vocapp.core.scoring import quality_flags, score_responses
from vocapp.core.synthetic.responses import simulate_responses, synthetic_key


def bad_and_good_responses():
    key = synthetic_key(("trust", "appetite", "innovation"), 6, 2, 1, 5)
    answers, _ = simulate_responses(key, 0.72, 600, np.eye(3) * 0.7 + 0.3, random_state=4)
    answers.loc[1] = 4.0  # straight-liner: agrees with everything, reverse-keyed items included
    answers.loc[2, key.items[:14]] = np.nan  # mostly empty: 14 of 18 unanswered
    durations = pd.Series(np.random.default_rng(0).uniform(200, 400, len(answers)), index=answers.index)
    durations[3] = 30.0  # speeder: far below the ~300 s median
    durations[4] = np.nan  # no timing: never flagged as speeding
    return key, answers, durations


def test_each_kind_of_bad_response_is_flagged():
    key, answers, durations = bad_and_good_responses()
    flags = quality_flags(answers, key, durations)
    assert flags.loc[1, "straightlining"] and flags.loc[1, "flags"] == "straightlining"
    assert flags.loc[2, "too_many_missing"] and flags.loc[2, "flags"] == "too_many_missing"
    assert flags.loc[3, "speeding"] and flags.loc[3, "flags"] == "speeding"
    assert flags.loc[[1, 2, 3], "excluded"].all()
    assert not flags.loc[4, "excluded"]
    assert flags["excluded"].sum() <= 5  # honest simulated respondents are (almost) never flagged


def test_flagged_responses_are_excluded_from_fitting_but_scored():
    key, answers, durations = bad_and_good_responses()
    outcome = score_responses(answers, key, durations)
    n_clean_complete = int(outcome.matrix[~outcome.flags["excluded"]].dropna().shape[0])
    assert outcome.scorer.diagnostics_["n_complete"] == n_clean_complete
    assert outcome.scorer.diagnostics_["n_valid"] == int((~outcome.flags["excluded"]).sum())
    assert outcome.scores.loc[[1, 3]].notna().all(axis=None)
    # the mostly-empty response answered only innovation items: scored there, NaN where nothing answered
    assert outcome.scores.loc[2, ["innovation", "innovation_z"]].notna().all()
    assert outcome.scores.loc[2, ["trust", "trust_z"]].isna().all()
    # the straight-liner sits at 4 on the raw scale: 75 on keyed items, 25 on reverse-keyed ones
    assert 25 < outcome.scores.loc[1, "trust"] < 75


def test_speeding_needs_timings_and_a_few_of_them():
    key, answers, _ = bad_and_good_responses()
    assert not quality_flags(answers, key, None)["speeding"].any()
    few = pd.Series([300.0, 10.0], index=[5, 6])
    assert not quality_flags(answers, key, few)["speeding"].any()


def test_straightlining_needs_enough_answers():
    key, answers, _ = bad_and_good_responses()
    answers.loc[7] = np.nan
    answers.loc[7, key.items[:3]] = 2.0
    flags = quality_flags(answers, key)
    assert not flags.loc[7, "straightlining"] and flags.loc[7, "too_many_missing"]
