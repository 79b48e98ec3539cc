"""The worker and the sweeps run now: `worker`, `send-pending-emails`, `resend-tickets`,
`reissue-ticket`, `retry-refunds`, `reconcile-stripe`."""

from datetime import UTC, datetime

import click
from flask import current_app

from ticketing.delivery.outbox import ask_again
from ticketing.errors import DomainError
from ticketing.extensions import db
from ticketing.orders.models import Order
from ticketing.payments import gateway
from ticketing.tasks import jobs
from ticketing.tasks.reconcile import reconcile
from ticketing.tasks.worker import run_worker
from ticketing.tickets.services import reissue_ticket, ticket_by_code


@click.command("worker")
@click.option(
    "--threads", type=click.IntRange(min=1), default=None, help="Default: WORKER_THREADS (2)."
)
def worker_command(threads: int | None):
    """Run the background worker in the foreground (Ctrl-C or SIGTERM stops it gracefully)."""
    app = current_app._get_current_object()
    run_worker(app, threads or app.config["WORKER_THREADS"])


@click.command("send-pending-emails")
@click.option(
    "--max-attempts",
    type=click.IntRange(min=1),
    default=None,
    help="Give up on an order after this many attempts (default EMAIL_MAX_ATTEMPTS, 5; "
    "resend-tickets still works).",
)
def send_pending_emails_command(max_attempts: int | None):
    """Send now the ticket emails that are owed (each claimed: overlapping runs send once)."""
    sent, failed = jobs.send_pending_emails(max_attempts=max_attempts)
    click.echo(f"Ticket emails: {sent} sent, {failed} failed.")


def _send_now(order_id: int) -> str:
    order = db.session.get(Order, order_id)
    ask_again(order)
    db.session.commit()
    return jobs.send_ticket_email(order_id, manual=True)


@click.command("resend-tickets")
@click.argument("order_id", type=int)
def resend_tickets_command(order_id: int):
    """Send a paid order's ticket email again (the buyer lost it)."""
    order = db.session.get(Order, order_id)
    if order is None:
        raise click.ClickException(f"There is no order {order_id}.")
    email = order.buyer_email
    if _send_now(order_id) == "sent":
        click.echo(f"Ticket email for order {order_id} sent to {email}.")
        return
    order = db.session.get(Order, order_id, populate_existing=True)
    if order.email_status == "failed":
        raise click.ClickException(f"Sending failed: {order.email_error}")
    raise click.ClickException(
        f"Order {order_id} is {order.status} and has no valid tickets to send; nothing sent."
    )


@click.command("reissue-ticket")
@click.argument("code")
def reissue_ticket_command(code: str):
    """Give a ticket a new code (the old one leaked) and email the buyer again."""
    ticket = ticket_by_code(code)
    if ticket is None:
        raise click.ClickException("There is no ticket with this code.")
    try:
        replacement = reissue_ticket(ticket)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    order_id, new_code = replacement.order_id, replacement.code
    db.session.commit()
    click.echo(f"Old code revoked; new code {new_code}.")
    if _send_now(order_id) != "sent":
        click.echo("The new ticket email was not sent; see `flask send-pending-emails`.")


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
    sent, left = jobs.send_unsent_refunds()
    click.echo(f"Sent {sent} refund request(s); {left} still unsent or refused.")


COMMANDS = [
    worker_command,
    send_pending_emails_command,
    resend_tickets_command,
    reissue_ticket_command,
    reconcile_stripe_command,
    retry_refunds_command,
]
