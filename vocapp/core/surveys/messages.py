"""Respondent-facing messages that a page can show in the respondent's language.

The core has no Flask and no catalogues: a :class:`Message` is the English text (a ``str``, so
callers that only need English use it as is) that also keeps its gettext template and values, and
the web layer looks the template up in its catalogue (``vocapp.web.respondent_i18n``).
Templates use ``%(name)s`` placeholders; ``pybabel extract -k Message`` collects them.
"""
from __future__ import annotations

from typing import Any


class Message(str):
    """An English message built from a gettext ``template`` and its ``values`` (which may be Messages)."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> "Message":
        message = super().__new__(cls, template % values if values else template)
        message.template, message.values = template, values
        return message

    def __reduce__(self):  # pickles (e.g. in a job payload) as its English text
        return (str, (str(self),))
