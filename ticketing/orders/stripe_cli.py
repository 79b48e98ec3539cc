"""`flask reconcile-stripe` and `flask retry-refunds`: the safety nets under the webhooks."""

from datetime import UTC, datetime

import click

from ticketing.orders import refunding
from ticketing.orders.reconcile import reconcile
from ticketing.payments import gateway


@click.command("reconcile-stripe")
@click.option(
    "--since",
    "since_hours",
    type=click.FloatRange(min=0, min_open=True),
    default=72.0,
    show_default=True,
    help="How many hours back to read (Stripe retries webhooks for three days).",
)
def reconcile_stripe_command(since_hours: float):
    """Read recent Checkout Sessions, charges and refunds from Stripe; apply what was missed."""
    try:
        sweep = reconcile(since_hours, click.echo)
    except gateway.StripeError as exc:
        raise click.ClickException(f"Stripe could not be read: {exc}") from exc
    since = datetime.fromtimestamp(sweep.since, UTC).isoformat(timespec="seconds")
    click.echo(
        f"Checked {sweep.sessions} checkout session(s) and {sweep.charges} charge(s) "
        f"since {since}: {len(sweep.repairs)} repaired."
    )


@click.command("retry-refunds")
def retry_refunds_command():
    """Send again the refund requests Stripe has not answered (Stripe was unreachable).

    Safe to run any time, also while the app runs: each request has its own
    Stripe idempotency key, so sending it twice refunds once.
    """
    sent, left = refunding.send_unsent_requests()
    click.echo(f"Sent {sent} refund request(s); {left} still unsent or refused.")


COMMANDS = [reconcile_stripe_command, retry_refunds_command]
