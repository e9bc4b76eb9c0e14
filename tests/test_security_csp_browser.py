"""In Chromium, the main staff pages, their SVG pictures and an error page break no rule of the strict
Content-Security-Policy (every violation is recorded by a listener and by the console)."""
from __future__ import annotations

import pytest

from canvas_setup import load_generated_base
from conftest import STAFF_PASSWORD
from helpers import browser_login
from vocapp.models import Account, Contact, ScoringRun
from vocapp.services.canvas import place

#: registered before any page script runs (an init script is not subject to the page's CSP)
LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));
"""


@pytest.fixture
def watched(page):
    """The page, plus the CSP violations it reports (listener events, and console errors collected by the
    ``page`` fixture, which fails any browser test that has one)."""
    page.add_init_script(LISTENER)

    def violations() -> list[str]:
        return page.evaluate("window.__csp || []") + list(page.csp_violations)

    return page, violations, page.csp_violations


def test_main_staff_pages_break_no_csp_rule(watched, live_server, app, db, make_staff, tmp_path, artifacts_dir):
    page, violations, console = watched
    load_generated_base(tmp_path, n_accounts=40, seed=5)
    place()
    run_id = db.session.query(ScoringRun.id).scalar()
    account = db.session.query(Account.id).first()[0]
    contact = db.session.query(Contact.id).first()[0]
    admin = make_staff("admin")
    browser_login(page, live_server, admin.email, STAFF_PASSWORD)
    urls = ["/", "/staff", "/surveys/", "/surveys/b2b_relationship", "/surveys/b2b_relationship/draft",
            "/surveys/b2b_relationship/draft/pages/0", "/surveys/b2b_relationship/draft/pages/0/items/0",
            "/surveys/b2b_relationship/draft/scales", "/surveys/b2b_relationship/draft/translations",
            "/surveys/b2b_relationship/preview", "/surveys/new", "/imports/", "/contacts/", "/contacts/people",
            f"/contacts/accounts/{account}", f"/contacts/people/{contact}", "/scoring/", f"/scoring/runs/{run_id}",
            f"/scoring/runs/{run_id}/scree.svg", f"/scoring/runs/{run_id}/loadings.svg",
            f"/scoring/runs/{run_id}/distributions.svg", "/canvas/", "/canvas/?point_limit=1", "/canvas/picture.svg",
            f"/canvas/accounts/{account}", "/canvas/definition", "/no-such-page"]
    seen = {}
    for url in urls:
        console.clear()
        response = page.goto(f"{live_server}{url}")
        page.wait_for_load_state("load")
        assert response.status < 500 and response.headers["content-security-policy"].startswith("default-src 'self'"), url
        seen[url] = violations()
    page.goto(f"{live_server}/canvas/")
    page.screenshot(path=str(artifacts_dir / "csp-canvas.png"), full_page=True)
    assert {url: found for url, found in seen.items() if found} == {}
    # the detector itself works: an inline style set by script is refused and recorded
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(200)
    assert any("style-src" in entry for entry in violations())
    assert console, "the console reports violations too"
    console.clear()  # the deliberate one: the page fixture must not fail this test for it
