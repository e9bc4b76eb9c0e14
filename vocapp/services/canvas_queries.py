"""Queries on stored placement runs: the placement table, leave-alone per account and contact,
the suppression list, movements between runs and an account's placement history."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from vocapp.core.canvas import NO_ZONE, movement_table
from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import Account, Contact, Placement, PlacementRun, Transaction

#: leading and trailing columns of the placement table (constructs go between). ``external_id`` is the
#: CRM's account id and ``account_id`` the database key; files name the CRM id ``account_id``
#: (``EXPORT_NAMES``, applied where a file is written)
TABLE_COLUMNS = ["external_id", "account_name", "relationship", "n_respondents"]
EXPORT_NAMES = {"external_id": "account_id"}
TAIL_COLUMNS = ["readiness", "opportunity", "zone", "leave_alone", "leave_alone_reason"]


class CanvasError(VocappError):
    """Accounts cannot be placed or a placement run cannot be found; the message says why."""


@dataclass(frozen=True)
class CanvasView:
    """What part of a run the canvas page shows: filters and the rectangle being looked at.

    ``box`` is (opportunity from, to, readiness from, to) in score points; accounts not yet heard
    (no readiness) are inside it when its readiness range starts at 0, where their strip is drawn.
    """

    relationship: str = ""
    zone: str = ""
    leave_alone: str = ""  # "yes", "no" or "" (both)
    box: tuple[float, float, float, float] | None = None

    def where(self) -> tuple:
        """SQL conditions on ``Placement`` for everything but relationship and zone."""
        conditions: list = []
        if self.leave_alone:
            conditions.append(Placement.leave_alone.is_(self.leave_alone == "yes"))
        if self.box is not None:
            x0, x1, y0, y1 = self.box
            readiness = Placement.readiness.between(y0, y1)
            conditions.append(and_(Placement.opportunity.between(x0, x1),
                                   or_(readiness, Placement.readiness.is_(None)) if y0 <= 0 else readiness))
        return tuple(conditions)

    def arguments(self) -> dict:
        """Keyword arguments for the placement queries below."""
        return {"relationship": self.relationship or None, "zone": self.zone or None, "where": self.where()}


def latest_transaction_date():
    """The date of the newest transaction (the natural "as of" date of a placement), or None."""
    return db.session.scalar(select(func.max(Transaction.date)))


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


def _record(placement: Placement, external_id: str, name: str, constructs: list[str]) -> dict:
    """One placement as a table row (see ``placement_table`` for the columns)."""
    details = placement.details or {}
    record = {"external_id": external_id, "account_name": name,
              "relationship": details.get("relationship") or "",
              "n_respondents": int(details.get("n_respondents") or 0)}
    for construct in constructs:
        score = (details.get("scores") or {}).get(construct) or {}
        record[construct] = score.get("score")
        record[f"{construct}_low"], record[f"{construct}_high"] = score.get("low"), score.get("high")
        record[f"{construct}_observed"] = score.get("observed")
    record.update(readiness=placement.readiness, opportunity=placement.opportunity, zone=placement.zone,
                  leave_alone=placement.leave_alone, leave_alone_reason=placement.leave_alone_reason or "",
                  account_id=placement.account_id, estimated_readiness=placement.estimated_readiness,
                  co_creation=placement.co_creation, cluster=placement.cluster,
                  heard=bool(details.get("heard")), estimated_zone=details.get("estimated_zone"),
                  value=(details.get("metrics") or {}).get("total_12m"))
    return record


def _as_frame(records: list[dict], constructs: list[str]) -> pd.DataFrame:
    head = TABLE_COLUMNS + constructs + TAIL_COLUMNS
    return pd.DataFrame.from_records(records, columns=head + [c for c in (records[0] if records else {})
                                                               if c not in head])


def _filtered(stmt: Select, run: PlacementRun, relationship: str | None, zone: str | None,
              where: tuple = ()) -> Select:
    """``stmt`` restricted to the run's placements, to one relationship / zone when given, and ``where``."""
    stmt = stmt.where(Placement.run_id == run.id, *where)
    if relationship:
        stmt = stmt.where(Placement.details["relationship"].as_string() == relationship)
    if zone:
        stmt = stmt.where(Placement.zone == zone)
    return stmt


def placement_table(run_id: int | None = None) -> tuple[PlacementRun, pd.DataFrame]:
    """The run and its placements, one query: external_id, account_name, relationship,
    n_respondents, one column per construct, readiness, opportunity, zone, leave_alone,
    leave_alone_reason, then account_id, <construct>_low/_high/_observed, estimated_readiness, co_creation,
    cluster, heard, estimated_zone, value (net spend in the trailing 12 months)."""
    run = get_placement_run(run_id)
    return run, placement_rows(run)


def placement_rows(run: PlacementRun, relationship: str | None = None, zone: str | None = None,
                   order_by: list | None = None, offset: int = 0, limit: int | None = None,
                   where: tuple = ()) -> pd.DataFrame:
    """The run's placements (optionally one relationship / zone) as ``placement_table`` columns, in
    ``order_by`` order (default: the CRM's account id). With ``limit``, only rows ``offset`` .. ``offset + limit``
    are read: their ids are found by sorting narrow rows first, so the database never sorts every
    placement's ``details``."""
    joined = select(Placement, Account.external_id, Account.name).join(Account, Account.id == Placement.account_id)
    order = [*(order_by or [Account.external_id]), Placement.id]
    if limit is None:
        rows = db.session.execute(_filtered(joined, run, relationship, zone, where).order_by(*order)).all()
    else:
        ids = db.session.scalars(_filtered(select(Placement.id).join(Account, Account.id == Placement.account_id),
                                           run, relationship, zone, where)
                                 .order_by(*order).offset(offset).limit(limit)).all()
        position = {pk: i for i, pk in enumerate(ids)}
        rows = sorted(db.session.execute(joined.where(Placement.id.in_(ids))).all(),
                      key=lambda row: position[row[0].id])
    constructs = list(run.summary.get("constructs", []))
    return _as_frame([_record(p, external_id, name, constructs) for p, external_id, name in rows], constructs)


def count_placements(run: PlacementRun, relationship: str | None = None, zone: str | None = None,
                     where: tuple = ()) -> int:
    """How many of the run's placements match the relationship / zone (None: all) and ``where``."""
    stmt = _filtered(select(func.count(Placement.id)), run, relationship, zone, where)
    return int(db.session.scalar(stmt) or 0)


def zone_order(zones: list[str]):
    """Sort key putting zones in the canvas definition's order (unknown zones last)."""
    return case({name: i for i, name in enumerate(zones)}, value=Placement.zone, else_=len(zones))


def zone_totals(run: PlacementRun) -> dict[str, tuple[int, int]]:
    """Per zone of the run: (accounts, accounts left alone), one grouped query."""
    stmt = (select(Placement.zone, func.count(Placement.id),
                   func.sum(case((Placement.leave_alone.is_(True), 1), else_=0)))
            .where(Placement.run_id == run.id).group_by(Placement.zone))
    return {zone: (int(n), int(flagged or 0)) for zone, n, flagged in db.session.execute(stmt).all()}


def picture_points(run: PlacementRun, relationship: str | None = None, zone: str | None = None,
                   where: tuple = (), names: bool = False) -> pd.DataFrame:
    """What the canvas picture needs for every matching placement, without reading whole ``details``:
    account_id, opportunity, readiness, zone, leave_alone, co_creation, heard, value (with ``names``,
    also external_id and account_name, for hover details)."""
    columns = [Placement.account_id, Placement.opportunity, Placement.readiness, Placement.zone,
               Placement.leave_alone, Placement.co_creation,
               Placement.readiness.is_not(None),  # heard: placed by its readiness
               Placement.details[("metrics", "total_12m")].as_float()]
    labels = ["account_id", "opportunity", "readiness", "zone", "leave_alone", "co_creation", "heard", "value"]
    stmt = select(*columns)
    if names:
        stmt = select(*columns, Account.external_id, Account.name).join(Account, Account.id == Placement.account_id)
        labels += ["external_id", "account_name"]
    stmt = _filtered(stmt, run, relationship, zone, where)
    frame = pd.DataFrame(db.session.execute(stmt.order_by(Placement.id)).all(), columns=labels)
    for column in ("leave_alone", "co_creation", "heard"):
        frame[column] = frame[column].fillna(False).astype(bool)
    return frame


def unheard_estimates(run: PlacementRun, limit: int) -> tuple[pd.DataFrame, int]:
    """The first ``limit`` unheard accounts with an estimated readiness (by the CRM's account id), and how
    many there are."""
    unheard = (Placement.estimated_readiness.is_not(None),)
    return placement_rows(run, limit=limit, where=unheard), count_placements(run, where=unheard)


def leave_alone_accounts(run_id: int | None = None) -> dict[int, str]:
    """Flagged accounts of the latest (or given) run: account id -> reason. Empty before any run.

    Invitation campaigns exclude these accounts by default.
    """
    run = latest_placement_run() if run_id is None else get_placement_run(run_id)
    if run is None:
        return {}
    stmt = select(Placement.account_id, Placement.leave_alone_reason).where(
        Placement.run_id == run.id, Placement.leave_alone.is_(True))
    return {account: reason or "" for account, reason in db.session.execute(stmt).all()}


def is_left_alone(account_id: int) -> tuple[bool, str | None]:
    """Whether the latest placement leaves this account alone, and why (reason None when not flagged);
    reads this account's placement only."""
    run = latest_placement_run()
    row = None if run is None else db.session.execute(
        select(Placement.leave_alone, Placement.leave_alone_reason)
        .where(Placement.run_id == run.id, Placement.account_id == account_id)).first()
    if row is None or not row[0]:
        return False, None
    return True, row[1] or ""


def leave_alone_contact_ids(run_id: int | None = None) -> dict[int, str]:
    """Contacts of flagged accounts in the latest (or given) run: contact id -> reason."""
    flagged = leave_alone_accounts(run_id)
    if not flagged:
        return {}
    stmt = select(Contact.id, Contact.account_id).where(Contact.account_id.in_(list(flagged)))
    return {contact: flagged[account] for contact, account in db.session.execute(stmt).all()}


def suppression_list(run_id: int | None = None) -> pd.DataFrame:
    """Contacts of flagged accounts (erased contacts left out): email, first_name, last_name,
    external_id, account_name, reason; sorted by account then email."""
    run = get_placement_run(run_id)
    stmt = (select(Contact.email, Contact.first_name, Contact.last_name, Account.external_id, Account.name,
                   Placement.leave_alone_reason)
            .join(Placement, Placement.account_id == Contact.account_id)
            .join(Account, Account.id == Contact.account_id)
            .where(Placement.run_id == run.id, Placement.leave_alone.is_(True), Contact.erased_at.is_(None))
            .order_by(Account.external_id, Contact.email))
    return pd.DataFrame(db.session.execute(stmt).all(),
                        columns=["email", "first_name", "last_name", "external_id", "account_name", "reason"])


def placement_zones(run: PlacementRun) -> pd.Series:
    """The run's zone per account (index: account id), one narrow query."""
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
    return from_run, to_run, zone_movements(from_run, to_run)


def zone_movements(from_run: PlacementRun, to_run: PlacementRun) -> pd.DataFrame:
    """Accounts per (from zone, to zone) between two runs, counted by the database (three grouped
    queries, no per-account rows): from_zone, to_zone, count, moved; an account placed in one run
    only has zone '(none)' in the other."""
    before, after = aliased(Placement), aliased(Placement)
    in_after = exists().where(after.run_id == to_run.id, after.account_id == before.account_id)
    in_before = exists().where(before.run_id == from_run.id, before.account_id == after.account_id)
    queries = [
        select(before.zone, after.zone, func.count())
        .join(after, (after.account_id == before.account_id) & (after.run_id == to_run.id))
        .where(before.run_id == from_run.id).group_by(before.zone, after.zone),
        select(before.zone, literal(NO_ZONE), func.count()).where(before.run_id == from_run.id, ~in_after)
        .group_by(before.zone),
        select(literal(NO_ZONE), after.zone, func.count()).where(after.run_id == to_run.id, ~in_before)
        .group_by(after.zone),
    ]
    rows = [row for query in queries for row in db.session.execute(query).all()]
    return movement_table(pd.DataFrame(rows, columns=["from_zone", "to_zone", "count"]))


def placement_history(account_id: int) -> list[dict]:
    """Every placement of one account, newest first: run_id, created_at, zone, readiness, opportunity,
    leave_alone, leave_alone_reason."""
    stmt = (select(PlacementRun.id, PlacementRun.created_at, Placement.zone, Placement.readiness,
                   Placement.opportunity, Placement.leave_alone, Placement.leave_alone_reason)
            .join(Placement, Placement.run_id == PlacementRun.id)
            .where(Placement.account_id == account_id).order_by(PlacementRun.id.desc()))
    keys = ["run_id", "created_at", "zone", "readiness", "opportunity", "leave_alone", "leave_alone_reason"]
    return [dict(zip(keys, row)) for row in db.session.execute(stmt).all()]
