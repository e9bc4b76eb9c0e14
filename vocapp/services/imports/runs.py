"""All-or-nothing execution of an import and its record in the import_runs table."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import defer

from vocapp.core.imports import ImportFileError, ImportIssue
from vocapp.extensions import db
from vocapp.models import ImportRun, StaffUser, utcnow
from vocapp.services.staff import record_action

from .report import MAX_KEPT_ISSUES, ImportReport

logger = logging.getLogger(__name__)

#: a function that validates the file into ``report`` and, when nothing is wrong and it is
#: not a dry run, writes everything through the session (without committing)
ImportWork = Callable[[ImportReport, ImportRun], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def execute_import(kind: str, path: str | Path | None, filename: str | None, dry_run: bool,
                   staff: StaffUser | None, work: ImportWork, sha256: str | None = None) -> ImportReport:
    """Run ``work`` in one transaction: commit only when it found no error and this is no dry run.

    Every attempt - written, refused or dry run - is recorded as an ImportRun. Without a file (``path``
    None: the API's JSON records) give ``filename`` and the ``sha256`` of what was sent.
    """
    filename = filename or Path(path).name
    report = ImportReport(kind, filename, dry_run)
    staff_id = staff.id if staff is not None else None
    sha256 = sha256 or file_sha256(Path(path))
    run = ImportRun(kind=kind, filename=filename, sha256=sha256, dry_run=dry_run, staff_user_id=staff_id)
    try:
        db.session.add(run)
        db.session.flush()
        work(report, run)
    except ImportFileError as error:
        report.add_errors(error.issues)
    except SQLAlchemyError as error:
        db.session.rollback()
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        report.add_errors([ImportIssue(filename, None, None, f"the database refused the import: {detail}")])
    except Exception as error:  # noqa: BLE001 - a file no reader foresaw is still a recorded, failed attempt
        db.session.rollback()
        logger.exception("import of %s (%s) failed unexpectedly", filename, kind)
        report.add_errors([ImportIssue(filename, None, None, f"the file could not be read ({type(error).__name__}); "
                                                             "nothing was imported")])
    except BaseException:
        db.session.rollback()
        raise
    if report.written:
        run.status = "succeeded"
    else:
        db.session.rollback()
        run = ImportRun(kind=kind, filename=filename, sha256=sha256, dry_run=dry_run, staff_user_id=staff_id,
                        status="dry_run" if report.ok else "failed")
        db.session.add(run)
    run.counts = report.counts()
    run.errors = [str(issue) for issue in report.errors[:MAX_KEPT_ISSUES]]
    run.finished_at = utcnow()
    db.session.flush()
    if staff is not None:
        record_action(staff, f"import.{kind}", "import_run", run.id,
                      {"filename": filename, "status": run.status, "counts": run.counts})
    db.session.commit()
    report.run_id = run.id
    return report


def recent_runs(limit: int) -> list[ImportRun]:
    """The latest ``limit`` import runs, newest first, without their stored error messages (up to
    MAX_KEPT_ISSUES each; reading them raises)."""
    return list(db.session.scalars(select(ImportRun).options(defer(ImportRun.errors, raiseload=True))
                                   .order_by(ImportRun.id.desc()).limit(limit)))
