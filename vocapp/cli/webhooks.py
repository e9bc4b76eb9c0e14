"""``vocapp webhooks``: list, add, disable, enable, rotate-secret, deliveries, replay, send-due."""
from __future__ import annotations

import click
from flask.cli import AppGroup

group = AppGroup("webhooks", help="Webhook endpoints and their deliveries (docs/webhooks.md).")


def _service():
    """The webhooks service, imported when a command runs (listing commands stays cheap)."""
    from vocapp.services import webhooks

    return webhooks


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


@group.command("list")
def list_command() -> None:
    """Every endpoint: id, state, events, URL, waiting deliveries; why a disabled one was disabled."""
    service = _service()
    pending = service.pending_counts()
    endpoints = service.list_endpoints()
    for endpoint in endpoints:
        state = "enabled" if endpoint.enabled else "disabled"
        click.echo(f"{endpoint.id:>4}  {state:<8}  {','.join(endpoint.event_types)}  {endpoint.url}  "
                   f"waiting={pending.get(endpoint.id, 0)}")
        if not endpoint.enabled and endpoint.disabled_reason:
            click.echo(f"      {endpoint.disabled_reason}")
    if not endpoints:
        click.echo("No webhook endpoint is registered.")


@group.command("add")
@click.argument("url")
@click.option("--event", "events", multiple=True, required=True,
              help="An event type to send (repeatable): response.completed, account.zone_changed, "
                   "account.leave_alone_changed, campaign.closed.")
@click.option("--description", default="", help="What the endpoint is for (shown to admins).")
@click.option("--allow-private-network", is_flag=True,
              help="Allow a private, loopback or link-local address for this endpoint (audited).")
def add_command(url: str, events: tuple[str, ...], description: str, allow_private_network: bool) -> None:
    """Register URL for the events; prints its id and its secret (shown this once)."""
    endpoint, secret = _service().create_endpoint(url, list(events), description, allow_private_network)
    click.echo(f"Endpoint {endpoint.id}: {endpoint.url} ({', '.join(endpoint.event_types)})")
    click.echo(f"secret: {secret}")
    click.echo("Give the secret to the receiver now: it is not shown again.", err=True)


@group.command("disable")
@click.argument("endpoint_id", type=int)
def disable_command(endpoint_id: int) -> None:
    """Stop sending to an endpoint (its waiting deliveries are kept)."""
    _service().set_enabled(endpoint_id, False)
    click.echo(f"Endpoint {endpoint_id} disabled.")


@group.command("enable")
@click.argument("endpoint_id", type=int)
def enable_command(endpoint_id: int) -> None:
    """Send to an endpoint again (its waiting deliveries go first)."""
    _service().set_enabled(endpoint_id, True)
    click.echo(f"Endpoint {endpoint_id} enabled.")


@group.command("rotate-secret")
@click.argument("endpoint_id", type=int)
def rotate_command(endpoint_id: int) -> None:
    """Give an endpoint a new secret (printed once); the old one also signs for a grace period."""
    click.echo(f"secret: {_service().rotate_secret(endpoint_id)}")


@group.command("deliveries")
@click.option("--endpoint", "endpoint_id", type=int, default=None, help="Only this endpoint's deliveries.")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--attempts", "show_attempts", is_flag=True, help="Also list every attempt of each delivery.")
def deliveries_command(endpoint_id: int | None, limit: int, show_attempts: bool) -> None:
    """The newest deliveries: id, endpoint, event, webhook-id, status, attempts, last code, next attempt."""
    service = _service()
    rows = service.recent_deliveries(endpoint_id, limit)
    for row in rows:
        d = row.delivery
        click.echo(f"{d.id:>6}  endpoint={d.endpoint_id}  {row.event_type:<28} {row.message_id}  {d.status:<9} "
                   f"attempts={d.attempts}  code={d.last_status_code or '-'}  "
                   f"next={_when(d.next_attempt_at) if d.status == 'pending' else '-'}")
        if show_attempts:
            for a in service.delivery_detail(d.id).attempts:
                click.echo(f"        #{a.number} {_when(a.started_at)} {a.outcome} code={a.status_code or '-'} "
                           f"{a.duration_ms:.0f} ms {a.error or ''}")
    if not rows:
        click.echo("No delivery yet.")


def _send_now(endpoint_ids: list[int] | None) -> None:
    from vocapp.jobs import broker_url, wait_for_threads

    if broker_url():
        click.echo("Queued for the job workers.")
        return
    wait_for_threads(timeout=60)  # the sender the commit started in this process
    counts = _service().send_due(endpoint_ids)  # and anything still due
    click.echo("Attempts: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none left due"))


def _send_and_report(delivery_id: int, endpoint_id: int) -> None:
    """Send what is due to the endpoint now and print where the delivery ended."""
    _send_now([endpoint_id])
    detail = _service().delivery_detail(delivery_id)
    click.echo(f"Delivery {delivery_id}: {detail.delivery.status}, code {detail.delivery.last_status_code or '-'}")


@group.command("replay")
@click.argument("delivery_id", type=int)
def replay_command(delivery_id: int) -> None:
    """Send a delivery's event again (same webhook-id) as a new delivery, and send it now."""
    copy = _service().replay(delivery_id)
    click.echo(f"Delivery {delivery_id} replayed as delivery {copy.id}.")
    _send_and_report(copy.id, copy.endpoint_id)


@group.command("test")
@click.argument("endpoint_id", type=int)
def test_command(endpoint_id: int) -> None:
    """Send the endpoint a signed webhook.test event now and print how its receiver answered."""
    delivery = _service().send_test_event(endpoint_id)
    click.echo(f"Test event sent to endpoint {endpoint_id} as delivery {delivery.id}.")
    _send_and_report(delivery.id, endpoint_id)


@group.command("send-due")
def send_due_command() -> None:
    """Attempt every due delivery here and now (what the periodic webhooks.due job does)."""
    _send_now(None)


commands = [group]
