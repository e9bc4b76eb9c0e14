"""Staff map transaction categories and set cuts in the browser; each save is a validated new version."""
from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import func, select

from helpers import csrf_token
from vocapp.models import AuditEntry, CanvasDefinitionVersion, Transaction
from vocapp.services.canvas import place
from vocapp.services.canvas_definitions import current_definition
from vocapp.services.imports import import_transactions


def _form(page: str) -> dict[str, list[str]]:
    """The definition form as a browser submits it (categories with their selected kind, and the cuts)."""
    categories = re.findall(r'<input type="hidden" name="category" value="([^"]*)">', page)
    kinds = [re.search(r'<option value="(\w+)" selected>', body).group(1)
             for body in re.findall(r'<select id="kind-\d+" name="kind">(.*?)</select>', page, re.S)]
    cuts = dict(re.findall(r'<input type="text" inputmode="decimal" id="\w+" name="(\w+)" value="([^"]*)"', page))
    return {"category": categories, "kind": kinds, **{name: [value] for name, value in cuts.items()}}


def _transactions(tmp_path, rows: list[tuple[str, str, float, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["account_id", "date", "amount", "category"])
    frame["reference"] = [f"r{n}" for n in range(len(frame))]
    frame["currency"] = "GBP"
    frame.to_csv(tmp_path / "t.csv", index=False)
    assert import_transactions(tmp_path / "t.csv", create_accounts=True).ok


def test_map_an_unmapped_category_and_change_a_cut(client_as, db, tmp_path):
    _transactions(tmp_path, [("A1", "2026-01-05", 100, "Membership"), ("A1", "2026-02-05", 50, "Webinars"),
                             ("A2", "2026-03-01", 70, "webinars")])
    client = client_as("analyst")
    page = client.get("/canvas/definition").get_data(as_text=True)
    assert "shipped" in page or "default_canvas.yaml" in page
    form = _form(page)
    webinars = [n for n, name in enumerate(form["category"]) if name.strip().lower() == "webinars"]
    assert webinars and all(form["kind"][n] == "unmapped" for n in webinars)
    for n in webinars:
        form["kind"][n] = "commercial_service"
    form["readiness_cut"] = ["55"]
    form["csrf_token"] = [csrf_token(client, "/canvas/definition")]
    form["note"] = ["webinars are services <b>"]
    saved = client.post("/canvas/definition", data=form, follow_redirects=True)
    assert "Saved canvas definition version 1" in saved.get_data(as_text=True)
    assert "webinars are services &lt;b&gt;" in saved.get_data(as_text=True)
    definition = current_definition()
    assert definition.categories["webinars"] == "commercial_service" and definition.readiness_cut == 55
    assert definition.categories["membership"] == "membership_fee"  # the rest kept
    # the next placement uses it: nothing left unmapped
    run = place()
    assert run.summary["unmapped_categories"] == []
    assert run.definition["axes"]["y"]["cut"] == 55
    # saving the same content again makes no new version
    form["csrf_token"] = [csrf_token(client, "/canvas/definition")]
    again = client.post("/canvas/definition", data=form, follow_redirects=True)
    assert "No change" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CanvasDefinitionVersion.id))) == 1
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "canvas.definition.save")) == 1


def test_invalid_edits_are_shown_and_nothing_is_saved(client_as, db):
    client = client_as("analyst")
    form = _form(client.get("/canvas/definition").get_data(as_text=True))
    token = csrf_token(client, "/canvas/definition")
    for change in ({"opportunity_cut": ["high"]}, {"readiness_cut": ["150"]}, {"kind": ["shares"] + form["kind"][1:]}):
        response = client.post("/canvas/definition", data={**form, **change, "csrf_token": [token]})
        assert response.status_code == 400, change
        assert "Nothing was saved" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CanvasDefinitionVersion.id))) == 0
    assert db.session.scalar(select(func.count(Transaction.id))) == 0


def test_only_analysts_edit_the_definition(client, client_as):
    assert client.get("/canvas/definition").status_code == 302
    assert client_as("designer").get("/canvas/definition").status_code == 403
