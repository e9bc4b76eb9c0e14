"""A sender killed in the middle of a batch, and run again, sends the rest and nobody twice."""
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
from vocapp.models import Delivery
from vocapp.services.campaigns import CampaignError, campaign_status, create_campaign, send_campaign

VOCAPP = Path(sys.executable).parent / "vocapp"


@pytest.mark.slow
def test_a_worker_killed_mid_batch_and_run_again_sends_the_rest_none_twice(app, tmp_path):
    load_survey()
    add_contacts(10)
    campaign, _ = create_campaign("b2b_relationship", "Crash")
    url = db.engine.url.render_as_string(hide_password=False)
    with smtp_server(app) as server:
        worker: list[subprocess.Popen] = []

        def kill_after_fourth(count: int) -> None:  # the server has the 4th message; its reply never arrives
            if count == 4:
                os.kill(worker[0].pid, signal.SIGKILL)

        server.on_accept = kill_after_fourth
        env = {**os.environ, "VOCAPP_DATABASE_URL": url, "VOCAPP_INSTANCE_PATH": str(tmp_path),
               "VOCAPP_SMTP_HOST": "127.0.0.1", "VOCAPP_SMTP_PORT": str(app.config["SMTP_PORT"]),
               "VOCAPP_SEND_RATE_PER_MINUTE": "0", "VOCAPP_BASE_URL": "http://127.0.0.1", "VOCAPP_SECRET_KEY": "x"}
        env.pop("VOCAPP_MAIL_OUTBOX", None)
        worker.append(subprocess.Popen([str(VOCAPP), "campaigns", "send", str(campaign.id)], env=env,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        worker[0].wait(timeout=120)
        assert worker[0].returncode == -signal.SIGKILL
        server.on_accept = None
        assert len(server.messages) == 4
        db.session.expire_all()
        with pytest.raises(CampaignError, match="being sent by another run"):
            send_campaign(campaign.id)  # the dead worker's claim is still fresh
        app.config["SEND_CLAIM_SECONDS"] = 1
        time.sleep(1.2)
        result = send_campaign(campaign.id)
    assert result["sent"] == 6 and result["unconfirmed"] == 1
    recipients = server.recipients()
    assert len(recipients) == 10 and sorted(set(recipients)) == sorted(f"c{i}@example.org" for i in range(10))
    statuses = dict(db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
    assert statuses == {"sent": 9, "unconfirmed": 1}  # the 4th: accepted, its reply never read
    report = campaign_status(campaign.id)
    assert report["counts"]["sent"] == 10 and report["status"] == "open"
