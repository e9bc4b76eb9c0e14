"""The respondent pages' fixed wording (buttons, messages, privacy notice) follows the survey language
chosen for the invitation, never the browser; the catalogues are complete and compiled."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from respondent_setup import form_fields, make_link
from vocapp.extensions import db
from vocapp.models import Campaign, Invitation
from vocapp.services.surveys import get_version, load_definition_text

TRANSLATIONS = Path(__file__).resolve().parent.parent / "vocapp" / "translations"

#: a two-page survey in three languages (English default); page 2 has a required number
TRILINGUAL = """
id: three_languages
languages: [en, fr, de]
title: {en: Working with us, fr: Travailler avec nous, de: Zusammenarbeit mit uns}
description: {en: A short survey., fr: Une courte enquête., de: Eine kurze Umfrage.}
thank_you: {en: Thanks a lot., fr: Merci beaucoup., de: Herzlichen Dank.}
constructs:
  - id: views
    label: {en: Views, fr: Avis, de: Meinungen}
pages:
  - id: first
    title: {en: First, fr: Première, de: Erste}
    items:
      - id: sector
        type: single_choice
        required: true
        text: {en: "Which sector?", fr: "Quel secteur ?", de: "Welche Branche?"}
        options:
          - {value: public, label: {en: Public, fr: Public, de: Öffentlich}}
          - {value: private, label: {en: Private, fr: Privé, de: Privat}}
  - id: second
    title: {en: Second, fr: Deuxième, de: Zweite}
    items:
      - id: staff
        type: number
        min: 1
        max: 500
        required: true
        text: {en: "How many staff?", fr: "Combien de salariés ?", de: "Wie viele Beschäftigte?"}
"""


def _link(contact_language: str | None, invitation_language: str | None = None, text: str = TRILINGUAL):
    survey_id = re.search(r"^id: (\w+)", text, re.M).group(1)
    load_definition_text(text, f"{survey_id}.yaml")
    campaign = Campaign(survey_version_id=get_version(survey_id).id, name=f"{survey_id} wave", status="open")
    db.session.add(campaign)
    db.session.commit()
    link = make_link(campaign=campaign, language=contact_language)
    if invitation_language:
        db.session.get(Invitation, link.invitation_id).language = invitation_language
        db.session.commit()
    return link


def _walk(client, link, headers=None) -> dict[str, str]:
    """Every page type of one respondent, as HTML: welcome, page, errors, last page, thank-you, answered."""
    seen = {"welcome": client.get(link.path, headers=headers).get_data(as_text=True)}
    started = client.post(f"{link.path}/start", data=form_fields(seen["welcome"]), headers=headers)
    seen["page"] = client.get(started.headers["Location"], headers=headers).get_data(as_text=True)
    url = f"{link.path}/page/first"
    seen["errors"] = client.post(url, data={**form_fields(seen["page"]), "nav": "next"},
                                 headers=headers).get_data(as_text=True)
    client.post(url, data={**form_fields(seen["errors"]), "nav": "next", "answer-sector": "public"}, headers=headers)
    url = f"{link.path}/page/second"
    seen["last"] = client.get(url, headers=headers).get_data(as_text=True)
    seen["number"] = client.post(url, data={**form_fields(seen["last"]), "nav": "next", "answer-staff": "900"},
                                 headers=headers).get_data(as_text=True)
    done = client.post(url, data={**form_fields(seen["last"]), "nav": "next", "answer-staff": "12"}, headers=headers)
    seen["thanks"] = client.get(done.headers["Location"], headers=headers).get_data(as_text=True)
    seen["answered"] = client.get(link.path, headers=headers).get_data(as_text=True)
    return seen


EXPECTED = {
    "fr": {"welcome": ["Travailler avec nous", "Commencer l’enquête", "Vos réponses et votre vie privée",
                       "Environ 1 minute (2 pages)", "vous invite à répondre à cette enquête"],
           "page": ["Page 1 sur 2", "Quel secteur ?", "(obligatoire)", "Suivant"],
           "errors": ["Erreur :", "Il y a un problème", "Veuillez répondre à cette question."],
           "last": ["Terminer", "Retour", "Deuxième"],
           "number": ["Veuillez saisir un nombre entre 1 et 500."],
           "thanks": ["Merci", "Merci beaucoup.", "Vous pouvez fermer cette page."],
           "answered": ["Vous avez déjà répondu, merci"]},
    "de": {"welcome": ["Zusammenarbeit mit uns", "Umfrage beginnen", "Etwa 1 Minute (2 Seiten)"],
           "page": ["Seite 1 von 2", "Welche Branche?", "(Pflichtfrage)", "Weiter"],
           "errors": ["Fehler:", "Es gibt ein Problem", "Bitte beantworten Sie diese Frage."],
           "last": ["Abschließen", "Zurück"],
           "number": ["Bitte geben Sie eine Zahl zwischen 1 und 500 ein."],
           "thanks": ["Vielen Dank", "Herzlichen Dank."],
           "answered": ["Sie haben bereits geantwortet, vielen Dank"]},
    "en": {"welcome": ["Working with us", "Start the survey", "About 1 minute (2 pages)"],
           "page": ["Page 1 of 2", "Which sector?", "(required)", "Next"],
           "errors": ["Error:", "There is a problem", "Please answer this question."],
           "last": ["Finish", "Back"],
           "number": ["Please enter a number between 1 and 500."],
           "thanks": ["Thank you", "Thanks a lot."],
           "answered": ["You have already answered, thank you"]},
}


@pytest.mark.parametrize("contact, invitation, shown", [
    ("fr-CA", None, "fr"),  # primary subtag of the contact's language
    ("de", None, "de"),
    ("de", "fr", "fr"),  # the invitation's language wins over the contact's
    ("es", None, "en"),  # not offered by the survey: the survey's default
])
def test_every_page_speaks_the_invitations_survey_language(client, contact, invitation, shown):
    link = _link(contact, invitation)
    pages = _walk(client, link)
    for kind, phrases in EXPECTED[shown].items():
        for phrase in phrases:
            assert phrase in pages[kind], (shown, kind, phrase)
        assert f'<html lang="{shown}">' in pages[kind]
    others = [word for lang, words in EXPECTED.items() if lang != shown for word in words["page"][-1:]]
    assert not any(f">{word}</button>" in pages["page"] for word in others)
    assert link.response().answers == {"sector": "public", "staff": 12}


def test_the_browser_language_is_not_used_on_token_pages(client):
    link = _link(None)  # no language known for the contact: the survey's default, whatever the browser says
    welcome = client.get(link.path, headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert "Start the survey" in welcome and "Commencer" not in welcome
    bad = client.get("/s/" + "x" * 43, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "This survey link cannot be used" in bad


def test_a_survey_whose_default_is_french_speaks_french_to_contacts_without_a_language(client):
    french_first = TRILINGUAL.replace("id: three_languages", "id: french_first").replace(
        "languages: [en, fr, de]", "languages: [fr, en, de]")
    welcome = client.get(_link(None, text=french_first).path).get_data(as_text=True)
    assert "Commencer l’enquête" in welcome and "Travailler avec nous" in welcome


def test_the_privacy_contact_in_the_translated_notice_is_a_link_and_escaped(app, client):
    app.config["PRIVACY_CONTACT"] = "privacy+<x>@example.org"
    welcome = client.get(_link("fr").path).get_data(as_text=True)
    assert "écrivez à <a href=\"mailto:privacy+&lt;x&gt;@example.org\">privacy+&lt;x&gt;@example.org</a>." in welcome


@pytest.mark.parametrize("language", ["fr", "de"])
def test_each_catalogue_translates_every_message_and_its_compiled_copy_is_current(language):
    def entries(read, path: Path) -> dict:
        with open(path, "rb") as handle:
            return {_key(message.id): _key(message.string) for message in read(handle) if message.id}

    wanted = set(entries(read_po, TRANSLATIONS / "messages.pot"))
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    source, compiled = entries(read_po, folder / "messages.po"), entries(read_mo, folder / "messages.mo")
    assert set(source) == wanted, "run `make translations` after changing the wording"
    assert all(source[key] if isinstance(source[key], str) else all(source[key]) for key in wanted), "untranslated"
    assert compiled == source, "the .mo is older than the .po: run `make translations`"


def _key(value):
    """A catalogue id or string (a plural entry is a list or tuple of forms) as a hashable value."""
    return value if isinstance(value, str) else tuple(value)


def test_the_committed_template_holds_every_message_of_the_pages(tmp_path):
    """New wording in a respondent template or core message must reach the catalogues (`make translations`)."""
    import subprocess
    import sys

    root = TRANSLATIONS.parent.parent
    fresh = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "-k", "Message",
                    "--no-location", "--omit-header", "-o", str(fresh), "."], cwd=root, check=True, capture_output=True)
    with open(fresh, "rb") as new, open(TRANSLATIONS / "messages.pot", "rb") as committed:
        assert {_key(m.id) for m in read_po(new)} == {_key(m.id) for m in read_po(committed)}, \
            "run `make translations` and translate the new entries"
