"""Data rights on a generated base: per-person export, erasure (both answer modes, all or nothing), retention."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import select

from canvas_setup import load_generated_base
from vocapp.core.tokens import new_token
from vocapp.extensions import db
from vocapp.models import (Account, AccountScore, AuditEntry, Campaign, Contact, ContactScore, Invitation, Response,
                           SurveyVersion)
from vocapp.services.exports.report import results_report
from vocapp.services.rights import RightsError, erase_contact, erased_placeholder, person_record
from vocapp.services.staff import record_action


def invoke(runner, *args, code=0):
    result = runner.invoke(args=list(args))
    assert result.exit_code == code, result.output + repr(result.exception)
    return result.output


@pytest.fixture
def base(app, runner, tmp_path):
    load_generated_base(tmp_path, n_accounts=20, seed=5)
    invoke(runner, "canvas", "place")
    return tmp_path


def _respondent() -> tuple[Contact, Response]:
    """A contact with a complete, scored response that has a free-text answer, and an invitation."""
    response = db.session.scalars(select(Response).join(ContactScore, ContactScore.response_id == Response.id)
                                  .where(Response.status == "complete").order_by(Response.id)).first()
    response.answers = {**response.answers, "comment": "Call me on 0123 456 789, Jane"}
    contact = db.session.get(Contact, response.contact_id)
    version = db.session.get(SurveyVersion, response.survey_version_id)
    campaign = Campaign(survey_version_id=version.id, name="Spring wave")
    db.session.add(campaign)
    db.session.flush()
    db.session.add(Invitation(campaign_id=campaign.id, contact_id=contact.id, token_hash=new_token()[1],
                              expires_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30), status="sent",
                              sent_at=dt.datetime.now(dt.timezone.utc)))
    record_action(None, "contact.note", "contact", contact.id, {"email": contact.email})
    db.session.commit()
    return contact, response


def _export(runner, path, kind, fmt="json"):
    invoke(runner, "export", kind, "--format", fmt, "--out", str(path / f"{kind}.{fmt}"))
    return pd.DataFrame(json.loads((path / f"{kind}.{fmt}").read_text()))


@pytest.mark.slow
def test_export_person_lists_everything_stored(base, runner):
    contact, response = _respondent()
    out = base / "person.json"
    output = invoke(runner, "contacts", "export-person", contact.email.upper(), "--out", str(out))
    record = json.loads(out.read_text())
    assert record["contact"]["email"] == contact.email and record["account"]["external_id"]
    assert [r["id"] for r in record["responses"]] == [response.id]
    assert record["responses"][0]["answers"]["comment"].startswith("Call me")
    assert record["scores"] and record["scores"][0]["response_id"] == response.id
    assert record["invitations"][0]["campaign"] == "Spring wave" and "token_hash" not in record["invitations"][0]
    assert any(e["action"] == "contact.note" for e in record["audit_entries"])
    assert "1 responses, 1 invitations" in output


@pytest.mark.slow
def test_erasure_keeps_anonymised_answers_and_removes_the_person_everywhere(base, runner, app):
    contact, response = _respondent()
    email, contact_id, account_pk = contact.email, contact.id, contact.account_id
    external = db.session.get(Account, account_pk).external_id
    before = _export(runner, base, "accounts")
    app.config["REPORT_MIN_GROUP"] = 1  # the base has few comments: list every one
    report_before = results_report()
    comments = next(i for i in report_before.items if i.item_id == "comment").texts
    assert any(t.startswith("Call me") for t in comments)
    stored_before = db.session.scalars(select(AccountScore.scores).where(AccountScore.account_id == account_pk)).all()

    output = invoke(runner, "contacts", "erase", email, "--yes")
    assert f"Erased contact {contact_id}: 1 responses kept anonymised, 1 invitations revoked" in output
    db.session.expire_all()
    erased = db.session.get(Contact, contact_id)
    assert erased.email == erased_placeholder(email) and email not in erased.email
    assert erased.first_name == erased.last_name == "" and erased.attributes == {} and erased.erased_at
    assert not erased.reachable
    kept = db.session.get(Response, response.id)
    assert "comment" not in kept.answers and kept.anonymised_at and kept.answers.get("trust_1") is not None
    invitation = db.session.scalars(select(Invitation).where(Invitation.contact_id == contact_id)).one()
    assert invitation.status == "revoked" and invitation.revoked_at
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contact.erase")).one()
    assert email not in json.dumps(audit.details) and audit.target_id == str(contact_id)
    assert all(email not in json.dumps(e.details) for e in db.session.scalars(select(AuditEntry)))

    assert email not in set(_export(runner, base, "contacts")["email"])
    assert response.id not in set(_export(runner, base, "responses")["response_id"])
    for fmt in ("csv", "parquet"):
        invoke(runner, "export", "contacts", "--format", fmt, "--out", str(base / f"c.{fmt}"))
        assert email.encode() not in (base / f"c.{fmt}").read_bytes()
    report_after = results_report()
    assert report_after.n_responses == report_before.n_responses - 1
    assert not any(t.startswith("Call me") for t in next(i for i in report_after.items if i.item_id == "comment").texts)
    after = _export(runner, base, "accounts")
    pd.testing.assert_frame_equal(before, after)
    assert db.session.scalars(select(AccountScore.scores).where(AccountScore.account_id == account_pk)).all() \
        == stored_before
    # a new scoring of the anonymised answers gives the account the same scores
    invoke(runner, "score", "--survey", "b2b_relationship")
    invoke(runner, "canvas", "place")
    rescored = _export(runner, base, "accounts").set_index("account_id").loc[external]
    for construct in ("trust", "appetite", "innovation"):
        assert rescored[construct] == pytest.approx(before.set_index("account_id").loc[external, construct])

    message = invoke(runner, "contacts", "export-person", email, "--out", str(base / "p.json"), code=1)
    assert "this person was erased" in message
    assert "this person was erased" in invoke(runner, "contacts", "erase", email, "--yes", code=1)


@pytest.mark.slow
def test_erasure_can_delete_answers(base, runner):
    contact, response = _respondent()
    invoke(runner, "contacts", "erase", contact.email, "--responses", "delete", "--yes")
    assert db.session.get(Response, response.id) is None
    assert db.session.scalars(select(ContactScore).where(ContactScore.response_id == response.id)).first() is None


@pytest.mark.slow
def test_erasure_is_all_or_nothing(base, app):
    contact, response = _respondent()
    email = contact.email
    # another row already holds the placeholder: the unique e-mail makes the final write fail
    db.session.add(Contact(account_id=contact.account_id, email=erased_placeholder(email), relationship="member"))
    db.session.commit()
    with pytest.raises(Exception):
        erase_contact(email)
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).email == email
    assert db.session.get(Response, response.id).answers["comment"].startswith("Call me")
    assert db.session.scalars(select(Invitation).where(Invitation.contact_id == contact.id)).one().status == "sent"
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contact.erase")).first() is None
    assert person_record(email)["contact"]["id"] == contact.id


def test_unknown_person_and_bad_mode_are_one_line_errors(app, runner):
    assert "no contact with this e-mail" in invoke(runner, "contacts", "erase", "nobody@example.org", "--yes", code=1)
    with pytest.raises(RightsError, match="--responses"):
        erase_contact("nobody@example.org", "shred")


@pytest.mark.slow
def test_retention_anonymises_old_responses_only(base, runner, app):
    old = db.session.scalars(select(Response).where(Response.status == "complete").order_by(Response.id)).first()
    old.submitted_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=800)
    old.answers = {**old.answers, "comment": "old words"}
    db.session.commit()
    old_id, scores_before = old.id, db.session.scalars(select(ContactScore.scores)
                                                      .where(ContactScore.response_id == old.id)).all()
    assert "not set" in invoke(runner, "retention", "apply")
    app.config["RETENTION_MONTHS"] = 24
    newer = db.session.scalar(select(Response.id).where(Response.submitted_at < dt.datetime.now(dt.timezone.utc)
                                                        - dt.timedelta(days=731)).where(Response.id != old_id))
    assert newer is None
    assert "Would anonymise 1 responses older than 24 months" in invoke(runner, "retention", "apply", "--dry-run")
    assert db.session.get(Response, old_id).contact_id is not None
    assert "Anonymised 1 responses" in invoke(runner, "retention", "apply")
    db.session.expire_all()
    gone = db.session.get(Response, old_id)
    assert gone.contact_id is None and gone.anonymised_at and "comment" not in gone.answers
    assert db.session.scalars(select(ContactScore.scores).where(ContactScore.response_id == old_id)).all() \
        == scores_before
    assert "Anonymised 0 responses" in invoke(runner, "retention", "apply")


@pytest.mark.slow
def test_an_erased_person_is_never_imported_again(base, runner):
    contact, response = _respondent()
    email = contact.email
    contacts = pd.read_csv(base / "contacts.csv", dtype=str)
    responses = pd.read_csv(base / "responses.csv", dtype=str)
    invoke(runner, "contacts", "erase", email, "--yes")
    mine = contacts[contacts["email"].str.lower() == email]
    assert len(mine) == 1
    mine.to_csv(base / "again.csv", index=False)
    output = invoke(runner, "contacts", "import", str(base / "again.csv"))
    assert "erased" in output
    assert db.session.scalar(select(Contact).where(Contact.email == email)) is None
    theirs = responses[responses["email"].str.lower() == email]
    theirs.to_csv(base / "answers_again.csv", index=False)
    output = invoke(runner, "responses", "import", str(base / "answers_again.csv"), "--survey", "b2b_relationship")
    assert "erased" in output
    assert db.session.query(Response).filter(Response.contact_id == contact.id).count() == 1


def test_retention_runs_as_a_daily_periodic_job(app, runner):
    from canvas_setup import DEFINITION
    from vocapp.jobs import get_job, job_kind
    from vocapp.models import Account, Job
    from vocapp.services.surveys import load_definition_file

    app.config.update(BROKER_URL=None, RETENTION_MONTHS=12)
    assert job_kind("retention.apply").every == dt.timedelta(days=1)
    version, _ = load_definition_file(DEFINITION)
    account = Account(external_id="A1", name="Acme")
    db.session.add(account)
    db.session.flush()
    contact = Contact(account_id=account.id, email="old@example.org", relationship="member")
    db.session.add(contact)
    db.session.flush()
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=400)
    response = Response(survey_version_id=version.id, contact_id=contact.id, status="complete", source="import",
                        answers={"trust_1": 4, "comment": "from long ago"}, submitted_at=old)
    db.session.add(response)
    db.session.commit()
    response_id = response.id
    output = invoke(runner, "jobs", "run-due")
    assert "(retention.apply): done" in output, output
    job = db.session.scalars(select(Job).where(Job.kind == "retention.apply")).one()
    assert get_job(job.id).result["n_responses"] == 1
    db.session.expire_all()
    kept = db.session.get(Response, response_id)
    assert kept.contact_id is None and kept.answers == {"trust_1": 4}
