"""`flask create-token`: print a new API token for a user."""

import click

from ticketing.accounts.services import EVENTS, find_user, issue_token, membership_of
from ticketing.errors import DomainError
from ticketing.extensions import db


@click.command("create-token")
@click.option("--email", required=True, help="The user the token acts for.")
@click.option("--role", type=click.Choice(["organizer", "door"]), required=True)
@click.option("--event", "event_id", type=int, default=None, help="Bind the token to one event.")
@click.option("--name", default="cli", help="A label shown on the tokens page.")
def create_token_command(email, role, event_id, name):
    """Print a new API token for that user (stored hashed; shown only now)."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    organization_id = None
    if event_id is not None:
        organization_id = EVENTS.organization_of(event_id)
        if organization_id is None:
            raise click.ClickException(f"No event {event_id}.")
    membership = membership_of(user, organization_id)
    if membership is None:
        raise click.ClickException(f"{email} is not a member of that event's organization.")
    try:
        _, plain = issue_token(membership, role, event_id=event_id, name=name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(plain)


COMMANDS = [create_token_command]
