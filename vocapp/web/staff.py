"""Administrators manage staff: invite, change role, deactivate, end sessions, reset a password (audited)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Email, Length

from vocapp.errors import VocappError
from vocapp.core.constants import STAFF_ROLES
from vocapp.models import StaffUser
from vocapp.services import staff as staff_service
from vocapp.services.sessions import end_sessions_now, open_session_counts
from vocapp.web.security import role_required

bp = Blueprint("staff", __name__)


class InviteForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])
    role = SelectField("Role", choices=list(STAFF_ROLES), default="analyst")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=list(STAFF_ROLES))


def _user(user_id: int) -> StaffUser:
    user = staff_service.get_staff(user_id)
    if user is None:
        abort(404)
    return user


@contextmanager
def _refusal_flashed() -> Iterator[None]:
    """Run the block; a VocappError it raises (the service refused the change) is flashed as an error."""
    try:
        yield
    except VocappError as error:
        flash(str(error), "error")


def _link_page(user: StaffUser, token: str, purpose: str):
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("auth.set_password", token=token)
    hours = int(staff_service.PASSWORD_LINK_TTL.total_seconds() // 3600)
    return render_template("staff/link.html", user=user, link=link, purpose=purpose, hours=hours)


@bp.route("")
@role_required("admin")
def index():
    """Who has access, with which role, how many open sessions; the invitation form."""
    users = staff_service.list_staff()
    return render_template("staff/index.html", users=users, sessions=open_session_counts(), form=InviteForm(),
                           roles=STAFF_ROLES)


@bp.route("/invite", methods=["POST"])
@role_required("admin")
def invite():
    form = InviteForm()
    if not form.validate_on_submit():
        flash("Invitation: " + " ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()), "error")
        return redirect(url_for("staff.index"))
    try:
        user, token = staff_service.invite_staff(form.email.data, form.role.data, current_user)
    except VocappError as error:
        flash(str(error), "error")
        return redirect(url_for("staff.index"))
    return _link_page(user, token, "invitation")


@bp.route("/<int:user_id>/role", methods=["POST"])
@role_required("admin")
def change_role(user_id: int):
    user = _user(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400, description="Choose one of the roles.")
    with _refusal_flashed():
        staff_service.set_role(user, form.role.data, current_user)
        flash(f"{user.email} is now {user.role}.", "success")
    return redirect(url_for("staff.index"))


@bp.route("/<int:user_id>/<any(deactivate, activate):action>", methods=["POST"])
@role_required("admin")
def set_active(user_id: int, action: str):
    user = _user(user_id)
    with _refusal_flashed():
        staff_service.set_active(user, action == "activate", current_user)
        flash(f"{user.email} is {'active' if user.active else 'deactivated; every session ended'}.", "success")
    return redirect(url_for("staff.index"))


@bp.route("/<int:user_id>/end-sessions", methods=["POST"])
@role_required("admin")
def end_sessions(user_id: int):
    user = _user(user_id)
    count = end_sessions_now(user, current_user)
    flash(f"Ended {count} session(s) of {user.email}.", "success")
    if user.id == current_user.id:
        return redirect(url_for("auth.login"))
    return redirect(url_for("staff.index"))


@bp.route("/<int:user_id>/reset-password", methods=["POST"])
@role_required("admin")
def reset_password(user_id: int):
    user = _user(user_id)
    if not user.active:
        flash(f"{user.email} is deactivated; activate the user first.", "error")
        return redirect(url_for("staff.index"))
    token = staff_service.password_link(user, current_user)
    if user.id == current_user.id:
        return redirect(url_for("auth.set_password", token=token))
    return _link_page(user, token, "password reset")


