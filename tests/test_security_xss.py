"""XSS payloads in every staff-written and contact-written field come back as text on every page and SVG.

The payloads are stored through the real services (imports, survey definitions, canvas definition) and
directly where only an import could put them; then every GET route of the URL map is fetched as an
admin with real ids, and no response may contain a payload unescaped.
"""
from __future__ import annotations

import copy
import json

import yaml
from sqlalchemy import select, update

from canvas_setup import load_generated_base
from conftest import STAFF_PASSWORD
from helpers import login
from url_walk import fetch, get_urls
from vocapp import PROJECT_ROOT
from vocapp.models import Account, Contact, Response, ScoringRun, Transaction, WebhookDelivery
from vocapp.services.canvas import place

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(2)>'
PAYLOAD = f"{SCRIPT}{IMAGE}'"
RAW = [SCRIPT, "<img src=x onerror"]


def _payload_survey() -> dict:
    definition = yaml.safe_load((PROJECT_ROOT / "survey_definitions" / "b2b_pulse.yaml").read_text(encoding="utf-8"))
    definition["id"] = "xss"
    definition["title"] = f"Title {PAYLOAD}"
    definition["description"] = f"Description {PAYLOAD}"
    for construct in definition.get("constructs", []):
        construct["label"] = f"Construct {PAYLOAD}"
    for page in definition["pages"]:
        page["title"] = f"Page {PAYLOAD}"
        for item in page["items"]:
            item["text"] = f"Item {PAYLOAD}"
            for option in item.get("options", []):
                option["label"] = f"Option {PAYLOAD}"
    for scale in definition.get("scales", []):
        scale["labels"] = {key: f"Label {PAYLOAD}" for key in scale.get("labels", {})} or scale.get("labels")
    return definition


def _store_payloads(db, tmp_path) -> dict[str, object]:
    from vocapp.services.canvas_definitions import current_definition, save_version
    from vocapp.services.surveys import draft_definition, get_survey, save_draft, store_definition

    load_generated_base(tmp_path, n_accounts=30, seed=7)
    account, contact = db.session.scalars(select(Account)).first(), db.session.scalars(select(Contact)).first()
    db.session.execute(update(Account).where(Account.id == account.id).values(
        name=f"Account {PAYLOAD}", external_id=f"X{IMAGE}"[:120],
        attributes={f"key {SCRIPT}": f"value {PAYLOAD}"}))
    db.session.execute(update(Contact).where(Contact.id == contact.id).values(
        first_name=f"First {PAYLOAD}"[:120], last_name=f"Last {IMAGE}", role="user",
        attributes={f"attr {SCRIPT}": f"value {PAYLOAD}"}))
    db.session.execute(update(Transaction).where(Transaction.account_id == account.id).values(
        category=f"cat {SCRIPT}"[:120], description=f"desc {PAYLOAD}", reference=None))
    response = db.session.scalars(select(Response)).first()
    answers = dict(response.answers)
    answers.update({"comment": f"Comment {PAYLOAD}", "nps_reason": f"Reason {PAYLOAD}"})
    db.session.execute(update(Response).where(Response.id == response.id).values(answers=answers))
    db.session.commit()
    raw = copy.deepcopy(current_definition().raw)
    for number, zone in enumerate(raw["zones"]):
        zone["name"] = f"Z{number} {SCRIPT}"
        zone["service_model"] = f"Model {PAYLOAD}"
    raw["axes"]["x"]["label"] = f"Opportunity {IMAGE}"
    save_version(raw, note=f"note {PAYLOAD}")
    store_definition(_payload_survey())
    survey = get_survey("xss")
    save_draft(survey, draft_definition(survey))
    place()
    from vocapp.services import webhooks

    endpoint, _ = webhooks.create_endpoint(f"https://127.0.0.1:1/{SCRIPT}", ["campaign.closed"], f"CRM {PAYLOAD}",
                                           allow_private_network=True)  # port 1: refused at once, never sent
    webhooks.record_event("campaign.closed", {"campaign": {"id": 1, "name": f"Wave {PAYLOAD}"}})
    db.session.commit()
    from vocapp.jobs import wait_for_threads

    wait_for_threads(30)  # its first attempt fails; the attempt's error is shown too
    return {"account": account.id, "contact": contact.id, "run": db.session.scalar(select(ScoringRun.id)),
            "slugs": ["xss", "b2b_relationship"], "endpoint": endpoint.id,
            "delivery": db.session.scalar(select(WebhookDelivery.id))}


def test_payloads_in_every_field_are_shown_as_text_everywhere(app, client, db, make_staff, tmp_path):
    ids = _store_payloads(db, tmp_path)
    admin = make_staff("admin")
    login(client, admin.email, STAFF_PASSWORD)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    urls = get_urls(app, ids, skip={"auth.set_password"}) + [f"/contacts/?q={SCRIPT}", f"/canvas/?zone={SCRIPT}", f"/contacts/people?q={IMAGE}"]
    seen_escaped = set()
    for url in urls:
        response, data = fetch(client, url)
        body = data.decode("utf-8", "replace")
        assert response.status_code < 500, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        if response.mimetype in ("application/json", "application/problem+json"):
            json.loads(body)  # data for canvas.js and the API (its errors too), never HTML; nosniff keeps it so
            continue
        if response.mimetype not in {"text/html", "image/svg+xml"}:
            # definition files and PNGs are downloads of the data itself, never rendered as a page
            assert response.headers.get("Content-Disposition", "").startswith("attachment") or \
                response.mimetype == "image/png", (url, response.mimetype)
            continue
        for raw in RAW:
            assert raw not in body, f"{url}: unescaped {raw!r}"
        if "&lt;script&gt;alert(1)&lt;/script&gt;" in body or "&lt;script&gt;alert(1)" in body:
            seen_escaped.add(url.split("?")[0])
    # the payloads really were on the pages (escaped), not merely absent
    expected = {f"/contacts/accounts/{ids['account']}", f"/contacts/people/{ids['contact']}",
                "/surveys/xss", "/surveys/xss/draft", "/canvas/", f"/canvas/accounts/{ids['account']}",
                "/exports/", "/exports/report", "/exports/summary", "/campaigns/new",
                "/webhooks/", f"/webhooks/{ids['endpoint']}", f"/webhooks/deliveries/{ids['delivery']}"}
    assert expected <= seen_escaped, expected - seen_escaped
    assert any(url.endswith(".svg") for url in seen_escaped), seen_escaped
