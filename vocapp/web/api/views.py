"""The API's operations: paged reads, JSON imports, and starting scoring and placement jobs.

Each view gets the token's holder and its validated ``query`` / ``body`` (``routes.api_route``) and
returns what its response schema describes. Services load on first use (pandas stays out of start-up).
"""
from __future__ import annotations

import importlib
from typing import Any

from vocapp.web.api.problems import ApiProblem
from vocapp.web.api.routes import api_route

READERS = ("designer", "analyst")  # every staff role reads (admins pass every check)
ANALYSTS = ("analyst",)
DESIGNERS = ("designer",)
NEXT = {"cursor": "$response.body#/next_cursor"}


def _reads() -> Any:
    return importlib.import_module("vocapp.services.api.reads")


def _writes() -> Any:
    return importlib.import_module("vocapp.services.api.writes")


def _page_links(operation: str) -> dict[str, dict[str, Any]]:
    return {"NextPage": {"operationId": operation, "parameters": NEXT}}


@api_route("/accounts", scope="read", roles=ANALYSTS, query="AccountQuery", response="AccountPage",
           summary="Accounts with their latest scores, intervals, zone and leave-alone flag",
           links=_page_links("list_accounts"))
def list_accounts(holder, query):
    """Rows of the accounts export of the latest placement run, by account id. `changed_since` keeps
    accounts changed since then, or every account when the run itself was made since."""
    run_id, rows, cursor = _reads().account_page(query.limit, query.cursor, query.zone, query.relationship,
                                                 query.leave_alone, query.changed_since)
    return {"placement_run_id": run_id, "data": rows, "next_cursor": cursor}


@api_route("/contacts", scope="read", roles=READERS, query="ContactQuery", response="ContactPage",
           summary="Contacts (erased ones never), in the shape the contacts import takes",
           links=_page_links("list_contacts"))
def list_contacts(holder, query):
    """Contacts by id with their account, reachability and the leave-alone reason of their account."""
    rows, cursor = _reads().contact_page(query.limit, query.cursor, query.relationship, query.leave_alone,
                                         query.changed_since)
    return {"data": rows, "next_cursor": cursor}


@api_route("/responses", scope="read", roles=ANALYSTS, query="ResponseQuery", response="ResponsePage",
           summary="Responses to a survey, as rows of the responses export", links=_page_links("list_responses"))
def list_responses(holder, query):
    """Responses by id (erased contacts' answers never); `survey` defaults to the latest scored one."""
    survey, rows, cursor = _reads().response_page(query.limit, query.cursor, query.survey, query.changed_since)
    return {"survey": survey, "data": rows, "next_cursor": cursor}


@api_route("/scoring-runs", scope="read", roles=ANALYSTS, query="PageQuery", response="ScoringRunPage",
           summary="Scoring runs with their evidence", links=_page_links("list_scoring_runs"))
def list_scoring_runs(holder, query):
    """Scoring runs, newest first, with their stored diagnostics (reliability, fit, invariance)."""
    rows, cursor = _reads().scoring_run_page(query.limit, query.cursor)
    return {"data": rows, "next_cursor": cursor}


@api_route("/placement-runs", scope="read", roles=ANALYSTS, query="PageQuery", response="PlacementRunPage",
           summary="Canvas placement runs", links={
               **_page_links("list_placement_runs"),
               "Movements": {"operationId": "placement_movements", "parameters": {"run_id": "$response.body#/data/0/id"}}})
def list_placement_runs(holder, query):
    """Placement runs, newest first, with their summary."""
    rows, cursor = _reads().placement_run_page(query.limit, query.cursor)
    return {"data": rows, "next_cursor": cursor}


@api_route("/placement-runs/<int:run_id>/movements", scope="read", roles=ANALYSTS, response="Movements",
           summary="Zone movements into a placement run from the run before it")
def placement_movements(holder, run_id):
    """Accounts per (from zone, to zone) between the run before and this run; empty for a first run."""
    from vocapp.services.canvas_queries import CanvasError, get_placement_run, zone_movements

    try:
        run = get_placement_run(run_id) if run_id else None
    except CanvasError as error:
        raise ApiProblem(404, str(error)) from None
    if run is None:
        raise ApiProblem(404, f"no placement run with id {run_id}")
    if run.previous_run_id is None or (previous := _placement_or_none(run.previous_run_id)) is None:
        return {"from_run_id": None, "to_run_id": run.id, "data": []}
    table = zone_movements(previous, run)
    return {"from_run_id": previous.id, "to_run_id": run.id, "data": table.to_dict("records")}


def _placement_or_none(run_id: int):
    from vocapp.services.canvas_queries import CanvasError, get_placement_run

    try:
        return get_placement_run(run_id)
    except CanvasError:
        return None


@api_route("/campaigns", scope="read", roles=READERS, query="PageQuery", response="CampaignPage",
           summary="Campaigns with their invitation counts", links={
               **_page_links("list_campaigns"),
               "Progress": {"operationId": "campaign_progress", "parameters": {"campaign_id": "$response.body#/data/0/id"}}})
def list_campaigns(holder, query):
    """Campaigns, newest first: status, survey, invited and completed."""
    campaigns = importlib.import_module("vocapp.services.campaigns")
    items = [{"id": row["campaign"].id, "name": row["campaign"].name, "status": row["campaign"].status,
              "survey": row["survey"], "invited": row["invited"], "completed": row["completed"],
              "created_at": row["campaign"].created_at} for row in campaigns.list_rows()]
    rows, cursor = _reads().paged_list(items, query.limit, query.cursor, "campaigns")
    return {"data": rows, "next_cursor": cursor}


@api_route("/campaigns/<int:campaign_id>", scope="read", roles=READERS, response="CampaignProgress",
           summary="A campaign's progress: counts, e-mail steps, response rates")
def campaign_progress(holder, campaign_id):
    """The progress the campaign page shows, as JSON."""
    campaigns = importlib.import_module("vocapp.services.campaigns")
    try:
        return campaigns.campaign_status(campaign_id)
    except campaigns.CampaignError as error:
        raise ApiProblem(404, str(error)) from None


@api_route("/suppression-list", scope="read", roles=ANALYSTS, query="PageQuery", response="SuppressionPage",
           summary="Contacts to leave alone (the canvas suppression list)", links=_page_links("suppression_list"))
def suppression_list(holder, query):
    """Contacts of the accounts the latest placement leaves alone, with the reason, by contact id."""
    run_id, rows, cursor = _reads().suppression_page(query.limit, query.cursor)
    return {"placement_run_id": run_id, "data": rows, "next_cursor": cursor}


def _import_result(report) -> dict[str, Any]:
    from vocapp.services.api.writes import located_issue

    if not report.ok:
        raise ApiProblem(422, f"{report.error_count} problem(s) in the records; nothing was imported "
                              f"(import run {report.run_id})",
                         [located_issue(issue) for issue in report.errors], report.error_count)
    return {"kind": report.kind, "import_run_id": report.run_id, "dry_run": report.dry_run, "counts": report.counts(),
            "skipped": [located_issue(issue) for issue in report.skipped_rows]}


@api_route("/contacts", "POST", scope="write", roles=READERS, query="ImportOptions", body="ContactIn",
           body_is_array=True, response="ImportResult", summary="Import contacts (all or nothing)")
def import_contacts(holder, query, body):
    """Upsert contacts by e-mail with the contacts import's validation; one bad record imports nothing and
    the problem names its index and field. An erased person's record is skipped, never re-imported."""
    writes = _writes()
    try:
        report = writes.import_contact_records([c.model_dump(exclude_none=True) for c in body], holder, query.dry_run)
    except writes.RecordsError as error:
        raise ApiProblem(422, "nothing was imported", [writes.located_issue(i) for i in error.issues]) from None
    return _import_result(report)


@api_route("/transactions", "POST", scope="write", roles=READERS, query="ImportOptions", body="TransactionIn",
           body_is_array=True, response="ImportResult", summary="Import transactions (all or nothing)")
def import_transactions(holder, query, body):
    """Add transactions with the transactions import's validation; a known reference is skipped."""
    records = [t.model_dump(mode="json", exclude_none=True) for t in body]
    report = _writes().import_transaction_records(records, holder, query.create_accounts, query.dry_run)
    return _import_result(report)
