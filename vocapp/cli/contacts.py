"""``vocapp contacts``: the contacts command group."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from vocapp.cli.import_output import echo_report

group = AppGroup("contacts", help="Accounts and contacts: import; a person's data: export-person, erase.")


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and count, write nothing.")
def import_command(file: str, dry_run: bool) -> None:
    """Import accounts and contacts from a CSV or XLSX FILE (all or nothing)."""
    from vocapp.services.imports import import_contacts

    echo_report(import_contacts(file, dry_run=dry_run))


@group.command("export-person")
@click.argument("email")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="JSON file to write.")
def export_person_command(email: str, out: str) -> None:
    """Everything stored about the person with EMAIL, as JSON (contact, invitations, responses,
    scores, audit entries naming them)."""
    from vocapp.services.rights import person_record
    record = person_record(email)
    Path(out).write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    click.echo(f"Wrote {len(record['responses'])} responses, {len(record['invitations'])} invitations, "
               f"{len(record['scores'])} scores and {len(record['audit_entries'])} audit entries to {out}")


@group.command("erase")
@click.argument("email")
@click.option("--responses", type=click.Choice(["keep-anonymised", "delete"]), default="keep-anonymised",
              show_default=True, help="Keep the answers anonymised (scores stay) or delete them.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(email: str, responses: str, yes: bool) -> None:
    """Erase the person with EMAIL (all or nothing): personal data removed, links revoked, never
    invited again."""
    from vocapp.services.rights import erase_contact, find_contact
    find_contact(email)
    if not yes:
        click.confirm(f"Erase {email} and {'delete' if responses == 'delete' else 'anonymise'} their answers? "
                      "This cannot be undone", abort=True)
    done = erase_contact(email, responses)
    click.echo(f"Erased contact {done.contact_id}: {done.n_responses} responses "
               f"{'deleted' if responses == 'delete' else 'kept anonymised'}, {done.n_invitations} invitations revoked")


commands = [group]
