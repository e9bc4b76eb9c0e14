"""The imports area: upload pages for the three imports, upload -> preview (dry run) -> confirm.

The uploaded file is kept in ``instance/uploads`` under its uploader's id and a random name between the
preview and the confirmation, then deleted. It is deleted at once when the preview finds an error or
fails; each user keeps at most UPLOAD_PREVIEWS_PER_USER waiting files (older ones are removed), and
files older than UPLOAD_PREVIEW_HOURS are removed on the next upload by anyone.
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.utils import secure_filename

from vocapp.errors import VocappError
from vocapp.web.security import role_required

if TYPE_CHECKING:
    from vocapp.services.imports import ImportReport

#: kind -> (roles allowed to import it, title)
KINDS = {
    "contacts": (("designer",), "Accounts and contacts"),
    "responses": (("designer",), "Historical responses"),
    "transactions": (("analyst",), "Transactions"),
}
bp = Blueprint("imports", __name__)

TOKEN = re.compile(r"^[0-9a-f]{32}$")
SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".pq"}
RECENT_RUNS = 20


def _upload_dir() -> Path:
    """Folder of uploads waiting for confirmation; files older than UPLOAD_PREVIEW_HOURS are removed."""
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    expired = time.time() - 3600 * current_app.config["UPLOAD_PREVIEW_HOURS"]
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < expired:
            path.unlink(missing_ok=True)
    return folder


def _make_room(folder: Path) -> None:
    """Remove the current user's oldest waiting uploads so one more fits within UPLOAD_PREVIEWS_PER_USER."""
    mine = sorted(folder.glob(f"{current_user.id}-*"), key=lambda path: path.stat().st_mtime)
    keep = max(current_app.config["UPLOAD_PREVIEWS_PER_USER"] - 1, 0)
    for path in mine[:max(len(mine) - keep, 0)]:
        path.unlink(missing_ok=True)


def _stored_file(token: str, suffix: str) -> Path:
    """The current user's waiting upload (another user's token names no file)."""
    if not TOKEN.match(token) or suffix not in SUFFIXES:
        abort(400)
    path = _upload_dir() / f"{current_user.id}-{token}{suffix}"
    if not path.is_file():
        abort(410)  # already imported, or expired
    return path


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        abort(404)
    if not current_user.has_role(*KINDS[kind][0]):
        abort(403)


def _options() -> dict:
    return {"survey": request.form.get("survey", ""), "version": request.form.get("version", "").strip(),
            "create_accounts": bool(request.form.get("create_accounts"))}


def _run(kind: str, path: Path, filename: str, options: dict, dry_run: bool) -> ImportReport:
    from vocapp.services.imports import import_contacts, import_responses, import_transactions

    if kind == "contacts":
        return import_contacts(path, dry_run=dry_run, filename=filename, staff=current_user)
    if kind == "responses":
        version = int(options["version"]) if options["version"].isdigit() else None
        return import_responses(path, options["survey"], version=version, dry_run=dry_run, filename=filename,
                                staff=current_user)
    return import_transactions(path, create_accounts=options["create_accounts"], dry_run=dry_run,
                               filename=filename, staff=current_user)


@bp.route("/")
@role_required("designer", "analyst")
def index():
    """The three upload forms and the latest import runs."""
    from vocapp.services.imports.runs import recent_runs
    from vocapp.services.surveys import survey_ids

    surveys, runs = survey_ids(), recent_runs(RECENT_RUNS)
    allowed = [kind for kind, (roles, _) in KINDS.items() if current_user.has_role(*roles)]
    return render_template("imports/index.html", kinds=KINDS, allowed=allowed, surveys=surveys, runs=runs)


@bp.route("/<kind>", methods=["POST"])
@role_required("designer", "analyst")
def upload(kind: str):
    """Store the upload under a random name and show what importing it would do."""
    _check_kind(kind)
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        flash("Choose a file to upload.", "error")
        return redirect(url_for("imports.index"))
    filename = secure_filename(upload_file.filename) or "upload"
    suffix = Path(filename).suffix.lower()
    token = secrets.token_hex(16)
    folder = _upload_dir()
    _make_room(folder)
    stored = folder / f"{current_user.id}-{token}{suffix if suffix in SUFFIXES else '.bin'}"
    options = _options()
    report = None
    try:
        upload_file.save(stored)
        report = _run(kind, stored, filename, options, dry_run=True)
    except VocappError as error:
        flash(str(error), "error")
        return redirect(url_for("imports.index"))
    finally:
        if report is None or not report.ok:
            stored.unlink(missing_ok=True)
    return render_template("imports/preview.html", kind=kind, title=KINDS[kind][1], report=report, token=token,
                           suffix=stored.suffix, filename=filename, options=options)


@bp.route("/<kind>/confirm", methods=["POST"])
@role_required("designer", "analyst")
def confirm(kind: str):
    """Import the previewed file for real (all or nothing), then delete it."""
    _check_kind(kind)
    path = _stored_file(request.form.get("token", ""), request.form.get("suffix", ""))
    filename = secure_filename(request.form.get("filename", "")) or path.name
    try:
        report = _run(kind, path, filename, _options(), dry_run=False)
    except VocappError as error:
        flash(str(error), "error")
        return redirect(url_for("imports.index"))
    finally:
        path.unlink(missing_ok=True)
    if report.ok:
        flash(report.summary(), "success")
        return redirect(url_for("imports.index"))
    return render_template("imports/preview.html", kind=kind, title=KINDS[kind][1], report=report, token=None,
                           suffix="", filename=filename, options=_options())
