"""Scoring runs: read a survey's responses, fit or apply the frozen model, store scores and evidence."""
from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from vocapp.core.scoring import (ConstructScorer, FrozenModel, ScoringDataError, build_item_key,
                                 common_item_key, score_responses)
from vocapp.core.scoring.accounts import AccountEstimates, estimate_accounts
from vocapp.core.scoring.invariance import measurement_invariance
from vocapp.core.scoring.quality import FLAG_COLUMNS
from vocapp.core.contacts import latest_per_contact
from vocapp.core.scoring.summary import score_summary
from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import ScoringRun, StaffUser, Survey, SurveyVersion
from vocapp.services.locks import ATTEMPTS, hold_lock
from vocapp.services.progress import Progress, no_progress
from vocapp.services.scoring_data import load_responses, store_scores

DEFAULT_METHOD = "minres"
DEFAULT_ROTATION = "oblimin"
DEFAULT_CORRELATIONS = "pearson"  # docs/scoring.md section 4 says why


class ScoringError(VocappError):
    """A survey cannot be scored; the message says why."""


def json_safe(value: Any) -> Any:
    """Plain-JSON copy of ``value``: NaN/inf become None, numpy scalars and arrays become Python."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def evidence(scorer: ConstructScorer) -> dict[str, Any]:
    """Everything the analyst pages and the CLI summary show about a fitted model."""
    return {
        **scorer.diagnostics_,
        "loadings": {i: row.to_dict() for i, row in scorer.loadings_.iterrows()},
        "factor_names": list(scorer.loadings_.columns),
        "factor_correlations": scorer.factor_correlations_.to_numpy().tolist(),
        "item_assignment": scorer.item_assignment_.to_dict(),
        "congruence": scorer.congruence_,
        "misfit_items": scorer.misfit_items_,
        "reliability": scorer.reliability_.to_dict(orient="index"),
        "fit_indices": scorer.fit_indices_,
    }


def latest_model_run(survey_pk: int) -> ScoringRun | None:
    """The survey's latest run that fitted a model (the one later waves apply)."""
    stmt = (select(ScoringRun).where(ScoringRun.survey_id == survey_pk, ScoringRun.method == "efa",
                                     ScoringRun.refit.is_(True), ScoringRun.status == "ok")
            .order_by(ScoringRun.id.desc()).limit(1))
    return db.session.scalars(stmt).first()


def latest_run(survey_pk: int) -> ScoringRun | None:
    """The survey's latest stored run (any method), the previous wave's for the invariance check."""
    stmt = (select(ScoringRun).where(ScoringRun.survey_id == survey_pk, ScoringRun.status.in_(["ok", "warning"]))
            .order_by(ScoringRun.id.desc()).limit(1))
    return db.session.scalars(stmt).first()


def _invariance(valid: pd.DataFrame, meta: pd.DataFrame, key, previous: ScoringRun | None) -> dict[str, Any]:
    """Invariance by relationship type and, when an earlier run exists, across the two waves (responses
    submitted up to that run's time against those submitted after it)."""
    out = {"relationship": measurement_invariance(valid, meta["relationship"].reindex(valid.index), key,
                                                  "relationship type")}
    if previous is not None:
        cut = pd.Timestamp(previous.created_at)
        cut = cut.tz_localize("UTC") if cut.tzinfo is None else cut.tz_convert("UTC")
        submitted = meta["submitted_at"].reindex(valid.index)
        wave = pd.Series(np.where(submitted > cut, "this wave", f"up to run {previous.id}"), index=valid.index)
        out["wave"] = measurement_invariance(valid[submitted.notna().to_numpy()], wave, key, "wave")
    return out


def _survey(survey_id: str) -> tuple[Survey, list[SurveyVersion]]:
    survey = db.session.scalars(select(Survey).where(Survey.slug == survey_id)).first()
    if survey is None:
        raise ScoringError(f"no survey with id {survey_id!r}; load its definition first (vocapp surveys load)")
    versions = list(db.session.scalars(
        select(SurveyVersion).where(SurveyVersion.survey_id == survey.id).order_by(SurveyVersion.number)))
    if not versions:
        raise ScoringError(f"survey {survey_id!r} has no published version")
    return survey, versions


def _account_scores(scores: pd.DataFrame, flags: pd.DataFrame, meta: pd.DataFrame,
                    constructs: list[str], role_weights: dict | None,
                    assumed_icc: float | None = None) -> AccountEstimates:
    """Multilevel account estimates from each contact's latest unflagged response (``assumed_icc``:
    the ICC used where it cannot be estimated; None: DEFAULT_ASSUMED_ICC)."""
    frame = scores[constructs].join(meta[["contact_id", "account_id", "role", "submitted_at"]])
    frame = frame[~flags["excluded"].reindex(frame.index).to_numpy() & frame["account_id"].notna().to_numpy()]
    frame = latest_per_contact(frame.reset_index(), tiebreak="response_id")
    frame = frame.reset_index(drop=True).astype({"account_id": "int64"})
    if assumed_icc is None:
        return estimate_accounts(frame, constructs, role_weights)
    return estimate_accounts(frame, constructs, role_weights, assumed_icc=assumed_icc)


def run_scoring(survey_id: str, refit: bool = False, method: str | None = None, rotation: str | None = None,
                staff: StaffUser | None = None, role_weights: dict | None = None,
                n_parallel: int = 20, progress: Progress = no_progress,
                correlations: str | None = None, assumed_icc: float | None = None) -> ScoringRun:
    """Score every complete response to ``survey_id`` and store the run, its contact and account scores.

    The first run (or ``refit=True``) fits a model on the unflagged responses; later runs apply the
    latest fitted run's frozen model so waves stay comparable. Too few responses give a run of
    unit-weighted scale means with a warning. Unusable data raise ``ScoringError`` and store nothing.
    ``run.timings`` (not stored) holds seconds spent reading, fitting, scoring and writing.

    Runs of one survey are serialised by a database lock at the write: a run that finds another one
    stored a new model while it computed starts again on that model (so a refit replaces the latest
    run and never forks the history). ``progress`` hears each step. ``assumed_icc`` replaces the
    default ICC of 0.3 for constructs whose ICC the run cannot estimate (no account with two valid
    respondents), e.g. the ICC another survey of the same accounts measured.
    """
    if assumed_icc is not None and not 0 < assumed_icc < 1:
        raise ScoringError(f"the assumed ICC must be between 0 and 1 (exclusive), got {assumed_icc}")
    for attempt in range(ATTEMPTS):
        if attempt:
            progress(5, "another run of this survey finished meanwhile; starting again on it")
        run = _score_once(survey_id, refit, method, rotation, staff, role_weights, n_parallel, progress,
                          correlations, assumed_icc)
        if run is not None:
            return run
    raise ScoringError(f"survey {survey_id!r}: other scoring runs kept finishing while this one computed; "
                       "start it again")


def _score_once(survey_id: str, refit: bool, method: str | None, rotation: str | None, staff: StaffUser | None,
                role_weights: dict | None, n_parallel: int, progress: Progress,
                correlations: str | None = None, assumed_icc: float | None = None) -> ScoringRun | None:
    """One attempt of ``run_scoring``: None when another run changed the survey's model meanwhile."""
    progress(2, "reading responses")
    timings: dict[str, float] = {}
    start = time.perf_counter()
    survey, versions = _survey(survey_id)
    previous = latest_model_run(survey.id)
    applying = previous is not None and not refit
    if applying and (method or rotation or correlations):
        raise ScoringError("--method, --rotation and --correlations choose how a new model is fitted; "
                           "add --refit to use them")
    try:
        key = common_item_key([build_item_key(v.definition) for v in versions])
        if applying:
            stored_key = FrozenModel.from_dict(previous.model).key
            dropped = [i for i in stored_key.items if i not in key.construct]
            if dropped:
                raise ScoringError(
                    f"the stored model of run {previous.id} uses item(s) {', '.join(dropped)} that are not in "
                    f"every version of survey {survey_id!r} any more; run with --refit to fit a new model")
            key = stored_key
    except ScoringDataError as exc:
        raise ScoringError(f"survey {survey_id!r}: {exc}") from exc
    answers, meta = load_responses([v.id for v in versions], list(key.items))
    if answers.empty:
        raise ScoringError(f"survey {survey_id!r} has no complete responses to score")
    timings["read"] = time.perf_counter() - start

    progress(15, "fitting the model" if not applying else "applying the stored model")
    mark = time.perf_counter()
    scorer = ConstructScorer(method=method or DEFAULT_METHOD, rotation=rotation or DEFAULT_ROTATION,
                             n_parallel=n_parallel, correlations=correlations or DEFAULT_CORRELATIONS)
    durations = meta["duration_seconds"]
    try:
        outcome = score_responses(answers, key, durations, model=previous.model if applying else None,
                                  scorer=scorer)
    except (ScoringDataError, ValueError) as exc:
        raise ScoringError(f"survey {survey_id!r} cannot be scored: {exc}") from exc
    timings["fit"] = time.perf_counter() - mark
    progress(70, "scoring accounts")
    mark = time.perf_counter()
    constructs = key.constructs
    estimates = _account_scores(outcome.scores, outcome.flags, meta, constructs, role_weights, assumed_icc)
    accounts = estimates.frame
    fitted = ~outcome.flags["excluded"].reindex(outcome.scores.index).fillna(True).to_numpy(dtype=bool)
    summary = score_summary(outcome.scores.loc[fitted, constructs], meta["relationship"], constructs)
    timings["score"] = time.perf_counter() - mark
    progress(78, "checking measurement invariance")
    mark = time.perf_counter()
    invariance = _invariance(outcome.matrix[~outcome.flags["excluded"].to_numpy()], meta, key,
                             latest_run(survey.id))
    timings["invariance"] = time.perf_counter() - mark

    mark = time.perf_counter()
    flag_counts = {name: int(outcome.flags[name].sum()) for name in FLAG_COLUMNS}
    common = {"n_responses": int(len(answers)), "n_flagged": int(outcome.flags["excluded"].sum()),
              "flags": flag_counts, "items": list(key.items), "constructs": constructs,
              "n_accounts": int(accounts["account_id"].nunique()) if len(accounts) else 0,
              "account_model": {"level": estimates.level, "constructs": estimates.components},
              "invariance": invariance}
    if applying:
        diagnostics = {**previous.diagnostics, **common, "applied_model_from_run": previous.id}
        run_method, run_rotation, model = "efa", previous.rotation, previous.model
        parameters = {**previous.parameters, "applied": True}
    elif outcome.scorer is None:
        diagnostics = {**common, "warnings": outcome.warnings}
        run_method, run_rotation, model, parameters = "scale_means", None, {}, {"applied": False}
    else:
        diagnostics = {**evidence(outcome.scorer), **common, "warnings": outcome.warnings}
        run_method, run_rotation, model = "efa", outcome.scorer.model_["rotation"], outcome.model
        parameters = {"method": scorer.method, "correlations": scorer.correlations,
                      "rotation": run_rotation, "n_factors": scorer.n_factors,
                      "n_parallel": scorer.n_parallel, "random_state": scorer.random_state,
                      "applied": False}
    parameters["role_weights"] = role_weights
    if assumed_icc is not None:
        parameters["assumed_icc"] = assumed_icc
    run = ScoringRun(
        survey_id=survey.id, method=run_method, rotation=run_rotation, parameters=json_safe(parameters),
        model=json_safe(model), diagnostics=json_safe(diagnostics), summary=summary, refit=not applying,
        based_on_run_id=previous.id if previous is not None else None,
        n_responses=int(len(answers)), n_flagged=int(outcome.flags["excluded"].sum()),
        status="warning" if outcome.warnings else "ok",
        message=" ".join(outcome.warnings) or None, created_by_id=staff.id if staff else None,
    )
    progress(85, "writing the run")
    try:
        hold_lock(f"scoring_runs:{survey.id}")  # until the commit: runs of this survey write one at a time
        latest = latest_model_run(survey.id)
        if (latest.id if latest else None) != (previous.id if previous else None):
            db.session.rollback()
            return None
        db.session.add(run)
        db.session.flush()
        store_scores(run.id, outcome.scores, outcome.flags, accounts, constructs)
        if staff is not None:
            from vocapp.services.staff import record_action
            record_action(staff, "scoring.run", "scoring_run", run.id,
                          {"survey": survey_id, "refit": bool(refit), "applied": applying})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    timings["write"] = time.perf_counter() - mark
    run.timings = timings
    return run
