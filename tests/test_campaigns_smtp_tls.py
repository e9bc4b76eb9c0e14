"""Sending over STARTTLS and implicit TLS (SMTPS) with a login, against real aiosmtpd servers on loopback
with a certificate from a throw-away CA (trustme): the settings that cannot work fail clearly, once,
and send nothing (no password in clear, no unverified certificate)."""
from __future__ import annotations

import ssl

import pytest
import trustme
from sqlalchemy import func, select

from campaign_setup import add_contacts, load_survey, smtp_server
from helpers import csrf_token
from jobs_helpers import job_id_from, wait_for_job
from smtp_sink import Login
from vocapp.extensions import db
from vocapp.models import Delivery, Invitation, InvitationToken
from vocapp.services.campaigns import create_campaign, send_campaign
from vocapp.services.campaigns.mail import MailSetupError


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca):
    """The server side's TLS context: a certificate for 127.0.0.1 signed by the throw-away CA."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def ca_file(ca, tmp_path):
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _campaign(n: int = 3):
    load_survey()
    add_contacts(n)
    campaign, _ = create_campaign("b2b_relationship", "Over TLS")
    return campaign


def _nothing_sent(campaign_id: int) -> None:
    """No delivery row, no link, every invitation still queued: a later run with good settings sends all."""
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert db.session.scalar(select(func.count()).select_from(InvitationToken)) == 0
    statuses = set(db.session.scalars(select(Invitation.status).where(Invitation.campaign_id == campaign_id)))
    assert statuses == {"queued"}


def _server_tls(mode: str, context: ssl.SSLContext) -> dict:
    """aiosmtpd options for STARTTLS (required) or implicit TLS; aiosmtpd only counts STARTTLS as TLS
    for auth_require_tls, so implicit TLS turns it off (Login checks the transport itself)."""
    if mode == "starttls":
        return {"tls_context": context, "require_starttls": True}
    return {"ssl_context": context, "auth_require_tls": False}


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("mode", ["starttls", "implicit"])
def test_login_over_tls(app, server_tls, ca_file, mode):
    campaign = _campaign()
    login = Login("mailer", "s3cret")
    config = {"SMTP_STARTTLS": mode == "starttls", "SMTP_SSL": mode == "implicit", "SMTP_USERNAME": "mailer",
              "SMTP_PASSWORD": "s3cret", "SMTP_CA_FILE": ca_file}
    with smtp_server(app, config=config, auth_required=True, authenticator=login,
                     **_server_tls(mode, server_tls)) as server:
        result = send_campaign(campaign.id)
    assert result["sent"] == 3 and sorted(server.recipients()) == [f"c{i}@example.org" for i in range(3)]
    assert login.attempts and set(login.attempts) == {("mailer", True)}  # one login per connection, over TLS


def test_a_wrong_password_fails_the_job_once_with_a_clear_message_and_sends_nothing(app, client_as, server_tls,
                                                                                     ca_file):
    campaign = _campaign()
    login = Login("mailer", "s3cret")
    config = {"SMTP_STARTTLS": True, "SMTP_USERNAME": "mailer", "SMTP_PASSWORD": "wrong", "SMTP_CA_FILE": ca_file}
    # PLAIN only: smtplib's login() tries each mechanism offered once, so one login() is one attempt here
    with smtp_server(app, config=config, tls_context=server_tls, require_starttls=True, auth_required=True,
                     authenticator=login, auth_exclude_mechanism=["LOGIN"]) as server:
        with pytest.raises(MailSetupError, match=r"refused the login of 'mailer' \(535 .*VOCAPP_SMTP_PASSWORD"):
            send_campaign(campaign.id)
        assert login.attempts == [("mailer", True)]  # tried once: no retry loop
        _nothing_sent(campaign.id)
        client = client_as("designer")
        token = csrf_token(client, f"/campaigns/{campaign.id}")
        job = wait_for_job(client, job_id_from(client.post(f"/campaigns/{campaign.id}/send",
                                                           data={"csrf_token": token})))
        assert job["status"] == "failed" and "refused the login of 'mailer'" in job["error"]
        assert "internal error" not in job["error"] and len(login.attempts) == 2
        db.session.expire_all()
        _nothing_sent(campaign.id)
        app.config["SMTP_PASSWORD"] = "s3cret"
        result = send_campaign(campaign.id)
    assert result["sent"] == 3 and len(server.messages) == 3


def test_starttls_required_but_not_offered_is_refused_before_any_password_or_message(app):
    campaign = _campaign()
    login = Login("mailer", "s3cret")  # this server would take the password in clear
    config = {"SMTP_STARTTLS": True, "SMTP_USERNAME": "mailer", "SMTP_PASSWORD": "s3cret"}
    with smtp_server(app, config=config, auth_require_tls=False, authenticator=login) as server:
        with pytest.raises(MailSetupError, match="does not offer STARTTLS, which VOCAPP_SMTP_STARTTLS requires"):
            send_campaign(campaign.id)
        app.config["SMTP_STARTTLS"] = False
        with pytest.raises(MailSetupError, match="never sends a password in clear"):
            send_campaign(campaign.id)
    assert login.attempts == [] and server.attempts == 0
    _nothing_sent(campaign.id)


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
def test_the_certificate_is_verified_by_default(app, server_tls, mode, ca_file):
    campaign = _campaign(2)
    config = {"SMTP_STARTTLS": mode == "starttls", "SMTP_SSL": mode == "implicit", "SMTP_CA_FILE": None}
    with smtp_server(app, config=config, **_server_tls(mode, server_tls)) as server:
        with pytest.raises(MailSetupError, match="certificate cannot be verified .*VOCAPP_SMTP_CA_FILE"):
            send_campaign(campaign.id)
        assert server.attempts == 0
        _nothing_sent(campaign.id)
        app.config["SMTP_CA_FILE"] = ca_file
        assert send_campaign(campaign.id)["sent"] == 2
    assert len(server.messages) == 2


def test_an_unreadable_ca_file_is_named(app, tmp_path):
    campaign = _campaign(1)
    bad = tmp_path / "not-a-ca.pem"
    bad.write_text("not a certificate")
    with smtp_server(app, config={"SMTP_SSL": True, "SMTP_CA_FILE": str(bad)}):
        with pytest.raises(MailSetupError, match=f"VOCAPP_SMTP_CA_FILE {bad}"):
            send_campaign(campaign.id)
    _nothing_sent(campaign.id)
