"""The API's request and response schemas (pydantic): requests are validated against them, responses
are built through them, and the OpenAPI document is generated from them (``openapi.py``).

Imported on the first API request only (``routes.schemas()``), so the rest of the app never loads pydantic.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vocapp.core.constants import CONTACT_ROLES, RELATIONSHIPS, STAFF_ROLES

Relationship = Literal[RELATIONSHIPS]  # type: ignore[valid-type]
MAX_PAGE = 500
Text = str | None


class Strict(BaseModel):
    """A request body: unknown fields are refused (a typo must not be ignored silently)."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(Strict):
    limit: int = Field(100, ge=1, le=MAX_PAGE, description="Items per page (1-500).")
    cursor: str | None = Field(None, max_length=200, pattern=r"^[A-Za-z0-9_-]+$",
                               description="`next_cursor` of the previous page (opaque).")


class AccountQuery(PageQuery):
    zone: str | None = Field(None, max_length=40, description="Only accounts in this zone.")
    relationship: Relationship | None = None
    leave_alone: bool | None = Field(None, description="Only accounts left alone (true) or not (false).")
    changed_since: datetime | None = Field(None, description="Only accounts changed or placed since (ISO 8601).")


class ContactQuery(PageQuery):
    relationship: Relationship | None = None
    leave_alone: bool | None = Field(None, description="Only contacts of accounts left alone (true) or not.")
    changed_since: datetime | None = Field(None, description="Only contacts changed since (ISO 8601).")


class ResponseQuery(PageQuery):
    survey: str | None = Field(None, max_length=80, description="Survey slug (default: the latest scored).")
    changed_since: datetime | None = Field(None, description="Only responses changed since (ISO 8601).")


class Page(BaseModel):
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class AccountRow(BaseModel):
    """A row of the accounts export (docs/exports.md); plus one number per construct, ``<c>_low``,
    ``<c>_high`` (the interval bounds) and the behaviour metrics."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, float | None] = Field(init=False)

    account_id: str
    account_name: Text
    relationship: Text
    n_respondents: int | None
    readiness: float | None
    opportunity: float | None
    zone: Text
    leave_alone: bool | None
    leave_alone_reason: Text
    scoring_run_id: int | None
    placement_run_id: int | None


class AccountPage(Page):
    placement_run_id: int | None = Field(description="The placement run the rows come from (the latest).")
    data: list[AccountRow]


class ContactRow(BaseModel):
    """A contact in the shape the contacts import takes, plus its reachability."""

    email: str
    first_name: str
    last_name: str
    account_id: str
    account_name: str
    relationship: Relationship
    role: Text
    language: Text
    attributes: dict[str, Any]
    unsubscribed: bool
    bounced: bool
    complained: bool
    leave_alone_reason: Text
    updated_at: datetime


class ContactPage(Page):
    data: list[ContactRow]


class ResponsePage(Page):
    survey: str
    data: list[dict[str, Any]] = Field(description="Rows of the responses export (docs/exports.md).")


class ScoringRunRow(BaseModel):
    id: int
    survey: str
    created_at: datetime
    status: str
    message: Text
    method: str
    rotation: Text
    refit: bool
    based_on_run_id: int | None
    n_responses: int
    n_flagged: int
    evidence: dict[str, Any] = Field(description="The run's diagnostics: reliability, fit, invariance.")


class ScoringRunPage(Page):
    data: list[ScoringRunRow]


class PlacementRunRow(BaseModel):
    id: int
    created_at: datetime
    as_of: datetime
    scoring_run_id: int | None
    previous_run_id: int | None
    summary: dict[str, Any]


class PlacementRunPage(Page):
    data: list[PlacementRunRow]


class Movement(BaseModel):
    from_zone: str
    to_zone: str
    count: int
    moved: bool


class Movements(BaseModel):
    from_run_id: int | None
    to_run_id: int
    data: list[Movement]


class CampaignRow(BaseModel):
    id: int
    name: str
    status: str
    survey: Text
    invited: int
    completed: int
    created_at: datetime


class CampaignPage(Page):
    data: list[CampaignRow]


class CampaignProgress(BaseModel):
    id: int
    name: str
    status: str
    survey: str
    counts: dict[str, int]
    emails: dict[str, int]
    response_rate: float | None
    by_relationship: list[dict[str, Any]]
    by_zone: list[dict[str, Any]]
    completions_per_day: list[dict[str, Any]]


class SuppressionRow(BaseModel):
    email: str
    first_name: str
    last_name: str
    account_id: str
    account_name: str
    reason: Text


class SuppressionPage(Page):
    placement_run_id: int | None
    data: list[SuppressionRow]


class ContactIn(Strict):
    """One contact, as a row of the contacts import (docs/imports.md): upserted by e-mail."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"email": "ann@example.org", "account_id": "ACC-1", "account_name": "Acme", "relationship": "member",
         "first_name": "Ann", "last_name": "Lee", "role": "decision_maker", "attributes": {"Region": "North"}}]})

    email: str = Field(max_length=320)
    account_id: str = Field(max_length=120)
    relationship: str = Field(max_length=20, description="member, customer or both.")
    first_name: str | None = Field(None, max_length=120)
    last_name: str | None = Field(None, max_length=120)
    account_name: str | None = Field(None, max_length=300)
    role: str | None = Field(None, max_length=40, description=", ".join(CONTACT_ROLES))
    language: str | None = Field(None, max_length=12)
    attributes: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, max_length=100, description="Free columns, kept in the contact's attributes.")


class TransactionIn(Strict):
    """One transaction, as a row of the transactions import (docs/imports.md)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"account_id": "ACC-1", "date": "2025-03-01", "amount": "120.50", "currency": "GBP",
         "category": "membership", "reference": "INV-1001"}]})

    account_id: str = Field(max_length=120)
    date: date
    amount: str | int | float = Field(description="Decimal amount, e.g. \"120.50\".")
    currency: str | None = Field(None, max_length=3)
    category: str = Field(max_length=120)
    description: str | None = Field(None, max_length=500)
    reference: str | None = Field(None, max_length=120)


class ImportResult(BaseModel):
    """What an import did: counts, and records skipped on purpose (e.g. an erased contact)."""

    kind: str
    import_run_id: int | None
    dry_run: bool
    counts: dict[str, int]
    skipped: list[dict[str, Any]]


class ImportOptions(Strict):
    dry_run: bool = Field(False, description="Validate and count, write nothing.")
    create_accounts: bool = Field(False, description="Transactions: create unknown accounts.")


class ScoringStart(Strict):
    survey: str = Field(max_length=80, description="Survey slug.", examples=["b2b_relationship"])
    refit: bool = False


class PlacementStart(Strict):
    as_of: date | None = None


class JobOut(BaseModel):
    id: int
    kind: str
    status: str
    progress: int
    step: Text
    error: Text
    result: dict[str, Any] | None
    finished: bool
    created_at: datetime


class ProblemError(BaseModel):
    """One located problem: the record's index in the array and its field."""

    index: int | None
    field: Text
    detail: str
    pointer: Text = Field(None, description="JSON Pointer into the request body (RFC 6901).")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: Text = None
    instance: Text = None
    errors: list[ProblemError] | None = None
    error_count: int | None = None


ROLES = STAFF_ROLES
