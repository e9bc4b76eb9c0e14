"""Staff pages for analysts: export downloads (streamed), the results report and the director summary."""
from __future__ import annotations

import os
import tempfile

from flask import (Blueprint, Response, current_app, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_login import current_user

from vocapp.core.constants import EXPORT_FORMATS, EXPORT_KINDS
from vocapp.errors import VocappError
from vocapp.web.hygiene import int_arg
from vocapp.web.security import role_required

bp = Blueprint("exports", __name__)
BLOCK = 64 * 1024


def _choice() -> tuple[str | None, int | None]:
    return (request.args.get("survey") or None), int_arg("run")


def _query() -> dict:
    survey, run = _choice()
    return {k: v for k, v in (("survey", survey), ("run", run), ("campaign", int_arg("campaign"))) if v}


def _results():
    """The results report asked for: a campaign's (``?campaign=ID``) or the survey's."""
    from vocapp.services.exports.report import campaign_report, results_report
    campaign = int_arg("campaign")
    if campaign is not None:
        return campaign_report(campaign, int_arg("run"))
    return results_report(*_choice())


@bp.route("/")
@role_required("analyst")
def index():
    """Pick a survey and scoring run; download each export in each format; open the reports."""
    from vocapp.services.exports import export_choices, resolve_scope
    surveys, runs = export_choices()
    scope, problem = None, None
    try:
        scope = resolve_scope(*_choice())
    except VocappError as exc:
        problem = str(exc)
    return render_template("exports/index.html", surveys=surveys, runs=runs, scope=scope, problem=problem,
                           kinds=EXPORT_KINDS, formats=EXPORT_FORMATS, query=_query())


def _file_blocks(path: str):
    """The file's bytes in blocks; the temporary file is removed once sent (or the client went away)."""
    try:
        with open(path, "rb") as handle:
            while block := handle.read(BLOCK):
                yield block
    finally:
        os.unlink(path)


@bp.route("/<any(accounts, contacts, responses, codebook):kind>.<any(csv, xlsx, sav, parquet, json):fmt>")
@role_required("analyst")
def download(kind: str, fmt: str):
    """One export as a file. CSV and JSON stream chunk by chunk as they are read; Excel, Parquet and
    SPSS are written to a temporary file first and streamed from it."""
    from vocapp.core.exports import MEDIA_TYPES, STREAMED_FORMATS, iter_csv, iter_json, write_file
    from vocapp.services.exports import export_table, record_download, resolve_scope
    try:
        scope = resolve_scope(*_choice())
        table = export_table(kind, scope)
    except VocappError as exc:
        flash(str(exc), "error")
        return redirect(url_for("exports.index", **_query()))
    record_download(current_user, scope, kind, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{scope.stem(kind)}.{fmt}"'}
    if fmt in STREAMED_FORMATS:
        blocks = (iter_csv if fmt == "csv" else iter_json)(table.variables, table.chunks())
        return Response(stream_with_context(blocks), mimetype=MEDIA_TYPES[fmt], headers=headers)
    handle, path = tempfile.mkstemp(suffix=f".{fmt}", dir=current_app.instance_path)
    os.close(handle)
    try:
        write_file(fmt, table.variables, table.chunks(), path, title=kind, codebook={kind: table.variables})
    except Exception:
        os.unlink(path)
        raise
    headers["Content-Length"] = str(os.path.getsize(path))
    return Response(_file_blocks(path), mimetype=MEDIA_TYPES[fmt], headers=headers, direct_passthrough=True)


@bp.route("/report")
@role_required("analyst")
def report():
    """The results report (a survey's, or with ``?campaign=ID`` a campaign's): every item's answers
    overall, by relationship and by zone (small groups hidden)."""
    try:
        found = _results()
    except VocappError as exc:
        flash(str(exc), "error")
        return redirect(url_for("exports.index", **_query()))
    return render_template("exports/report.html", report=found, query=_query())


@bp.route("/report.csv")
@role_required("analyst")
def report_csv():
    """The results report as a long CSV table (free text left out; small groups suppressed)."""
    from vocapp.core.exports import MEDIA_TYPES, Variable, conform, iter_csv
    from vocapp.core.exports.report import REPORT_COLUMNS, report_rows
    try:
        found = _results()
    except VocappError as exc:
        flash(str(exc), "error")
        return redirect(url_for("exports.index", **_query()))
    variables = [Variable(c, c, "float" if c in ("percent", "mean", "sd") else
                          "integer" if c in ("n", "count") else "string") for c in REPORT_COLUMNS]
    body = b"".join(iter_csv(variables, [conform(report_rows(found.items), variables)]))
    stem = found.scope.stem("report") + (f"-campaign{found.campaign.id}" if found.campaign is not None else "")
    return Response(body, mimetype=MEDIA_TYPES["csv"], headers={
        "Content-Disposition": f'attachment; filename="{stem}.csv"'})


@bp.route("/summary")
@role_required("analyst")
def summary():
    """The one-page director summary (printable)."""
    from vocapp.services.exports.report import director_summary
    try:
        found = director_summary(*_choice())
    except VocappError as exc:
        flash(str(exc), "error")
        return redirect(url_for("exports.index", **_query()))
    return render_template("exports/summary.html", summary=found, query=_query())
