"""`flask expire-holds`: release holds whose time has passed."""

import click

from ticketing.extensions import db
from ticketing.orders.services import expire_holds


@click.command("expire-holds")
def expire_holds_command():
    """Release seat holds whose time has passed (checkout also does this lazily)."""
    count = expire_holds()
    db.session.commit()
    click.echo(f"Released {count} expired hold(s).")


COMMANDS = [expire_holds_command]
