"""Import historical responses, pinned to a survey version and marked with source 'import'."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import insert, select

from vocapp.core.imports import ImportIssue, SPREADSHEET_FORMATS, read_table
from vocapp.core.imports.responses import definition_items, validate_responses
from vocapp.extensions import db
from vocapp.models import Contact, ImportRun, Response, StaffUser, SurveyVersion
from vocapp.services.surveys import get_version, version_definition

from .report import ImportReport, header_as_written
from .runs import execute_import

BATCH = 1000


def _as_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def _answer(value: Any) -> Any:
    """A parsed cell as a JSON value (None for missing)."""
    if isinstance(value, list):
        return value
    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def import_responses(path: str | Path, survey_id: str, version: int | None = None, dry_run: bool = False,
                     filename: str | None = None, staff: StaffUser | None = None) -> ImportReport:
    """Validate a responses file against a survey version and, if clean, store every response at once.

    Raises SurveyNotFound for an unknown survey or version.  Every e-mail must
    belong to an existing contact.  A response with the same
    contact and ``submitted_at`` as one already stored for this survey is skipped,
    so importing the same file twice creates nothing the second time. A row of a contact erased on
    request is skipped with a notice: no answers are attached to an erased person.
    """
    survey_version = get_version(survey_id, version)
    definition = {**version_definition(survey_version), "version": survey_version.number}
    version_id = survey_version.id
    all_versions = select(SurveyVersion.id).where(SurveyVersion.survey_id == survey_version.survey_id)

    def work(report: ImportReport, run: ImportRun) -> None:
        frame = read_table(path, report.filename, formats=SPREADSHEET_FORMATS)
        report.set_preview(frame)
        contacts, erased = {}, {}
        for email, contact_id, erased_at in db.session.execute(select(Contact.email, Contact.id, Contact.erased_at)):
            contacts[email] = contact_id
            if erased_at is not None:
                erased[contact_id] = erased_at
        if "email" in frame.columns:  # an erased person's e-mail is stored as its placeholder
            from vocapp.services.rights import erased_placeholder
            for email in set(frame["email"].dropna().astype(str).str.strip().str.lower()) - contacts.keys():
                if erased_placeholder(email) in contacts:
                    contacts[email] = contacts[erased_placeholder(email)]
        result = validate_responses(frame, report.filename, definition, known_emails=contacts.keys())
        report.add_errors(result.errors)
        if not report.ok:
            return
        stored = {(contact_id, _as_utc(submitted)) for contact_id, submitted in db.session.execute(
            select(Response.contact_id, Response.submitted_at)
            .where(Response.survey_version_id.in_(all_versions), Response.submitted_at.is_not(None))).all()}
        item_ids = [item["id"] for item in definition_items(definition)]
        rows, skipped = [], []
        for row_number, row in result.clean.iterrows():
            contact_id = contacts[row["email"]]
            submitted = _as_utc(row["submitted_at"].to_pydatetime())
            if contact_id in erased:
                skipped.append(ImportIssue(report.filename, int(row_number), header_as_written(frame, "email"),
                                           f"contact was erased on {erased[contact_id].date().isoformat()}; "
                                           "responses are not imported"))
                continue
            if (contact_id, submitted) in stored:
                skipped.append(ImportIssue(report.filename, int(row_number), header_as_written(frame, "submitted_at"),
                                           f"{row['email']} already has a response submitted at "
                                           f"{submitted.isoformat()}; this row is skipped"))
                continue
            answers = {item: _answer(row[item]) for item in item_ids}
            rows.append({"survey_version_id": version_id, "contact_id": contact_id, "source": "import",
                         "status": "complete", "started_at": submitted, "submitted_at": submitted,
                         "answers": {item: value for item, value in answers.items() if value is not None},
                         "import_run_id": run.id})
        report.add_skipped(skipped)
        report.created = len(rows)
        if not dry_run:
            for start in range(0, len(rows), BATCH):
                db.session.execute(insert(Response), rows[start:start + BATCH])

    return execute_import("responses", path, filename, dry_run, staff, work)

