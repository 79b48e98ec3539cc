"""Making orders: validating a request and claiming its seats. Services only flush.

Every order is made by `create_order`: online (a hold to pay on Stripe) or
at the door (paid at once, see orders/door.py), through the same claim.

A hold is a pending order with `expires_at`. Inserting its lines is the
claim on the seats: database triggers add them to the tier's
`seats_claimed` and refuse to pass capacity (migration 0003). PostgreSQL's
row lock on the tier, taken by that one UPDATE and held only until commit,
serializes buyers of the last seats (a wait past the lock timeout becomes
"busy, try again"); SQLite write transactions begin IMMEDIATE. So two
buyers can never both take the last seat, and nobody holds a lock while
the order is validated and built.

The hold itself is written with prebuilt statements (`ticketing.compiled_sql`),
not the ORM's unit of work: in a flash sale that halves the app's CPU per
order. What checkout needs afterwards comes back as a `Hold`.

Lapsed holds keep their claim until marked expired. When a claim fails,
the lapsed holds of those tiers are released and the claim is tried once
more before the buyer hears "sold out".
"""

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.exc import OperationalError

from ticketing import compiled_sql
from ticketing.accounts.tokens import hash_secret
from ticketing.database import utcnow
from ticketing.errors import Busy, DomainError, ValidationFailed
from ticketing.events.models import Event, TicketType
from ticketing.extensions import db
from ticketing.i18n import current_locale
from ticketing.money import (
    DEFAULT_SETTLEMENT_CURRENCY,
    MoneyError,
    check_chargeable,
    format_money,
)
from ticketing.orders.access import token_for
from ticketing.orders.claims import SeatsGone, claim_guard, claiming_seats, flush_claim, sold_out
from ticketing.orders.lapsing import expire_holds
from ticketing.orders.limits import holds_per_email
from ticketing.orders.models import Order, OrderLine, OrderStatus, buyer_search_key
from ticketing.tickets.services import issue_tickets

# Stripe wants a session's expires_at at least 30 minutes ahead when it is
# created, and the session must end with the hold: so a hold lasts longer.
MIN_HOLD = timedelta(minutes=31)
MAX_HOLD = timedelta(hours=23)


class TooManyHolds(DomainError):
    """The buyer's email already has as many open holds on the event as allowed."""

    status = 429
    code = "too_many_holds"


@dataclass(frozen=True)
class Source:
    """Where an order comes from: its `orders.source`, and the checks that go with it.

    Online buyers get the sale's rules (published event, sales window, fixed
    prices, the per-order cap, Stripe's minimum, holds per email) and a hold
    to pay. At the door the organizer has checked and taken the money: the
    order is paid at once, at the price they typed.
    """

    name: str
    sale_rules: bool
    paid_at_once: bool


ONLINE = Source("online", sale_rules=True, paid_at_once=False)
DOOR = Source("door", sale_rules=False, paid_at_once=True)


@dataclass(frozen=True)
class ItemRequest:
    ticket_type_id: int
    quantity: int
    price_minor: int | None = None


def hold_duration() -> timedelta:
    wanted = timedelta(minutes=current_app.config.get("HOLD_MINUTES", 30))
    return min(max(wanted, MIN_HOLD), MAX_HOLD)


def _check_item(
    index: int, item: ItemRequest, tier: TicketType | None, now: datetime, source: Source
) -> int:
    """Validate one requested line; returns its unit price in minor units."""
    field = f"items.{index}"
    if tier is None:
        raise ValidationFailed(gettext("This ticket type is not sold for this event."), field=field)
    if not source.sale_rules:
        return item.price_minor
    if item.quantity < 1:
        raise ValidationFailed(gettext("Choose at least one ticket."), field=f"{field}.quantity")
    if item.quantity > tier.max_per_order:
        raise ValidationFailed(
            gettext(
                "At most %(max_per_order)s %(name)s tickets per order.",
                max_per_order=tier.max_per_order,
                name=tier.name,
            ),
            field=f"{field}.quantity",
        )
    if tier.sales_start and now < tier.sales_start:
        raise ValidationFailed(
            gettext("%(name)s tickets are not on sale yet.", name=tier.name), field=field
        )
    if tier.sales_end and now >= tier.sales_end:
        raise ValidationFailed(
            gettext("%(name)s ticket sales have ended.", name=tier.name), field=field
        )
    if not tier.pay_what_you_want:
        if item.price_minor is not None and item.price_minor != tier.price_minor:
            raise ValidationFailed(
                gettext("%(name)s has a fixed price.", name=tier.name), field=f"{field}.price_minor"
            )
        return tier.price_minor
    price = tier.price_minor if item.price_minor is None else item.price_minor
    minimum = tier.min_price_minor or 0
    if price < minimum:
        raise ValidationFailed(
            gettext("Pay at least the minimum for %(name)s.", name=tier.name),
            field=f"{field}.price_minor",
        )
    return price


def _check_request(event: Event, items: list[ItemRequest], donation_minor: int, now: datetime):
    if not event.published:
        raise ValidationFailed(gettext("This event is not on sale."), field="event_id")
    if donation_minor < 0:
        raise ValidationFailed(gettext("A donation cannot be negative."), field="donation_minor")
    if not items and donation_minor <= 0:
        raise ValidationFailed(gettext("Choose a ticket or enter a donation."), field="items")
    seen = set()
    for index, item in enumerate(items):
        if item.ticket_type_id in seen:
            raise ValidationFailed(gettext("List each ticket type once."), field=f"items.{index}")
        seen.add(item.ticket_type_id)


def settlement_currency() -> str:
    return current_app.config.get("STRIPE_SETTLEMENT_CURRENCY") or DEFAULT_SETTLEMENT_CURRENCY


def _check_total(total_minor: int, currency: str) -> None:
    """Before Stripe is called: its minimum applies after conversion to the settlement currency."""
    try:
        check_chargeable(total_minor, currency, settlement_currency())
    except MoneyError as exc:
        raise ValidationFailed(total_refused(exc, currency), field="total_minor") from exc


def total_refused(exc: MoneyError, currency: str) -> str:
    """Why Stripe would refuse the total, in the reader's language."""
    limit = format_money(exc.limit_minor or 0, currency, current_locale())
    if exc.reason == "minimum":
        return gettext(
            "The total must be at least %(amount)s to pay by card (or zero for a free order).",
            amount=limit,
        )
    if exc.reason == "maximum":
        return gettext("The total can be at most %(amount)s to pay by card.", amount=limit)
    if exc.reason == "tens":
        return gettext(
            "%(currency)s amounts must be a multiple of 10 minor units (Stripe charges "
            "%(currency)s to two decimals).",
            currency=currency,
        )
    return str(exc)


@dataclass(frozen=True)
class HeldLine:
    ticket_type_id: int
    name: str
    quantity: int
    unit_price_minor: int


@dataclass(frozen=True)
class Hold:
    """A new order as checkout knows it: enough to answer the buyer and open
    Stripe Checkout without loading the order back through the ORM."""

    id: int
    status: str
    currency: str
    buyer_email: str
    donation_minor: int
    total_minor: int
    expires_at: datetime | None
    created_at: datetime
    token: str
    lines: tuple[HeldLine, ...]
    checkout_key: str = ""


def create_order(
    event,
    *,
    buyer_name: str,
    buyer_email: str,
    items: list[ItemRequest],
    donation_minor: int = 0,
    now: datetime | None = None,
    source: Source = ONLINE,
    tickets_minor: int | None = None,
    locale: str = "en",
    reservation=None,
) -> Hold:
    """Validate, then claim the seats: the one way an order is made, whatever
    its `source`. `event` needs id, currency and published; `tickets_minor`
    overrides the lines' sum (a door sale's cash, whatever its split per seat).

    An online order holds its seats until paid; a total of zero is a free
    order, and a door sale is paid at once: paid, tickets issued. A `reservation`
    plan (orders/reservations.py) reserves an order with a total instead.
    """
    now = now or utcnow()
    if source.sale_rules:
        _check_request(event, items, donation_minor, now)
    db.session.flush()  # the statements below go around the ORM: let them see its work
    priced, short = _priced_lines(event.id, items, now, source)
    if tickets_minor is None:
        tickets_minor = sum(line.unit_price_minor * line.quantity for line in priced)
    plan = reservation if tickets_minor + donation_minor > 0 else None
    if source.sale_rules and plan is None:
        _check_total(tickets_minor + donation_minor, event.currency)
    values = {
        "source": source.name,
        "event_id": event.id,
        "buyer_name": buyer_name.strip(),
        "buyer_email": buyer_email.strip(),
        "search_key": buyer_search_key(buyer_name.strip(), buyer_email.strip()),
        "currency": event.currency,
        "tickets_minor": tickets_minor,
        "donation_minor": donation_minor,
        "total_minor": tickets_minor + donation_minor,
        "expires_at": None if source.paid_at_once else now + hold_duration(),
        "created_at": now,
        "checkout_key": None if source.paid_at_once else new_checkout_key(),
        "access_token_hash": "",
        "locale": locale,
        **(plan.order_values() if plan is not None else CARD_HOLD),
    }
    wanted = {line.ticket_type_id: line.quantity for line in priced}
    # Seen short already (the counter, read without a lock): unless lapsed
    # holds give seats back, answer at once instead of queueing on the
    # tier's lock only to fail. The claim itself stays the guard.
    if short and not expire_holds(tier_ids=sorted(short)):
        raise sold_out(wanted)
    hold_cap = (holds_per_email() or NO_CAP) if source.sale_rules else NO_CAP
    check_cap = plan.before_claim if plan is not None else lambda wanted: None
    hold = claiming_seats(wanted, lambda: check_cap(wanted) or _hold(values, priced, hold_cap))
    if source.paid_at_once or hold.total_minor == 0:
        mark_paid(db.session.get(Order, hold.id), now)
        return replace(hold, status=OrderStatus.PAID, expires_at=None)
    if plan is not None:
        plan.after_claim(hold.id)
    return hold


# The checkout's statements, built once (see ticketing/compiled_sql.py): a flash
# sale runs them hundreds of times a second.
TIER_FOR_SALE = select(
    TicketType.id,
    TicketType.name,
    TicketType.price_minor,
    TicketType.pay_what_you_want,
    TicketType.min_price_minor,
    TicketType.max_per_order,
    TicketType.sales_start,
    TicketType.sales_end,
    TicketType.capacity,
    TicketType.seats_claimed,
).where(TicketType.id == bindparam("tier_id"), TicketType.event_id == bindparam("event_id"))
# The columns a new order is given; every other column gets the table's
# default (compiled_sql applies them on both databases). The token's hash
# follows once the id is known.
NEW_ORDER_COLUMNS = (
    "source", "event_id", "buyer_name", "buyer_email", "search_key", "currency", "tickets_minor",
    "donation_minor", "total_minor", "expires_at", "created_at", "checkout_key",
    "access_token_hash", "locale", "status", "payment_method", "payment_reference",
)  # fmt: skip
CARD_HOLD = {"status": "pending", "payment_method": "card", "payment_reference": None}
# The buyer's open holds on the event, counted up to the cap (LIMIT: never
# more rows than that), through the index on buyer_email.
OPEN_HOLDS = (
    select(func.count())
    .select_from(
        select(Order.id)
        .where(
            Order.buyer_email == bindparam("buyer_email"),
            Order.event_id == bindparam("event_id"),
            # Card holds and reservations (no IN list: compiled_sql binds no lists).
            or_(Order.status == OrderStatus.PENDING, Order.status == OrderStatus.RESERVED),
            Order.expires_at > bindparam("created_at"),
        )
        .limit(bindparam("hold_cap"))
        .subquery()
    )
    .scalar_subquery()
)
# INSERT ... SELECT: the order is written only while the buyer's email has
# fewer open holds on the event than the cap, in the same statement (no
# extra round trip in a flash sale). No row back: the cap is reached.
INSERT_ORDER = (
    insert(Order)
    .from_select(
        list(NEW_ORDER_COLUMNS),
        select(
            *(bindparam(name, type_=Order.__table__.c[name].type) for name in NEW_ORDER_COLUMNS)
        ).where(bindparam("hold_cap") > OPEN_HOLDS),
    )
    .returning(Order.id)
)
NO_CAP = 2**31 - 1
INSERT_LINE = insert(OrderLine).values(
    order_id=bindparam("order_id"),
    ticket_type_id=bindparam("ticket_type_id"),
    quantity=bindparam("quantity"),
    unit_price_minor=bindparam("unit_price_minor"),
)
SET_TOKEN_HASH = (
    update(Order).where(Order.id == bindparam("order_id")).values(access_token_hash=bindparam("h"))
)


def new_checkout_key() -> str:
    """Stripe keeps idempotency keys 24 h per account, and one account serves
    many installs, resets and CI runs: a key must never be `order-<id>`."""
    return "checkout-" + secrets.token_urlsafe(24)


def _priced_lines(event_id: int, items: list[ItemRequest], now: datetime, source: Source):
    """The requested lines, checked and priced, in tier order (claims lock
    tiers in id order, so no two checkouts ever wait on each other in a
    circle); and the tiers whose counter already says there is not enough."""
    lines, short = [], set()
    for index, item in enumerate(items):
        tier = compiled_sql.first(
            TIER_FOR_SALE, {"tier_id": item.ticket_type_id, "event_id": event_id}
        )
        price = _check_item(index, item, tier, now, source)
        lines.append(HeldLine(tier.id, tier.name, item.quantity, price))
        if tier.seats_claimed + item.quantity > tier.capacity:
            short.add(tier.id)
    return tuple(sorted(lines, key=lambda line: line.ticket_type_id)), short


def _hold(values: dict, lines: tuple, hold_cap: int) -> Hold:
    """Insert the order, then its lines (the claim); SeatsGone when the seats are not there.

    The claim goes last: it locks the tiers' rows until the commit, and
    every other buyer of those tiers waits for that.
    """
    inserted = compiled_sql.first(INSERT_ORDER, {**values, "hold_cap": hold_cap})
    if inserted is None:
        raise TooManyHolds(
            "This email address already holds seats for this event that are not paid "
            "yet. Finish paying for them (see your email), or wait until they are released.",
            field="buyer_email",
        )
    order_id = inserted.id
    token = token_for(order_id, values["created_at"])
    compiled_sql.execute(SET_TOKEN_HASH, {"order_id": order_id, "h": hash_secret(token)})
    with claim_guard():
        for line in lines:
            compiled_sql.execute(
                INSERT_LINE,
                {
                    "order_id": order_id,
                    "ticket_type_id": line.ticket_type_id,
                    "quantity": line.quantity,
                    "unit_price_minor": line.unit_price_minor,
                },
            )
    return Hold(
        order_id, values["status"], values["currency"], values["buyer_email"],
        values["donation_minor"], values["total_minor"], values["expires_at"],
        values["created_at"], token, lines, values["checkout_key"],
    )  # fmt: skip


def mark_paid(order: Order, now: datetime | None = None) -> None:
    """The order's money is in: it is paid and its tickets exist (exactly once)."""
    order.status = OrderStatus.PAID
    order.paid_at = now or utcnow()
    order.expires_at = None
    if issue_tickets(order) and order.buyer_email:
        # In the same commit as "paid": a crash before the email goes out
        # leaves it pending, and `flask send-pending-emails` finds it.
        order.email_status = "pending"
    db.session.flush()


def lock_order(order_id: int) -> Order | None:
    """The order, locked for this transaction (fulfilment and refunds serialize on it)."""
    query = select(Order).where(Order.id == order_id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    try:
        return db.session.execute(query).scalar_one_or_none()
    except OperationalError as exc:
        db.session.rollback()
        raise Busy(gettext("This order is being updated: please try again in a moment.")) from exc


def hold_is_live(order: Order, now: datetime | None = None) -> bool:
    return order.status == OrderStatus.PENDING and (
        order.expires_at is None or order.expires_at > (now or utcnow())
    )


def release_hold(order: Order, status: OrderStatus = OrderStatus.EXPIRED) -> bool:
    """End a pending order's hold (expired by time or Stripe, or canceled by the buyer)."""
    if order.status != OrderStatus.PENDING:
        return False
    order.status = status
    if status == OrderStatus.CANCELED:
        order.canceled_at = utcnow()
    db.session.flush()
    return True


def reclaim_seats(order: Order) -> bool:
    """For a payment that came after its hold: are its seats still there? Claims them if so.

    A lapsed hold not yet marked expired still holds its claim: yes. A
    released one claims its seats again by becoming pending once more,
    inside a savepoint, so a failed claim changes nothing.
    """
    if order.status == OrderStatus.PENDING:
        return True
    try:
        with db.session.begin_nested():
            order.status = OrderStatus.PENDING
            flush_claim()
    except SeatsGone:
        return False
    return True
