"""Canvas placement runs: load scores and transactions (one query per table), place, store.

Queries on stored runs (placement table, leave-alone, suppression list, movements) live in
``vocapp.services.canvas_queries`` and are re-exported here.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select

from vocapp.core.canvas import (CanvasDefinition, CanvasDefinitionError, ExploratoryClusters, account_metrics,
                                cluster_features, essential_only_counts, estimate_unheard, load_canvas_definition, opportunity_scores,
                                place_accounts, unmapped_categories, zone_counts)
from vocapp.core.constants import CONTACT_PREFERENCE_ITEM
from vocapp.core.contacts import account_relationships, latest_per_contact
from vocapp.extensions import db
from vocapp.models import (Account, Contact, Placement, PlacementRun, Response, ScoringRun,
                           StaffUser, Transaction)
from vocapp.services.bulk import bulk_insert
from vocapp.services.locks import ATTEMPTS, hold_lock
from vocapp.services.progress import Progress, no_progress
from vocapp.services.scoring import json_safe
from vocapp.services.scoring_data import account_scores_frame
from vocapp.services.webhooks.events import placement_changes

from .canvas_queries import (CanvasError, get_placement_run, is_left_alone,  # noqa: F401 (re-exported)
                             latest_placement_run, leave_alone_accounts, leave_alone_contact_ids,
                             movements_between, placement_history, placement_table, placement_zones,
                             suppression_list)

PLACEMENT_COLUMNS = ("run_id", "account_id", "opportunity", "readiness", "estimated_readiness", "zone",
                     "co_creation", "leave_alone", "leave_alone_reason", "cluster", "details")


def load_definition(path: str | Path | None) -> CanvasDefinition:
    """The canvas definition at ``path`` (default: the one in force, see canvas_definitions), errors as one
    CanvasError listing problems."""
    from vocapp.services.canvas_definitions import current_definition

    try:
        return load_canvas_definition(path) if path is not None else current_definition()
    except CanvasDefinitionError as exc:
        raise CanvasError(f"canvas definition has {len(exc.problems)} problem(s): "
                          + "; ".join(str(p) for p in exc.problems)) from exc


def latest_scoring_run() -> ScoringRun | None:
    """The most recent usable scoring run (status ok or warning)."""
    stmt = select(ScoringRun).where(ScoringRun.status.in_(["ok", "warning"])).order_by(ScoringRun.id.desc())
    return db.session.scalars(stmt.limit(1)).first()


def _uses(definition: CanvasDefinition, constructs: list[str]) -> list[str]:
    """Where the canvas definition uses each construct, e.g. 'appetite in axes.y.weights, leave_alone.construct'."""
    keys = {"axes.y.weights": list(definition.readiness_weights), "innovation.construct":
            [definition.innovation_construct], "leave_alone.construct": [definition.leave_alone_construct]}
    return [f"{c} in {', '.join(k for k, used in keys.items() if c in used)}" for c in constructs]


def load_accounts(size_attribute: str | None) -> pd.DataFrame:
    """Every account: account_id (pk as text), external_id, account_name, relationship, size attribute."""
    rows = db.session.execute(select(Account.id, Account.external_id, Account.name, Account.attributes)).all()
    accounts = pd.DataFrame(rows, columns=["pk", "external_id", "account_name", "attributes"])
    accounts["account_id"] = accounts["pk"].astype(str)
    kinds = pd.DataFrame(db.session.execute(select(Contact.account_id, Contact.relationship)).all(),
                         columns=["account_id", "relationship"])
    accounts["relationship"] = accounts["pk"].map(account_relationships(kinds)).astype(object).fillna("")
    if size_attribute:
        own = accounts["attributes"].map(lambda a: (a or {}).get(size_attribute))
        stmt = select(Contact.account_id, Contact.attributes[size_attribute].as_string()).where(
            Contact.attributes[size_attribute].as_string().is_not(None))
        from_contacts = pd.DataFrame(db.session.execute(stmt).all(), columns=["pk", "size"])
        fallback = accounts["pk"].map(from_contacts.drop_duplicates("pk").set_index("pk")["size"])
        accounts[size_attribute] = own.where(own.notna(), fallback)
    return accounts.drop(columns="attributes")


def load_transactions() -> pd.DataFrame:
    """All transactions in one query: account_id (pk as text), date, amount, category, reference."""
    stmt = select(Transaction.account_id, Transaction.date, Transaction.amount, Transaction.category,
                  Transaction.reference)
    frame = pd.DataFrame(db.session.execute(stmt).all(),
                         columns=["account_id", "date", "amount", "category", "reference"])
    frame["account_id"] = frame["account_id"].astype(str)
    frame["amount"] = pd.to_numeric(frame["amount"]).astype(float)
    return frame


def load_account_scores(run: ScoringRun | None) -> pd.DataFrame:
    """The run's account scores (long format, account_id = pk as text)."""
    columns = ["account_id", "construct", "score", "low", "high", "n_respondents", "observed", "sd"]
    if run is None:
        return pd.DataFrame(columns=columns)
    frame = account_scores_frame(run.id)[columns]
    frame["account_id"] = frame["account_id"].astype(str)
    return frame


def load_essential_only() -> pd.Series:
    """Per account, respondents whose latest stated contact preference is ``essential_only``."""
    preference = Response.answers[CONTACT_PREFERENCE_ITEM].as_string()
    stmt = (select(Response.id, Response.submitted_at, Response.contact_id, Contact.account_id, preference)
            .join(Contact, Contact.id == Response.contact_id)
            .where(Response.status == "complete", preference.is_not(None)))
    rows = pd.DataFrame(db.session.execute(stmt).all(),
                        columns=["id", "submitted_at", "contact_id", "account_id", CONTACT_PREFERENCE_ITEM])
    return essential_only_counts(latest_per_contact(rows)).astype(int)


def _clusters(placed: pd.DataFrame, metrics: pd.DataFrame, constructs: list[str]) -> tuple[pd.Series, dict]:
    features = cluster_features(placed, metrics, constructs)
    if len(features) < 10:
        return pd.Series(dtype=float), {"message": "too few heard accounts to cluster (need 10)"}
    model = ExploratoryClusters(random_state=0).fit(features)
    return model.labels_, {"k": model.n_clusters_, "criterion": "highest mean silhouette over k=2..6",
                           "silhouette": {str(k): v for k, v in model.silhouette_scores_.items()},
                           "profiles": model.profiles_.round(2).reset_index().to_dict("records")}


def _details(placed: pd.DataFrame, metrics: pd.DataFrame, constructs: list[str],
             estimates: pd.DataFrame) -> list[str]:
    """JSON text per placed account: scores with intervals, metrics, flags for the account page."""
    metric_records = metrics.reindex(placed["account_id"]).to_dict("records")
    estimated_zone = estimates.set_index("account_id")["estimated_zone"] if len(estimates) else pd.Series(dtype=str)
    out = []
    for row, metric in zip(placed.to_dict("records"), metric_records):
        scores = {c: {"score": row.get(c), "low": row.get(f"{c}_low"), "high": row.get(f"{c}_high"),
                      "observed": row.get(f"{c}_observed"), "sd": row.get(f"{c}_sd")}
                  for c in constructs}
        out.append(json.dumps(json_safe({
            "scores": scores, "n_respondents": row["n_respondents"], "heard": row["heard"],
            "relationship": row.get("relationship"),
            "readiness_low": row["readiness_low"], "readiness_high": row["readiness_high"],
            "essential_only": row["essential_only"], "held_by_hysteresis": row["held_by_hysteresis"],
            "estimated_zone": estimated_zone.get(row["account_id"]), "metrics": metric,
        })))
    return out


def _invariance_warnings(scoring_run: ScoringRun | None) -> list[str]:
    """A warning per grouping where the scoring run found scalar invariance failing."""
    checks = ((scoring_run.diagnostics or {}).get("invariance") or {}) if scoring_run is not None else {}
    return [f"Scalar measurement invariance fails across {result['by']} ({', '.join(result['groups'])}; "
            f"scoring run {scoring_run.id}): group means are not directly comparable on this canvas."
            for result in checks.values() if result.get("checked") and not result.get("scalar_holds")]


def place(definition_path: str | Path | None = None, staff: StaffUser | None = None,
          as_of: dt.date | None = None, progress: Progress = no_progress) -> PlacementRun:
    """Place every account from the latest scoring run and all transactions; store the run.

    The previous placement run (if any) provides zones for hysteresis. ``run.placements_frame`` (not
    stored) holds the placed table for the caller. Placements are serialised by a database lock at the
    write: one that finds a newer previous run stored meanwhile places again on it, so the history of
    runs stays a line. ``progress`` hears each step.
    """
    definition = load_definition(definition_path)
    as_of = as_of or dt.datetime.now(dt.timezone.utc).date()
    for attempt in range(ATTEMPTS):
        if attempt:
            progress(5, "another placement finished meanwhile; placing again on it")
        run = _place_once(definition, staff, as_of, progress)
        if run is not None:
            return run
    raise CanvasError("other placements kept finishing while this one computed; start it again")


def _place_once(definition: CanvasDefinition, staff: StaffUser | None, as_of: dt.date,
                progress: Progress) -> PlacementRun | None:
    """One attempt of ``place``: None when another placement was stored meanwhile."""
    progress(2, "reading accounts, scores and transactions")
    scoring_run = latest_scoring_run()
    accounts = load_accounts(definition.size_attribute)
    if accounts.empty:
        raise CanvasError("there are no accounts to place; import contacts or transactions first")
    scores = load_account_scores(scoring_run)
    present = set(scores["construct"])
    declared = (scoring_run.diagnostics or {}).get("constructs", []) if scoring_run else []
    constructs = [c for c in declared if c in present] + sorted(present - set(declared))
    missing = [c for c in definition.constructs_used if c not in constructs]
    if scoring_run is not None and missing:
        raise CanvasError(f"scoring run {scoring_run.id} has no account scores for {', '.join(missing)}, "
                          f"which the canvas definition uses: {'; '.join(_uses(definition, missing))}")
    transactions = load_transactions()
    metrics = account_metrics(transactions, definition.categories, as_of, accounts, definition.size_attribute)
    opportunity = opportunity_scores(metrics, definition.opportunity_weights)
    previous_run = latest_placement_run()
    progress(40, "placing accounts")
    placed = place_accounts(accounts, scores, opportunity, load_essential_only(), definition,
                            placement_zones(previous_run) if previous_run else None)
    progress(55, "estimating unheard accounts, clustering")
    unheard = estimate_unheard(placed, metrics, definition)
    labels, cluster_report = _clusters(placed, metrics, constructs)
    placed["estimated_readiness"] = placed["account_id"].map(
        unheard.estimates.set_index("account_id")["estimated_readiness"]) if len(unheard.estimates) else np.nan
    placed["cluster"] = placed["account_id"].map(labels)

    counts = zone_counts(placed, definition)
    summary = {
        "zones": counts.to_dict("records"), "n_accounts": int(len(placed)),
        "n_flagged": int(placed["leave_alone"].sum()), "n_heard": int(placed["heard"].sum()),
        "n_held_by_hysteresis": int(placed["held_by_hysteresis"].sum()), "constructs": constructs,
        "unmapped_categories": unmapped_categories(transactions, definition.categories).to_dict("records"),
        "unheard_model": unheard.report, "clusters": cluster_report,
        "definition_source": str(definition.source),
        "invariance_warnings": _invariance_warnings(scoring_run),
    }
    run = PlacementRun(scoring_run_id=scoring_run.id if scoring_run else None,
                       previous_run_id=previous_run.id if previous_run else None,
                       definition=json_safe(definition.raw),
                       as_of=dt.datetime.combine(as_of, dt.time(), dt.timezone.utc),
                       summary=json_safe(summary), created_by_id=staff.id if staff else None)
    progress(85, "writing the placement")
    try:
        hold_lock("placement_runs")  # until the commit: placements write one at a time
        latest = latest_placement_run()
        if (latest.id if latest else None) != (previous_run.id if previous_run else None):
            db.session.rollback()
            return None
        db.session.add(run)
        db.session.flush()
        rows = pd.DataFrame({
            "run_id": run.id, "account_id": placed["account_id"].astype(int),
            "opportunity": placed["opportunity"], "readiness": placed["readiness"],
            "estimated_readiness": placed["estimated_readiness"], "zone": placed["zone"],
            "co_creation": placed["co_creation"].astype(bool), "leave_alone": placed["leave_alone"].astype(bool),
            "leave_alone_reason": placed["leave_alone_reason"].replace("", None),
            "cluster": placed["cluster"].astype("Int64"),
            "details": _details(placed, metrics, constructs, unheard.estimates),
        })
        bulk_insert(Placement, PLACEMENT_COLUMNS, rows)
        placement_changes(run.id, run.previous_run_id, run.created_at)  # webhook events, in this transaction
        if staff is not None:
            from vocapp.services.staff import record_action
            record_action(staff, "canvas.place", "placement_run", run.id,
                          {"flagged": summary["n_flagged"], "definition": str(definition.source)})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    run.placements_frame = placed.merge(accounts[["account_id", "external_id"]], on="account_id", how="left")
    return run
