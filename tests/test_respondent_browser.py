"""The respondent pages in Debian's Chromium: the default questionnaire at a phone width (320 px), on a desktop,
and keyboard-only at 200% zoom, with axe-core (WCAG 2.2 AA rules) on every page type. Each run opens the link
from a real invitation e-mail: the campaign is sent by the ``campaigns.send`` job to a loopback SMTP server
(aiosmtpd) and the link is parsed from the message it received.

axe-core comes from npm (tests/package.json; `.ci/run` installs it into tests/node_modules).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from axe_checks import axe_script, serious_violations
from campaign_setup import add_contacts, load_survey
from respondent_setup import DEFAULT_ANSWERS, Link, emailed_links

PAGES = list(DEFAULT_ANSWERS)
#: CSS viewport, device scale; the zoom one is what a 1280x900 window shows at 200% browser zoom
VIEWPORTS = {
    "phone": ({"width": 320, "height": 700}, 2, True),
    "desktop": ({"width": 1280, "height": 900}, 1, False),
    "zoom200": ({"width": 640, "height": 450}, 2, False),
}

#: the pages' database work is tested on both backends by the client tests; the browser runs use SQLite
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.parametrize("backend", ["sqlite"])]


@pytest.fixture
def axe_path() -> Path:
    return axe_script()


@pytest.fixture
def mailed_link(app, live_server) -> Link:
    """The survey link of one contact's invitation e-mail, sent with the app's base URL = the live server."""
    load_survey()
    contact, = add_contacts(1, prefix="browser")
    links = emailed_links(app, live_server)
    assert list(links) == [contact.email]
    return links[contact.email]


@pytest.fixture
def open_tab(browser):
    """Factory: a tab at one of VIEWPORTS (bypass_csp only lets the test inject axe-core)."""
    contexts = []

    def _open(name: str) -> Page:
        viewport, scale, mobile = VIEWPORTS[name]
        context = browser.new_context(viewport=viewport, device_scale_factor=scale, is_mobile=mobile,
                                      has_touch=mobile, bypass_csp=True)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


class Checker:
    """Runs axe, the reflow check and the target-size check on a page, and keeps a screenshot."""

    def __init__(self, page: Page, axe: Path, run: str, artifacts: Path) -> None:  # axe: the axe_path fixture
        self.page, self.axe, self.run, self.artifacts = page, axe, run, artifacts
        self.checked: list[str] = []

    def __call__(self, name: str) -> None:
        page = self.page
        bad = serious_violations(page)
        page.screenshot(path=str(self.artifacts / f"respondent-{self.run}-{name}.png"), full_page=True)
        assert not bad, f"{self.run} {name}: axe found {bad}"
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{self.run} {name}: scrolls sideways by {overflow}px"
        small = page.evaluate("""() => [...document.querySelectorAll(
              'main input:not([type=hidden]), main button, main textarea, main a.button')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.id || e.textContent.trim(), e.getBoundingClientRect()])
            .filter(([, r]) => r.width < 24 || r.height < 24).map(([id, r]) => [id, r.width, r.height])""")
        assert not small, f"{self.run} {name}: targets under 24x24 px: {small[:5]}"
        self.checked.append(name)


def _tap_answers(page: Page, answers: dict) -> None:
    for item_id, value in answers.items():
        if item_id in ("nps_reason", "comment"):
            page.locator(f"#item-{item_id}-input").fill(value)
        else:
            for one in value if isinstance(value, list) else [value]:
                if not page.locator(f"#item-{item_id}-{one}").is_checked():
                    page.locator(f"label[for='item-{item_id}-{one}']").click()


def _complete_by_pointer(page: Page, base: str, link, check: Checker) -> None:
    page.goto(f"{base}/s/not-a-link-at-all")
    expect(page.get_by_role("heading", name="This survey link cannot be used")).to_be_visible()
    check("bad-token")
    page.goto(base + link.path)
    expect(page.get_by_role("heading", name="Your relationship with us")).to_be_visible()
    check("welcome")
    page.get_by_role("button", name="Start the survey").click()
    page.get_by_role("button", name="Next").click()  # nothing answered: the required question is flagged
    expect(page.get_by_role("alert")).to_contain_text("Please answer this question.")
    check("validation-errors")
    for page_id in PAGES:
        expect(page.locator(f"[data-page='{page_id}']")).to_be_visible()
        _tap_answers(page, DEFAULT_ANSWERS[page_id])
        check(f"page-{page_id}")
        if page_id == "working_with_us":  # back, then leave and come back through the e-mailed link
            page.get_by_role("button", name="Back").click()
            expect(page.locator("#item-trust_1-2")).to_be_checked()
            page.goto(base + link.path)
            expect(page.locator("[data-page='how_you_see_us']")).to_be_visible()
            expect(page.locator("#item-trust_6-2")).to_be_checked()
            check("resume")
            page.get_by_role("button", name="Next").click()
            _tap_answers(page, DEFAULT_ANSWERS[page_id])
        page.get_by_role("button", name="Finish" if page_id == PAGES[-1] else "Next").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    check("thank-you")
    page.goto(base + link.path)
    expect(page.get_by_role("heading", name="You have already answered, thank you")).to_be_visible()
    check("already-answered")


@pytest.mark.parametrize("run", ["phone", "desktop"])
def test_the_default_questionnaire_by_pointer_passes_axe_on_every_page(run, open_tab, live_server, mailed_link,
                                                                       axe_path, artifacts_dir) -> None:
    link = mailed_link
    page = open_tab(run)
    check = Checker(page, axe_path, run, artifacts_dir)
    _complete_by_pointer(page, live_server, link, check)
    response = link.response()
    assert response.status == "complete" and response.answers["contact_topics"] == ["events", "research"]
    assert response.answers["nps_reason"] == DEFAULT_ANSWERS["overall"]["nps_reason"]
    assert len(check.checked) == 11
    invitation = link.invitation()
    assert invitation.status == "completed" and invitation.opened_at <= invitation.completed_at


_FOCUSED = """() => { const e = document.activeElement; const s = getComputedStyle(e);
  return {tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || '', checked: !!e.checked,
          text: (e.textContent || '').trim(), outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""


def _keyboard_page(page: Page, answers: dict[str, object], press: str) -> None:
    """Tab through the page answering with the keyboard only, then press the ``press`` button with Enter."""
    wanted = {f"answer-{item}": value for item, value in answers.items()}
    for _ in range(300):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused["tag"] in ("INPUT", "BUTTON", "TEXTAREA"):
            assert focused["outline"], f"no visible focus on {focused}"
        target = wanted.get(focused["name"])
        if focused["type"] == "radio" and target is not None:
            for _ in range(12):
                if focused["value"] == target:
                    break
                page.keyboard.press("ArrowDown")  # moves to the next answer and selects it
                focused = page.evaluate(_FOCUSED)
            if not focused["checked"]:
                page.keyboard.press("Space")
        elif focused["type"] == "checkbox" and focused["value"] in (target or []) and not focused["checked"]:
            page.keyboard.press("Space")
        elif focused["tag"] == "TEXTAREA" and target:
            page.keyboard.type(str(target))
        elif focused["tag"] == "BUTTON" and focused["text"] == press:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError(f"never reached the {press!r} button")


def test_the_default_questionnaire_with_the_keyboard_alone_at_200_percent_zoom(open_tab, live_server, mailed_link,
                                                                              axe_path, artifacts_dir) -> None:
    link = mailed_link
    page = open_tab("zoom200")
    check = Checker(page, axe_path, "keyboard-zoom200", artifacts_dir)
    page.goto(live_server + link.path)
    check("welcome")
    _keyboard_page(page, {}, "Start the survey")
    _keyboard_page(page, {}, "Next")
    check("validation-errors")
    for page_id in PAGES:
        check(f"page-{page_id}")
        _keyboard_page(page, DEFAULT_ANSWERS[page_id], "Finish" if page_id == PAGES[-1] else "Next")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    check("thank-you")
    response = link.response()
    assert response.status == "complete" and link.invitation().status == "completed"
    expected = {"decision_role": "decision_maker", "trust_1": 2, "appetite_6": 4, "contact_preference": "open_to_more",
                "contact_topics": ["events", "research"], "innovation_6": None, "nps": 5,
                "comment": "Keep going."}
    assert {key: response.answers.get(key) for key in expected} == expected


@pytest.mark.parametrize("run", ["phone", "desktop"])
def test_every_item_type_and_its_errors_pass_axe(run, open_tab, live_server, axe_path, artifacts_dir) -> None:
    from respondent_setup import make_all_types_link

    link = make_all_types_link()
    page = open_tab(run)
    check = Checker(page, axe_path, f"{run}-all-types", artifacts_dir)
    page.goto(live_server + link.path)
    page.get_by_role("button", name="Start the survey").click()
    check("page")
    page.get_by_label("How many people work at your organisation?").fill("0")
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a number between 1 and 100000.")
    check("errors")
    page.get_by_role("alert").get_by_role("link").click()  # the summary link takes the focus to the field
    expect(page.get_by_label("How many people work at your organisation?")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("250")
    page.get_by_role("group", name="We are easy to work with.").get_by_label("Not applicable").check()
    page.get_by_role("group", name="How likely are you to recommend us?").get_by_label("9", exact=True).check()
    page.get_by_label("Events").check()
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert link.response().answers == {"staff": 250, "agree": None, "score": 9, "channels": ["events"]}
