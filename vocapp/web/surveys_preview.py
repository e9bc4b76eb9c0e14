"""Designer preview: a draft or version page by page, exactly as respondents see it (registered in designer.py)."""
from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from vocapp.core.surveys import has_errors, localise, validate_definition
from vocapp.core.surveys.answers import next_page_index, parse_page_answers
from vocapp.core.surveys.form_view import page_view
from vocapp.services import surveys as survey_service
from vocapp.web.hygiene import int_arg


def preview(slug: str):
    """The draft (or ``?version=N``) exactly as a respondent sees it, page by page; nothing is stored.

    Answers so far travel in a hidden field, so the preview needs no server-side state.
    """
    number = int_arg("version")
    try:
        survey = survey_service.get_survey(slug)
        defn = (survey_service.version_definition(survey_service.get_version(slug, number)) if number
                else survey_service.draft_definition(survey))
    except survey_service.SurveyNotFound:
        abort(404)
    if has_errors(validate_definition(defn)):
        flash("The draft has errors; fix them to preview it.", "error")
        return redirect(url_for(".draft", slug=slug))
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    page = next_page_index(defn, -1, {}, 1)
    if request.method == "POST":
        answers = _preview_state(request.form.get("preview_state", "{}"))
        page = min(max(request.form.get("page", type=int) or 0, 0), len(defn["pages"]) - 1)
        page_items = {entry["id"] for entry in defn["pages"][page]["items"]}
        earlier = {key: value for key, value in answers.items() if key not in page_items}
        posted = parse_page_answers(defn, defn["pages"][page], request.form, earlier)
        answers = {**earlier, **posted.answers}
        if request.form.get("nav") == "back":
            page = next_page_index(defn, page, answers, -1) or 0
        elif posted.errors:
            errors = posted.errors
        else:
            following = next_page_index(defn, page, answers, 1)
            if following is None:
                return render_template("surveys/preview_done.html", survey=survey, defn=defn, answers=answers,
                                       number=number)
            page = following
    view = page_view(defn, page, answers, errors)
    return render_template("surveys/preview.html", survey=survey, page=view, number=number,
                           state=json.dumps(answers), title=localise(defn["title"], view["language"],
                                                                    defn.get("languages") or []))


def _preview_state(raw: str) -> dict[str, Any]:
    try:
        state = json.loads(raw)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}
