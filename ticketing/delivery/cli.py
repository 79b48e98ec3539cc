"""`flask send-pending-emails`, `flask resend-tickets ORDER_ID`, `flask reissue-ticket CODE`."""

import click

from ticketing.delivery.email import MAX_ATTEMPTS, send_pending_emails, send_ticket_email
from ticketing.errors import DomainError
from ticketing.extensions import db
from ticketing.orders.models import Order
from ticketing.tickets.services import reissue_ticket, ticket_by_code


@click.command("send-pending-emails")
@click.option(
    "--max-attempts",
    default=MAX_ATTEMPTS,
    show_default=True,
    help="Give up on an order after this many attempts (resend-tickets still works).",
)
def send_pending_emails_command(max_attempts: int):
    """Send ticket emails that failed or never went out (run it from cron)."""
    sent, failed = send_pending_emails(max_attempts=max_attempts)
    click.echo(f"Ticket emails: {sent} sent, {failed} failed.")


@click.command("resend-tickets")
@click.argument("order_id", type=int)
def resend_tickets_command(order_id: int):
    """Send a paid order's ticket email again (the buyer lost it)."""
    order = db.session.get(Order, order_id)
    if order is None:
        raise click.ClickException(f"There is no order {order_id}.")
    if send_ticket_email(order_id):
        click.echo(f"Ticket email for order {order_id} sent to {order.buyer_email}.")
        return
    order = db.session.get(Order, order_id)
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
    if not send_ticket_email(order_id):
        click.echo("The new ticket email was not sent; see `flask send-pending-emails`.")


COMMANDS = [send_pending_emails_command, resend_tickets_command, reissue_ticket_command]
