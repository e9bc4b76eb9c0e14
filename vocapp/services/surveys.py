"""Surveys and their immutable versions: load definitions, list, export, designer drafts."""
from __future__ import annotations

import copy
import re
from os import PathLike
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from vocapp.core.surveys import (Problem, content_hash, definition_schema, dump_definition, has_errors,
                                     load_definition_file as read_definition_file, localise, order_definition,
                                     parse_definition, validate_definition, size_problem)
from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import Campaign, Response, StaffUser, Survey, SurveyVersion, utcnow
from vocapp.services.staff import record_action


class DefinitionInvalid(VocappError):
    """A definition has errors; ``problems`` holds every located problem (errors and warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [problem for problem in problems if problem.is_error]
        more = f" (and {len(errors) - 1} more error(s))" if len(errors) > 1 else ""
        super().__init__(f"{errors[0]}{more}" if errors else "the definition is not valid")


class SurveyNotFound(VocappError):
    """No survey (or version) with the given id / number."""


def load_definition_file(path: str | PathLike, staff: StaffUser | None = None,
                         source: str = "file") -> tuple[SurveyVersion, bool]:
    """Validate a definition file and store it as a new version if its content is new.

    Returns ``(version, created)``; ``created`` is False when the same content is already stored.
    Raises :class:`DefinitionInvalid` if the file has errors.
    """
    defn, problems = read_definition_file(path)
    return store_definition(defn, problems, staff, source)


def load_definition_text(text: str, filename: str, staff: StaffUser | None = None,
                         source: str = "upload") -> tuple[SurveyVersion, bool]:
    """Like :func:`load_definition_file` for text (YAML, or JSON if ``filename`` ends in .json)."""
    defn, problems = parse_definition(text, filename)
    return store_definition(defn, problems, staff, source)


def store_definition(defn: dict | None, problems: list[Problem] | None = None, staff: StaffUser | None = None,
                     source: str = "file") -> tuple[SurveyVersion, bool]:
    """Store ``defn`` as the next version of its survey unless that content is already stored."""
    if problems is None:
        problems = validate_definition(defn)
    if defn is None or has_errors(problems):
        raise DefinitionInvalid(problems)
    digest = content_hash(defn)
    survey = db.session.scalar(select(Survey).where(Survey.slug == defn["id"]))
    if survey is None:
        survey = Survey(slug=defn["id"], title=_title(defn))
        db.session.add(survey)
        db.session.flush()
    existing = db.session.scalar(select(SurveyVersion).where(
        SurveyVersion.survey_id == survey.id, SurveyVersion.content_hash == digest))
    if existing is not None:
        return existing, False
    latest_number = db.session.scalar(select(func.max(SurveyVersion.number)).where(
        SurveyVersion.survey_id == survey.id)) or 0
    version = SurveyVersion(survey_id=survey.id, number=latest_number + 1, definition=copy.deepcopy(defn),
                            content_hash=digest, source=source,
                            created_by_id=staff.id if staff is not None else None)
    survey.title = _title(defn)
    db.session.add(version)
    db.session.flush()
    record_action(staff, "survey.version.create", "survey_version", version.id,
                  {"survey": survey.slug, "number": version.number, "content_hash": digest, "source": source})
    db.session.commit()
    return version, True


def _title(defn: dict) -> str:
    return localise(defn.get("title"), None, defn.get("languages") or ["en"])[:300]


def list_surveys() -> list[Survey]:
    """Every survey, archived ones last, by id, with its versions loaded in one more query (definitions on demand)."""
    versions = selectinload(Survey.versions).defer(SurveyVersion.definition)
    order = (Survey.archived_at.is_not(None), Survey.slug)
    return list(db.session.scalars(select(Survey).options(versions).order_by(*order)))


def survey_ids() -> list[str]:
    """Every survey's id (its definition id), sorted."""
    return list(db.session.scalars(select(Survey.slug).order_by(Survey.slug)))


def surveys_to_score() -> tuple[list[tuple[str, int]], str | None]:
    """Every survey not archived with its number of complete responses, and the one to offer first:
    the survey most recently answered (``None`` when no survey has responses)."""
    rows = db.session.execute(
        select(Survey.slug, func.count(Response.id), func.max(Response.submitted_at))
        .outerjoin(SurveyVersion, SurveyVersion.survey_id == Survey.id)
        .outerjoin(Response, (Response.survey_version_id == SurveyVersion.id) & (Response.status == "complete"))
        .where(Survey.archived_at.is_(None)).group_by(Survey.slug).order_by(Survey.slug)).all()
    answered = [(latest, slug) for slug, count, latest in rows if count]
    default = max(answered, key=lambda pair: (pair[0] is not None, pair[0] or 0, pair[1]))[1] if answered else None
    return [(slug, int(count)) for slug, count, _ in rows], default


def get_survey(slug: str) -> Survey:
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise SurveyNotFound(f"no survey with id '{slug}'")
    return survey


def get_version(slug: str, number: int | None = None) -> SurveyVersion:
    """Version ``number`` of survey ``slug``, or its latest version."""
    survey = get_survey(slug)
    query = select(SurveyVersion).where(SurveyVersion.survey_id == survey.id)
    if number is None:
        version = db.session.scalar(query.order_by(SurveyVersion.number.desc()).limit(1))
        if version is None:
            raise SurveyNotFound(f"survey '{slug}' has no published version yet")
        return version
    version = db.session.scalar(query.where(SurveyVersion.number == number))
    if version is None:
        raise SurveyNotFound(f"survey '{slug}' has no version {number}")
    return version


def version_definition(version: SurveyVersion) -> dict:
    """The stored definition as a fresh dict, keys in documented order and scale points as integers."""
    return order_definition(copy.deepcopy(version.definition))


def export_version(slug: str, number: int | None = None, fmt: str = "yaml") -> str:
    """A stored version as YAML or JSON; loading it again finds the same content."""
    return dump_definition(version_definition(get_version(slug, number)), fmt)


def response_counts(survey: Survey) -> dict[int, int]:
    """Number of responses per version id of ``survey``."""
    rows = db.session.execute(
        select(SurveyVersion.id, func.count(Response.id))
        .outerjoin(Response, Response.survey_version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == survey.id).group_by(SurveyVersion.id))
    return {version_id: count for version_id, count in rows}


def delete_version(version: SurveyVersion, staff: StaffUser | None = None) -> None:
    """Delete a version nobody has answered (one with responses is refused by the model guard)."""
    number, slug = version.number, version.survey.slug
    try:
        db.session.delete(version)
        record_action(staff, "survey.version.delete", "survey", slug, {"number": number})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def delete_survey(survey: Survey, staff: StaffUser | None = None) -> None:
    """Delete a survey nobody has answered, with its versions; one with responses or campaigns is refused."""
    answered = sum(response_counts(survey).values())
    if answered:
        raise VocappError(f"survey '{survey.slug}' has {answered} response(s): archive it instead of deleting it")
    version_ids = [version.id for version in survey.versions]
    if version_ids and db.session.scalar(select(func.count(Campaign.id))
                                         .where(Campaign.survey_version_id.in_(version_ids))):
        raise VocappError(f"survey '{survey.slug}' has campaigns: archive it instead of deleting it")
    slug = survey.slug
    try:
        for version in list(survey.versions):
            db.session.delete(version)
        db.session.flush()
        db.session.delete(survey)
        record_action(staff, "survey.delete", "survey", slug)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def set_archived(survey: Survey, archived: bool, staff: StaffUser | None = None) -> None:
    """Archive (or bring back) a survey: kept with its versions and responses, listed apart."""
    survey.archived_at = utcnow() if archived else None
    record_action(staff, "survey.archive" if archived else "survey.unarchive", "survey", survey.slug)
    db.session.commit()


# --- designer drafts ---------------------------------------------------------------------------

def new_definition(slug: str, title: str) -> dict:
    """A starting draft: one page, the usual agreement scale, no items yet."""
    return {
        "id": slug, "title": title, "languages": ["en"], "constructs": [],
        "scales": [{"id": "agree5", "min": 1, "max": 5,
                    "labels": {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree",
                               4: "Agree", 5: "Strongly agree"},
                    "not_applicable": "Don't know / not applicable"}],
        "pages": [{"id": "page_1", "title": "Page 1", "items": []}],
    }


def create_survey(slug: str, title: str, staff: StaffUser | None = None) -> Survey:
    """Create a survey with an empty draft (nothing is published until :func:`publish_draft`)."""
    if db.session.scalar(select(Survey).where(Survey.slug == slug)) is not None:
        raise VocappError(f"a survey with id '{slug}' already exists")
    rule = definition_schema()["$defs"]["survey_id"]
    if len(slug) > rule["maxLength"]:
        raise VocappError(f"survey id '{slug[:20]}…' is longer than {rule['maxLength']} characters")
    if not re.fullmatch(rule["pattern"], slug):
        raise VocappError(f"survey id '{slug}' {rule['errorMessage']}")
    if not title.strip():
        raise VocappError("a survey needs a title")
    survey = Survey(slug=slug, title=title[:300], draft_definition=new_definition(slug, title),
                    draft_updated_at=utcnow())
    db.session.add(survey)
    db.session.flush()
    record_action(staff, "survey.create", "survey", slug)
    db.session.commit()
    return survey


def draft_definition(survey: Survey) -> dict:
    """The survey's working copy: its saved draft, else a copy of its latest version."""
    if survey.draft_definition is not None:
        return order_definition(copy.deepcopy(survey.draft_definition))
    if survey.versions:
        return version_definition(survey.versions[-1])
    return new_definition(survey.slug, survey.title)


def save_draft(survey: Survey, defn: dict, staff: StaffUser | None = None) -> list[Problem]:
    """Save ``defn`` as the draft (even with errors, so work is never lost); return its problems."""
    if defn.get("id") != survey.slug:
        raise VocappError(f"the definition's id '{defn.get('id')}' does not match survey '{survey.slug}'")
    survey.draft_definition = copy.deepcopy(defn)
    survey.draft_updated_at = utcnow()
    record_action(staff, "survey.draft.save", "survey", survey.slug)
    db.session.commit()
    return validate_definition(defn, f"draft of {survey.slug}")


def discard_draft(survey: Survey, staff: StaffUser | None = None) -> None:
    survey.draft_definition = None
    survey.draft_updated_at = None
    record_action(staff, "survey.draft.discard", "survey", survey.slug)
    db.session.commit()


def publish_draft(survey: Survey, staff: StaffUser | None = None) -> tuple[SurveyVersion, bool]:
    """Store the draft as a new version (same path as ``surveys load``) and clear the draft."""
    defn = draft_definition(survey)
    version, created = store_definition(defn, validate_definition(defn, f"draft of {survey.slug}"), staff,
                                        source="designer")
    survey.draft_definition = None
    survey.draft_updated_at = None
    db.session.commit()
    return version, created


def read_upload(data: bytes, filename: str) -> tuple[dict | None, list[Problem]]:
    """Parse an uploaded definition file (UTF-8 YAML or JSON); ``data`` may be cut at MAX_DEFINITION_BYTES + 1."""
    too_large = size_problem(len(data), filename)
    if too_large is not None:
        return None, [too_large]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return None, [Problem("error", filename, line, "", "file is not UTF-8 text")]
    return parse_definition(text, Path(filename).name or "upload.yaml")


def record_refused_upload(filename: str, problems: list[Problem], staff: StaffUser | None = None) -> None:
    """Audit a definition upload that stored nothing (first problems kept, shortened)."""
    errors = [str(problem)[:300] for problem in problems if problem.is_error][:5]
    record_action(staff, "survey.upload_refused", "survey", None, {"filename": filename[:300], "errors": errors})
    db.session.commit()
