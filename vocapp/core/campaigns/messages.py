"""E-mail text: the default wording per language, placeholders, and the language a contact gets.

Staff-written subjects and bodies are plain text with placeholders such as ``{first_name}``; they are
never evaluated as templates (``{{ ... }}`` stays literal text) and the templates escape them.
"""
from __future__ import annotations

import re

PLACEHOLDERS = ("first_name", "last_name", "name", "organisation", "survey_title", "closing_date")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

#: fixed wording of the e-mails per language; a survey language missing here falls back to English
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "invitation_subject": "{survey_title}: we would value your view",
        "invitation_body": "Dear {name},\n\nWe would like to hear how {organisation} sees its relationship "
                           "with us. Your answers help us decide what to offer and how often to get in touch.",
        "reminder_subject": "Reminder: {survey_title}",
        "reminder_body": "Dear {name},\n\nA short reminder: your view on our relationship with {organisation} "
                         "still counts, and the survey is open for a little longer.",
        "start": "Start the survey", "closes": "The survey closes on {closing_date}.",
        "personal": "This link is personal to you; please do not forward it.",
        "unsubscribe": "Do not want survey e-mails from us? Unsubscribe",
    },
    "cy": {
        "invitation_subject": "{survey_title}: hoffem glywed eich barn",
        "invitation_body": "Annwyl {name},\n\nHoffem glywed sut mae {organisation} yn gweld ei pherthynas â ni. "
                           "Mae eich atebion yn ein helpu i benderfynu beth i'w gynnig.",
        "reminder_subject": "Nodyn atgoffa: {survey_title}",
        "reminder_body": "Annwyl {name},\n\nNodyn byr i'ch atgoffa: mae eich barn am ein perthynas ag "
                         "{organisation} yn dal i gyfrif.",
        "start": "Dechrau'r arolwg", "closes": "Mae'r arolwg yn cau ar {closing_date}.",
        "personal": "Mae'r ddolen hon yn bersonol i chi; peidiwch â'i hanfon ymlaen.",
        "unsubscribe": "Dim eisiau e-byst arolwg gennym? Dad-danysgrifio",
    },
    "fr": {
        "invitation_subject": "{survey_title} : votre avis compte",
        "invitation_body": "Bonjour {name},\n\nNous aimerions savoir comment {organisation} voit sa relation "
                           "avec nous. Vos réponses nous aident à décider quoi proposer.",
        "reminder_subject": "Rappel : {survey_title}",
        "reminder_body": "Bonjour {name},\n\nUn petit rappel : votre avis sur notre relation avec {organisation} "
                         "compte toujours.",
        "start": "Commencer le questionnaire", "closes": "Le questionnaire ferme le {closing_date}.",
        "personal": "Ce lien vous est personnel ; merci de ne pas le transférer.",
        "unsubscribe": "Vous ne souhaitez plus recevoir nos enquêtes ? Se désabonner",
    },
}


def choose_language(contact_language: str | None, survey_languages: list[str]) -> str:
    """The contact's language when the survey has it (exact, then by primary subtag), else the
    survey's default (its first language)."""
    languages = survey_languages or ["en"]
    wanted = (contact_language or "").strip().lower()
    for code in languages:
        if code.lower() == wanted:
            return code
    for code in languages:
        if wanted and code.lower().split("-")[0] == wanted.split("-")[0]:
            return code
    return languages[0]


def phrases(language: str) -> dict[str, str]:
    """The fixed wording for ``language`` (its primary subtag), English when vocapp has none."""
    return PHRASES.get(language.lower().split("-")[0], PHRASES["en"])


def fill(text: str, values: dict[str, str]) -> str:
    """Replace the known ``{placeholder}``s in ``text``; everything else stays as written."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), text)


def one_line(text: str) -> str:
    """A subject line: whitespace (including CR/LF, so no header can be injected) folded to spaces."""
    return " ".join(text.split())


def paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated paragraphs, each a list of its lines (for the HTML part)."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return [block.split("\n") for block in blocks if block.strip()]
