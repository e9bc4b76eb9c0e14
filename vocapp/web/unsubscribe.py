"""``/u/<token>``: unsubscribe from every survey e-mail without logging in.

GET shows one button; POST unsubscribes at once. The RFC 8058 one-click POST a mail client sends
(body ``List-Unsubscribe=One-Click``) carries no CSRF token: the unguessable, hashed, expiring token in
the URL authenticates it, and only that exact request skips the CSRF check.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from vocapp.services.sessions import limiter
from vocapp.web.campaigns_forms import ActionForm
from vocapp.web.hygiene import token_page_headers


def _campaigns():
    """The campaigns service, imported on the first unsubscribe request (not with the app)."""
    from vocapp.services import campaigns

    return campaigns


bp = Blueprint("unsubscribe", __name__)
LIMIT = "30 per minute"
limiter.limit(LIMIT)(bp)  # per client, by the app's limiter (the API has its own)


@bp.record_once
def _bind_extensions(state) -> None:
    """Exempt only ``confirm`` from the automatic CSRF check (it checks itself), through the app's own
    CSRFProtect."""
    state.app.extensions["csrf"].exempt(confirm)


bp.after_request(token_page_headers)


def _unknown():
    return render_template("unsubscribe/unknown.html"), 404


@bp.route("/<token>", methods=["GET"])
def page(token: str):
    """A page with one button (a GET never unsubscribes: link scanners follow links)."""
    if _campaigns().find_invitation(token, purpose="unsubscribe") is None:
        return _unknown()
    return render_template("unsubscribe/page.html", form=ActionForm(), token=token)


@bp.route("/<token>", methods=["POST"])
def confirm(token: str):
    """Unsubscribe now: the page's button (CSRF-checked) or an RFC 8058 one-click POST."""
    one_click = request.form.get("List-Unsubscribe") == "One-Click" and "csrf_token" not in request.form
    if not one_click:
        current_app.extensions["csrf"].protect()
    if not _campaigns().unsubscribe(token, how="one-click" if one_click else "page"):
        return _unknown()
    return render_template("unsubscribe/done.html")
