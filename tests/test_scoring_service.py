"""run_scoring and `vocapp score` on a database filled with simulated responses of known structure."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, insert, select, update

from vocapp.core.surveys import content_hash, load_definition_file
from vocapp.core.scoring import build_item_key
from vocapp.core.synthetic.responses import simulate_responses
from vocapp.extensions import db
from vocapp.models import (Account, AccountScore, Contact, ContactScore, Response, ScoringRun, Survey,
                           SurveyVersion)
from vocapp.services.scoring import ScoringError, run_scoring

DEFINITION = Path(__file__).resolve().parents[1] / "survey_definitions" / "b2b_relationship.yaml"
PHI = np.array([[1.0, 0.4, 0.2], [0.4, 1.0, 0.3], [0.2, 0.3, 1.0]])
ROLES = ["decision_maker", "influencer", "user"]


def seed_survey(n: int, n_accounts: int = 40, seed: int = 0, first_id: int = 1):
    """A survey (the default questionnaire) with ``n`` complete simulated responses; returns truth."""
    defn, _ = load_definition_file(DEFINITION)
    key = build_item_key(defn)
    survey = db.session.scalars(select(Survey).where(Survey.slug == defn["id"])).first()
    if survey is None:
        survey = Survey(slug=defn["id"], title="B2B relationship")
        db.session.add(survey)
        db.session.flush()
        version = SurveyVersion(survey_id=survey.id, number=1, definition=defn, content_hash=content_hash(defn))
        db.session.add(version)
        db.session.flush()
        db.session.execute(insert(Account), [{"id": a, "external_id": f"A{a}", "name": f"Account {a}"}
                                             for a in range(1, n_accounts + 1)])
    version = survey.versions[0]
    rng = np.random.default_rng(seed)
    answers, latent = simulate_responses(key, 0.72, n, PHI, random_state=seed,
                                         index=range(first_id, first_id + n))
    ids = answers.index.to_list()
    db.session.execute(insert(Contact), [
        {"id": i, "account_id": int(1 + i % n_accounts), "email": f"c{i}@example.org", "relationship": "member",
         "role": ROLES[i % 3]} for i in ids])
    now = datetime(2026, 5, 1, tzinfo=timezone.utc)
    rows = []
    for i, rec in zip(ids, answers.to_dict(orient="records")):
        rows.append({"id": i, "survey_version_id": version.id, "contact_id": i, "source": "import",
                     "status": "complete", "duration_seconds": float(rng.uniform(200, 400)),
                     "answers": {**{k: int(v) for k, v in rec.items()}, "decision_role": ROLES[i % 3],
                                 "comment": "fine"},
                     "submitted_at": now + timedelta(minutes=i), "started_at": now})
    db.session.execute(insert(Response), rows)
    db.session.commit()
    return key, answers, latent


def contact_scores(run_id: int) -> pd.DataFrame:
    """A run's stored contact scores as long rows (response_id, construct, score, z, flags, excluded)."""
    rows = db.session.execute(select(ContactScore.response_id, ContactScore.scores, ContactScore.factor_scores,
                                     ContactScore.flags, ContactScore.excluded)
                              .where(ContactScore.run_id == run_id)).all()
    return pd.DataFrame([{"response_id": rid, "construct": c, "score": scores[c], "z": z[c], "flags": flags,
                          "excluded": excluded}
                         for rid, scores, z, flags, excluded in rows for c in scores],
                        columns=["response_id", "construct", "score", "z", "flags", "excluded"])


def test_first_run_fits_and_stores_scores_that_track_the_truth(app):
    key, answers, latent = seed_survey(600)
    run = run_scoring("b2b_relationship")
    assert run.method == "efa" and run.refit and run.based_on_run_id is None
    assert run.n_responses == 600 and run.model["format"].startswith("vocapp.scoring.frozen_model")
    assert run.diagnostics["suggested_factors"] == 3 and run.diagnostics["declared_constructs"] == 3
    assert set(run.diagnostics["reliability"]) == {"trust", "appetite", "innovation"}
    scores = contact_scores(run.id)
    assert len(scores) == 600 * 3
    wide = scores.pivot(index="response_id", columns="construct", values="score")
    for construct in key.constructs:
        assert np.corrcoef(wide[construct], latent.loc[wide.index, construct])[0, 1] > 0.85
    rows = db.session.execute(select(AccountScore.account_id, AccountScore.scores, AccountScore.low,
                                     AccountScore.high, AccountScore.n_respondents, AccountScore.observed,
                                     AccountScore.posterior_sd)
                              .where(AccountScore.run_id == run.id)).all()
    accounts = [(account, c, score, low[c], high[c], n[c], observed[c], sd[c])
                for account, scores, low, high, n, observed, sd in rows for c, score in scores.items()]
    assert len(accounts) == 40 * 3
    assert all(low < score < high and n == 15 and sd > 0 for _, _, score, low, high, n, _, sd in accounts)
    # account 1 = responses 40, 80, ...: role-weighted (decision maker 2, influencer 1.5, user 1) mean
    members = wide.loc[[i for i in wide.index if i % 40 == 0], "trust"]
    weights = pd.Series({i: {0: 2.0, 1: 1.5, 2: 1.0}[i % 3] for i in members.index})
    stored = next(row for row in accounts if row[0] == 1 and row[1] == "trust")
    assert stored[6] == pytest.approx((members * weights).sum() / weights.sum())
    model = run.diagnostics["account_model"]
    vc = model["constructs"]["trust"]
    assert model["level"] == 0.9 and 0 <= vc["icc"] <= 1 and vc["n_accounts"] == 40
    # the estimate is the observed mean pulled towards the overall mean by between / (between + noise)
    n_eff = weights.sum() ** 2 / (weights**2).sum()
    shrink = vc["between"] / (vc["between"] + vc["within"] / n_eff)
    assert stored[2] == pytest.approx(vc["mean"] + shrink * (stored[6] - vc["mean"]), rel=1e-6)


def test_later_runs_apply_the_frozen_model_and_refit_records_what_it_replaces(app):
    seed_survey(400)
    first = run_scoring("b2b_relationship")
    seed_survey(200, seed=5, first_id=401)  # a second wave
    second = run_scoring("b2b_relationship")
    assert not second.refit and second.based_on_run_id == first.id
    assert second.model == first.model and second.n_responses == 600
    a, b = contact_scores(first.id), contact_scores(second.id)
    merged = a.merge(b, on=["response_id", "construct"])
    np.testing.assert_allclose(merged["score_x"], merged["score_y"])
    with pytest.raises(ScoringError, match="--refit"):
        run_scoring("b2b_relationship", method="ml")
    third = run_scoring("b2b_relationship", refit=True, method="ml", rotation="promax")
    assert third.refit and third.based_on_run_id == first.id  # the model in use came from the first run
    assert third.parameters["method"] == "ml" and third.rotation == "promax"
    assert third.model != first.model


def test_too_few_responses_store_scale_means_with_a_warning(app):
    seed_survey(60)
    run = run_scoring("b2b_relationship")
    assert run.method == "scale_means" and run.status == "warning" and "provisional" in run.message
    scores = contact_scores(run.id)
    assert scores["score"].notna().all() and scores["z"].isna().all()


def test_unusable_data_and_unknown_survey_give_readable_errors(app):
    with pytest.raises(ScoringError, match="no survey with id 'nope'"):
        run_scoring("nope")
    seed_survey(300)
    rows = db.session.execute(select(Response.id, Response.answers)).all()
    for rid, ans in rows:
        db.session.execute(Response.__table__.update().where(Response.id == rid)
                           .values(answers={**ans, "trust_2": 3}))
    db.session.commit()
    with pytest.raises(ScoringError, match="trust_2"):
        run_scoring("b2b_relationship")
    assert db.session.scalar(select(func.count()).select_from(ScoringRun)) == 0


def test_cli_prints_the_run_summary(app, runner):
    seed_survey(400)
    result = runner.invoke(args=["score", "--survey", "b2b_relationship"])
    assert result.exit_code == 0, result.output
    run_id = db.session.scalar(select(func.max(ScoringRun.id)))
    for text in ("400 scored", "KMO", "suggested by factor-based parallel analysis", "by component-based",
                 "standardised alpha", "omega total", "rows used", "complete", "sparsest item pair", "Misfit items",
                 "RMSEA", "CFI", "TLI", f"Run id: {run_id}"):
        assert text in result.output
    bad = runner.invoke(args=["score", "--survey", "missing"])
    assert bad.exit_code != 0 and "no survey with id 'missing'" in bad.output


def test_role_weights_are_configurable_from_the_cli(app, runner):
    seed_survey(300)
    result = runner.invoke(args=["score", "--survey", "b2b_relationship", "--role-weight", "user=0.5"])
    assert result.exit_code == 0, result.output
    run = db.session.scalars(select(ScoringRun).order_by(ScoringRun.id.desc())).first()
    assert run.parameters["role_weights"] == {"decision_maker": 2.0, "influencer": 1.5, "user": 0.5}
    bad = runner.invoke(args=["score", "--survey", "b2b_relationship", "--role-weight", "user=lots"])
    assert bad.exit_code != 0 and "ROLE=WEIGHT" in bad.output


def test_assumed_icc_for_runs_where_no_account_has_two_respondents(app, runner):
    """One respondent per account: the ICC cannot be estimated, so the run uses the default 0.3 or the
    value given with --assumed-icc (e.g. another survey's), says so, and narrows the posteriors with it."""
    seed_survey(300, n_accounts=300)
    assert runner.invoke(args=["score", "--survey", "b2b_relationship"]).exit_code == 0
    default = db.session.scalars(select(ScoringRun).order_by(ScoringRun.id.desc())).first()
    result = runner.invoke(args=["score", "--survey", "b2b_relationship", "--assumed-icc", "0.7"])
    assert result.exit_code == 0, result.output
    run = db.session.scalars(select(ScoringRun).order_by(ScoringRun.id.desc())).first()
    assert run.parameters["assumed_icc"] == 0.7 and "assumed_icc" not in default.parameters
    for construct, vc in run.diagnostics["account_model"]["constructs"].items():
        assert vc["assumed_icc"] and vc["icc"] == pytest.approx(0.7)
        assert default.diagnostics["account_model"]["constructs"][construct]["icc"] == pytest.approx(0.3)
        assert f"{construct} ICC 0.70 assumed" in result.output
    widths = {}
    for run_id in (default.id, run.id):
        rows = db.session.execute(select(AccountScore.low, AccountScore.high).where(AccountScore.run_id == run_id)).all()
        widths[run_id] = np.mean([high[c] - low[c] for low, high in rows for c in low])
    assert widths[run.id] < widths[default.id]  # a larger ICC trusts the one voice more
    bad = runner.invoke(args=["score", "--survey", "b2b_relationship", "--assumed-icc", "1.5"])
    assert bad.exit_code != 0 and "--assumed-icc" in bad.output
    with pytest.raises(ScoringError, match="between 0 and 1"):
        run_scoring("b2b_relationship", assumed_icc=0.0)


def test_invariance_across_relationship_types_in_summary_and_evidence(app, runner):
    seed_survey(400)
    db.session.execute(update(Contact).where(Contact.id % 2 == 0).values(relationship="customer"))
    db.session.commit()
    result = runner.invoke(args=["score", "--survey", "b2b_relationship"])
    assert result.exit_code == 0, result.output
    run = db.session.get(ScoringRun, db.session.scalar(select(func.max(ScoringRun.id))))
    check = run.diagnostics["invariance"]["relationship"]
    assert check["checked"] and check["groups"] == ["customer", "member"]
    assert check["group_sizes"] == {"customer": 200, "member": 200}
    assert [level["level"] for level in check["levels"]] == ["configural", "metric", "scalar"]
    lines = result.output.splitlines()
    for level in check["levels"]:
        line = next(l for l in lines if l.strip().startswith(level["level"]))
        assert f"chi2 {level['chi2']:.1f} on {level['df']} df" in line and "CFI" in line and "SRMR" in line
        if level["level"] != "configural":
            assert ("holds" if level["holds"] else "FAILS") in line
    # both groups answer from the same model: the configural fit is good and scalar invariance holds
    assert check["levels"][0]["cfi"] > 0.95 and check["scalar_holds"]
    assert "Account estimates (multilevel" in result.output


def test_invariance_is_not_checked_with_one_relationship_type(app, runner):
    seed_survey(300)
    result = runner.invoke(args=["score", "--survey", "b2b_relationship"])
    assert "Measurement invariance by relationship type: not checked: fewer than two" in result.output


def test_polychoric_correlations_from_the_cli_need_a_refit(app, runner):
    seed_survey(300)
    result = runner.invoke(args=["score", "--survey", "b2b_relationship", "--correlations", "polychoric"])
    assert result.exit_code == 0, result.output
    assert "polychoric correlations" in result.output
    run = db.session.get(ScoringRun, db.session.scalar(select(func.max(ScoringRun.id))))
    assert run.parameters["correlations"] == "polychoric" and run.model["correlations"] == "polychoric"
    again = runner.invoke(args=["score", "--survey", "b2b_relationship", "--correlations", "pearson"])
    assert again.exit_code == 1 and "add --refit" in again.output
    bad = runner.invoke(args=["score", "--survey", "b2b_relationship", "--correlations", "spearman"])
    assert bad.exit_code == 2 and "pearson" in bad.output


def test_invariance_across_waves_when_an_earlier_run_exists(app, runner):
    seed_survey(300)
    first = run_scoring("b2b_relationship")
    assert "wave" not in first.diagnostics["invariance"]
    db.session.execute(update(Response).values(submitted_at=first.created_at - timedelta(days=30)))
    db.session.commit()
    seed_survey(250, seed=5, first_id=301)  # the second wave, submitted after the first run
    db.session.execute(update(Response).where(Response.id > 300)
                       .values(submitted_at=first.created_at + timedelta(days=30)))
    db.session.commit()
    result = runner.invoke(args=["score", "--survey", "b2b_relationship"])
    assert result.exit_code == 0, result.output
    run = db.session.get(ScoringRun, db.session.scalar(select(func.max(ScoringRun.id))))
    waves = run.diagnostics["invariance"]["wave"]
    assert waves["checked"] and waves["group_sizes"] == {"this wave": 250, f"up to run {first.id}": 300}
    assert "Measurement invariance by wave" in result.output
    assert sum(line.strip().startswith(("configural", "metric", "scalar")) for line in result.output.splitlines()) == 3
