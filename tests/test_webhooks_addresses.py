"""The server-side request forgery guard: webhook URLs that lead to private, loopback, link-local or
other non-public addresses are refused at registration and at every delivery unless an admin allowed
that host; plain HTTP only to loopback when the setting allows it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from test_webhooks_delivery import hooks, register, run_due_until  # noqa: F401 (fixture)
from vocapp.extensions import db
from vocapp.models import AuditEntry, WebhookAttempt, WebhookDelivery
from vocapp.services import webhooks
from vocapp.services.webhooks import AddressRefused
from webhook_receiver import Receiver

REFUSED = {
    "https://127.0.0.1/hook": "loopback",
    "https://[::1]/hook": "loopback",
    "https://10.1.2.3/hook": "private",
    "https://192.168.0.10:8443/hook": "private",
    "https://169.254.169.254/latest/meta-data/": "link-local",
    "https://[fe80::1]/hook": "link-local",
    "https://[::ffff:127.0.0.1]/hook": "loopback",  # IPv4-mapped IPv6
    "https://[::ffff:10.0.0.1]/hook": "private",
    "https://0.0.0.0/hook": "unspecified",
    "https://[::]/hook": "unspecified",
    "https://224.0.0.1/hook": "multicast",
    "https://240.0.0.1/hook": "reserved",
    "https://100.64.0.1/hook": "not globally routable",  # carrier-grade NAT
    "https://localhost:8443/hook": "loopback",  # a host name resolving to loopback
}


@pytest.mark.parametrize("url", sorted(REFUSED))
def test_non_public_addresses_are_refused_at_registration(hooks, url):
    with pytest.raises(AddressRefused, match=REFUSED[url]):
        webhooks.create_endpoint(url, ["campaign.closed"])
    assert webhooks.list_endpoints() == []


@pytest.mark.parametrize("url, words", [
    ("http://93.184.215.14/hook", "must start with https"),  # plain http to a public address
    ("ftp://93.184.215.14/hook", "must start with https"),
    ("https://user:pw@93.184.215.14/hook", "user name or password"),
    ("https:///hook", "no host"),
    ("https://no-such-host.invalid/hook", "cannot be resolved"),
    ("https://93.184.215.14:99999/hook", "not valid"),
])
def test_malformed_or_plain_http_urls_are_refused_with_the_reason(hooks, url, words):
    with pytest.raises(AddressRefused, match=words):
        webhooks.create_endpoint(url, ["campaign.closed"], allow_private_network=True)


def test_a_public_address_is_accepted_and_connected_to_as_checked(hooks):
    target = webhooks.check_url("https://93.184.215.14:8443/in?x=1")
    assert target.addresses == ("93.184.215.14",) and target.host_header == "93.184.215.14:8443"
    assert target.connect_url(target.addresses[0]) == "https://93.184.215.14:8443/in?x=1"


def test_the_allow_list_setting_and_the_endpoint_flag_admit_a_private_host(hooks):
    with pytest.raises(AddressRefused):
        webhooks.check_url("https://10.1.2.3/hook")
    hooks.config["WEBHOOK_ALLOWED_HOSTS"] = "10.0.0.0/8, crm.internal"
    assert webhooks.check_url("https://10.1.2.3/hook").addresses == ("10.1.2.3",)
    endpoint, _ = webhooks.create_endpoint("https://10.1.2.3/hook", ["campaign.closed"])
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.target_id == str(endpoint.id))).one()
    assert audit.details["private_addresses"] == ["10.1.2.3"]
    assert audit.details["private_allowed_by"] == "VOCAPP_WEBHOOK_ALLOWED_HOSTS"
    with pytest.raises(AddressRefused, match="link-local"):
        webhooks.check_url("https://169.254.169.254/")  # not in the list
    hooks.config["WEBHOOK_ALLOWED_HOSTS"] = "localhost"
    assert webhooks.check_url("https://localhost/hook").host_header == "localhost"
    hooks.config["WEBHOOK_ALLOWED_HOSTS"] = ""
    assert webhooks.check_url("https://[::1]/hook", allow_private_network=True).addresses == ("::1",)


def test_plain_http_to_loopback_needs_the_setting(hooks):
    hooks.config["WEBHOOK_ALLOW_HTTP_LOOPBACK"] = False
    with pytest.raises(AddressRefused, match="must start with https"):
        webhooks.check_url("http://127.0.0.1:8080/hook", allow_private_network=True)
    hooks.config["WEBHOOK_ALLOW_HTTP_LOOPBACK"] = True
    assert webhooks.check_url("http://127.0.0.1:8080/hook", allow_private_network=True).port == 8080
    hooks.config["WEBHOOK_ALLOWED_HOSTS"] = "10.0.0.0/8"
    with pytest.raises(AddressRefused, match="must start with https"):
        webhooks.check_url("http://10.1.2.3/hook")  # allowed host, but not loopback: HTTPS only


def test_every_delivery_checks_the_address_again(hooks, make_staff):
    admin = make_staff("admin")
    with Receiver() as receiver:
        endpoint = register(receiver, "campaign.closed")
        webhooks.set_allow_private(endpoint.id, False, staff=admin)  # the admin withdraws the allowance
        webhooks.record_event("campaign.closed", {"campaign": {"id": 7}})
        db.session.commit()
        run_due_until(lambda: db.session.scalars(select(WebhookAttempt)).first() is not None)
        assert receiver.received == []
    attempt = db.session.scalars(select(WebhookAttempt)).one()
    assert attempt.outcome == "refused" and "loopback" in attempt.error and attempt.status_code is None
    assert db.session.scalars(select(WebhookDelivery)).one().status == "pending"  # retried later
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "webhooks.allow_private_network")).one()
    assert audit.staff_user_id == admin.id and audit.details["allowed"] is False


def test_https_connects_to_the_checked_address_and_verifies_the_certificate_against_the_name(hooks, tmp_path):
    from webhook_receiver import make_certificates

    ca, cert, key = make_certificates(tmp_path, "localhost")
    hooks.config.update(WEBHOOK_CA_FILE=ca, WEBHOOK_ALLOWED_HOSTS="localhost")
    with Receiver(tls=(cert, key), host="localhost") as receiver:
        endpoint = register(receiver, "campaign.closed")
        assert endpoint.url.startswith("https://localhost:")
        webhooks.record_event("campaign.closed", {"campaign": {"id": 3}})
        db.session.commit()
        run_due_until(lambda: receiver.accepted())
    got = receiver.received[0]
    assert got["headers"]["host"] == f"localhost:{receiver.server.server_port}"  # the name, not the address
    assert db.session.scalars(select(WebhookAttempt)).one().address == "127.0.0.1"


def test_https_refuses_a_certificate_for_another_name(hooks, tmp_path):
    from webhook_receiver import make_certificates

    ca, cert, key = make_certificates(tmp_path, "crm.example.org")
    hooks.config.update(WEBHOOK_CA_FILE=ca, WEBHOOK_ALLOWED_HOSTS="localhost")
    with Receiver(tls=(cert, key), host="localhost") as receiver:
        register(receiver, "campaign.closed")
        webhooks.record_event("campaign.closed", {"campaign": {"id": 3}})
        db.session.commit()
        run_due_until(lambda: db.session.scalars(select(WebhookAttempt)).first() is not None)
        assert receiver.accepted() == []
    attempt = db.session.scalars(select(WebhookAttempt)).one()
    assert attempt.outcome == "connection_error" and "CERTIFICATE_VERIFY_FAILED" in attempt.error
