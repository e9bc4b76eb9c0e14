"""Which survey, scoring run and placement run an export or report is about."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from vocapp.core.surveys import entries_by_id
from vocapp.errors import VocappError
from vocapp.extensions import db
from vocapp.models import PlacementRun, ScoringRun, Survey, SurveyVersion
from vocapp.services.surveys import get_survey, version_definition

USABLE_STATUSES = ("ok", "warning")


class ExportError(VocappError):
    """An export or report cannot be made; the message says what is missing."""


@dataclass
class ExportScope:
    """The survey (its versions' definitions, newest first), its scoring run and the placement built on it."""

    survey: Survey
    versions: list[SurveyVersion]
    definitions: list[dict]
    scoring_run: ScoringRun | None
    placement_run: PlacementRun | None

    @property
    def constructs(self) -> list[str]:
        """Constructs of the scoring run (else those the newest definition declares)."""
        if self.scoring_run is not None and (self.scoring_run.diagnostics or {}).get("constructs"):
            return list(self.scoring_run.diagnostics["constructs"])
        return list(entries_by_id(self.definitions[0] if self.definitions else {}, "constructs"))

    @property
    def definition(self) -> dict:
        """The newest version's definition ({} before any version)."""
        return self.definitions[0] if self.definitions else {}

    @property
    def version_ids(self) -> list[int]:
        return [version.id for version in self.versions]

    def stem(self, kind: str) -> str:
        """A file name stem naming the survey and the runs, e.g. ``accounts-b2b_relationship-run3``."""
        run = f"-run{self.scoring_run.id}" if self.scoring_run else ""
        return f"{kind}-{self.survey.slug}{run}"


def _latest_run(survey: Survey | None) -> ScoringRun | None:
    stmt = select(ScoringRun).where(ScoringRun.status.in_(USABLE_STATUSES))
    if survey is not None:
        stmt = stmt.where(ScoringRun.survey_id == survey.id)
    return db.session.scalars(stmt.order_by(ScoringRun.id.desc()).limit(1)).first()


def _placement_for(run: ScoringRun | None) -> PlacementRun | None:
    if run is None:
        return None
    stmt = select(PlacementRun).where(PlacementRun.scoring_run_id == run.id).order_by(PlacementRun.id.desc())
    return db.session.scalars(stmt.limit(1)).first()


def resolve_scope(survey_slug: str | None = None, run_id: int | None = None) -> ExportScope:
    """The scope of an export: ``run_id`` (a scoring run), else the latest usable run of the survey
    (or of any survey); the placement run is the latest one built on that scoring run."""
    survey = get_survey(survey_slug) if survey_slug else None
    if run_id is not None:
        run = db.session.get(ScoringRun, run_id)
        if run is None:
            raise ExportError(f"--run: no scoring run with id {run_id}")
        if survey is not None and run.survey_id != survey.id:
            raise ExportError(f"--run: scoring run {run_id} scored another survey than '{survey_slug}'")
    else:
        run = _latest_run(survey)
    if survey is None:
        if run is not None:
            survey = db.session.get(Survey, run.survey_id)
        else:
            surveys = db.session.scalars(select(Survey).order_by(Survey.id).limit(2)).all()
            if len(surveys) != 1:
                raise ExportError("no scoring run yet; name the survey with --survey" if surveys
                                  else "there is no survey yet; load one with `vocapp surveys load`")
            survey = surveys[0]
    versions = list(db.session.scalars(select(SurveyVersion).where(SurveyVersion.survey_id == survey.id)
                                       .order_by(SurveyVersion.number.desc())))
    return ExportScope(survey, versions, [version_definition(v) for v in versions], run, _placement_for(run))


def export_choices(limit: int = 50) -> tuple[list[Survey], list[tuple[int, object, str]]]:
    """Every survey, and the latest usable scoring runs as (id, created_at, survey slug), for pickers."""
    surveys = list(db.session.scalars(select(Survey).order_by(Survey.slug)))
    runs = [tuple(row) for row in db.session.execute(
        select(ScoringRun.id, ScoringRun.created_at, Survey.slug).join(Survey, Survey.id == ScoringRun.survey_id)
        .where(ScoringRun.status.in_(USABLE_STATUSES)).order_by(ScoringRun.id.desc()).limit(limit)).all()]
    return surveys, runs


def record_download(staff, scope: ExportScope, kind: str, fmt: str) -> None:
    """Audit an export download (kind, format, scoring run) and commit."""
    from vocapp.services.staff import record_action

    record_action(staff, "export.download", "survey", scope.survey.id,
                  {"kind": kind, "format": fmt, "scoring_run": scope.scoring_run.id if scope.scoring_run else None})
    db.session.commit()
