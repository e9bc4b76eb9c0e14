"""Admin pages for webhooks: register endpoints (the secret is shown once), enable, disable, rotate the
secret, allow a private address, send a test event, follow deliveries attempt by attempt and replay one."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, URLField, widgets
from wtforms.validators import DataRequired, Length

from vocapp.errors import VocappError
from vocapp.models import WEBHOOK_EVENT_TYPES
from vocapp.services import webhooks as service
from vocapp.web.security import role_required

bp = Blueprint("webhooks", __name__)


class EndpointForm(FlaskForm):
    url = URLField("URL (https://...)", validators=[DataRequired(), Length(max=2000)])
    description = StringField("Description", validators=[Length(max=300)])
    events = SelectMultipleField("Events", choices=list(WEBHOOK_EVENT_TYPES),
                                 validators=[DataRequired(message="Choose at least one event.")],
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))
    allow_private_network = BooleanField("Allow a private, loopback or link-local address for this endpoint "
                                         "(only for a receiver inside your own network; audited)")


def _endpoint(endpoint_id: int):
    try:
        return service.get_endpoint(endpoint_id)
    except VocappError:
        abort(404)


@bp.route("/")
@role_required("admin")
def index(form: EndpointForm | None = None):
    """Every endpoint with its state (automatic disabling shown as a notice) and the form to add one."""
    endpoints = service.list_endpoints()
    return render_template("webhooks/index.html", endpoints=endpoints, pending=service.pending_counts(),
                           form=form or EndpointForm(), event_types=WEBHOOK_EVENT_TYPES,
                           auto_disabled=[e for e in endpoints if not e.enabled and
                                          (e.disabled_reason or "").startswith("disabled automatically")])


@bp.route("/add", methods=["POST"])
@role_required("admin")
def add():
    """Register an endpoint; the page that answers shows its secret, this once."""
    form = EndpointForm()
    if not form.validate_on_submit():
        return index(form), 400
    try:
        endpoint, secret = service.create_endpoint(form.url.data, form.events.data, form.description.data,
                                                   form.allow_private_network.data, staff=current_user)
    except VocappError as error:
        form.url.errors = [str(error)]
        return index(form), 400
    return render_template("webhooks/secret.html", endpoint=endpoint, secret=secret, purpose="created")


@bp.route("/<int:endpoint_id>")
@role_required("admin")
def endpoint(endpoint_id: int):
    """One endpoint: settings, state and its latest deliveries."""
    found = _endpoint(endpoint_id)
    return render_template("webhooks/endpoint.html", endpoint=found,
                           deliveries=service.recent_deliveries(found.id, limit=100))


@bp.route("/<int:endpoint_id>/<any(enable, disable):action>", methods=["POST"])
@role_required("admin")
def set_enabled(endpoint_id: int, action: str):
    _endpoint(endpoint_id)
    try:
        found = service.set_enabled(endpoint_id, action == "enable", staff=current_user)
        flash(f"Endpoint {found.id} is {'enabled' if found.enabled else 'disabled'}.", "success")
    except VocappError as error:
        flash(str(error), "error")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))


@bp.route("/<int:endpoint_id>/rotate-secret", methods=["POST"])
@role_required("admin")
def rotate_secret(endpoint_id: int):
    """A new secret, shown once; the old one keeps signing for the grace period."""
    found = _endpoint(endpoint_id)
    secret = service.rotate_secret(endpoint_id, staff=current_user)
    return render_template("webhooks/secret.html", endpoint=found, secret=secret, purpose="rotated")


@bp.route("/<int:endpoint_id>/test", methods=["POST"])
@role_required("admin")
def test_event(endpoint_id: int):
    """Send the endpoint a signed ``webhook.test`` event; its delivery page shows how the receiver answered."""
    _endpoint(endpoint_id)
    try:
        delivery = service.send_test_event(endpoint_id, staff=current_user)
    except VocappError as error:
        flash(str(error), "error")
        return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))
    flash(f"Test event sent as delivery {delivery.id}; reload this page to see the receiver's answer.", "success")
    return redirect(url_for("webhooks.delivery", delivery_id=delivery.id))


@bp.route("/<int:endpoint_id>/private-network/<any(allow, forbid):action>", methods=["POST"])
@role_required("admin")
def private_network(endpoint_id: int, action: str):
    _endpoint(endpoint_id)
    found = service.set_allow_private(endpoint_id, action == "allow", staff=current_user)
    flash(f"Endpoint {found.id} may {'now' if found.allow_private_network else 'no longer'} reach private "
          "addresses.", "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))


@bp.route("/deliveries/<int:delivery_id>")
@role_required("admin")
def delivery(delivery_id: int):
    """One delivery: the event body sent and every attempt (status, response code, duration, excerpt)."""
    try:
        detail = service.delivery_detail(delivery_id)
    except VocappError:
        abort(404)
    return render_template("webhooks/delivery.html", detail=detail)


@bp.route("/deliveries/<int:delivery_id>/replay", methods=["POST"])
@role_required("admin")
def replay(delivery_id: int):
    """Send the delivery's event again (same webhook-id) as a new delivery."""
    try:
        copy = service.replay(delivery_id, staff=current_user)
    except VocappError as error:
        flash(str(error), "error")
        return redirect(url_for("webhooks.index"))
    flash(f"Delivery {delivery_id} replayed as delivery {copy.id}.", "success")
    return redirect(url_for("webhooks.delivery", delivery_id=copy.id))
