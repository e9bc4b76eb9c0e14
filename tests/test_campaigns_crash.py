"""A sender killed in the middle of a batch, and run again, sends the rest and nobody twice; the e-mails
it may or may not have sent are listed as unconfirmed, and re-sent (same Message-ID) only on request."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from campaign_setup import add_contacts, load_survey, smtp_server
from vocapp.extensions import db
from vocapp.models import AuditEntry, Delivery
from vocapp.services.campaigns import (CampaignError, campaign_status, create_campaign, resend_unconfirmed,
                                       send_campaign, unconfirmed_emails)

VOCAPP = Path(sys.executable).parent / "vocapp"


def _env(app, tmp_path, intent_batch: int) -> dict:
    env = {**os.environ, "VOCAPP_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
           "VOCAPP_INSTANCE_PATH": str(tmp_path), "VOCAPP_SMTP_HOST": "127.0.0.1",
           "VOCAPP_SMTP_PORT": str(app.config["SMTP_PORT"]), "VOCAPP_SEND_RATE_PER_MINUTE": "0",
           "VOCAPP_BASE_URL": "http://127.0.0.1", "VOCAPP_SECRET_KEY": "x",
           "VOCAPP_MAIL_INTENT_BATCH": str(intent_batch)}
    env.pop("VOCAPP_MAIL_OUTBOX", None)
    return env


def _send_and_kill(app, tmp_path, server, campaign_id: int, intent_batch: int, kill_at: int) -> None:
    """``vocapp campaigns send`` in a process killed (SIGKILL) once the server has the ``kill_at``-th
    message, before the process reads the server's reply to it."""
    worker: list[subprocess.Popen] = []

    def kill(count: int) -> None:
        if count == kill_at:
            os.kill(worker[0].pid, signal.SIGKILL)

    server.on_accept = kill
    worker.append(subprocess.Popen([str(VOCAPP), "campaigns", "send", str(campaign_id)],
                                   env=_env(app, tmp_path, intent_batch), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE))
    worker[0].wait(timeout=120)
    server.on_accept = None
    assert worker[0].returncode == -signal.SIGKILL
    assert len(server.messages) == kill_at
    db.session.expire_all()
    with pytest.raises(CampaignError, match="being sent by another run"):
        send_campaign(campaign_id)  # the dead worker's claim is still fresh
    app.config["SEND_CLAIM_SECONDS"] = 1
    time.sleep(1.2)


def _campaign(name: str):
    load_survey()
    add_contacts(10)
    return create_campaign("b2b_relationship", name)[0]


def _statuses() -> dict[str, int]:
    return dict(db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())


@pytest.mark.slow
def test_a_worker_killed_mid_batch_and_run_again_sends_the_rest_none_twice(app, tmp_path):
    campaign = _campaign("Crash")
    with smtp_server(app, config={"MAIL_INTENT_BATCH": 1}) as server:
        _send_and_kill(app, tmp_path, server, campaign.id, intent_batch=1, kill_at=4)
        result = send_campaign(campaign.id)
    assert result["sent"] == 6 and result["unconfirmed"] == 1
    recipients = server.recipients()
    assert len(recipients) == 10 and sorted(set(recipients)) == sorted(f"c{i}@example.org" for i in range(10))
    assert _statuses() == {"sent": 9, "unconfirmed": 1}  # the 4th: accepted, its reply never read
    report = campaign_status(campaign.id)
    assert report["counts"]["sent"] == 10 and report["status"] == "open"


@pytest.mark.slow
def test_batched_intents_killed_mid_batch_leave_at_most_a_batch_unconfirmed_resent_only_on_request(app, tmp_path):
    campaign = _campaign("Crash in a batch")
    with smtp_server(app, config={"MAIL_INTENT_BATCH": 4}) as server:
        # intents of c0-c3, then c4-c7, are committed together; killed when the server has c5 (the 6th)
        _send_and_kill(app, tmp_path, server, campaign.id, intent_batch=4, kill_at=6)
        first = {to: message["Message-ID"] for to, message in zip(server.recipients(), server.parsed())}
        result = send_campaign(campaign.id)
        assert result["sent"] == 2 and result["unconfirmed"] == 4  # c8, c9 sent; c4-c7 in doubt
        recipients = server.recipients()
        assert len(recipients) == 8 and len(set(recipients)) == 8  # none twice; c6, c7 not sent at all
        assert set(recipients) == {f"c{i}@example.org" for i in (0, 1, 2, 3, 4, 5, 8, 9)}
        assert _statuses() == {"sent": 6, "unconfirmed": 4}
        assert send_campaign(campaign.id)["sent"] == 0 and len(server.messages) == 8  # never re-sent by itself

        rows, total = unconfirmed_emails(campaign.id)
        assert total == 4 and [row["email"] for row in rows] == [f"c{i}@example.org" for i in (4, 5, 6, 7)]
        stored = {row["email"]: row["message_id"] for row in rows}
        assert stored["c4@example.org"] == first["c4@example.org"] and stored["c5@example.org"] == first["c5@example.org"]
        listed = subprocess.run([str(VOCAPP), "campaigns", "unconfirmed", str(campaign.id)],
                                env=_env(app, tmp_path, 4), capture_output=True, text=True, timeout=120)
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.startswith("4 unconfirmed e-mail(s)")
        for email, message_id in stored.items():
            assert f"{email}  invitation  {message_id}" in listed.stdout

        # staff checked the mail server's log: c6 and c7 never went out; re-send those two
        c6_c7 = [row["invitation_id"] for row in rows if row["email"] in ("c6@example.org", "c7@example.org")]
        again = resend_unconfirmed(campaign.id, c6_c7)
        assert again["resent"] == 2 and again["skipped"] == 0
        resent = dict(zip(server.recipients()[8:], server.parsed()[8:]))
    assert set(resent) == {"c6@example.org", "c7@example.org"}
    assert all(message["Message-ID"] == stored[to] for to, message in resent.items())  # the stable Message-ID
    assert _statuses() == {"sent": 8, "unconfirmed": 2}
    assert [row["email"] for row in unconfirmed_emails(campaign.id)[0]] == ["c4@example.org", "c5@example.org"]
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "campaign.resend_unconfirmed")).one()
    assert audit.details["emails"] == 2 and audit.details["invitation_ids"] == sorted(c6_c7)
