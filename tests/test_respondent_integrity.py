"""Respondent writes under stress: concurrent final submits, and a database that refuses a page write."""
from __future__ import annotations

import http.client
import re
import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from respondent_setup import DEFAULT_ANSWERS, form_fields, make_link, page_form
from vocapp.models import Response

PAGES = list(DEFAULT_ANSWERS)


def _answer_up_to_last_page(client, link) -> None:
    welcome = client.get(link.path)
    client.post(f"{link.path}/start", data=form_fields(welcome.get_data(as_text=True)))
    for page_id in PAGES[:-1]:
        html = client.get(f"{link.path}/page/{page_id}").get_data(as_text=True)
        assert client.post(f"{link.path}/page/{page_id}", data=page_form(html, DEFAULT_ANSWERS[page_id])).status_code == 303


class _Browser:
    """One browser (its own cookies) talking plain HTTP to the live server, redirects not followed."""

    def __init__(self, base_url: str) -> None:
        self.netloc = urlsplit(base_url).netloc
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict[str, str], str]:
        from urllib.parse import urlencode

        connection = http.client.HTTPConnection(self.netloc, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        result = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
        connection.close()
        return result


@pytest.mark.slow
def test_concurrent_final_submits_complete_exactly_one_response(app, client, live_server, db):
    link = make_link()
    _answer_up_to_last_page(client, link)
    browsers = [_Browser(live_server) for _ in range(8)]
    forms = []
    for browser in browsers:  # every "tab" has the last page open, with its own session
        status, _, html = browser.request("GET", f"{link.path}/page/overall")
        assert status == 200
        forms.append(page_form(html, DEFAULT_ANSWERS["overall"]))
    barrier = threading.Barrier(len(browsers))
    outcomes: list[tuple[int, str]] = []

    def submit(browser, form):
        barrier.wait()
        status, headers, _ = browser.request("POST", f"{link.path}/page/overall", form)
        outcomes.append((status, urlsplit(headers.get("location", "")).path))

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(browsers, forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == len(browsers)
    assert all(status == 303 for status, _ in outcomes), outcomes
    winners = [path for _, path in outcomes if path.endswith("/thanks")]
    assert len(winners) == 1, outcomes  # the others are told they have already answered
    assert sorted(path for _, path in outcomes if path not in winners) == [link.path] * (len(browsers) - 1)
    db.session.expire_all()
    responses = db.session.query(Response).filter_by(invitation_id=link.invitation_id).all()
    assert [r.status for r in responses] == ["complete"]
    assert link.invitation().status == "completed"


@contextmanager
def _responses_refuse_updates(db):
    """A real trigger that makes the database refuse every UPDATE of responses."""
    dialect = db.engine.dialect.name
    db.session.rollback()  # end the test's own read of responses: CREATE TRIGGER waits for every reader
    with db.engine.begin() as connection:
        if dialect == "postgresql":
            connection.execute(text("CREATE FUNCTION vocapp_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                                    "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"))
            connection.execute(text("CREATE TRIGGER vocapp_test_refuse BEFORE UPDATE ON responses "
                                    "FOR EACH ROW EXECUTE FUNCTION vocapp_test_refuse()"))
        else:
            connection.execute(text("CREATE TRIGGER vocapp_test_refuse BEFORE UPDATE ON responses "
                                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"))
    try:
        yield
    finally:
        db.session.rollback()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TRIGGER vocapp_test_refuse" + (" ON responses" if dialect == "postgresql" else "")))
            if dialect == "postgresql":
                connection.execute(text("DROP FUNCTION vocapp_test_refuse()"))


def test_a_refused_page_write_shows_the_page_again_with_the_answers_and_a_retry_message(client, db):
    link = make_link()
    _answer_up_to_last_page(client, link)
    saved = dict(link.response().answers)
    html = client.get(f"{link.path}/page/overall").get_data(as_text=True)
    with _responses_refuse_updates(db):
        refused = client.post(f"{link.path}/page/overall", data=page_form(html, DEFAULT_ANSWERS["overall"]))
        page = refused.get_data(as_text=True)
        assert refused.status_code == 503
        assert "could not be saved just now" in page and 'role="alert"' in page
        assert re.search(r'id="item-nps-5"[^>]*checked', page)
        assert "Answer the phone &lt;b&gt;faster&lt;/b&gt;." in page
        assert refused.headers["Cache-Control"] == "no-store"
        back = client.post(f"{link.path}/page/overall", data=page_form(page, {"nps": "3"}, nav="back"))
        assert back.status_code == 503 and re.search(r'id="item-nps-3"[^>]*checked', back.get_data(as_text=True))
    assert link.response().answers == saved and link.response().status == "partial"
    retried = client.post(f"{link.path}/page/overall", data=page_form(page, DEFAULT_ANSWERS["overall"]))
    assert retried.status_code == 303 and retried.headers["Location"].endswith("/thanks")
    assert link.response().status == "complete" and link.response().answers["nps"] == 5
