"""A stored placement run of many accounts, written straight through the models (no scoring): for tests
of the canvas pages at membership-body scale, where the pipeline itself is not what is tested."""
from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import insert

from vocapp.core.canvas import METRIC_COLUMNS, load_canvas_definition
from vocapp.extensions import db
from vocapp.models import Account, Placement, PlacementRun


def place_many(n_accounts: int, seed: int = 0) -> PlacementRun:
    """``n_accounts`` accounts placed at random (10% not yet heard, 10% left alone, 5% co-creation)."""
    definition = load_canvas_definition(None)
    rng = np.random.default_rng(seed)
    db.session.execute(insert(Account), [{"external_id": f"ACC{n:05d}", "name": f"Member {n} Ltd", "attributes": {}}
                                         for n in range(n_accounts)])
    ids = [pk for (pk,) in db.session.execute(db.select(Account.id).order_by(Account.id))]
    run = PlacementRun(as_of=dt.datetime(2026, 6, 30, tzinfo=dt.timezone.utc), definition=definition.raw,
                       summary={"n_accounts": n_accounts, "constructs": [], "n_flagged": 0, "n_heard": 0})
    db.session.add(run)
    db.session.flush()
    opportunity, readiness = rng.uniform(0, 100, n_accounts), rng.uniform(0, 100, n_accounts)
    heard = rng.uniform(size=n_accounts) > 0.1
    rows = []
    for i, pk in enumerate(ids):
        high_x, high_y = opportunity[i] >= definition.opportunity_cut, readiness[i] >= definition.readiness_cut
        zone = (definition.zone_for("high" if high_x else "low", "high" if high_y else "low").name if heard[i]
                else definition.unheard_zone.name)
        flagged = bool(heard[i] and rng.uniform() < 0.1)
        rows.append({"run_id": run.id, "account_id": pk, "opportunity": float(opportunity[i]),
                     "readiness": float(readiness[i]) if heard[i] else None, "estimated_readiness": None,
                     "zone": zone, "co_creation": bool(heard[i] and rng.uniform() < 0.05), "leave_alone": flagged,
                     "leave_alone_reason": "appetite clearly low" if flagged else None, "cluster": None,
                     "details": {"heard": bool(heard[i]), "relationship": "member", "n_respondents": int(heard[i]),
                                 "metrics": {**dict.fromkeys(METRIC_COLUMNS, 0.0),
                                             "total_12m": float(rng.gamma(2, 500))}}})
    db.session.execute(insert(Placement), rows)
    run.summary = {**run.summary, "n_flagged": sum(r["leave_alone"] for r in rows), "n_heard": int(heard.sum())}
    db.session.commit()
    return run
