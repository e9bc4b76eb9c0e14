"""Scoring's bulk database I/O on every backend: odd answer values read right, scores stored one row
per response / account and read back."""
from __future__ import annotations

import math
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select

from vocapp.core.surveys import content_hash
from vocapp.extensions import db
from vocapp.models import Account, AccountScore, Contact, ContactScore, Response, ScoringRun, Survey, SurveyVersion
from vocapp.services.scoring_data import account_scores_frame, load_responses, store_scores

ITEMS = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]
WHEN = datetime(2026, 3, 1, 9, 30, 15, 250000, tzinfo=timezone.utc)


def seed(answers: list[dict], contacts: list[dict | None]) -> int:
    """One survey version, accounts 1-2, the given contacts and one complete response per answers dict."""
    defn = {"id": "s", "title": "S", "pages": []}
    survey = Survey(slug="s", title="S")
    db.session.add(survey)
    db.session.flush()
    version = SurveyVersion(survey_id=survey.id, number=1, definition=defn, content_hash=content_hash(defn))
    db.session.add(version)
    db.session.flush()
    db.session.execute(insert(Account), [{"id": a, "external_id": f"A{a}", "name": f"A {a}"} for a in (1, 2)])
    if any(contacts):
        db.session.execute(insert(Contact), [c for c in contacts if c is not None])
    if answers:
        db.session.execute(insert(Response), [
            {"id": k + 1, "survey_version_id": version.id, "contact_id": c["id"] if c else None,
             "source": "import", "status": "complete", "answers": a, "duration_seconds": 100.0 + k,
             "started_at": WHEN, "submitted_at": WHEN} for k, (a, c) in enumerate(zip(answers, contacts))])
    db.session.add(Response(id=len(answers) + 1, survey_version_id=version.id, status="partial", source="web",
                            answers={"q1": 1}, started_at=WHEN))  # not complete: not read
    db.session.commit()
    return version.id


def test_answers_are_read_as_numbers_and_odd_values_become_missing(app):
    contacts = [{"id": 1, "account_id": 1, "email": "a@x.org", "relationship": "member", "role": "user"},
                {"id": 2, "account_id": 2, "email": "b@x.org", "relationship": "customer", "role": None},
                None]
    version = seed([
        {"q1": 3, "q2": "4", "q3": "strongly, really", "q4": True, "q5": [2, 3], "q6": None,
         "decision_role": "influencer"},
        {"q1": 5, "q2": 1.5, "q3": {"x": 1, "y": [2, "a,b"]}, "q4": 'say "no"', "q5": "", "q6": "back\\",
         "q7": 2},
        {},
    ], contacts)
    answers, meta = load_responses([version], ITEMS)
    expected = pd.DataFrame([[3, 4, np.nan, np.nan, np.nan, np.nan, np.nan],
                             [5, 1.5, np.nan, np.nan, np.nan, np.nan, 2],
                             [np.nan] * 7], index=pd.Index([1, 2, 3], name="response_id"), columns=ITEMS)
    pd.testing.assert_frame_equal(answers, expected, check_dtype=True)
    assert meta["role"].iloc[0] == "influencer" and meta["role"].iloc[1:].isna().all()
    assert meta["contact_id"].tolist()[:2] == [1, 2] and pd.isna(meta["contact_id"].iloc[2])
    assert meta["account_id"].tolist()[:2] == [1, 2] and pd.isna(meta["account_id"].iloc[2])
    assert meta["relationship"].tolist()[:2] == ["member", "customer"]
    assert meta["duration_seconds"].tolist() == [100.0, 101.0, 102.0]
    assert (meta["submitted_at"] == pd.Timestamp(WHEN)).all()


def test_no_complete_response_reads_as_empty_frames(app):
    version = seed([], [])
    answers, meta = load_responses([version], ITEMS)
    assert answers.empty and list(answers.columns) == ITEMS and answers.dtypes.eq(float).all()
    assert meta.empty and {"contact_id", "account_id", "role", "submitted_at"} <= set(meta.columns)


def test_plain_numeric_answers_take_the_fast_path_unchanged(app):
    rng = np.random.default_rng(3)
    values = rng.integers(1, 6, size=(50, len(ITEMS))).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    rows = [{i: (None if math.isnan(v) else int(v)) for i, v in zip(ITEMS, row) if not (math.isnan(v) and k % 2)}
            for k, row in enumerate(values)]
    roles = ['a "quoted", role', "user", None, "", "decision_maker"]
    contacts = [{"id": k + 1, "account_id": 1 + k % 2, "email": f"c{k}@x.org", "relationship": "member",
                 "role": roles[k % len(roles)]} if k % 7 else None for k in range(len(rows))]
    version = seed(rows, contacts)
    answers, meta = load_responses([version], ITEMS)
    np.testing.assert_array_equal(answers.to_numpy(), values)
    expected_roles = [c["role"] or None if c else None for c in contacts]
    assert [None if pd.isna(r) else r for r in meta["role"]] == expected_roles
    assert meta["account_id"].tolist() == [c["account_id"] if c else pd.NA for c in contacts]
    assert meta["duration_seconds"].tolist() == [100.0 + k for k in range(len(rows))]
    single, _ = load_responses([version], ["q2"])
    np.testing.assert_array_equal(single["q2"].to_numpy(), values[:, 1])


def test_scores_are_stored_one_row_per_response_and_account(app):
    contacts = [{"id": k, "account_id": 1 + k % 2, "email": f"c{k}@x.org", "relationship": "member"}
                for k in (1, 2, 3)]
    version = seed([{}, {}, {}], contacts)
    run = ScoringRun(survey_id=db.session.scalar(select(SurveyVersion.survey_id).where(SurveyVersion.id == version)),
                     method="efa")
    db.session.add(run)
    db.session.flush()
    scores = pd.DataFrame({"trust": [12.345678901234567, np.nan, 100.0], "it's": [0.0, 50.0, 1 / 3],
                           "trust_z": [-1.25, np.nan, 2.0], "it's_z": [np.nan, 0.5, -0.1]},
                          index=pd.Index([1, 2, 3], name="response_id"))
    flags = pd.DataFrame({"flags": ["", "speeding,too_many_missing", ""], "excluded": [False, True, False]},
                         index=scores.index)
    accounts = pd.DataFrame({"account_id": [1, 2, 2], "construct": ["trust", "trust", "it's"],
                             "score": [56.0, 12.5, 40.25], "low": [40.0, 0.0, 30.0], "high": [72.0, 30.5, 50.5],
                             "n_respondents": [2, 1, 1], "observed": [58.5, 10.0, 45.0], "sd": [9.75, 11.0, 6.25]})
    store_scores(run.id, scores, flags, accounts, ["trust", "it's"])
    db.session.commit()
    stored = {r.response_id: r for r in db.session.scalars(select(ContactScore).where(ContactScore.run_id == run.id))}
    assert set(stored) == {1, 2, 3}
    assert stored[1].scores["trust"] == pytest.approx(12.345678901234567, rel=1e-14)
    assert stored[2].scores == {"trust": None, "it's": 50.0} and stored[2].factor_scores["trust"] is None
    assert stored[3].scores["it's"] == pytest.approx(1 / 3, rel=1e-14) and stored[3].factor_scores["it's"] == -0.1
    assert [stored[k].flags for k in (1, 2, 3)] == [None, "speeding,too_many_missing", None]
    assert [stored[k].excluded for k in (1, 2, 3)] == [False, True, False]
    rows = db.session.execute(select(AccountScore.account_id, AccountScore.scores, AccountScore.n_respondents)
                              .where(AccountScore.run_id == run.id).order_by(AccountScore.account_id)).all()
    assert [(a, s, n) for a, s, n in rows] == [(1, {"trust": 56.0, "it's": None}, {"trust": 2, "it's": None}),
                                               (2, {"trust": 12.5, "it's": 40.25}, {"trust": 1, "it's": 1})]
    back = account_scores_frame(run.id).sort_values(["account_id", "construct"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, accounts.sort_values(["account_id", "construct"]).reset_index(drop=True),
                                  check_dtype=False)
    assert back["n_respondents"].dtype == np.int64
