"""Queries on stored placement runs: the placement table, leave-alone per account and contact,
the suppression list, movements between runs and an account's placement history."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from vocapp.core.canvas import movements
from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import Account, Contact, Placement, PlacementRun

TABLE_COLUMNS = ["account_id", "account_name", "relationship", "n_respondents"]
TAIL_COLUMNS = ["readiness", "opportunity", "zone", "leave_alone", "leave_alone_reason"]


class CanvasError(VocappError):
    """Accounts cannot be placed or a placement run cannot be found; the message says why."""


def latest_placement_run() -> PlacementRun | None:
    """The most recent placement run, or None."""
    return db.session.scalars(select(PlacementRun).order_by(PlacementRun.id.desc()).limit(1)).first()


def get_placement_run(run_id: int | None = None) -> PlacementRun:
    """Placement run ``run_id`` (latest when None); CanvasError when there is none."""
    run = latest_placement_run() if run_id is None else db.session.get(PlacementRun, run_id)
    if run is None:
        raise CanvasError("no placement run yet; run `vocapp canvas place` first" if run_id is None
                          else f"no placement run with id {run_id}")
    return run


def placement_table(run_id: int | None = None) -> tuple[PlacementRun, pd.DataFrame]:
    """The run and its placements, one query: account_id (external), account_name, relationship,
    n_respondents, one column per construct, readiness, opportunity, zone, leave_alone,
    leave_alone_reason, then account_pk, <construct>_low/_high, estimated_readiness, co_creation,
    cluster, heard, estimated_zone, value (net spend in the trailing 12 months)."""
    run = get_placement_run(run_id)
    stmt = (select(Placement, Account.external_id, Account.name)
            .join(Account, Account.id == Placement.account_id)
            .where(Placement.run_id == run.id).order_by(Account.external_id))
    constructs = list(run.summary.get("constructs", []))
    records = []
    for placement, external_id, name in db.session.execute(stmt).all():
        details = placement.details or {}
        record = {"account_id": external_id, "account_name": name,
                  "relationship": details.get("relationship") or "",
                  "n_respondents": int(details.get("n_respondents") or 0)}
        for construct in constructs:
            score = (details.get("scores") or {}).get(construct) or {}
            record[construct] = score.get("score")
            record[f"{construct}_low"], record[f"{construct}_high"] = score.get("low"), score.get("high")
        record.update(readiness=placement.readiness, opportunity=placement.opportunity, zone=placement.zone,
                      leave_alone=placement.leave_alone, leave_alone_reason=placement.leave_alone_reason or "",
                      account_pk=placement.account_id, estimated_readiness=placement.estimated_readiness,
                      co_creation=placement.co_creation, cluster=placement.cluster,
                      heard=bool(details.get("heard")), estimated_zone=details.get("estimated_zone"),
                      value=(details.get("metrics") or {}).get("total_12m"))
        records.append(record)
    head = TABLE_COLUMNS + constructs + TAIL_COLUMNS
    frame = pd.DataFrame.from_records(records, columns=head + [c for c in (records[0] if records else {})
                                                               if c not in head])
    return run, frame


def leave_alone_accounts(run_id: int | None = None) -> dict[int, str]:
    """Flagged accounts of the latest (or given) run: account pk -> reason. Empty before any run.

    Invitation campaigns exclude these accounts by default.
    """
    run = latest_placement_run() if run_id is None else get_placement_run(run_id)
    if run is None:
        return {}
    stmt = select(Placement.account_id, Placement.leave_alone_reason).where(
        Placement.run_id == run.id, Placement.leave_alone.is_(True))
    return {account: reason or "" for account, reason in db.session.execute(stmt).all()}


def is_left_alone(account_pk: int) -> tuple[bool, str | None]:
    """Whether the latest placement leaves this account alone, and why."""
    flagged = leave_alone_accounts()
    return (account_pk in flagged, flagged.get(account_pk))


def leave_alone_contact_ids(run_id: int | None = None) -> dict[int, str]:
    """Contacts of flagged accounts in the latest (or given) run: contact id -> reason."""
    flagged = leave_alone_accounts(run_id)
    if not flagged:
        return {}
    stmt = select(Contact.id, Contact.account_id).where(Contact.account_id.in_(list(flagged)))
    return {contact: flagged[account] for contact, account in db.session.execute(stmt).all()}


def suppression_list(run_id: int | None = None) -> pd.DataFrame:
    """Contacts of flagged accounts (erased contacts left out): email, first_name, last_name,
    account_id, account_name, reason; sorted by account then email."""
    run = get_placement_run(run_id)
    stmt = (select(Contact.email, Contact.first_name, Contact.last_name, Account.external_id, Account.name,
                   Placement.leave_alone_reason)
            .join(Placement, Placement.account_id == Contact.account_id)
            .join(Account, Account.id == Contact.account_id)
            .where(Placement.run_id == run.id, Placement.leave_alone.is_(True), Contact.erased_at.is_(None))
            .order_by(Account.external_id, Contact.email))
    return pd.DataFrame(db.session.execute(stmt).all(),
                        columns=["email", "first_name", "last_name", "account_id", "account_name", "reason"])


def _zones(run: PlacementRun) -> pd.Series:
    rows = db.session.execute(select(Placement.account_id, Placement.zone).where(Placement.run_id == run.id)).all()
    return pd.Series(dict(rows), dtype=object)


def movements_between(from_run_id: int | None = None, to_run_id: int | None = None
                      ) -> tuple[PlacementRun, PlacementRun, pd.DataFrame]:
    """(from run, to run, table from_zone, to_zone, count, moved). Defaults: the latest run and the
    run before it."""
    to_run = get_placement_run(to_run_id)
    if from_run_id is None:
        from_run_id = to_run.previous_run_id
        if from_run_id is None:
            raise CanvasError(f"placement run {to_run.id} has no earlier run to compare with; "
                              "place again or pass --from")
    from_run = get_placement_run(from_run_id)
    return from_run, to_run, movements(_zones(from_run), _zones(to_run))


def placement_history(account_pk: int) -> list[dict]:
    """Every placement of one account, newest first: run_id, created_at, zone, readiness, opportunity,
    leave_alone, leave_alone_reason."""
    stmt = (select(PlacementRun.id, PlacementRun.created_at, Placement.zone, Placement.readiness,
                   Placement.opportunity, Placement.leave_alone, Placement.leave_alone_reason)
            .join(Placement, Placement.run_id == PlacementRun.id)
            .where(Placement.account_id == account_pk).order_by(PlacementRun.id.desc()))
    keys = ["run_id", "created_at", "zone", "readiness", "opportunity", "leave_alone", "leave_alone_reason"]
    return [dict(zip(keys, row)) for row in db.session.execute(stmt).all()]
