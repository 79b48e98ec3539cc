"""`flask expire-holds`: release holds whose time has passed.
`flask retry-refunds`: send refund requests Stripe has not answered yet."""

import click

from ticketing.extensions import db
from ticketing.orders.services import expire_holds


@click.command("expire-holds")
def expire_holds_command():
    """Release seat holds whose time has passed (checkout also does this lazily)."""
    count = expire_holds()
    db.session.commit()
    click.echo(f"Released {count} expired hold(s).")


@click.command("retry-refunds")
def retry_refunds_command():
    """Send again the refund requests Stripe has not answered (Stripe was unreachable).

    Safe to run any time, also while the app runs: each request has its own
    Stripe idempotency key, so sending it twice refunds once.
    """
    from ticketing.payments.refunding import send_unsent_requests

    sent, left = send_unsent_requests()
    click.echo(f"Sent {sent} refund request(s); {left} still unsent or refused.")


COMMANDS = [expire_holds_command, retry_refunds_command]
