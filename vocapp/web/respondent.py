"""Respondent pages at ``/s/<token>``: welcome, the questionnaire page by page, thank-you.

Public (no login): the token is the credential. Every answer is saved on every page through
``vocapp.services.respondent``; display logic and validation come from ``vocapp.core.surveys`` and
the page is drawn by the same ``templates/surveys/_form.html`` as the designer preview.
"""
from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, URLSafeSerializer

from vocapp.core.surveys import localise
from vocapp.core.surveys.answers import (field_name, missing_required, next_page_index, parse_page_answers,
                                         prune_hidden)
from vocapp.core.surveys.form_view import page_view
from vocapp.core.surveys.model import declared_languages, estimated_minutes
from vocapp.extensions import limiter
from vocapp.services import respondent as service
from vocapp.services.respondent import AnswersNotSaved, Respondent
from vocapp.web.hygiene import token_page_headers
from vocapp.web.respondent_i18n import gettext, translate_page, use_language

bp = Blueprint("respondent", __name__)

limiter.limit(lambda: current_app.config["RESPONDENT_RATE_LIMIT"], scope="respondent")(bp)
limiter.limit(lambda: current_app.config["RESPONDENT_BAD_TOKEN_LIMIT"], scope="respondent-bad-token",
              deduct_when=lambda response: response.status_code == 404)(bp)


bp.after_request(token_page_headers)


@bp.errorhandler(CSRFError)
def _session_expired(error: CSRFError):
    """A form posted without a valid session (cookie lost, browser restarted): answers saved so far are kept."""
    token = (request.view_args or {}).get("token", "")
    respondent = _open(token)
    return render_template("respondent/session_expired.html", token=token, **_chrome(respondent)), 400


@bp.get("/<token>")
def welcome(token: str):
    """The welcome page; a started response resumes at its page; a completed one says so."""
    respondent = _open(token)
    if respondent is None:
        return _unavailable()
    if respondent.completed:
        return render_template("respondent/answered.html", **_chrome(respondent))
    if respondent.started:
        return redirect(url_for(".page", token=token, page_id=_resume_page(respondent)), 303)
    service.mark_opened(respondent)
    return _welcome(respondent, token)


@bp.post("/<token>/start")
def start(token: str):
    """Begin the response and go to the first page."""
    respondent = _open(token)
    if respondent is None:
        return _unavailable()
    if respondent.completed:
        return redirect(url_for(".welcome", token=token), 303)
    try:
        service.start(respondent, _first_page(respondent))
    except AnswersNotSaved:
        return _welcome(respondent, token, retry=True), 503
    return redirect(url_for(".page", token=token, page_id=_resume_page(respondent)), 303)


@bp.route("/<token>/page/<page_id>", methods=["GET", "POST"])
def page(token: str, page_id: str):
    """One page of the questionnaire: show it with the answers so far; save it and move on."""
    respondent = _open(token)
    if respondent is None:
        return _unavailable()
    defn = respondent.definition
    index = next((i for i, entry in enumerate(defn["pages"]) if entry["id"] == page_id), None)
    if respondent.completed or not respondent.started or index is None:
        return redirect(url_for(".welcome", token=token), 303)
    if request.method == "GET":
        errors = {}
        if request.args.get("check"):
            errors = {item_id: gettext("Please answer this question.")
                      for item_id, at in missing_required(defn, respondent.answers).items() if at == index}
        return _page(respondent, token, index, respondent.answers, errors)
    return _save(respondent, token, index)


def _save(respondent: Respondent, token: str, index: int):
    defn = respondent.definition
    page_def = defn["pages"][index]
    on_page = {item["id"] for item in page_def["items"]}
    earlier = {key: value for key, value in respondent.answers.items() if key not in on_page}
    posted = parse_page_answers(defn, page_def, request.form, earlier)
    answers = prune_hidden(defn, {**earlier, **posted.answers})
    seconds = _seconds_on_page(page_def["id"])
    going_back = request.form.get("nav") == "back"
    target = next_page_index(defn, index, answers, -1 if going_back else 1)
    try:
        if posted.errors and not going_back:
            service.save_page(respondent, answers, page_def["id"], seconds, page_def["id"])
            return _page(respondent, token, index, _with_raw(answers, posted.errors), posted.errors)
        if target is None and not going_back:
            return _finish(respondent, token, answers, page_def["id"], seconds)
        resume = defn["pages"][index if target is None else target]["id"]
        if not service.save_page(respondent, answers, page_def["id"], seconds, resume):
            return redirect(url_for(".welcome", token=token), 303)
    except AnswersNotSaved:
        return _page(respondent, token, index, _with_raw(answers, posted.errors), posted.errors, retry=True), 503
    return redirect(url_for(".page", token=token, page_id=resume), 303)


def _finish(respondent: Respondent, token: str, answers: dict[str, Any], page_id: str, seconds: float | None):
    missing = missing_required(respondent.definition, answers)
    if missing:  # a page was skipped (e.g. by editing the address): go and answer it
        first = respondent.definition["pages"][min(missing.values())]["id"]
        service.save_page(respondent, answers, page_id, seconds, first)
        return redirect(url_for(".page", token=token, page_id=first, check=1), 303)
    if service.complete(respondent, answers, page_id, seconds):
        return redirect(url_for(".thanks", token=token), 303)
    return redirect(url_for(".welcome", token=token), 303)  # completed already: "you have already answered"


@bp.get("/<token>/thanks")
def thanks(token: str):
    """The thank-you page, right after completing."""
    respondent = _open(token)
    if respondent is None:
        return _unavailable()
    if not respondent.completed:
        return redirect(url_for(".welcome", token=token), 303)
    return render_template("respondent/thanks.html", **_chrome(respondent))


def _open(token: str) -> Respondent | None:
    """The respondent behind ``token`` (see ``service.open_link``); the page then speaks their survey language."""
    respondent = service.open_link(token)
    if respondent is not None:
        use_language(respondent.language)
    return respondent


def _unavailable():
    """The one page for unknown, expired, revoked and closed links: same text, same status."""
    return render_template("respondent/unavailable.html", **_chrome(None)), 404


def _chrome(respondent: Respondent | None) -> dict[str, Any]:
    """What every respondent page shows around its content: organisation, language, survey texts."""
    config = current_app.config
    values: dict[str, Any] = {"organisation": config["ORGANISATION_NAME"],
                              "privacy_contact": config.get("PRIVACY_CONTACT") or config["MAIL_FROM"],
                              "language": "en-GB", "title": "", "thank_you": ""}
    if respondent is not None:
        defn, lang = respondent.definition, respondent.language
        languages = declared_languages(defn)
        values.update(language=lang, title=localise(defn.get("title"), lang, languages),
                      description=localise(defn.get("description"), lang, languages),
                      thank_you=localise(defn.get("thank_you"), lang, languages))
    return values


def _welcome(respondent: Respondent, token: str, retry: bool = False):
    return render_template("respondent/welcome.html", token=token, retry=retry,
                           minutes=estimated_minutes(respondent.definition),
                           pages=len(respondent.definition["pages"]), **_chrome(respondent))


def _page(respondent: Respondent, token: str, index: int, answers: dict[str, Any], errors: dict[str, str],
          retry: bool = False):
    view = translate_page(page_view(respondent.definition, index, answers, errors, respondent.language))
    return render_template("respondent/page.html", token=token, page=view, retry=retry,
                           shown=_serializer().dumps([view["id"], time.time()]), **_chrome(respondent))


def _with_raw(answers: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Answers plus what was typed into fields that failed validation, to show it again."""
    shown = dict(answers)
    for item_id in errors:
        typed = request.form.get(field_name(item_id), "").strip()
        if typed:
            shown[item_id] = typed
    return shown


def _first_page(respondent: Respondent) -> str:
    return respondent.definition["pages"][next_page_index(respondent.definition, -1, {}, 1) or 0]["id"]


def _resume_page(respondent: Respondent) -> str:
    ids = {entry["id"] for entry in respondent.definition["pages"]}
    return respondent.last_page if respondent.last_page in ids else _first_page(respondent)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="vocapp.respondent.page-shown")


def _seconds_on_page(page_id: str) -> float | None:
    """Seconds since the page was shown, from its signed ``shown`` field (None if missing or altered)."""
    try:
        shown_page, shown_at = _serializer().loads(request.form.get("shown", ""))
    except (BadSignature, ValueError, TypeError):
        return None
    if shown_page != page_id or not isinstance(shown_at, (int, float)):
        return None
    return max(time.time() - shown_at, 0.0)
