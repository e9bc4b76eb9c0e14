"""Staff pages for invitation campaigns: designers create, preview, send, remind and close; analysts read."""
from __future__ import annotations

import importlib

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from vocapp.errors import VocappError
from vocapp.services.surveys import get_version, list_surveys
from vocapp.web.campaigns_chart import completions_svg
from vocapp.web.campaigns_forms import PLACEHOLDER_HINT, ActionForm, CreateCampaignForm, MessageForm
from vocapp.web.security import role_required


def _load(name: str):
    """A module imported on a campaign page's first request, not with the app: the campaign rules and
    services use pandas, which a web worker that never shows a campaign page need not hold."""
    return importlib.import_module(name)


bp = Blueprint("campaigns", __name__)
READ_ROLES = ("designer", "analyst")


def _campaign(campaign_id: int):
    try:
        return _load("vocapp.services.campaigns").get_campaign(campaign_id)
    except _load("vocapp.services.campaigns").CampaignError:
        abort(404)


def _create_form() -> CreateCampaignForm:
    form = CreateCampaignForm()
    form.survey.choices = [SelectChoice(s.slug, f"{s.slug}: {s.title}") for s in list_surveys() if s.versions]
    form.zone.choices = [SelectChoice(z.name, z.name) for z in _load("vocapp.services.canvas_definitions").current_definition().zones]
    return form


@bp.route("/")
@role_required(*READ_ROLES)
def index():
    """Every campaign with its status and counts."""
    return render_template("campaigns/index.html", rows=_load("vocapp.services.campaigns").list_rows())


@bp.route("/new", methods=["GET", "POST"])
@role_required("designer")
def new():
    """The create form; "Check reach" shows who the filters reach and who is left out, "Create" saves."""
    form = _create_form()
    reach = None
    if request.method == "POST" and form.validate():
        include = bool(form.include_leave_alone.data)
        try:
            if request.form.get("action") == "create":
                campaign, _ = _load("vocapp.services.campaigns").create_campaign(
                    form.survey.data, form.name.data, version_number=form.version.data, filters=form.filters(),
                    closes=form.closes.data, opens=form.opens.data, max_reminders=form.max_reminders.data,
                    reminder_days=form.reminder_days.data, include_leave_alone=include, reason=form.reason.data,
                    staff=current_user)
                flash(f"Campaign {campaign.id} created as a draft.", "success")
                return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
            reach = _load("vocapp.services.campaigns").reach(get_version(form.survey.data, form.version.data), form.filters(), include).summary()
        except VocappError as exc:
            form.form_errors.append(str(exc))
    return render_template("campaigns/new.html", form=form, reach=reach, labels=_load("vocapp.core.campaigns.audience").REASON_LABELS)


@bp.route("/reach", methods=["POST"])
@role_required("designer")
def reach_fragment():
    """The reach section alone for the create form's filters (static/js/campaigns.js updates the page
    with it as the filters change; without JavaScript the "Check reach" button does the same)."""
    form = _create_form()
    if not form.validate():
        return render_template("campaigns/_reach.html", reach=None, errors=form.errors, labels=_load("vocapp.core.campaigns.audience").REASON_LABELS)
    try:
        reach = _load("vocapp.services.campaigns").reach(get_version(form.survey.data, form.version.data), form.filters(),
                              bool(form.include_leave_alone.data)).summary()
    except VocappError as exc:
        return render_template("campaigns/_reach.html", reach=None, errors={"form": [str(exc)]}, labels=_load("vocapp.core.campaigns.audience").REASON_LABELS)
    return render_template("campaigns/_reach.html", reach=reach, labels=_load("vocapp.core.campaigns.audience").REASON_LABELS)


@bp.route("/<int:campaign_id>")
@role_required(*READ_ROLES)
def detail(campaign_id: int):
    """One campaign: audience, override, message, actions, what closing did, held-back contacts."""
    campaign = _campaign(campaign_id)
    held, n_held = _load("vocapp.services.campaigns").held_back(campaign.id, limit=200)
    unconfirmed, n_unconfirmed = _load("vocapp.services.campaigns").unconfirmed_emails(campaign.id, limit=200)
    form = MessageForm(obj=campaign)
    return render_template("campaigns/detail.html", campaign=campaign, status=_load("vocapp.services.campaigns").campaign_status(campaign.id),
                           audit=_load("vocapp.services.campaigns").campaign_audit(campaign.id), held=held, n_held=n_held,
                           unconfirmed=unconfirmed, n_unconfirmed=n_unconfirmed, form=form,
                           action_form=ActionForm(), hint=PLACEHOLDER_HINT,
                           can_edit=current_user.has_role("designer"))


@bp.route("/<int:campaign_id>/message", methods=["POST"])
@role_required("designer")
def message(campaign_id: int):
    """Save the e-mail texts (before sending), then show the preview."""
    campaign = _campaign(campaign_id)
    form = MessageForm()
    if form.validate():
        try:
            _load("vocapp.services.campaigns").update_message(campaign, current_user, **{name: getattr(form, name).data or "" for name in
                                   ("email_subject", "email_body", "reminder_subject", "reminder_body")})
            flash("Message saved.", "success")
            return redirect(url_for("campaigns.preview", campaign_id=campaign.id))
        except VocappError as exc:
            flash(str(exc), "error")
    else:
        flash("; ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id))


def _kind() -> str:
    return "reminder" if request.args.get("kind") == "reminder" else "invitation"


@bp.route("/<int:campaign_id>/preview")
@role_required(*READ_ROLES)
def preview(campaign_id: int):
    """The rendered e-mail (subject, text part; the HTML part in a sandboxed frame)."""
    campaign = _campaign(campaign_id)
    subject, text, _ = _load("vocapp.services.campaigns").preview_message(campaign.id, _kind())
    return render_template("campaigns/preview.html", campaign=campaign, subject=subject, text=text, kind=_kind(),
                           can_send_test=current_user.has_role("designer"))


@bp.route("/<int:campaign_id>/preview.html")
@role_required(*READ_ROLES)
def preview_html(campaign_id: int):
    """The HTML part alone, served sandboxed (no scripts, no same-origin) for the preview frame."""
    campaign = _campaign(campaign_id)
    _, _, html = _load("vocapp.services.campaigns").preview_message(campaign.id, _kind())
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; frame-ancestors 'self'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _posted_campaign(campaign_id: int):
    """The campaign an action form was posted for (400 without its CSRF token)."""
    campaign = _campaign(campaign_id)
    if not ActionForm().validate():
        abort(400)
    return campaign


@bp.route("/<int:campaign_id>/test-message", methods=["POST"])
@role_required("designer")
def test_message(campaign_id: int):
    """E-mail the previewed message, marked [Test], to the staff user's own address (a job)."""
    from vocapp.jobs import enqueue

    campaign = _posted_campaign(campaign_id)
    job = enqueue("campaigns.test_message", started_by=current_user, campaign_id=campaign.id, message=_kind())
    return redirect(url_for("jobs.job", job_id=job.id))


def _act(campaign_id: int, action: str):
    """Start the send, remind or closing job and answer with its page (the job links back here)."""
    from vocapp.jobs import enqueue

    campaign = _posted_campaign(campaign_id)
    try:
        if action == "close":
            _load("vocapp.services.campaigns").close_campaign(campaign.id, staff=current_user)
        else:
            _load("vocapp.core.campaigns.policy").check_transition(campaign.status, action)
        job_id = enqueue(f"campaigns.{action}", started_by=current_user, campaign_id=campaign.id).id
    except VocappError as exc:
        flash(str(exc), "error")
        return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    return redirect(url_for("jobs.job", job_id=job_id))


@bp.route("/<int:campaign_id>/send", methods=["POST"])
@role_required("designer")
def send(campaign_id: int):
    """Send the invitations."""
    return _act(campaign_id, "send")


@bp.route("/<int:campaign_id>/remind", methods=["POST"])
@role_required("designer")
def remind(campaign_id: int):
    """Send the reminders that are due."""
    return _act(campaign_id, "remind")


@bp.route("/<int:campaign_id>/close", methods=["POST"])
@role_required("designer")
def close(campaign_id: int):
    """Close the campaign and re-score and re-place."""
    return _act(campaign_id, "close")


@bp.route("/<int:campaign_id>/resend", methods=["POST"])
@role_required("designer")
def resend(campaign_id: int):
    """Re-send the unconfirmed e-mails ticked (or all of them) as a job; answers with the job's page."""
    from vocapp.jobs import enqueue

    campaign = _posted_campaign(campaign_id)
    ids = None if request.form.get("all") else [int(i) for i in request.form.getlist("invitation") if i.isdigit()]
    if ids == []:
        flash("Tick the e-mails to re-send, or choose “Re-send all”.", "error")
        return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    job_id = enqueue("campaigns.resend", started_by=current_user, campaign_id=campaign.id, invitation_ids=ids).id
    return redirect(url_for("jobs.job", job_id=job_id))


@bp.route("/<int:campaign_id>/progress")
@role_required(*READ_ROLES)
def progress(campaign_id: int):
    """Invited, sent, opened, started, completed, bounced, unsubscribed; rates by relationship and zone;
    completions per day."""
    campaign = _campaign(campaign_id)
    status = _load("vocapp.services.campaigns").campaign_status(campaign.id)
    return render_template("campaigns/progress.html", campaign=campaign, status=status,
                           chart=Markup(completions_svg(status["completions_per_day"])))
