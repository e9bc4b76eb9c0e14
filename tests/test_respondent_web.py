"""Respondent pages through the HTTP test client: every path of a contact answering by link."""
from __future__ import annotations

import re
from datetime import timedelta

from respondent_setup import DEFAULT_ANSWERS, form_fields, make_link, page_form
from vocapp.models import Contact
from vocapp.models.base import utcnow
from vocapp.services.respondent import campaign_progress

PAGES = list(DEFAULT_ANSWERS)


def _start(client, link):
    welcome = client.get(link.path)
    assert welcome.status_code == 200
    started = client.post(f"{link.path}/start", data=form_fields(welcome.get_data(as_text=True)))
    assert started.status_code == 303
    return client.get(started.headers["Location"], follow_redirects=True)


def _post_page(client, link, page_id, answers, nav="next"):
    html = client.get(f"{link.path}/page/{page_id}").get_data(as_text=True)
    return client.post(f"{link.path}/page/{page_id}", data=page_form(html, answers, nav))


def _complete(client, link):
    _start(client, link)
    for page_id in PAGES:
        response = _post_page(client, link, page_id, DEFAULT_ANSWERS[page_id])
        assert response.status_code == 303, (page_id, response.get_data(as_text=True)[:3000])
    return response


def test_fresh_start_shows_the_welcome_page_and_starts_a_partial_response(app, client):
    app.config.update(ORGANISATION_NAME="Guild of <Makers>", PRIVACY_CONTACT="privacy@guild.example")
    link = make_link()
    welcome = client.get(link.path)
    html = welcome.get_data(as_text=True)
    assert welcome.status_code == 200
    assert "Guild of &lt;Makers&gt; invites you" in html
    assert "<h1>Your relationship with us</h1>" in html
    assert "how your own organisation approaches new ideas" in html  # the survey's description
    assert "Your answers and your privacy" in html and "mailto:privacy@guild.example" in html
    assert "About 7 minutes (5 pages)" in html
    assert welcome.headers["Referrer-Policy"] == "no-referrer"
    assert welcome.headers["Cache-Control"] == "no-store"
    assert link.invitation().status == "opened" and link.invitation().opened_at is not None
    assert link.response() is None

    first = _start(client, link)
    assert first.request.path == f"{link.path}/page/about_you"
    assert "Page 1 of 5" in first.get_data(as_text=True)
    response = link.response()
    assert (response.status, response.source, response.last_page, response.answers) == ("partial", "web", "about_you", {})
    assert response.contact_id is not None and link.invitation().status == "started"
    assert first.headers["Cache-Control"] == "no-store" and first.headers["Referrer-Policy"] == "no-referrer"


def test_completing_every_page_stores_typed_answers_timings_and_completes_the_invitation(client):
    link = make_link()
    last = _complete(client, link)
    assert last.headers["Location"].endswith(f"{link.path}/thanks")
    thanks = client.get(last.headers["Location"])
    assert thanks.status_code == 200
    assert "Your answers help us decide what to offer" in thanks.get_data(as_text=True)
    response = link.response()
    assert response.status == "complete" and response.submitted_at is not None
    assert response.answers["decision_role"] == "decision_maker"
    assert response.answers["trust_1"] == 2 and response.answers["innovation_6"] is None  # n/a stored as null
    assert response.answers["contact_topics"] == ["events", "research"]
    assert response.answers["nps"] == 5 and response.answers["nps_reason"] == "Answer the phone <b>faster</b>."
    assert set(response.page_timings) == set(PAGES)
    assert all(seconds >= 0 for seconds in response.page_timings.values())
    assert response.duration_seconds == round(sum(response.page_timings.values()), 3)
    invitation = link.invitation()
    assert invitation.status == "completed" and invitation.completed_at is not None
    assert invitation.opened_at <= invitation.started_at <= invitation.completed_at


def test_after_completion_the_link_says_already_answered_and_changes_nothing(client):
    link = make_link()
    _complete(client, link)
    answers_before = link.response().answers
    again = client.get(link.path)
    assert again.status_code == 200
    assert "You have already answered, thank you" in again.get_data(as_text=True)
    page = client.get(f"{link.path}/page/overall")
    assert page.status_code == 303 and page.headers["Location"].endswith(link.path)
    token = form_fields(client.get(make_link().path).get_data(as_text=True))["csrf_token"]  # this session's
    late = client.post(f"{link.path}/page/overall", data={"csrf_token": token, "answer-nps": "0", "nav": "next"})
    assert late.status_code == 303
    assert link.response().answers == answers_before and link.response().status == "complete"


def test_resume_after_leaving_mid_way_opens_the_page_left_with_answers_filled_in(app, client):
    link = make_link()
    _start(client, link)
    _post_page(client, link, "about_you", DEFAULT_ANSWERS["about_you"])
    _post_page(client, link, "how_you_see_us", DEFAULT_ANSWERS["how_you_see_us"])
    half = {"appetite_1": "5", "appetite_2": "1"}
    assert _post_page(client, link, "working_with_us", half, nav="back").status_code == 303  # left on page 2

    other_device = app.test_client()
    resumed = other_device.get(link.path)
    assert resumed.status_code == 303 and resumed.headers["Location"].endswith("/page/how_you_see_us")
    html = other_device.get(resumed.headers["Location"]).get_data(as_text=True)
    assert re.search(r'id="item-trust_1-2"[^>]*checked', html)
    assert re.search(r'id="item-trust_6-2"[^>]*checked', html)
    forward = other_device.get(f"{link.path}/page/working_with_us").get_data(as_text=True)
    assert re.search(r'id="item-appetite_1-5"[^>]*checked', forward)
    assert re.search(r'id="item-appetite_2-1"[^>]*checked', forward)


def test_back_keeps_the_answers_of_the_page_left_even_when_required_ones_are_missing(client):
    link = make_link()
    _start(client, link)
    _post_page(client, link, "about_you", DEFAULT_ANSWERS["about_you"])
    back = _post_page(client, link, "how_you_see_us", {"trust_1": "4"}, nav="back")
    assert back.status_code == 303 and back.headers["Location"].endswith("/page/about_you")
    page_one = client.get(back.headers["Location"]).get_data(as_text=True)
    assert re.search(r'id="item-decision_role-decision_maker"[^>]*checked', page_one)
    assert link.response().answers["trust_1"] == 4
    # required contact_preference is on page 3; going back from it without an answer is allowed too
    _post_page(client, link, "how_you_see_us", {"trust_1": "4"})
    assert _post_page(client, link, "working_with_us", {"appetite_1": "2"}, nav="back").status_code == 303
    assert link.response().answers["appetite_1"] == 2


def test_validation_errors_are_next_to_the_fields_and_summarised_with_links(client):
    link = make_link()
    _start(client, link)
    first = _post_page(client, link, "about_you", {"relationship_length": "not_sure"})
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "<title>Error: About you" in html
    assert 'class="error-summary" role="alert"' in html
    assert 'href="#item-decision_role-decision_maker"' in html  # the summary link lands on the first answer
    assert re.search(r'<fieldset[^>]*id="item-decision_role"[^>]*aria-describedby="[^"]*item-decision_role-error'
                     r'[^"]*"[^>]*aria-invalid="true"', html)
    assert '<p class="error" id="item-decision_role-error">Please answer this question.</p>' in html
    assert re.search(r'id="item-relationship_length-not_sure"[^>]*checked', html)  # the valid answer is kept
    assert link.response().answers == {"relationship_length": "not_sure"}

    _post_page(client, link, "about_you", DEFAULT_ANSWERS["about_you"])
    for page_id in PAGES[1:4]:
        _post_page(client, link, page_id, DEFAULT_ANSWERS[page_id])
    wrong = _post_page(client, link, "overall", {"nps": "11", "comment": "x" * 5001})
    html = wrong.get_data(as_text=True)
    assert "Please choose one of the answers shown." in html
    assert "Please keep your answer under 5,000 characters (it has 5,001)." in html
    assert 'href="#item-comment-input"' in html and 'aria-describedby="item-comment-error"' in html
    assert link.response().status == "partial"


def test_display_logic_stores_shown_items_and_drops_answers_to_items_that_become_hidden(client):
    link = make_link()
    _start(client, link)
    for page_id in PAGES[:2]:
        _post_page(client, link, page_id, DEFAULT_ANSWERS[page_id])
    _post_page(client, link, "working_with_us", DEFAULT_ANSWERS["working_with_us"])
    assert link.response().answers["contact_topics"] == ["events", "research"]
    changed = {**DEFAULT_ANSWERS["working_with_us"], "contact_preference": "essential_only"}
    _post_page(client, link, "working_with_us", changed)  # topics still posted, but now hidden
    assert "contact_topics" not in link.response().answers

    _post_page(client, link, "your_organisation", DEFAULT_ANSWERS["your_organisation"])
    happy = _post_page(client, link, "overall", {"nps": "9", "nps_reason": "should be dropped", "comment": ""})
    assert happy.headers["Location"].endswith("/thanks")
    answers = link.response().answers
    assert answers["nps"] == 9 and "nps_reason" not in answers and "comment" not in answers


def test_a_page_view_without_earlier_conditions_met_leaves_dependent_items_out(client):
    link = make_link()
    _start(client, link)
    for page_id in PAGES[:4]:
        _post_page(client, link, page_id, DEFAULT_ANSWERS[page_id])
    html = client.get(f"{link.path}/page/overall").get_data(as_text=True)
    assert 'data-show-if' in html and "Answer this only if your answer to" in html  # same-page condition hint


def test_skipping_ahead_to_finish_sends_the_contact_to_the_first_unanswered_required_question(client):
    link = make_link()
    _start(client, link)
    skipped = _post_page(client, link, "overall", DEFAULT_ANSWERS["overall"])
    assert skipped.status_code == 303 and skipped.headers["Location"].endswith("/page/about_you?check=1")
    html = client.get(skipped.headers["Location"]).get_data(as_text=True)
    assert '<p class="error" id="item-decision_role-error">Please answer this question.</p>' in html
    assert link.response().status == "partial" and link.response().answers["nps"] == 5


def test_unknown_expired_revoked_and_closed_links_get_the_same_polite_page(client, db):
    expired = make_link(expires_in=timedelta(seconds=-1))
    revoked = make_link(status="revoked")
    closed = make_link(campaign_status="closed")
    erased = make_link()
    contact = db.session.get(Contact, erased.invitation().contact_id)
    contact.erased_at = utcnow()
    db.session.commit()
    answers = []
    for path in ("/s/not-a-real-token-at-all", "/s/" + "x" * 500, expired.path, revoked.path, closed.path,
                 erased.path):
        response = client.get(path)
        answers.append((response.status_code, response.get_data(as_text=True),
                        response.headers["Referrer-Policy"], response.headers["Cache-Control"],
                        "Set-Cookie" in response.headers))
    assert answers[0][0] == 404
    assert "This survey link cannot be used" in answers[0][1]
    assert all(answer == answers[0] for answer in answers), [a[0] for a in answers]
    assert answers[0][4] is False  # no session is started for a link that cannot be used
    for link in (expired, revoked, closed):
        assert client.get(f"{link.path}/page/about_you").status_code == 404
        assert link.invitation().opened_at is None


def test_bad_token_look_ups_are_rate_limited_per_client(app, client):
    app.config["RESPONDENT_BAD_TOKEN_LIMIT"] = "3 per minute"
    link = make_link()
    for n in range(3):
        assert client.get(f"/s/guess-{n}").status_code == 404
    blocked = client.get("/s/guess-4")
    assert blocked.status_code == 429
    assert blocked.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(link.path).status_code == 429  # even a good link, until the window passes
    other_client = app.test_client()
    assert other_client.get(link.path, environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200


def test_all_token_requests_are_rate_limited_per_client(app, client):
    app.config["RESPONDENT_RATE_LIMIT"] = "5 per minute"
    link = make_link()
    statuses = [client.get(link.path).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_text_appears_in_the_contacts_language_when_the_survey_has_it(client):
    from vocapp.services.surveys import load_definition_text

    load_definition_text(BILINGUAL, "bilingual.yaml")
    version = _version("bilingual")
    welsh = make_link(language="cy", campaign=_campaign(version))
    english_gb = make_link(language="en-GB", campaign=_campaign(version))
    other = make_link(language="fr", campaign=_campaign(version))
    html = client.get(welsh.path).get_data(as_text=True)
    assert '<html lang="cy">' in html and "Eich barn" in html and "Arolwg byr." in html
    assert '<html lang="en">' in client.get(english_gb.path).get_data(as_text=True)
    fallback = client.get(other.path).get_data(as_text=True)
    assert '<html lang="en">' in fallback and "Your views" in fallback
    page = _start(client, welsh).get_data(as_text=True)
    assert "Ydych chi&#39;n cytuno?" in page or "Ydych chi'n cytuno?" in page


BILINGUAL = """
id: bilingual
title: {en: Your views, cy: Eich barn}
description: {en: A short survey., cy: Arolwg byr.}
languages: [en, cy]
constructs:
  - id: views
    label: {en: Views, cy: Barn}
scales:
  - id: agree
    min: 1
    max: 3
    labels: {1: {en: "No", cy: Na}, 2: {en: Maybe, cy: Efallai}, 3: {en: "Yes", cy: Ie}}
pages:
  - id: only
    title: {en: Questions, cy: Cwestiynau}
    items:
      - id: q1
        type: likert
        scale: agree
        construct: views
        text:
          en: "Do you agree?"
          cy: "Ydych chi'n cytuno?"
"""


def _version(slug):
    from vocapp.services.surveys import get_version

    return get_version(slug)


def _campaign(version):
    from vocapp.extensions import db
    from vocapp.models import Campaign

    campaign = Campaign(survey_version_id=version.id, name="Welsh wave", status="open")
    db.session.add(campaign)
    db.session.commit()
    return campaign


def test_a_form_without_its_session_gets_a_way_back_and_saves_nothing(client, app):
    link = make_link()
    _start(client, link)
    stranger = app.test_client()
    response = stranger.post(f"{link.path}/page/about_you", data={"answer-decision_role": "user", "nav": "next"})
    assert response.status_code == 400
    assert f'href="{link.path}"' in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert link.response().answers == {}


def test_an_altered_page_stamp_records_no_time_for_the_page(client):
    link = make_link()
    html = _start(client, link).get_data(as_text=True)
    data = page_form(html, DEFAULT_ANSWERS["about_you"])
    data["shown"] = data["shown"][:-2] + "xx"
    assert client.post(f"{link.path}/page/about_you", data=data).status_code == 303
    assert link.response().page_timings == {} and link.response().last_page == "how_you_see_us"


def test_campaign_progress_counts_invitations_by_status(client):
    opened = make_link()
    campaign = opened.invitation().campaign
    started, done, waiting = (make_link(campaign=campaign) for _ in range(3))
    client.get(opened.path)
    _start(client, started)
    _complete(client, done)
    progress = campaign_progress(campaign.id)
    assert progress.counts["sent"] == 1 and progress.counts["opened"] == 1
    assert progress.counts["started"] == 1 and progress.counts["completed"] == 1
    assert (progress.total, progress.opened, progress.started, progress.completed) == (4, 3, 2, 1)
    assert waiting.invitation().status == "sent"
    assert utcnow() >= done.invitation().completed_at


def test_numbers_are_checked_against_their_range_and_stored_as_numbers(client):
    from respondent_setup import make_all_types_link

    link = make_all_types_link()
    html = _start(client, link).get_data(as_text=True)
    assert 'inputmode="decimal"' in html and 'aria-required="true"' in html
    for typed, message in (("0", "Please enter a number between 1 and 100000."),
                           ("lots", "Please enter a number, for example 250 or 12.5.")):
        page = client.post(f"{link.path}/page/everything", data=page_form(html, {"staff": typed, "sector": "public"}))
        shown = page.get_data(as_text=True)
        assert message in shown and f'value="{typed}"' in shown  # what was typed is shown again
        assert 'aria-describedby="item-staff-error"' in shown and 'href="#item-staff-input"' in shown
        html = shown
    done = client.post(f"{link.path}/page/everything",
                       data=page_form(html, {"staff": "1,250", "agree": "na", "score": "10", "sector": "private",
                                             "channels": ["post", "email"], "notes": "Fine."}))
    assert done.headers["Location"].endswith("/thanks")
    assert link.response().answers == {"staff": 1250, "agree": None, "score": 10, "sector": "private",
                                       "channels": ["email", "post"], "notes": "Fine."}
