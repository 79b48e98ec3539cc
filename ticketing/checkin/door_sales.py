"""Tickets sold for cash on the scanner page, their holders let in at once. Services only flush.

The sale is orders.door.record_door_sale (a paid door order: its seats are
claimed by the same database guard as an online checkout, so the last seat
goes to one of them), paid in cash and attributed to the volunteer and the
device that took it (the cash box). Door staff choose only the tier and the
count: the amount is the tier's price times the count, never typed.
"""

import json

from flask_babel import gettext
from sqlalchemy import select

from ticketing.accounts.auth import Principal
from ticketing.checkin.models import CheckIn
from ticketing.checkin.schemas import DoorSaleSchema
from ticketing.checkin.services import ScanAnswer, ScanRequest, log_answer
from ticketing.database import utcnow
from ticketing.events.models import Event
from ticketing.extensions import db
from ticketing.orders import door
from ticketing.tickets.models import Ticket


def sell_and_admit(
    principal: Principal,
    event: Event,
    attempt: ScanRequest,
    *,
    ticket_type_id: int,
    quantity: int,
) -> ScanAnswer:
    """Sell `quantity` tickets of the tier for cash and check every one of them in.

    With a nonce the answer is logged like a scan's (NonceTaken when another
    request with it got there first: the caller rolls back and replays it).
    """
    sale = _sell(principal, event, attempt, ticket_type_id=ticket_type_id, quantity=quantity)
    answer = ScanAnswer(201, json.dumps(DoorSaleSchema().dump(sale), separators=(",", ":")))
    if attempt.nonce:
        log_answer(principal, attempt, answer, event.id, None, "door_sale")
    return answer


def _sell(
    principal: Principal, event: Event, attempt: ScanRequest, *, ticket_type_id: int, quantity: int
) -> dict:
    gate, device = attempt.gate, attempt.device
    payment = door.record_door_sale(
        event,
        ticket_type_id=ticket_type_id,
        quantity=quantity,
        method="cash",
        buyer_name=gettext("Door sale"),
        recorded_by_id=principal.user_id,
        recorded_by_token_id=principal.token_id,
    )
    tickets = list(
        db.session.execute(
            select(Ticket).where(Ticket.order_id == payment.order_id).order_by(Ticket.id)
        ).scalars()
    )
    now = utcnow()
    db.session.add_all(
        CheckIn(
            ticket_id=ticket.id,
            event_id=event.id,
            gate=gate,
            device=device,
            user_id=principal.user_id,
            api_token_id=principal.token_id,
            checked_in_at=now,
        )
        for ticket in tickets
    )
    db.session.flush()
    return {
        "order_id": payment.order_id,
        "amount_minor": payment.amount_minor,
        "currency": payment.currency,
        "quantity": len(tickets),
        "ticket_type_id": ticket_type_id,
        "tier": tickets[0].ticket_type.name if tickets else "",
        "codes": [ticket.code for ticket in tickets],
        "checked_in_at": now,
    }
