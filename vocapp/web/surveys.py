"""The Surveys area (blueprint `surveys` at /surveys): surveys and versions, draft editing, validation, preview,
publish, YAML in/out."""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from vocapp.core.surveys import (ITEM_TYPES, MAX_DEFINITION_BYTES, Problem, dict_entries, dump_definition, has_errors, localise,
                                     validate_definition)
from vocapp.core.surveys.editing import add_item, add_page, move_entry, set_text
from vocapp.core.surveys.wording import describe, plain_message
from vocapp.errors import VocappError
from vocapp.models import Survey
from vocapp.services import surveys as survey_service
from vocapp.web.surveys_forms import (ConstructForm, CreateSurveyForm, ItemForm, PageForm, SettingsForm, UploadForm,
                                       fill_item_form, item_from_form, item_summary, set_item_choices, show_errors)
from vocapp.web import surveys_manage
from vocapp.web.surveys_preview import preview
from vocapp.web.hygiene import int_arg
from vocapp.web.security import role_required

bp = Blueprint("surveys", __name__)
_ITEM_PATH = re.compile(r"^pages\[(\d+)\](?:\.items\[(\d+)\])?(?:\.(\w+))?")


@bp.before_request
@role_required("designer")
def _designers_only() -> None:
    """Every designer page needs a logged-in designer (or admin)."""


def _survey(slug: str) -> Survey:
    try:
        return survey_service.get_survey(slug)
    except survey_service.SurveyNotFound:
        abort(404)


def _draft(slug: str) -> tuple[Survey, dict]:
    """The survey ``slug`` (404 if there is none) and its draft definition."""
    survey = _survey(slug)
    return survey, survey_service.draft_definition(survey)


def _remove_entry(slug: str, key: str, index: int) -> None:
    """Delete entry ``index`` of the draft's ``key`` list (404 if there is none) and save the draft."""
    survey, defn = _draft(slug)
    _entry(defn.get(key), index)
    del defn[key][index]
    _save(survey, defn)


def _save(survey: Survey, defn: dict) -> None:
    survey_service.save_draft(survey, defn, current_user)


def _draft_problems(survey: Survey, defn: dict) -> list[Problem]:
    return validate_definition(defn, f"draft of {survey.slug}")


def problems_at(problems: list[Problem], page_index: int, item_index: int | None = None) -> list[Problem]:
    """Problems whose path is inside page ``page_index`` (and item ``item_index`` if given)."""
    found = []
    for problem in problems:
        match = _ITEM_PATH.match(problem.path)
        if not match or int(match.group(1)) != page_index:
            continue
        problem_item = None if match.group(2) is None else int(match.group(2))
        if item_index is None and problem_item is None or item_index is not None and problem_item == item_index:
            found.append(problem)
    return found


# --- surveys and versions ------------------------------------------------------------------------

@bp.route("/")
def index():
    surveys = survey_service.list_surveys()
    return render_template("surveys/index.html", surveys=surveys, upload_form=UploadForm())


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = CreateSurveyForm()
    if form.validate_on_submit():
        try:
            survey = survey_service.create_survey(form.slug.data.strip(), form.title.data.strip(), current_user)
        except VocappError as exc:
            form.slug.errors.append(str(exc))
        else:
            flash(f"Survey {survey.slug} created. Add items, then publish.", "success")
            return redirect(url_for(".draft", slug=survey.slug))
    return render_template("surveys/new.html", form=form)


@bp.route("/upload", methods=["POST"])
def upload():
    """Upload a YAML/JSON definition as the draft of its survey (created if new)."""
    form = UploadForm()
    if not form.validate_on_submit():
        flash("Choose a YAML or JSON file to upload.", "error")
        return redirect(url_for(".index"))
    filename = form.file.data.filename or "upload.yaml"
    defn, problems = survey_service.read_upload(form.file.data.read(MAX_DEFINITION_BYTES + 1), filename)
    if defn is None or not isinstance(defn.get("id"), str) or not defn["id"]:
        problems = problems or [Problem("error", filename, 1, "id", "the definition needs an id")]
        return _refused(filename, problems)
    if has_errors(problems) and not _exists(defn["id"]):
        return _refused(filename, problems, defn)
    try:
        survey = _survey_for_upload(defn)
    except VocappError as exc:
        return _refused(filename, [Problem("error", filename, None, "id", str(exc))])
    _save(survey, defn)
    flash(f"Uploaded {filename} as the draft of {survey.slug}: "
          f"{sum(p.is_error for p in problems)} error(s), {sum(not p.is_error for p in problems)} warning(s).",
          "error" if has_errors(problems) else "success")
    return redirect(url_for(".draft", slug=survey.slug))


def _exists(slug: str) -> bool:
    try:
        survey_service.get_survey(slug)
    except survey_service.SurveyNotFound:
        return False
    return True


def _refused(filename: str, problems: list[Problem], defn: dict | None = None):
    """The upload stored nothing: record the attempt and show every problem."""
    survey_service.record_refused_upload(filename, problems, current_user)
    return render_template("surveys/upload_failed.html", problems=problems, filename=filename, defn=defn), 400


def _survey_for_upload(defn: dict) -> Survey:
    try:
        return survey_service.get_survey(defn["id"])
    except survey_service.SurveyNotFound:
        return survey_service.create_survey(defn["id"], localise(defn.get("title")) or defn["id"], current_user)


@bp.route("/<slug>")
def survey(slug: str):
    survey = _survey(slug)
    return render_template("surveys/survey.html", survey=survey, counts=survey_service.response_counts(survey))


@bp.route("/<slug>/download")
def download(slug: str):
    """A version (``?version=N``) or the draft (no version) as YAML or JSON (``?format=json``)."""
    survey = _survey(slug)
    fmt = "json" if request.args.get("format") == "json" else "yaml"
    number = int_arg("version")
    if number is None:
        text, name = dump_definition(survey_service.draft_definition(survey), fmt), f"{slug}-draft.{fmt}"
    else:
        try:
            text = survey_service.export_version(slug, number, fmt)
        except survey_service.SurveyNotFound:
            abort(404)
        name = f"{slug}-v{number}.{fmt}"
    mimetype = "application/json" if fmt == "json" else "application/yaml"
    return Response(text, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<slug>/publish", methods=["POST"])
def publish(slug: str):
    survey = _survey(slug)
    try:
        version, created = survey_service.publish_draft(survey, current_user)
    except survey_service.DefinitionInvalid:
        flash("The draft has errors; fix them before publishing.", "error")
        return redirect(url_for(".draft", slug=slug))
    flash(f"Published {slug} version {version.number}." if created else
          f"Nothing to publish: the draft is the same as version {version.number}.", "success")
    return redirect(url_for(".survey", slug=slug))


@bp.route("/<slug>/draft/discard", methods=["POST"])
def discard(slug: str):
    survey_service.discard_draft(_survey(slug), current_user)
    flash("Draft discarded.", "success")
    return redirect(url_for(".survey", slug=slug))


# --- preview (vocapp/web/surveys_preview.py) ------------------------------------------------------

bp.add_url_rule("/<slug>/preview", "preview", preview, methods=["GET", "POST"])

# --- scales, translations, delete and archive (vocapp/web/surveys_manage.py) -----------------------

bp.add_url_rule("/<slug>/draft/scales", "scales", surveys_manage.scales, methods=["GET", "POST"])
bp.add_url_rule("/<slug>/draft/scales/<int:index>", "scales", surveys_manage.scales, methods=["GET", "POST"])
bp.add_url_rule("/<slug>/draft/scales/<int:index>/remove", "remove_scale", surveys_manage.remove_scale,
                methods=["POST"])
bp.add_url_rule("/<slug>/draft/translations", "translations", surveys_manage.translations, methods=["GET", "POST"])
bp.add_url_rule("/<slug>/draft/languages", "add_language", surveys_manage.add_language, methods=["POST"])
bp.add_url_rule("/<slug>/delete", "delete", surveys_manage.delete, methods=["POST"])
bp.add_url_rule("/<slug>/archive", "archive", surveys_manage.archive, methods=["POST"])


# --- draft editing -------------------------------------------------------------------------------

@bp.route("/<slug>/draft")
def draft(slug: str):
    survey, defn = _draft(slug)
    problems = _draft_problems(survey, defn)
    settings = SettingsForm(data={"title": localise(defn.get("title")), "description": localise(
        defn.get("description")), "thank_you": localise(defn.get("thank_you"))})
    pages = [{"index": p, "page": page, "items": [(i, item) for i, _, item in dict_entries(page, "items")]}
             for p, _, page in dict_entries(defn, "pages")]
    return render_template("surveys/draft.html", survey=survey, defn=defn, problems=problems, pages=pages,
                           constructs=[entry for _, _, entry in dict_entries(defn, "constructs")],
                           scales=[entry for _, _, entry in dict_entries(defn, "scales")],
                           problems_at=problems_at, settings=settings, construct_form=ConstructForm(),
                           item_types=ITEM_TYPES)


@bp.route("/<slug>/draft/settings", methods=["POST"])
def settings(slug: str):
    survey, defn = _draft(slug)
    form = SettingsForm()
    if not form.validate_on_submit():
        flash("A survey needs a title.", "error")
        return redirect(url_for(".draft", slug=slug))
    defn["title"] = set_text(defn.get("title"), form.title.data.strip(), defn)
    for key in ("description", "thank_you"):
        value = (getattr(form, key).data or "").strip()
        if value:
            defn[key] = set_text(defn.get(key), value, defn)
        else:
            defn.pop(key, None)
    _save(survey, defn)
    flash("Survey settings saved.", "success")
    return redirect(url_for(".draft", slug=slug))


@bp.route("/<slug>/draft/constructs", methods=["POST"])
def add_construct(slug: str):
    survey, defn = _draft(slug)
    form = ConstructForm()
    if form.validate_on_submit():
        construct = {"id": form.construct_id.data.strip(), "label": form.label.data.strip()}
        if form.description.data and form.description.data.strip():
            construct["description"] = form.description.data.strip()
        defn.setdefault("constructs", []).append(construct)
        _save(survey, defn)
        flash(f"Construct {construct['id']} added.", "success")
    else:
        flash("A construct needs an id and a label.", "error")
    return redirect(url_for(".draft", slug=slug) + "#constructs")


@bp.route("/<slug>/draft/constructs/<int:index>/remove", methods=["POST"])
def remove_construct(slug: str, index: int):
    _remove_entry(slug, "constructs", index)
    return redirect(url_for(".draft", slug=slug) + "#constructs")


def _entry(entries: Any, index: int) -> Any:
    if not isinstance(entries, list) or not 0 <= index < len(entries):
        abort(404)
    return entries[index]


def _page_entry(defn: dict, page: int) -> dict:
    """Page ``page`` of the draft (404 if there is no such page, or it is not a mapping)."""
    entry = _entry(defn.get("pages"), page)
    if not isinstance(entry, dict):
        abort(404)
    return entry


def _item_entry(defn: dict, page: int, item: int) -> dict:
    entry = _entry(_page_entry(defn, page).get("items"), item)
    if not isinstance(entry, dict):
        abort(404)
    return entry


def _direction() -> int:
    return -1 if request.form.get("direction") == "up" else 1


@bp.route("/<slug>/draft/pages/add", methods=["POST"])
def new_page(slug: str):
    survey = _survey(slug)
    defn = add_page(survey_service.draft_definition(survey))
    _save(survey, defn)
    return redirect(url_for(".edit_page", slug=slug, page=len(defn["pages"]) - 1))


@bp.route("/<slug>/draft/pages/<int:page>", methods=["GET", "POST"])
def edit_page(slug: str, page: int):
    survey, defn = _draft(slug)
    entry = _page_entry(defn, page)
    form = PageForm(data={"page_id": entry.get("id"), "title": localise(entry.get("title")),
                          "intro": localise(entry.get("intro"))})
    if form.validate_on_submit():
        entry["id"] = form.page_id.data.strip()
        entry["title"] = set_text(entry.get("title"), form.title.data.strip(), defn)
        if form.intro.data and form.intro.data.strip():
            entry["intro"] = set_text(entry.get("intro"), form.intro.data.strip(), defn)
        else:
            entry.pop("intro", None)
        _save(survey, defn)
        flash("Page saved.", "success")
        return redirect(url_for(".draft", slug=slug) + f"#page-{page}")
    problems = problems_at(_draft_problems(survey, defn), page)
    return render_template("surveys/page.html", survey=survey, form=form, page=page, problems=problems)


@bp.route("/<slug>/draft/pages/<int:page>/move", methods=["POST"])
def move_page(slug: str, page: int):
    survey, defn = _draft(slug)
    _entry(defn.get("pages"), page)
    defn["pages"] = move_entry(defn["pages"], page, _direction())
    _save(survey, defn)
    return redirect(url_for(".draft", slug=slug))


@bp.route("/<slug>/draft/pages/<int:page>/remove", methods=["POST"])
def remove_page(slug: str, page: int):
    _remove_entry(slug, "pages", page)
    flash("Page removed.", "success")
    return redirect(url_for(".draft", slug=slug))


@bp.route("/<slug>/draft/pages/<int:page>/items/add", methods=["POST"])
def new_item(slug: str, page: int):
    survey, defn = _draft(slug)
    _page_entry(defn, page)
    kind = request.form.get("type", "likert")
    if kind not in ITEM_TYPES:
        abort(400)
    if not isinstance(defn["pages"][page].get("items", []), list):
        abort(404)
    defn, index = add_item(defn, page, kind)
    _save(survey, defn)
    return redirect(url_for(".edit_item", slug=slug, page=page, item=index))


@bp.route("/<slug>/draft/pages/<int:page>/items/<int:item>", methods=["GET", "POST"])
def edit_item(slug: str, page: int, item: int):
    survey, defn = _draft(slug)
    old = _item_entry(defn, page, item)
    form = ItemForm()
    set_item_choices(form, defn, page, item)
    if request.method == "GET":
        fill_item_form(form, old)
    elif form.validate_on_submit():
        updated, errors = item_from_form(form, old, defn)
        show_errors(form, errors)
        if not errors:
            defn["pages"][page]["items"][item] = updated
            _save(survey, defn)
            flash(f"Item {updated['id']} saved.", "success")
            return redirect(url_for(".edit_item", slug=slug, page=page, item=item))
    problems = problems_at(_draft_problems(survey, defn), page, item)
    field_problems: dict[str, list[str]] = {}
    for problem in problems:
        match = _ITEM_PATH.match(problem.path)
        field = ItemForm.FIELD_FOR_PATH.get(match.group(3) or "", "")
        field_problems.setdefault(field, []).append(f"{problem.severity}: {plain_message(problem)}")
    return render_template("surveys/item.html", survey=survey, form=form, page=page, item=item, old=old,
                           field_problems=field_problems, defn=defn)


@bp.route("/<slug>/draft/pages/<int:page>/items/<int:item>/move", methods=["POST"])
def move_item(slug: str, page: int, item: int):
    survey, defn = _draft(slug)
    _item_entry(defn, page, item)
    defn["pages"][page]["items"] = move_entry(defn["pages"][page]["items"], item, _direction())
    _save(survey, defn)
    return redirect(url_for(".draft", slug=slug) + f"#page-{page}")


@bp.route("/<slug>/draft/pages/<int:page>/items/<int:item>/remove", methods=["POST"])
def remove_item(slug: str, page: int, item: int):
    survey, defn = _draft(slug)
    removed = _item_entry(defn, page, item)
    del defn["pages"][page]["items"][item]
    _save(survey, defn)
    flash(f"Item {removed.get('id')} removed.", "success")
    return redirect(url_for(".draft", slug=slug) + f"#page-{page}")


bp.add_app_template_global(item_summary, "survey_item_summary")
bp.add_app_template_global(localise, "survey_text")
bp.add_app_template_global(describe, "survey_problem")
