"""Pure campaign rules on DataFrames: audience and reasons, frequency, reminders, lifecycle, text, stats, DSNs."""
from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy

import pandas as pd
import pytest

from vocapp.core.campaigns import (AudienceError, LifecycleError, ReminderPolicy, check_transition, clean_filters,
                                   frequency_held, reminder_due, select_audience)
from vocapp.core.campaigns.dsn import dsn_recipients
from vocapp.core.campaigns.messages import fill, one_line, paragraphs
from vocapp.core.campaigns.stats import completions_per_day, progress_counts, response_rates

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)


def _contacts() -> pd.DataFrame:
    rows = [
        # id, relationship, role, zone, leave_alone, erased, unsubscribed, bounced, complained, last_completed
        (1, "member", "ceo", "Partners", False, False, False, False, False, None),
        (2, "member", "finance", "Partners", False, True, True, False, False, None),   # erased wins
        (3, "member", "ceo", "Core", False, False, True, False, False, None),
        (4, "customer", "ceo", "Core", False, False, False, True, False, None),
        (5, "customer", "ceo", "Core", False, False, False, False, True, None),
        (6, "member", "ceo", "Digital", True, False, False, False, False, None),
        (7, "member", "ceo", "Core", False, False, False, False, False, "2026-05-01T10:00:00+00:00"),
        (8, "both", None, None, False, False, False, False, False, "2025-01-01T00:00:00+00:00"),
    ]
    frame = pd.DataFrame(rows, columns=["contact_id", "relationship", "role", "zone", "leave_alone", "erased",
                                        "unsubscribed", "bounced", "complained", "last_completed_at"])
    frame["email"] = frame["contact_id"].map(lambda i: f"c{i}@example.org")
    frame["language"] = "en"
    frame["contact_attributes"] = [{"team": "policy"} if i % 2 else {} for i in frame["contact_id"]]
    frame["account_attributes"] = [{"size": "large" if i < 5 else "small"} for i in frame["contact_id"]]
    return frame


def test_left_out_reasons_in_order_and_leave_alone_by_default():
    reach = select_audience(_contacts(), {"not_answered_since": "2026-04-01"})
    assert reach.matching == 8 and list(reach.included["contact_id"]) == [1, 8]
    assert dict(zip(reach.left_out["contact_id"], reach.left_out["reason"])) == {
        2: "erased", 3: "unsubscribed", 4: "bounced", 5: "complained", 6: "leave_alone", 7: "answered_since"}
    assert reach.summary()["left_out"] == {"erased": 1, "unsubscribed": 1, "bounced": 1, "complained": 1,
                                           "leave_alone": 1, "answered_since": 1}


def test_the_override_includes_leave_alone_but_never_the_always_left_out():
    reach = select_audience(_contacts(), {}, include_leave_alone=True)
    assert set(reach.included["contact_id"]) == {1, 6, 7, 8}
    assert "leave_alone" not in reach.counts and reach.counts["erased"] == 1


def test_filters_on_relationship_role_zone_and_attributes():
    contacts = _contacts()
    assert list(select_audience(contacts, {"relationship": ["customer"]}).left_out["contact_id"]) == [4, 5]
    assert list(select_audience(contacts, {"zone": ["Core"], "role": ["ceo"]}).included["contact_id"]) == [7]
    reach = select_audience(contacts, {"contact_attributes": {"team": ["policy"]},
                                       "account_attributes": {"size": "large"}})
    assert reach.matching == 2 and list(reach.included["contact_id"]) == [1]


def test_bad_filters_are_named():
    with pytest.raises(AudienceError, match="unknown audience filter"):
        clean_filters({"colour": ["red"]})
    with pytest.raises(AudienceError, match="not_answered_since: '31/12/2025' is not a date"):
        clean_filters({"not_answered_since": "31/12/2025"})
    assert clean_filters({"relationship": [" member ", "member", ""], "role": None}) == {"relationship": ["member"]}


def test_frequency_rule_holds_contacts_at_the_maximum():
    recent = pd.Series({1: 3, 2: 2})
    held = frequency_held(recent, pd.Series([1, 2, 3]), max_emails=3)
    assert held.tolist() == [True, False, False]


def test_reminder_policy():
    frame = pd.DataFrame({
        "status": ["sent", "opened", "completed", "sent", "sent", "revoked", "sent"],
        "reminder_count": [0, 1, 0, 2, 0, 0, 0],
        "last_email_at": [NOW - dt.timedelta(days=d) for d in (8, 7, 9, 9, 2, 9, 9)],
        "reachable": [True, True, True, True, True, True, False],
        "expires_at": [NOW + dt.timedelta(days=5)] * 7,
    })
    due = reminder_due(frame, ReminderPolicy(max_reminders=2, min_days=7), NOW)
    assert due.tolist() == [True, True, False, False, False, False, False]
    expired = frame.assign(expires_at=NOW)
    assert not reminder_due(expired, ReminderPolicy(2, 7), NOW).any()


def test_lifecycle():
    check_transition("draft", "send")
    check_transition("open", "close")
    with pytest.raises(LifecycleError, match="cannot remind a campaign that is draft"):
        check_transition("draft", "remind")
    with pytest.raises(LifecycleError):
        check_transition("closed", "close")


def test_staff_text_is_filled_but_never_evaluated():
    values = {"first_name": "Ann", "organisation": "A & B"}
    assert fill("Hi {first_name} of {organisation} {{ config }} {unknown} {first_name.__class__}", values) == \
        "Hi Ann of A & B {{ config }} {unknown} {first_name.__class__}"
    assert one_line("Hello\r\nBcc: x@example.org") == "Hello Bcc: x@example.org"
    assert paragraphs("a\nb\n\n\nc") == [["a", "b"], ["c"]]


def test_progress_rates_and_completions_per_day():
    frame = pd.DataFrame({
        "status": ["completed", "completed", "sent", "opened", "queued", "failed"],
        "opened_at": [NOW, NOW, None, NOW, None, None], "started_at": [NOW, NOW, None, None, None, None],
        "completed_at": [NOW, NOW + dt.timedelta(days=2), None, None, None, None],
        "relationship": ["member", "customer", "member", "member", "member", "customer"],
        "zone": ["Core", None, "Core", "Core", "Core", None],
    })
    counts = progress_counts(frame)
    assert counts["invited"] == 6 and counts["sent"] == 4 and counts["opened"] == 3 and counts["completed"] == 2
    rates = response_rates(frame, "zone").set_index("zone")
    assert rates.loc["Core", "emailed"] == 3 and rates.loc["Core", "rate"] == pytest.approx(0.333)
    assert rates.loc["(none)", "rate"] == 1.0
    per_day = completions_per_day(frame["completed_at"])
    assert per_day["count"].tolist() == [1, 0, 1]


DSN = b"""From: MAILER-DAEMON@mx.example.org
Content-Type: multipart/report; report-type=delivery-status; boundary="x"

--x
Content-Type: text/plain

Sorry.

--x
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; <Ann@Example.org>
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

Final-Recipient: rfc822; bob@example.org
Action: delayed
Status: 4.4.1

--x--
"""


def test_dsn_recipients_hard_and_soft():
    found = dsn_recipients(message_from_bytes(DSN, policy=policy.compat32))
    assert [(r.address, r.status, r.hard, r.soft) for r in found] == [
        ("ann@example.org", "5.1.1", True, False), ("bob@example.org", "4.4.1", False, True)]
    assert "user unknown" in found[0].diagnostic
    assert dsn_recipients(message_from_bytes(b"Subject: hi\n\nnot a report")) == []
