"""The export tables: their variables and their rows, read from the database in chunks.

Each table reads with one query streamed in partitions of CHUNK_ROWS rows (a server-side cursor on
PostgreSQL), shaped chunk by chunk by ``vocapp.core.exports``; nothing holds the whole table.
Erased contacts never appear; unsubscribed contacts do (analysis, not outreach).
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import pandas as pd
from sqlalchemy import String, func, or_, select, type_coerce

from vocapp.core.canvas.metrics import METRIC_COLUMNS
from vocapp.core.exports import (CODEBOOK_VARIABLES, EXPORT_KINDS, Variable, account_variables, codebook_rows,
                                 conform, contact_variables, option_columns, response_variables, shape_accounts,
                                 shape_contacts, shape_responses)
from vocapp.core.scoring.quality import FLAG_COLUMNS
from vocapp.extensions import db
from vocapp.models import Account, Contact, ContactScore, Placement, Response, SurveyVersion
from vocapp.services.bulk import dialect_name, driver_connection

from .scope import ExportError, ExportScope

CHUNK_ROWS = 10_000


@dataclass
class ExportTable:
    """One export: its variables, a function yielding its conformed chunks, a title, and the SELECT
    its rows come from (none for the codebook)."""

    kind: str
    variables: list[Variable]
    chunks: Callable[[], Iterator[pd.DataFrame]]
    title: str
    statement: Any = None


def driver_rows(stmt, chunk_rows: int) -> Iterator[list[tuple]]:
    """The statement's rows as plain DB-API tuples, ``chunk_rows`` at a time, without per-row result
    objects: PostgreSQL through a server-side (named) cursor, SQLite stepping through the result as it
    is fetched."""
    if dialect_name() == "postgresql":
        compiled = stmt.compile(dialect=db.session.get_bind().dialect, compile_kwargs={"render_postcompile": True})
        connection = driver_connection()
        # plan the cursor for reading all of it, as a plain query is: PostgreSQL's default (plan for the
        # first 10% fast) picks nested loops over freshly imported, not yet analysed tables
        connection.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        with connection.cursor(name=f"vocapp_export_{uuid.uuid4().hex[:12]}") as cursor:
            cursor.execute(str(compiled), compiled.params)
            while rows := cursor.fetchmany(chunk_rows):
                yield rows
        return
    result = db.session.connection().execute(stmt)
    try:
        while rows := result.cursor.fetchmany(chunk_rows):
            yield rows
    finally:
        result.close()


def _stream(stmt, names: list[str], chunk_rows: int, json_columns: tuple[str, ...] = ()) -> Iterator[pd.DataFrame]:
    """The statement's rows in frames of ``chunk_rows``. ``json_columns`` are decoded when the driver
    hands them over as text (SQLite); other columns are as the driver gives them (the shaping types
    every column)."""
    for rows in driver_rows(stmt, chunk_rows):
        frame = pd.DataFrame.from_records(rows, columns=names)
        for name in json_columns:
            frame[name] = frame[name].map(lambda v: json.loads(v) if isinstance(v, str) else v)
        yield frame


#: the columns of ``accounts_statement``, as ``shape_accounts`` takes them
ACCOUNT_NAMES = ["external_id", "name", "zone", "readiness", "opportunity", "leave_alone", "leave_alone_reason",
                 "details"]


def accounts_statement(placement_run_id: int):
    """The placements of one run with their account, by account id (``ACCOUNT_NAMES``)."""
    return (select(Account.external_id, Account.name, Placement.zone, Placement.readiness, Placement.opportunity,
                   Placement.leave_alone, Placement.leave_alone_reason, Placement.details)
            .join(Account, Account.id == Placement.account_id).where(Placement.run_id == placement_run_id)
            .order_by(Account.external_id))


def _time_text(column):
    """A timestamp column handed over as text (parsed vectorised by the shaping, not one datetime
    object per row by the driver): PostgreSQL formats it in UTC; SQLite stores it as text already."""
    if dialect_name() == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI:SS.US")
    return type_coerce(column, String)


def _accounts(scope: ExportScope, chunk_rows: int) -> ExportTable:
    run = scope.placement_run
    if run is None:
        which = f"scoring run {scope.scoring_run.id}" if scope.scoring_run else f"survey '{scope.survey.slug}'"
        raise ExportError(f"no canvas placement for {which} yet; run `vocapp canvas place` first")
    constructs = scope.constructs
    variables = account_variables(constructs, scope.definition, METRIC_COLUMNS)
    stmt = accounts_statement(run.id)
    names = ACCOUNT_NAMES
    scoring_id = run.scoring_run_id

    def chunks():
        for raw in _stream(stmt, names, chunk_rows, ("details",)):
            yield shape_accounts(raw, variables, constructs, METRIC_COLUMNS, scoring_id, run.id)

    return ExportTable("accounts", variables, chunks, f"Accounts, placement run {run.id}", stmt)


def _contacts(scope: ExportScope, chunk_rows: int) -> ExportTable:
    constructs = scope.constructs
    variables = contact_variables(constructs, scope.definition, FLAG_COLUMNS)
    run_id = scope.scoring_run.id if scope.scoring_run else None
    # the database takes each construct out of the JSON objects (no JSON parsing per row in Python)
    # and hands the time over as text (parsed vectorised)
    values = [ContactScore.scores[c].as_float() for c in constructs] + [
        ContactScore.factor_scores[c].as_float() for c in constructs]
    stmt = (select(Contact.email, Account.external_id, Contact.relationship, Contact.role, ContactScore.run_id,
                   ContactScore.flags, ContactScore.excluded, Response.status, _time_text(Response.submitted_at),
                   Response.id, *values)
            .join(Account, Account.id == Contact.account_id)
            # "+ 0": without table statistics SQLite would otherwise look each contact's responses up
            # through the version index (every response of the survey, per contact); this way it uses
            # the contact index
            .outerjoin(Response, (Response.contact_id == Contact.id)
                       & (Response.survey_version_id + 0).in_(scope.version_ids))
            .outerjoin(ContactScore, (ContactScore.response_id == Response.id) & (ContactScore.run_id == run_id))
            # a contact's responses in the order of the (contact_id, submitted_at) index, unsubmitted
            # first: SQLite then reads in index order instead of sorting every contact's rows
            .where(Contact.erased_at.is_(None))
            .order_by(Contact.id, Response.submitted_at.nulls_first(), Response.id))
    names = ["email", "external_id", "relationship", "role", "scored_in", "flags", "excluded", "status",
             "submitted_at", "response_id", *constructs, *(f"{c}_z" for c in constructs)]

    def chunks():
        for raw in _stream(stmt, names, chunk_rows):
            yield shape_contacts(raw, variables, FLAG_COLUMNS, run_id)

    return ExportTable("contacts", variables, chunks, f"Contacts, survey {scope.survey.slug}", stmt)


def responses_statement(scope: ExportScope):
    """Responses to the survey's versions, erased contacts' left out: response_id, external_id,
    version, source, status, submitted_at, duration_seconds, answers."""
    return (select(Response.id, Account.external_id, SurveyVersion.number, Response.source, Response.status,
                   _time_text(Response.submitted_at), Response.duration_seconds, Response.answers)
            .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
            .outerjoin(Contact, Contact.id == Response.contact_id)
            .outerjoin(Account, Account.id == Contact.account_id)
            .where(Response.survey_version_id.in_(scope.version_ids),
                   or_(Response.contact_id.is_(None), Contact.erased_at.is_(None)))
            .order_by(Response.id))


def _responses(scope: ExportScope, chunk_rows: int) -> ExportTable:
    variables = response_variables(scope.definitions)
    options = option_columns(scope.definitions)
    names = ["response_id", "external_id", "version", "source", "status", "submitted_at", "duration_seconds",
             "answers"]
    stmt = responses_statement(scope)

    def chunks():
        for raw in _stream(stmt, names, chunk_rows, ("answers",)):
            yield shape_responses(raw, variables, options)

    return ExportTable("responses", variables, chunks, f"Responses, survey {scope.survey.slug}", stmt)


def datasets(scope: ExportScope) -> dict[str, list[Variable]]:
    """Every export's variables for this scope (the codebook's content)."""
    out = {}
    if scope.placement_run is not None:
        out["accounts"] = account_variables(scope.constructs, scope.definition, METRIC_COLUMNS)
    out["contacts"] = contact_variables(scope.constructs, scope.definition, FLAG_COLUMNS)
    out["responses"] = response_variables(scope.definitions)
    return out


def _codebook(scope: ExportScope, chunk_rows: int) -> ExportTable:
    book = pd.DataFrame(codebook_rows(datasets(scope)), columns=[v.name for v in CODEBOOK_VARIABLES])
    return ExportTable("codebook", CODEBOOK_VARIABLES, lambda: iter([conform(book, CODEBOOK_VARIABLES)]),
                       f"Codebook, survey {scope.survey.slug}")


_BUILDERS = {"accounts": _accounts, "contacts": _contacts, "responses": _responses, "codebook": _codebook}


def export_table(kind: str, scope: ExportScope, chunk_rows: int = CHUNK_ROWS) -> ExportTable:
    """The export ``kind`` (accounts, contacts, responses, codebook) of ``scope``."""
    if kind not in _BUILDERS:
        raise ExportError(f"export: {kind!r} is not one of {', '.join(EXPORT_KINDS)}")
    return _BUILDERS[kind](scope, chunk_rows)
