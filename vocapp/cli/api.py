"""``vocapp api tokens create|list|revoke``: personal API tokens from the command line."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from vocapp.core.constants import STAFF_ROLES

group = AppGroup("api", help="The REST API (/api/v1): its personal tokens.")
tokens = AppGroup("tokens", help="Personal API tokens: create (shown once), list, revoke.")
group.add_command(tokens)


@tokens.command("create")
@click.argument("name")
@click.option("--staff", "staff_email", metavar="EMAIL", help="The staff user the token acts for (their role).")
@click.option("--integration-role", type=click.Choice(STAFF_ROLES),
              help="For a named integration instead of a person: the role it acts with.")
@click.option("--scope", "scopes", type=click.Choice(("read", "write")), multiple=True, required=True,
              help="What the token may do; repeat for both.")
@click.option("--days", type=click.IntRange(1, 366), default=90, show_default=True, help="Days until it expires.")
def create_command(name: str, staff_email: str | None, integration_role: str | None, scopes: tuple[str, ...],
                   days: int) -> None:
    """Create a token and print its secret (shown this once; only its hash is stored)."""
    from vocapp.services.api.tokens import create_token

    token, secret = create_token(name, list(scopes), by=None, staff_email=staff_email,
                                 integration_role=integration_role, days=days)
    click.echo(f"Created API token {token.id} ({', '.join(token.scopes)}), expires {token.expires_at:%Y-%m-%d}.")
    click.echo(secret)


@tokens.command("list")
def list_command() -> None:
    """Every token: id, state, scopes, owner, expiry, last use (never the secret)."""
    from vocapp.services.api.tokens import list_tokens, token_state

    for token, email in list_tokens():
        owner = email or f"integration ({token.integration_role})"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
        click.echo(f"{token.id:>5}  {token_state(token):<8} {','.join(token.scopes):<11} {token.prefix}...  "
                   f"{token.name}  {owner}  expires {token.expires_at:%Y-%m-%d}  {used}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id: int) -> None:
    """Revoke a token at once."""
    from vocapp.services.api.tokens import revoke_token

    token = revoke_token(token_id, by=None)
    click.echo(f"Revoked API token {token.id} ({token.name}).")


commands = [group]
