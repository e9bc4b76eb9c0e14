"""Movements between two placement runs are counted by the database and agree with the core's
count over every account's zones (moved, stayed, placed in one run only)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from vocapp.core.canvas import movements
from vocapp.models import Account, Placement, PlacementRun
from vocapp.services.canvas_queries import movements_between, placement_zones, zone_movements


def _run(db, zones: dict[Account, str], previous: PlacementRun | None = None) -> PlacementRun:
    run = PlacementRun(as_of=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
                       previous_run_id=previous.id if previous else None)
    db.session.add(run)
    db.session.flush()
    db.session.add_all([Placement(run_id=run.id, account_id=a.id, opportunity=50.0, readiness=50.0, zone=z)
                        for a, z in zones.items()])
    db.session.commit()
    return run


def test_zone_movements_match_the_core_count(db):
    accounts = [Account(external_id=f"A{i}", name=f"Account {i}") for i in range(9)]
    db.session.add_all(accounts)
    db.session.commit()
    a = accounts
    first = _run(db, {a[0]: "Partner", a[1]: "Partner", a[2]: "Partner", a[3]: "Nurture", a[4]: "Nurture",
                      a[5]: "Not yet heard", a[6]: "Not yet heard"})
    second = _run(db, {a[0]: "Partner", a[1]: "Nurture", a[2]: "Nurture", a[3]: "Nurture", a[4]: "Partner",
                       a[5]: "Not yet heard", a[7]: "Partner", a[8]: "Nurture"}, previous=first)

    table = zone_movements(first, second)
    expected = movements(placement_zones(first), placement_zones(second))
    pd.testing.assert_frame_equal(table, expected)
    as_set = {(r.from_zone, r.to_zone, r.count, r.moved) for r in table.itertuples()}
    assert as_set == {("Partner", "Nurture", 2, True), ("Nurture", "Partner", 1, True),
                      ("Not yet heard", "(none)", 1, True), ("(none)", "Partner", 1, True),
                      ("(none)", "Nurture", 1, True), ("Partner", "Partner", 1, False),
                      ("Nurture", "Nurture", 1, False), ("Not yet heard", "Not yet heard", 1, False)}
    assert list(table["moved"]) == sorted(table["moved"], reverse=True)
    assert movements_between()[2].equals(table)  # defaults: the latest run and the one before it


def test_identical_runs_have_no_movement(db):
    accounts = [Account(external_id=f"B{i}", name=f"Account {i}") for i in range(3)]
    db.session.add_all(accounts)
    db.session.commit()
    zones = {accounts[0]: "Partner", accounts[1]: "Partner", accounts[2]: "Nurture"}
    first = _run(db, zones)
    table = zone_movements(first, _run(db, zones, previous=first))
    assert not table["moved"].any() and table["count"].sum() == 3
