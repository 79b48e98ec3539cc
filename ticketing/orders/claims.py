"""Claiming seats: the capacity trigger's refusal, savepoints, "sold out".

Inserting an order's lines claims its seats: the tier triggers add them to
`seats_claimed` and refuse to pass capacity (migration 0003). Here that
refusal becomes SeatsGone, a claim runs in a savepoint so a failed one undoes
only itself, lapsed holds of those tiers are released before a second try,
and the buyer hears SoldOut with what is left of each tier.
"""

from contextlib import contextmanager

from flask_babel import gettext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from ticketing import compiled_sql
from ticketing.errors import DomainError
from ticketing.events.models import TicketType
from ticketing.extensions import db
from ticketing.orders.lapsing import expire_holds

SAVEPOINT = text("SAVEPOINT seat_claim")
ROLLBACK_TO_SAVEPOINT = text("ROLLBACK TO SAVEPOINT seat_claim")


class SoldOut(DomainError):
    status = 409
    code = "sold_out"


class SeatsGone(Exception):
    """A claim would pass a tier's capacity (raised by the database trigger)."""


def over_capacity(exc: IntegrityError) -> bool:
    return "seats_claimed_over_capacity" in str(exc.orig)


@contextmanager
def claim_guard():
    """Writes inside claim seats: the capacity trigger's refusal becomes SeatsGone."""
    try:
        yield
    except IntegrityError as exc:
        if over_capacity(exc):
            raise SeatsGone from exc
        raise


def flush_claim() -> None:
    """Flush new or reopened orders; SeatsGone when their seats are not there."""
    with claim_guard():
        db.session.flush()


def claiming_seats(wanted: dict[int, int], attempt):
    """Run `attempt` (inserts an order claiming `wanted` seats per tier).

    It runs in a savepoint: when the claim fails only its own work is undone,
    lapsed holds of these tiers are released, and it runs once more; SoldOut
    (with what is left per tier) when the seats are still not there. A
    successful claim leaves its savepoint to the commit, which ends it:
    releasing it would cost a round trip while the tiers are locked.
    """
    for last in (False, True):
        compiled_sql.execute(SAVEPOINT, {})
        try:
            return attempt()
        except SeatsGone:
            compiled_sql.execute(ROLLBACK_TO_SAVEPOINT, {})
            if last or not expire_holds(tier_ids=list(wanted)):
                break
    raise sold_out(wanted)


def sold_out(wanted: dict[int, int]) -> SoldOut:
    """The answer when `wanted` seats (per tier) are not there: what is left of each."""
    query = select(TicketType).where(TicketType.id.in_(wanted)).order_by(TicketType.id)
    # Fresh claims: the triggers changed them under the session's objects.
    tiers = list(db.session.execute(query.execution_options(populate_existing=True)).scalars())
    left = {tier.id: tier.seats_left for tier in tiers}
    short = [tier for tier in tiers if wanted[tier.id] > left[tier.id]] or tiers
    return SoldOut(
        gettext("Not enough seats left for: %(tiers)s.", tiers=", ".join(t.name for t in short)),
        available={str(tier_id): left[tier_id] for tier_id in sorted(left)},
    )
