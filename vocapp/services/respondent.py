"""Respondents: open an invitation by its link token, keep its partial response, move its status.

The invitation's status moves ``opened`` (link opened), ``started`` (response begun) and
``completed`` (response submitted) here and nowhere else; :func:`campaign_progress` reads them for
the campaign pages. Every move and every completion is a guarded ``UPDATE ... WHERE status ...``, and
``responses.invitation_id`` is unique, so two tabs or a double-clicked submit can never produce two
responses or complete one twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import DBAPIError

from vocapp.core.surveys.model import pick_language
from vocapp.core.tokens import hash_token
from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import Campaign, Contact, Invitation, InvitationToken, Response, SurveyVersion
from vocapp.models.base import utcnow
from vocapp.models.campaigns import INVITATION_STATUSES
from vocapp.services.webhooks import events as webhook_events

#: longest token accepted for a look-up (new_token() makes 43 characters)
MAX_TOKEN_LENGTH = 128
#: an invitation moves forward only: to "opened" unless it is already at one of _FROM_OPENED, and so on
#: (any earlier status, e.g. pending, queued, sent, failed or bounced, moves on: the link evidently arrived)
_AT_OR_AFTER_COMPLETED = ("completed", "revoked")
_AT_OR_AFTER_STARTED = ("started",) + _AT_OR_AFTER_COMPLETED
_AT_OR_AFTER_OPENED = ("opened",) + _AT_OR_AFTER_STARTED
#: longest time one page visit may add to a page timing (a tab left open overnight is not a slow reader)
MAX_PAGE_SECONDS = 3600.0
_DEFINITIONS: dict[str, dict] = {}  # content hash -> definition; versions are immutable
#: built once: every respondent request runs it
_LOOK_UP = (
    select(Invitation.id, Invitation.status, Invitation.expires_at, Invitation.contact_id,
           Campaign.status.label("campaign_status"), Campaign.survey_version_id,
           SurveyVersion.content_hash, func.coalesce(Invitation.language, Contact.language).label("language"),
           Contact.erased_at,
           Response.id.label("response_id"), Response.status.label("response_status"),
           Response.answers, Response.page_timings, Response.last_page)
    .join(Campaign, Campaign.id == Invitation.campaign_id)
    .join(SurveyVersion, SurveyVersion.id == Campaign.survey_version_id)
    .join(Contact, Contact.id == Invitation.contact_id)
    .outerjoin(Response, Response.invitation_id == Invitation.id)
    # the latest link (invitations.token_hash) or any survey link e-mailed before it (a reminder's
    # predecessors, kept in invitation_tokens until they expire)
    .where(or_(Invitation.token_hash == bindparam("token_hash"), Invitation.id == (
        select(InvitationToken.invitation_id)
        .where(InvitationToken.token_hash == bindparam("token_hash"), InvitationToken.purpose == "survey",
               InvitationToken.expires_at > bindparam("now")).scalar_subquery())))
)


class AnswersNotSaved(VocappError):
    """The database refused to store a page's answers (nothing was written)."""


@dataclass
class Respondent:
    """What the respondent pages need about one valid invitation and its response."""

    invitation_id: int
    invitation_status: str
    contact_id: int
    survey_version_id: int
    definition: dict
    language: str
    response_id: int | None = None
    response_status: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    page_timings: dict[str, float] = field(default_factory=dict)
    last_page: str | None = None

    @property
    def completed(self) -> bool:
        return self.response_status == "complete" or self.invitation_status == "completed"

    @property
    def started(self) -> bool:
        return self.response_id is not None


def open_link(token: str) -> Respondent | None:
    """The invitation behind ``token``, or None when it is unknown, revoked, expired or closed.

    One query: the invitation, its campaign, contact and survey version, and its response if any.
    A link of a completed invitation stays usable (it says "already answered") after it expires.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    # outside a transaction: a page view is then one round trip (no BEGIN, no ROLLBACK); every write
    # that follows is guarded by its own WHERE, so it never relies on this read staying true
    with _autocommit() as connection:
        row = connection.execute(_LOOK_UP, {"token_hash": hash_token(token), "now": utcnow()}).one_or_none()
    if row is None or row.status == "revoked" or row.erased_at is not None:
        return None
    if row.status != "completed" and (row.expires_at <= utcnow() or row.campaign_status == "closed"):
        return None
    definition = _definition(row.survey_version_id, row.content_hash)
    return Respondent(
        invitation_id=row.id, invitation_status=row.status, contact_id=row.contact_id,
        survey_version_id=row.survey_version_id, definition=definition,
        language=pick_language(definition, row.language), response_id=row.response_id,
        response_status=row.response_status, answers=dict(row.answers or {}),
        page_timings=dict(row.page_timings or {}), last_page=row.last_page,
    )


def _autocommit():
    """A connection outside any transaction: one statement, one round trip (no BEGIN, no COMMIT)."""
    return db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _definition(version_id: int, content_hash: str) -> dict:
    if content_hash not in _DEFINITIONS:
        if len(_DEFINITIONS) >= 64:
            _DEFINITIONS.clear()
        _DEFINITIONS[content_hash] = db.session.get(SurveyVersion, version_id).definition
    return _DEFINITIONS[content_hash]


def mark_opened(respondent: Respondent) -> None:
    """Record that the link was opened (first time only)."""
    if respondent.invitation_status not in _AT_OR_AFTER_OPENED:
        with _autocommit() as connection:  # one guarded UPDATE: atomic on its own
            _move_invitation(respondent, "opened", _AT_OR_AFTER_OPENED, connection, opened_at=utcnow())


def start(respondent: Respondent, first_page: str) -> None:
    """Begin the invitation's response (partial, source web) unless it exists; the invitation is started.

    A second tab starting at the same moment meets the unique ``invitation_id`` and simply uses the
    response the first one made.
    """
    if respondent.started:
        return
    now = utcnow()
    try:
        db.session.add(Response(survey_version_id=respondent.survey_version_id, contact_id=respondent.contact_id,
                                invitation_id=respondent.invitation_id, source="web", status="partial",
                                answers={}, page_timings={}, last_page=first_page, started_at=now))
        db.session.flush()
        _move_invitation(respondent, "started", _AT_OR_AFTER_STARTED, started_at=now,
                         opened_at=func.coalesce(Invitation.opened_at, now))
        db.session.commit()
        respondent.last_page = first_page
    except DBAPIError as exc:
        db.session.rollback()
        if db.session.scalar(select(Response.id).where(Response.invitation_id == respondent.invitation_id)) is None:
            raise AnswersNotSaved("Your answers could not be saved just now.") from exc


def save_page(respondent: Respondent, answers: dict[str, Any], page_id: str, seconds: float | None,
              resume_page: str) -> bool:
    """Store the partial response: all answers so far, the page's time, the page to resume at.

    Returns False (and writes nothing) when the response was completed meanwhile, e.g. in another tab.
    Raises :class:`AnswersNotSaved` when the database refuses the write.
    """
    timings = _timings(respondent, page_id, seconds)
    return _write(respondent, {"answers": answers, "page_timings": timings,
                               "duration_seconds": _duration(timings), "last_page": resume_page})


def complete(respondent: Respondent, answers: dict[str, Any], page_id: str, seconds: float | None) -> bool:
    """Submit the response with its final answers; the invitation is completed.

    Exactly one caller wins for a response: True for it, False for every later or concurrent call.
    Raises :class:`AnswersNotSaved` when the database refuses the write.
    """
    timings = _timings(respondent, page_id, seconds)
    now = utcnow()
    return _write(respondent, {"answers": answers, "page_timings": timings, "duration_seconds": _duration(timings),
                               "last_page": None, "status": "complete", "submitted_at": now}, completed_at=now)


def _write(respondent: Respondent, values: dict[str, Any], completed_at: datetime | None = None) -> bool:
    """Update the response while it is still partial (and complete the invitation if asked); commit.

    A page save is one guarded UPDATE, sent outside a transaction (one round trip); completing also moves
    the invitation and records the webhook event, all in the session's one transaction."""
    statement = (update(Response).where(Response.id == respondent.response_id, Response.status == "partial")
                 .values(updated_at=utcnow(), **values))
    try:
        if completed_at is None:
            with _autocommit() as connection:
                won = connection.execute(statement).rowcount == 1
        else:
            won = db.session.execute(statement.execution_options(synchronize_session=False)).rowcount == 1
            if won:
                _move_invitation(respondent, "completed", _AT_OR_AFTER_COMPLETED, completed_at=completed_at,
                                 started_at=func.coalesce(Invitation.started_at, completed_at),
                                 opened_at=func.coalesce(Invitation.opened_at, completed_at))
                webhook_events.response_completed(respondent.response_id)  # in this transaction (outbox)
            db.session.commit()
    except DBAPIError as exc:
        db.session.rollback()
        raise AnswersNotSaved("Your answers could not be saved just now.") from exc
    if won:
        respondent.answers, respondent.page_timings = values["answers"], values["page_timings"]
    return won


def _move_invitation(respondent: Respondent, status: str, not_from: tuple[str, ...], connection: Any = None,
                     **stamps: Any) -> None:
    """The guarded status move, on ``connection`` (default: the session's transaction)."""
    statement = (update(Invitation).where(Invitation.id == respondent.invitation_id, Invitation.status.not_in(not_from))
                 .values(status=status, **stamps))
    if connection is None:
        db.session.execute(statement.execution_options(synchronize_session=False))
    else:
        connection.execute(statement)
    respondent.invitation_status = status


def _timings(respondent: Respondent, page_id: str, seconds: float | None) -> dict[str, float]:
    timings = dict(respondent.page_timings)
    if seconds is not None:
        spent = min(max(float(seconds), 0.0), MAX_PAGE_SECONDS)
        timings[page_id] = round(float(timings.get(page_id, 0.0)) + spent, 3)
    return timings


def _duration(timings: dict[str, float]) -> float | None:
    return round(sum(float(value) for value in timings.values()), 3) if timings else None


@dataclass(frozen=True)
class CampaignProgress:
    """How far a campaign's invitations got: a count per current status, and the funnel."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def opened(self) -> int:
        """Invitations whose link was opened at least once (opened, started or completed)."""
        return self.counts["opened"] + self.started

    @property
    def started(self) -> int:
        """Invitations whose response was begun (started or completed)."""
        return self.counts["started"] + self.completed

    @property
    def completed(self) -> int:
        return self.counts["completed"]


def campaign_progress(campaign_id: int) -> CampaignProgress:
    """Invitation counts of one campaign by status (every status present, zero when none)."""
    rows = db.session.execute(
        select(Invitation.status, func.count()).where(Invitation.campaign_id == campaign_id)
        .group_by(Invitation.status)).all()
    counts = dict.fromkeys(INVITATION_STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return CampaignProgress(counts)
