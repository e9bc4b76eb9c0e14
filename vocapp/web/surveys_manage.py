"""Designer pages beyond pages and items: scales, translations, and deleting or archiving a survey.

The views are registered on the surveys blueprint in vocapp/web/surveys.py (like the preview), so
they share its designer-only guard.
"""
from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from vocapp.core.surveys import declared_languages, dict_entries, iter_items, localise
from vocapp.core.surveys.translations import iter_texts, with_language, with_translations
from vocapp.core.surveys.wording import where
from vocapp.errors import VocappError
from vocapp.models import Survey
from vocapp.services import surveys as survey_service
from vocapp.web.surveys_forms import ScaleForm, fill_scale_form, scale_from_form, show_errors

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def _survey(slug: str) -> Survey:
    try:
        return survey_service.get_survey(slug)
    except survey_service.SurveyNotFound:
        abort(404)


# --- scales --------------------------------------------------------------------------------------

def scales(slug: str, index: int | None = None):
    """The draft's answer scales; add one, or edit scale ``index``."""
    survey = _survey(slug)
    defn = survey_service.draft_definition(survey)
    entries = defn.get("scales") if isinstance(defn.get("scales"), list) else []
    if index is not None and not (0 <= index < len(entries) and isinstance(entries[index], dict)):
        abort(404)
    old = entries[index] if index is not None else {}
    form = ScaleForm()
    if request.method == "GET" and index is not None:
        fill_scale_form(form, old)
    elif form.validate_on_submit():
        scale, errors = scale_from_form(form, old, defn)
        show_errors(form, errors)
        if not errors:
            defn["scales"] = list(entries)
            if index is None:
                defn["scales"].append(scale)
            else:
                defn["scales"][index] = scale
                _rename_scale_uses(defn, old.get("id"), scale["id"])
            survey_service.save_draft(survey, defn, current_user)
            flash(f"Scale {scale['id']} saved.", "success")
            return redirect(url_for(".scales", slug=slug))
    elif request.method == "GET":
        form.minimum.data, form.maximum.data = "1", "5"
    used = _scale_uses(defn)
    return render_template("surveys/scales.html", survey=survey, form=form, index=index, used=used,
                           scales=[entry for _, _, entry in dict_entries(defn, "scales")])


def remove_scale(slug: str, index: int):
    """Remove a scale no item uses."""
    survey = _survey(slug)
    defn = survey_service.draft_definition(survey)
    entries = defn.get("scales") if isinstance(defn.get("scales"), list) else []
    if not 0 <= index < len(entries):
        abort(404)
    scale_id = entries[index].get("id") if isinstance(entries[index], dict) else None
    users = _scale_uses(defn).get(scale_id, [])
    if users:
        flash(f"Scale {scale_id} is used by {', '.join(users)}: give those items another scale first.", "error")
    else:
        del defn["scales"][index]
        survey_service.save_draft(survey, defn, current_user)
        flash(f"Scale {scale_id} removed.", "success")
    return redirect(url_for(".scales", slug=slug))


def _scale_uses(defn: dict) -> dict[str, list[str]]:
    uses: dict[str, list[str]] = {}
    for ref in iter_items(defn):
        if isinstance(ref.item.get("scale"), str):
            uses.setdefault(ref.item["scale"], []).append(str(ref.item.get("id")))
    return uses


def _rename_scale_uses(defn: dict, old_id: object, new_id: str) -> None:
    if old_id and old_id != new_id:
        for ref in iter_items(defn):
            if ref.item.get("scale") == old_id:
                ref.item["scale"] = new_id


# --- translations --------------------------------------------------------------------------------

def translations(slug: str):
    """Every text of the draft beside its translation into ``?language=`` (a declared language)."""
    survey = _survey(slug)
    defn = survey_service.draft_definition(survey)
    languages = declared_languages(defn)
    language = request.values.get("language") or (languages[1] if len(languages) > 1 else None)
    if language is not None and language not in languages[1:]:
        abort(404)
    texts = list(iter_texts(defn))
    if request.method == "POST" and language:
        posted = {path: request.form.get(f"text-{number}", "") for number, (path, _) in enumerate(texts)}
        survey_service.save_draft(survey, with_translations(defn, language, posted), current_user)
        flash(f"Translations into '{language}' saved.", "success")
        return redirect(url_for(".translations", slug=slug, language=language))
    rows = [{"number": number, "where": where(defn, path), "default": localise(text, languages[0]),
             "translation": text.get(language, "") if isinstance(text, dict) and language else ""}
            for number, (path, text) in enumerate(texts)]
    return render_template("surveys/translations.html", survey=survey, languages=languages, language=language,
                           rows=rows)


def add_language(slug: str):
    """Declare one more language for the draft (its texts then need translating)."""
    survey = _survey(slug)
    code = (request.form.get("code") or "").strip()
    if not LANGUAGE_CODE.match(code):
        flash("A language code is two or three lower-case letters, optionally with a region (fr, de, pt-BR).",
              "error")
        return redirect(url_for(".translations", slug=slug))
    defn = survey_service.draft_definition(survey)
    survey_service.save_draft(survey, with_language(defn, code), current_user)
    flash(f"Language '{code}' added: translate the texts below, then publish.", "success")
    return redirect(url_for(".translations", slug=slug, language=code))


# --- delete and archive --------------------------------------------------------------------------

def delete(slug: str):
    """Delete a survey nobody has answered (after the confirmation checkbox)."""
    survey = _survey(slug)
    if request.form.get("confirm") != "yes":
        flash("Tick the confirmation box to delete the survey.", "error")
        return redirect(url_for(".survey", slug=slug))
    try:
        survey_service.delete_survey(survey, current_user)
    except VocappError as error:
        flash(str(error), "error")
        return redirect(url_for(".survey", slug=slug))
    flash(f"Survey {slug} deleted.", "success")
    return redirect(url_for(".index"))


def archive(slug: str):
    """Archive a survey (``archived=1``) or bring it back (``archived=0``)."""
    survey = _survey(slug)
    archived = request.form.get("archived") != "0"
    survey_service.set_archived(survey, archived, current_user)
    flash(f"Survey {slug} {'archived' if archived else 'brought back from the archive'}.", "success")
    return redirect(url_for(".survey", slug=slug))
