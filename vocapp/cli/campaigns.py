"""``vocapp campaigns``: create, send, remind, unconfirmed, resend, revoke, list, status, close, bounces."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from vocapp.cli.progress import TerminalProgress


def _service():
    """The campaigns service, imported when a command runs (listing commands stays cheap)."""
    from vocapp.services import campaigns

    return campaigns


def _audience():
    from vocapp.core.campaigns import audience

    return audience


group = AppGroup("campaigns", help="Invitation campaigns: create, send, remind, revoke, close, status, bounces.")


def _echo_reach(summary: dict) -> None:
    click.echo(f"reach: {summary['included']} contact(s) invited of {summary['matching']} matching the filters")
    for reason, count in summary["left_out"].items():
        click.echo(f"  left out, {_audience().REASON_LABELS[reason]}: {count}")


@group.command("create")
@click.option("--survey", "survey", required=True, help="Survey id (its definition's id).")
@click.option("--version", "version", type=int, default=None, help="Version number (default: the latest).")
@click.option("--name", required=True, help="Campaign name shown to staff.")
@click.option("--relationship", multiple=True, help="Only contacts with this relationship (repeatable).")
@click.option("--role", multiple=True, help="Only contacts with this role (repeatable).")
@click.option("--zone", multiple=True, help="Only accounts in this canvas zone (repeatable).")
@click.option("--contact-attribute", "contact_attributes", multiple=True, metavar="NAME=VALUE",
              help="Only contacts whose attribute NAME is VALUE (repeatable; one NAME several times: any of them).")
@click.option("--account-attribute", "account_attributes", multiple=True, metavar="NAME=VALUE",
              help="Only contacts of accounts whose attribute NAME is VALUE (repeatable).")
@click.option("--not-answered-since", "since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Leave out contacts who completed this survey on or after YYYY-MM-DD.")
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Closing date YYYY-MM-DD.")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), default=None,
              help="Start sending at this UTC time (the campaign is scheduled when sent earlier).")
@click.option("--max-reminders", type=click.IntRange(0, 10), default=2, show_default=True)
@click.option("--reminder-days", type=click.IntRange(0, 365), default=7, show_default=True,
              help="At least this many days between e-mails to one contact.")
@click.option("--include-leave-alone", is_flag=True, help="Also invite accounts flagged leave-alone (needs --reason).")
@click.option("--reason", default=None, help="Why leave-alone accounts are included (kept in the audit log).")
def create_command(survey, version, name, relationship, role, zone, contact_attributes, account_attributes, since,
                   closes, opens, max_reminders, reminder_days, include_leave_alone, reason) -> None:
    """Create a draft campaign; prints its id and reach (included, left out by reason)."""
    filters = {"relationship": list(relationship), "role": list(role), "zone": list(zone),
               "contact_attributes": _audience().parse_attribute_pairs(contact_attributes, "--contact-attribute"),
               "account_attributes": _audience().parse_attribute_pairs(account_attributes, "--account-attribute"),
               "not_answered_since": since.date().isoformat() if since else None}
    campaign, reach = _service().create_campaign(
        survey, name, version_number=version, filters=filters, closes=closes.date() if closes else None,
        opens=opens, max_reminders=max_reminders, reminder_days=reminder_days,
        include_leave_alone=include_leave_alone, reason=reason)
    click.echo(f"campaign {campaign.id} created (draft): {campaign.name}")
    _echo_reach(reach.summary())


def _echo_counts(result: dict) -> None:
    click.echo(", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in result.items()))


@group.command("send")
@click.argument("campaign_id", type=int)
def send_command(campaign_id: int) -> None:
    """Send the campaign's invitations (a second run sends only what is still due)."""
    with TerminalProgress("sending") as progress:
        result = _service().send_campaign(campaign_id, progress=progress)
    _echo_counts(result)


@group.command("remind")
@click.argument("campaign_id", type=int)
def remind_command(campaign_id: int) -> None:
    """Send the next reminder to contacts who have not completed, within the reminder policy."""
    with TerminalProgress("reminding") as progress:
        result = _service().remind_campaign(campaign_id, progress=progress)
    _echo_counts(result)


@group.command("unconfirmed")
@click.argument("campaign_id", type=int)
def unconfirmed_command(campaign_id: int) -> None:
    """E-mails whose outcome is unknown (a sender stopped mid-batch, or the reply never came): address,
    step, Message-ID (look it up in the mail server's log), when. Never re-sent unless you say so."""
    rows, total = _service().unconfirmed_emails(campaign_id, limit=10_000)
    click.echo(f"{total} unconfirmed e-mail(s)" + (": re-send with `vocapp campaigns resend "
                                                   f"{campaign_id} EMAIL ...` or `--all`" if total else ""))
    for row in rows:
        step = "invitation" if row["step"] == 0 else f"reminder {row['step']}"
        click.echo(f"  {row['email']}  {step}  {row['message_id']}  {row['at']:%Y-%m-%d %H:%M}")


@group.command("resend")
@click.argument("campaign_id", type=int)
@click.argument("emails", nargs=-1)
@click.option("--all", "everyone", is_flag=True, help="Every unconfirmed e-mail of the campaign.")
def resend_command(campaign_id: int, emails: tuple[str, ...], everyone: bool) -> None:
    """Send unconfirmed e-mails once more (same Message-ID): of the given addresses, or --all."""
    if bool(emails) == everyone:
        raise click.UsageError("name the addresses to re-send to, or give --all (not both)")
    ids = None
    if emails:
        rows, _ = _service().unconfirmed_emails(campaign_id, limit=100_000)
        wanted = {email.strip().lower() for email in emails}
        ids = [row["invitation_id"] for row in rows if row["email"].lower() in wanted]
        for email in sorted(wanted - {row["email"].lower() for row in rows}):
            click.echo(f"  no unconfirmed e-mail to {email}")
    with TerminalProgress("re-sending") as progress:
        result = _service().resend_unconfirmed(campaign_id, ids, progress=progress) if ids != [] else {"resent": 0}
    _echo_counts(result)


@group.command("test-message")
@click.argument("campaign_id", type=int)
@click.option("--to", "to", required=True, help="address to send the test to (yours)")
@click.option("--reminder", is_flag=True, help="send the reminder instead of the invitation")
def test_message_command(campaign_id: int, to: str, reminder: bool) -> None:
    """E-mail the campaign's invitation (or reminder), marked [Test], with inert links, to one address."""
    result = _service().send_test_message(campaign_id, to, "reminder" if reminder else "invitation")
    click.echo(f"test {result['kind']} sent to {result['to']}: {result['reply']}")


@group.command("revoke")
@click.argument("campaign_id", type=int)
@click.argument("email")
def revoke_command(campaign_id: int, email: str) -> None:
    """Revoke one contact's invitation: the link stops working, no reminders."""
    invitation = _service().revoke_invitation(campaign_id, email)
    click.echo(f"invitation {invitation.id} of {email.strip().lower()} revoked")


@group.command("list")
def list_command() -> None:
    """Every campaign: id, status, survey, invited, completed, name."""
    rows = _service().list_rows()
    if not rows:
        click.echo("no campaigns yet (vocapp campaigns create --help)")
        return
    click.echo(f"{'id':>4}  {'status':<9}  {'survey':<20}  {'invited':>7}  {'done':>5}  name")
    for row in rows:
        c = row["campaign"]
        click.echo(f"{c.id:>4}  {c.status:<9}  {row['survey'] or '':<20}  {row['invited']:>7}  {row['completed']:>5}  "
                   f"{c.name}")


def _rate(value) -> str:
    return "-" if value is None or value != value else f"{100 * value:.1f}%"


@group.command("status")
@click.argument("campaign_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def status_command(campaign_id: int, fmt: str) -> None:
    """Counts per status and response rate by relationship and by canvas zone."""
    report = _service().campaign_status(campaign_id)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, default=str))
        return
    click.echo(f"campaign {report['id']} ({report['status']}): {report['name']}, survey {report['survey']} "
               f"v{report['version']}" + (f", closes {report['closes_at'][:10]}" if report["closes_at"] else ""))
    for key, value in report["counts"].items():
        click.echo(f"  {key:<13}{value:>7}")
    click.echo(f"  response rate {_rate(report['response_rate']):>7}")
    for by in ("relationship", "zone"):
        click.echo(f"by {by}:")
        for row in report[f"by_{by}"]:
            click.echo(f"  {str(row[by]):<24}{row['completed']:>6} / {row['emailed']:<6}{_rate(row['rate']):>7}")
    if report["emails"].get("unconfirmed"):
        click.echo(f"unconfirmed e-mails: {report['emails']['unconfirmed']} (vocapp campaigns unconfirmed {report['id']})")
    if report["leave_alone_override"]:
        click.echo(f"leave-alone accounts included: {report['leave_alone_override']}")


@group.command("close")
@click.argument("campaign_id", type=int)
def close_command(campaign_id: int) -> None:
    """Close the campaign: links expire, the survey is re-scored with its frozen model and the accounts
    re-placed on the canvas."""
    campaign = _service().close_campaign(campaign_id)
    click.echo(f"campaign {campaign.id} closed")
    with TerminalProgress("re-scoring and placing") as progress:
        result = _service().run_closing(campaign.id, progress=progress)
    if result.get("status") == "done":
        moved = result.get("moved")
        click.echo(f"scoring run {result['scoring_run_id']} ({'refitted' if result['refit'] else 'frozen model applied'}), "
                   f"placement run {result['placement_run_id']}"
                   + (f", {moved} account(s) moved zone" if moved is not None else ""))
    else:
        click.echo(f"re-scoring did not run: {result['error']}")


@group.command("bounces")
@click.argument("path", type=click.Path(exists=True))
def bounces_command(path: str) -> None:
    """Read delivery status notifications (RFC 3464) from a Maildir or mbox: hard bounces (5.x.x) are
    marked bounced, soft ones counted."""
    report = _service().read_bounces(path)
    click.echo(f"{report.messages} message(s), {report.reports} delivery report(s): {report.hard} hard bounce(s) "
               f"marked, {report.soft} soft bounce(s) counted")
    for address in report.unknown:
        click.echo(f"  not a contact: {address}")


commands = [group]
