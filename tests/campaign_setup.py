"""Shared set-up for campaign tests: the default survey, a few contacts, a loopback SMTP server."""
from __future__ import annotations

import contextlib
import re

from vocapp import PROJECT_ROOT
from vocapp.extensions import db
from vocapp.models import Account, Contact
from vocapp.services.surveys import load_definition_file

from smtp_sink import LoopbackSMTP, Recorder

DEFINITION = PROJECT_ROOT / "survey_definitions" / "b2b_relationship.yaml"
LINK = re.compile(r"(https?://[^/\s]+)/s/([A-Za-z0-9_-]{43})")
UNSUBSCRIBE = re.compile(r"(https?://[^/\s]+)/u/([A-Za-z0-9_-]{43})")


def load_survey():
    """The default questionnaire, stored."""
    version, _ = load_definition_file(DEFINITION)
    return version


def add_contacts(n: int, prefix: str = "c", account_name: str = "Acme Ltd", relationship: str = "member",
                 **fields) -> list[Contact]:
    """``n`` contacts at one new account, e-mails ``<prefix><i>@example.org``."""
    account = Account(external_id=f"{prefix}-account", name=account_name, attributes={"size": "large"})
    db.session.add(account)
    db.session.flush()
    contacts = [Contact(account_id=account.id, email=f"{prefix}{i}@example.org", first_name=f"Name{i}",
                        last_name="Person", relationship=relationship, **fields) for i in range(n)]
    db.session.add_all(contacts)
    db.session.commit()
    return contacts


@contextlib.contextmanager
def smtp_server(app, script: dict[int, str] | None = None, config: dict | None = None, **server):
    """A real SMTP server on loopback; the app's SMTP settings (and ``config``) point at it for the
    duration. ``server``: aiosmtpd options (TLS, AUTH), see smtp_sink.LoopbackSMTP."""
    recorder = Recorder(script)
    controller = LoopbackSMTP(recorder, **server)
    controller.start()
    settings = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": controller.port, "SEND_RATE_PER_MINUTE": 0,
                "SEND_RETRY_SECONDS": 0.05, **(config or {})}
    old = {k: app.config.get(k) for k in settings}
    app.config.update(settings)
    try:
        yield recorder
    finally:
        controller.stop()
        app.config.update(old)


def text_part(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_part(message) -> str:
    return message.get_body(("html",)).get_content()


def closed_loop_result(campaign_id: int, fitted, first_placement, essential_account: int) -> dict:
    """After a campaign's closing job: check it applied ``fitted``'s frozen model, placed the accounts after
    ``first_placement``, counted the movements and left the essential-only account alone; its result."""
    from sqlalchemy import select

    from vocapp.models import Campaign, Placement, PlacementRun, ScoringRun
    from vocapp.services.canvas import movements_between

    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign_id)
    result = campaign.close_result
    assert campaign.status == "closed" and result["status"] == "done", result
    scoring = db.session.get(ScoringRun, result["scoring_run_id"])
    assert scoring.id != fitted.id and scoring.refit is False and scoring.based_on_run_id == fitted.id
    assert scoring.model == fitted.model and scoring.diagnostics["applied_model_from_run"] == fitted.id
    placement = db.session.get(PlacementRun, result["placement_run_id"])
    assert placement.scoring_run_id == scoring.id and placement.previous_run_id == first_placement.id
    _, _, table = movements_between(first_placement.id, placement.id)
    assert result["moved"] == int(table.loc[table["moved"], "count"].sum()) and result["moved"] > 0
    flagged = db.session.execute(select(Placement.leave_alone, Placement.leave_alone_reason).where(
        Placement.run_id == placement.id, Placement.account_id == essential_account)).one()
    assert flagged[0] and "essential contact only" in flagged[1]
    return result
