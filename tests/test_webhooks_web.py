"""The admin pages and the ``vocapp webhooks`` commands: register (secret shown once), rotate, replay,
and an endpoint failing for the whole (configurable) window is disabled with a notice and an audit entry."""
from __future__ import annotations

import re
import time

from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from helpers import csrf_token
from respondent_setup import make_link
from test_respondent_web import _complete
from test_webhooks_delivery import hooks, register, run_due_until  # noqa: F401 (fixture)
from vocapp.extensions import db
from vocapp.jobs import enqueue, wait_for_threads
from vocapp.models import AuditEntry, WebhookDelivery, WebhookEndpoint
from vocapp.services import webhooks
from webhook_receiver import Receiver

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")


def _register_on_page(client, url: str, *events: str, private: bool = True):
    data = {"csrf_token": csrf_token(client, "/webhooks/"), "url": url, "description": "CRM <sync>",
            "events": list(events)}
    if private:
        data["allow_private_network"] = "y"
    return client.post("/webhooks/add", data=data)


def test_an_admin_registers_an_endpoint_on_the_page_and_sees_its_secret_once(hooks, client_as):
    client = client_as("admin")
    with Receiver() as receiver:
        page = _register_on_page(client, receiver.url, "response.completed", "campaign.closed")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        secret = SECRET.search(html).group(0)
        receiver.secret = secret
        endpoint = db.session.scalars(select(WebhookEndpoint)).one()
        assert endpoint.event_types == ["response.completed", "campaign.closed"]
        assert secret not in endpoint.secret_encrypted and "whsec_" not in endpoint.secret_encrypted
        for url in ("/webhooks/", f"/webhooks/{endpoint.id}"):
            shown = client.get(url).get_data(as_text=True)
            assert secret not in shown and "CRM &lt;sync&gt;" in shown
        _complete(client.application.test_client(), make_link())
        run_due_until(lambda: receiver.accepted())
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        assert f'href="/webhooks/deliveries/{delivery.id}"' in client.get(f"/webhooks/{endpoint.id}").get_data(as_text=True)
        detail = client.get(f"/webhooks/deliveries/{delivery.id}").get_data(as_text=True)
        assert "response.completed" in detail and "accepted" in detail and "127.0.0.1" in detail

        replayed = client.post(f"/webhooks/deliveries/{delivery.id}/replay",
                               data={"csrf_token": csrf_token(client, f"/webhooks/deliveries/{delivery.id}")})
        assert replayed.status_code == 302
        run_due_until(lambda: len(receiver.accepted()) == 2)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "webhooks.endpoint_create")).one()
    assert entry.details["url"] == receiver.url and entry.details["allow_private_network"] is True


def test_the_page_refuses_a_private_address_unless_allowed_and_names_the_reason(hooks, client_as):
    client = client_as("admin")
    page = _register_on_page(client, "https://169.254.169.254/latest", "campaign.closed", private=False)
    assert page.status_code == 400 and "link-local" in page.get_data(as_text=True)
    page = _register_on_page(client, "https://example.org/hook", private=False)
    assert page.status_code == 400 and "Choose at least one event" in page.get_data(as_text=True)
    assert webhooks.list_endpoints() == []


def test_a_rotated_secret_signs_alongside_the_old_one_during_the_grace_period(hooks, client_as):
    client = client_as("admin")
    with Receiver() as receiver:
        endpoint = register(receiver, "campaign.closed")
        old = receiver.secret
        page = client.post(f"/webhooks/{endpoint.id}/rotate-secret",
                           data={"csrf_token": csrf_token(client, f"/webhooks/{endpoint.id}")})
        new = SECRET.search(page.get_data(as_text=True)).group(0)
        assert new != old
        receiver.secret = new
        webhooks.record_event("campaign.closed", {"campaign": {"id": 1}})
        db.session.commit()
        run_due_until(lambda: receiver.accepted())
    got = receiver.received[0]
    assert len(got["headers"]["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(got["body"], got["headers"]) == Webhook(new).verify(got["body"], got["headers"])


def test_an_endpoint_failing_for_the_whole_window_is_disabled_with_a_notice(hooks, client_as, runner):
    hooks.config.update(WEBHOOK_DISABLE_AFTER_HOURS=1.0 / 3600, WEBHOOK_MAX_ATTEMPTS=10)  # a 1-second window
    client = client_as("admin")
    with Receiver(statuses=[500] * 20) as receiver:
        endpoint = register(receiver, "campaign.closed")
        webhooks.record_event("campaign.closed", {"campaign": {"id": 1}})
        db.session.commit()
        run_due_until(lambda: not db.session.get(WebhookEndpoint, endpoint.id).enabled and not db.session.rollback())
        calls = len(receiver.received)
        time.sleep(1.2)
        enqueue("webhooks.due")
        wait_for_threads(20)
        assert len(receiver.received) == calls  # nothing more is sent to a disabled endpoint
    db.session.expire_all()
    disabled = db.session.get(WebhookEndpoint, endpoint.id)
    assert disabled.disabled_reason.startswith("disabled automatically") and "HTTP 500" in disabled.disabled_reason
    assert calls >= 2 and db.session.scalars(select(WebhookDelivery)).one().status == "pending"
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "webhooks.endpoint_auto_disable")).one()
    assert audit.target_id == str(endpoint.id) and audit.staff_user_id is None
    notice = client.get("/webhooks/").get_data(as_text=True)
    assert "was disabled automatically" in notice and "enable it again" in notice
    listed = runner.invoke(args=["webhooks", "list"])
    assert "disabled" in listed.output and "disabled automatically" in listed.output

    with Receiver() as fixed:  # the receiver is fixed (here: moved), the admin enables the endpoint
        db.session.get(WebhookEndpoint, endpoint.id).url = fixed.url
        db.session.commit()
        fixed.secret = receiver.secret
        enabled = runner.invoke(args=["webhooks", "enable", str(endpoint.id)])
        assert enabled.exit_code == 0, enabled.output
        run_due_until(lambda: fixed.accepted())  # the kept delivery goes at once
    assert len(fixed.accepted()) == 1 and db.session.get(WebhookEndpoint, endpoint.id).failing_since is None


def test_the_command_line_adds_lists_disables_and_replays(hooks, runner):
    with Receiver() as receiver:
        added = runner.invoke(args=["webhooks", "add", receiver.url, "--event", "campaign.closed",
                                    "--allow-private-network"])
        assert added.exit_code == 0, added.output
        receiver.secret = SECRET.search(added.output).group(0)
        refused = runner.invoke(args=["webhooks", "add", "https://10.0.0.5/x", "--event", "campaign.closed"])
        assert refused.exit_code == 1 and "private" in refused.output
        unknown = runner.invoke(args=["webhooks", "add", receiver.url, "--event", "nope"])
        assert unknown.exit_code == 1 and "unknown event type" in unknown.output
        webhooks.record_event("campaign.closed", {"campaign": {"id": 1}})
        db.session.commit()
        run_due_until(lambda: receiver.accepted())
        listing = runner.invoke(args=["webhooks", "deliveries", "--attempts"])
        assert "campaign.closed" in listing.output and "delivered" in listing.output and "#1" in listing.output
        delivery_id = int(listing.output.split()[0])
        replayed = runner.invoke(args=["webhooks", "replay", str(delivery_id)])
        assert replayed.exit_code == 0 and "delivered, code 200" in replayed.output, replayed.output
        assert len(receiver.accepted()) == 2
        endpoint_id = db.session.scalars(select(WebhookEndpoint.id)).one()
        assert runner.invoke(args=["webhooks", "disable", str(endpoint_id)]).exit_code == 0
        assert "disabled" in runner.invoke(args=["webhooks", "list"]).output
        refused = runner.invoke(args=["webhooks", "replay", str(delivery_id)])
        assert refused.exit_code == 1 and "is disabled" in refused.output


def test_an_admin_sends_a_test_event_from_the_page_and_the_cli_and_the_receiver_verifies_it(hooks, client_as, runner):
    client = client_as("admin")
    with Receiver(statuses=[503]) as receiver:
        endpoint = register(receiver, "campaign.closed")  # a test event goes to it whatever types it receives
        page = f"/webhooks/{endpoint.id}"
        assert "Send a test event" in client.get(page).get_data(as_text=True)
        sent = client.post(f"{page}/test", data={"csrf_token": csrf_token(client, page)})
        assert sent.status_code == 302 and sent.headers["Location"].startswith("/webhooks/deliveries/")
        run_due_until(lambda: receiver.accepted())  # the receiver's 503 is retried like any delivery
        first, = receiver.accepted()
        assert first["payload"]["type"] == "webhook.test" and first["payload"]["data"]["endpoint"]["id"] == endpoint.id
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        assert (delivery.status, delivery.attempts) == ("delivered", 2)
        detail = client.get(sent.headers["Location"]).get_data(as_text=True)
        assert "webhook.test" in detail and "503" in detail and "accepted" in detail

        result = runner.invoke(args=["webhooks", "test", str(endpoint.id)])
        assert result.exit_code == 0, result.output
        assert f"Test event sent to endpoint {endpoint.id}" in result.output and "delivered, code 200" in result.output
        assert len(receiver.accepted()) == 2 and all(r["verified"] for r in receiver.received)
        assert len({r["headers"]["webhook-id"] for r in receiver.accepted()}) == 2  # two events, two ids

        webhooks.set_enabled(endpoint.id, False)
        refused = client.post(f"{page}/test", data={"csrf_token": csrf_token(client, page)}, follow_redirects=True)
        assert "is disabled; enable it before sending it a test event" in refused.get_data(as_text=True)
        assert runner.invoke(args=["webhooks", "test", str(endpoint.id)]).exit_code != 0
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "webhooks.test_event")).all()
    assert len(audit) == 2 and audit[0].details["delivery"] == delivery.id
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 2  # the refused one made none
