"""Staff login and logout, throttled per account and per client; the one-time link that sets a password."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from vocapp.errors import VocappError
from vocapp.services.sessions import authenticate, end_session, limiter, start_session
from vocapp.web.hygiene import token_page_headers
from vocapp.services.staff import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_link_user, set_password_from_link

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    remember = BooleanField("Keep me logged in on this device")


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)])
    confirm = PasswordField("The same password again", validators=[
        DataRequired(), EqualTo("password", message="The two passwords differ.")])


def _safe_next(target: str | None) -> str:
    """Follow ``next`` only to a path on this site, never to another host."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("home.index")


def _account_key() -> str:
    """Rate-limit key of the e-mail being tried (hashed: counters in Redis hold no addresses)."""
    email = str(request.form.get("email", "")).strip().lower()
    return "login-account:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()


def _client_key() -> str:
    return f"login-client:{request.remote_addr}"


def _failed(response) -> bool:
    """Only failed attempts use up the allowance (a successful login redirects)."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], key_func=_account_key, methods=["POST"],
               deduct_when=_failed, scope="login-account")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_CLIENT"], key_func=_client_key, methods=["POST"],
               deduct_when=_failed, scope="login-client")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data, client=request.remote_addr)
        if user is None:
            flash("E-mail or password is not right.", "error")
        else:
            remember = bool(form.remember.data)
            config = current_app.config
            lifetime = timedelta(days=config["REMEMBER_DAYS"]) if remember else timedelta(hours=config["SESSION_HOURS"])
            start_session(user, remember, lifetime)
            login_user(user, remember=remember)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End this login on the server too (a copied cookie stops working) and forget the remember cookie."""
    end_session(current_user._get_current_object())
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


#: refused set-password links allowed per client (the token is 256 bits; this stops guessing in bulk)
SET_PASSWORD_BAD_LINK_LIMIT = "20 per hour"


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(SET_PASSWORD_BAD_LINK_LIMIT, key_func=_client_key, scope="set-password-bad-link",
               deduct_when=lambda response: response.status_code == 410)
def set_password(token: str):
    """The invitation or reset link an administrator handed out: choose a password, then log in."""
    if len(token) > 100 or password_link_user(token) is None:
        abort(410, description="This link has expired or was already used; ask an administrator for a new one.")
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = set_password_from_link(token, form.password.data)
        except VocappError as error:
            flash(str(error), "error")
        else:
            if current_user.is_authenticated:
                logout_user()
            flash(f"Password set for {user.email}. Log in with it now.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form)


@bp.after_request
def _set_password_headers(response):
    """The set-password link is a token page: no Referer leaves it, no cache keeps it."""
    return token_page_headers(response) if request.endpoint == "auth.set_password" else response
