"""The fixed wording of the respondent pages in the respondent's language (Flask-Babel catalogues).

The language is the survey language chosen for the invitation (``Respondent.language``: the
invitation's or contact's language when the survey declares it, the survey's default otherwise),
never the browser's. Catalogues live in ``vocapp/translations`` (``docs/respondents.md`` says how to
update them); a survey language without a catalogue gets the English wording.
"""
from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from flask import g
from flask_babel import gettext, refresh

__all__ = ["babel_locale", "gettext", "page_locale", "translate_page", "translated", "use_language"]

from vocapp.core.surveys.messages import Message

DEFAULT_LOCALE = "en"


def use_language(language: str | None) -> None:
    """Render this request's pages in ``language`` (a tag such as ``fr`` or ``en-GB``)."""
    g.page_locale = babel_locale(language)
    refresh()  # forget a locale Flask-Babel may have looked up earlier in this request


def page_locale() -> str:
    """Flask-Babel's locale selector: the language set by :func:`use_language`, else English."""
    return g.get("page_locale") or DEFAULT_LOCALE


def babel_locale(language: str | None) -> str:
    """``fr-CA`` -> ``fr_CA``; English for a tag Babel does not know."""
    try:
        return str(Locale.parse((language or DEFAULT_LOCALE).replace("-", "_")))
    except (ValueError, TypeError, UnknownLocaleError):
        return DEFAULT_LOCALE


def translated(text: Any) -> Any:
    """A core :class:`Message` in the page's language (its values translated too); other values as they are."""
    if not isinstance(text, Message):
        return text
    return gettext(text.template, **{key: translated(value) for key, value in text.values.items()})


def translate_page(view: dict) -> dict:
    """A ``page_view`` with its items' error messages and display-logic hints in the page's language."""
    for item in view["items"]:
        item["error"] = translated(item["error"])
        item["condition_hint"] = translated(item["condition_hint"])
    return view
