"""The per-campaign results report: only the responses collected through the campaign's invitations,
by relationship and by zone, small groups suppressed, free text listed, erased contacts absent; linked
from the campaign page and downloadable as CSV."""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest
from sqlalchemy import select

from canvas_setup import load_generated_base
from vocapp.extensions import db
from vocapp.models import Contact, Invitation, Response
from vocapp.services.campaigns import create_campaign, send_campaign
from vocapp.services.canvas import place
from vocapp.services.rights import erase_contact

SECRET = "ERASED-PERSON-COMMENT"


def _answer(invitation: Invitation, version_id: int, trust_1: int, comment: str) -> None:
    """A submitted response through the invitation (as the respondent pages store it)."""
    now = dt.datetime.now(dt.timezone.utc)
    db.session.add(Response(survey_version_id=version_id, contact_id=invitation.contact_id,
                            invitation_id=invitation.id, source="web",
                            status="complete", started_at=now, submitted_at=now, duration_seconds=240.0,
                            answers={"trust_1": trust_1, "comment": comment}))


@pytest.fixture
def campaign(app, tmp_path):
    """A placed base; a sent campaign; six members and two customers answered through its invitations
    (members: trust_1 = 5 five times and 4 once; customers: 1), one member's comment is SECRET."""
    load_generated_base(tmp_path, n_accounts=24, seed=4)
    place()
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    made, _ = create_campaign("b2b_relationship", "Wave <2>")
    assert send_campaign(made.id)["sent"] > 10
    invited = db.session.execute(select(Invitation, Contact.relationship, Contact.email).join(Contact).where(
        Invitation.campaign_id == made.id).order_by(Invitation.id)).all()
    members = [(i, e) for i, r, e in invited if r == "member"][:6]
    customers = [(i, e) for i, r, e in invited if r == "customer"][:2]
    assert len(members) == 6 and len(customers) == 2
    for k, (invitation, _) in enumerate(members):
        _answer(invitation, made.survey_version_id, 4 if k == 5 else 5, SECRET if k == 0 else f"member comment {k}")
    for invitation, _ in customers:
        _answer(invitation, made.survey_version_id, 1, "customer comment")
    db.session.commit()
    return made, members[0][1]


def _trust_rows(html: str) -> dict[str, list[str]]:
    """The trust_1 table: row header -> its cells' text."""
    start = html.index("trust_1:")
    table = html[start:html.index("</table>", start)]
    return {header: re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
            for header, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)}


@pytest.mark.slow
def test_campaign_report_counts_its_own_responses_suppresses_and_leaves_the_erased_out(campaign, client_as, app):
    made, erased_email = campaign
    app.config["REPORT_MIN_GROUP"] = 5
    client = client_as("analyst")
    detail = client.get(f"/campaigns/{made.id}").get_data(as_text=True)
    assert f'href="/exports/report?campaign={made.id}"' in detail

    html = client.get(f"/exports/report?campaign={made.id}").get_data(as_text=True)
    assert "Results: campaign Wave &lt;2&gt;" in html and "Wave <2>" not in html
    assert "8 complete responses collected through this campaign" in html
    trust = _trust_rows(html)
    # all 8 (answers 1..5): 2 x "1", 1 x "4", 5 x "5"; members (6) shown; customers (2) suppressed
    assert trust["all respondents"][:6] == ["8", "2 (25%)", "0 (0%)", "0 (0%)", "1 (12%)", "5 (62%)"]
    assert trust["relationship: member"][:6] == ["6", "0 (0%)", "0 (0%)", "0 (0%)", "1 (17%)", "5 (83%)"]
    assert trust["relationship: customer"] == ["&lt; 5", "suppressed (small group)"]
    assert any(name.startswith("zone: ") for name in trust) and "<svg" in html and "style=" not in html
    assert SECRET in html and "member comment 3" in html

    erase_contact(erased_email)
    html = client.get(f"/exports/report?campaign={made.id}").get_data(as_text=True)
    assert "7 complete responses collected through this campaign" in html and SECRET not in html
    trust = _trust_rows(html)
    assert trust["all respondents"][:6] == ["7", "2 (29%)", "0 (0%)", "0 (0%)", "1 (14%)", "4 (57%)"]
    assert trust["relationship: member"][0] == "5"

    csv = pd.read_csv(io.BytesIO(client.get(f"/exports/report.csv?campaign={made.id}").get_data()))
    rows = csv[(csv["item_id"] == "trust_1")]
    overall = rows[(rows["grouping"] == "all") & (rows["answer"] == "5")]
    assert overall["count"].tolist() == [4] and overall["n"].tolist() == [7]
    customers = rows[(rows["grouping"] == "relationship") & (rows["group"] == "customer")]
    assert customers["answer"].tolist() == ["(suppressed)"] and customers["n"].isna().all()
    assert SECRET not in csv.to_string()
    # the survey's own report counts every complete response, the campaign's only its own
    assert db.session.query(Response).filter(Response.status == "complete").count() > 7


def test_campaign_report_of_an_unknown_campaign_explains(app, client_as):
    response = client_as("analyst").get("/exports/report?campaign=999", follow_redirects=True)
    assert "no campaign with id 999" in response.get_data(as_text=True)


def test_campaign_page_shows_the_report_link_to_analysts_only(campaign, client_as):
    made, _ = campaign
    page = client_as("designer").get(f"/campaigns/{made.id}").get_data(as_text=True)
    assert "/exports/report?campaign=" not in page
