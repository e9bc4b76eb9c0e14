"""is_left_alone answers from the latest placement run, for one account."""
from __future__ import annotations

import datetime as dt

from vocapp.models import Account, Placement, PlacementRun
from vocapp.services.canvas import is_left_alone, leave_alone_accounts


def _run(db, flags: dict[Account, str | None]) -> PlacementRun:
    run = PlacementRun(as_of=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    db.session.add(run)
    db.session.flush()
    for account, reason in flags.items():
        db.session.add(Placement(run_id=run.id, account_id=account.id, opportunity=50.0, readiness=40.0,
                                 zone="Partner", leave_alone=reason is not None, leave_alone_reason=reason))
    db.session.commit()
    return run


def test_is_left_alone_follows_the_latest_run(db):
    quiet, busy, new = (Account(external_id=f"A{i}", name=f"Account {i}") for i in range(3))
    db.session.add_all([quiet, busy, new])
    db.session.commit()
    assert is_left_alone(quiet.id) == (False, None)  # no run yet

    _run(db, {quiet: "asked for essential contact only", busy: None})
    assert is_left_alone(quiet.id) == (True, "asked for essential contact only")
    assert is_left_alone(busy.id) == (False, None)
    assert is_left_alone(new.id) == (False, None)  # not placed in that run

    _run(db, {quiet: None, busy: "appetite 20 [14-26] from 1 respondent", new: None})
    assert is_left_alone(quiet.id) == (False, None)
    assert is_left_alone(busy.id) == (True, "appetite 20 [14-26] from 1 respondent")
    assert {pk: is_left_alone(pk)[1] for pk in leave_alone_accounts()} == leave_alone_accounts()
