"""The designer in a real browser (Debian's Chromium via Playwright): edit an item, then preview it."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import STAFF_PASSWORD
from helpers import browser_login
from vocapp.services import surveys as survey_service

DEFAULT = Path(__file__).resolve().parent.parent / "survey_definitions" / "b2b_relationship.yaml"


@pytest.mark.browser
def test_edit_an_item_and_preview_it(page, live_server, make_staff, db, artifacts_dir) -> None:
    survey_service.load_definition_file(DEFAULT)
    designer = make_staff("designer")
    browser_login(page, live_server, designer.email, STAFF_PASSWORD)

    page.goto(f"{live_server}/surveys/b2b_relationship/draft")
    page.get_by_role("link", name="Edit item trust_1").click()
    page.get_by_label("Question or statement").fill("We keep our <b>promises</b> to you.")
    page.get_by_label("Help text").fill("Think about the last twelve months.")
    page.get_by_role("button", name="Save item").click()
    expect(page.get_by_text("Item trust_1 saved.")).to_be_visible()

    page.get_by_role("link", name="Preview the draft").click()
    page.get_by_label("I recommend or influence, but someone else decides").check()
    page.get_by_role("button", name="Next").click()
    question = page.get_by_role("group", name="We keep our <b>promises</b> to you.")
    expect(question).to_be_visible()
    expect(question.get_by_text("Think about the last twelve months.")).to_be_visible()
    question.get_by_label("Agree", exact=True).check()
    page.screenshot(path=str(artifacts_dir / "designer-preview-edited-item.png"), full_page=True)

    # Same-page display logic, progressively enhanced: topics appear only for "more contact".
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Working with us")).to_be_visible()
    topics = page.locator("#item-contact_topics")
    expect(topics).to_have_count(1)
    expect(topics).to_be_hidden()
    page.get_by_label("More contact would be welcome").check()
    expect(topics).to_be_visible()
    page.get_by_label("Essential contact only, please").check()
    expect(topics).to_be_hidden()


@pytest.mark.browser
def test_item_form_shows_only_the_chosen_types_section_and_scales_edit(page, live_server, make_staff, db,
                                                                        artifacts_dir) -> None:
    survey_service.load_definition_file(DEFAULT)
    designer = make_staff("designer")
    browser_login(page, live_server, designer.email, STAFF_PASSWORD)

    page.goto(f"{live_server}/surveys/b2b_relationship/draft")
    page.get_by_role("link", name="Edit item trust_1").click()
    likert, choice = page.get_by_role("group", name="Likert items"), page.get_by_role("group", name="Choice items")
    expect(likert).to_be_visible()
    expect(choice).to_be_hidden()
    page.get_by_label("Type").select_option("single_choice")  # no script: CSS follows the select
    expect(likert).to_be_hidden()
    expect(choice).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "designer-item-form-by-type.png"), full_page=True)

    page.goto(f"{live_server}/surveys/b2b_relationship/draft")
    page.get_by_role("link", name="Edit scales").click()
    page.get_by_label("Scale id").fill("often4")
    page.get_by_label("Lowest point").fill("1")
    page.get_by_label("Highest point").fill("4")
    page.get_by_label("Point labels: one per line, as point | label").fill("1 | Never\n4 | Always")
    page.get_by_role("button", name="Save scale").click()
    expect(page.get_by_text("Scale often4 saved.")).to_be_visible()
    expect(page.get_by_role("cell", name="1: Never; 4: Always")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "designer-scales.png"), full_page=True)


@pytest.mark.browser
def test_translate_a_survey_in_the_browser(page, live_server, make_staff, db, artifacts_dir) -> None:
    pulse = DEFAULT.parent / "b2b_pulse.yaml"
    survey_service.load_definition_file(pulse)
    designer = make_staff("designer")
    browser_login(page, live_server, designer.email, STAFF_PASSWORD)
    slug = survey_service.list_surveys()[0].slug
    page.goto(f"{live_server}/surveys/{slug}/draft")
    page.get_by_role("link", name="Translations").click()
    page.get_by_label("Add a language (code)").fill("fr")
    page.get_by_role("button", name="Add language").click()
    expect(page.get_by_text("Language 'fr' added")).to_be_visible()
    page.get_by_label("title", exact=True).fill("Un point rapide")
    page.get_by_role("button", name="Save translations").click()
    expect(page.get_by_text("Translations into 'fr' saved.")).to_be_visible()
    expect(page.get_by_label("title", exact=True)).to_have_value("Un point rapide")
    page.screenshot(path=str(artifacts_dir / "designer-translations.png"), full_page=True)
    draft = survey_service.draft_definition(survey_service.get_survey(slug))
    assert draft["title"] == {"en": "A quick check-in", "fr": "Un point rapide"}
