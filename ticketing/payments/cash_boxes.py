"""Cash boxes: the cash each volunteer or door device took, and its closings.

A box is who took the cash: a volunteer logged in (their user), or a door
device (its token, with the user it belongs to). Its expected amount is the
cash recorded for it on the event and not voided: reservations collected at
the door and tickets sold there (organizers' own cash donations are theirs
to count and stay out). At the end of the night the organizer counts the
box and closes it: a CashBoxClosing row keeps expected, counted and their
difference; a re-count is a new row, never an edit. Services only flush.
"""

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import and_, func, select

from ticketing.accounts.models import ApiToken, User
from ticketing.database import utcnow
from ticketing.errors import ValidationFailed
from ticketing.events.models import Event
from ticketing.extensions import db
from ticketing.payments.manual import MAX_AMOUNT_MINOR
from ticketing.payments.models import CashBoxClosing, ManualPayment

# The cash that passes through a door box: a reservation paid there, tickets sold there.
BOX_KINDS = ("reservation", "tickets")


@dataclass
class CashBox:
    user_id: int | None
    token_id: int | None
    volunteer: str
    device: str
    expected_minor: int
    payments: int
    closing: CashBoxClosing | None = None

    @property
    def key(self) -> str:
        """The box in a form: `u12` (a volunteer's login) or `t34` (a device's token)."""
        return f"t{self.token_id}" if self.token_id is not None else f"u{self.user_id}"


def _same(column, value):
    return column.is_(None) if value is None else column == value


def _box_cash(event_id: int, user_id: int | None, token_id: int | None):
    return and_(
        ManualPayment.event_id == event_id,
        ManualPayment.method == "cash",
        ManualPayment.kind.in_(BOX_KINDS),
        ManualPayment.voided_at.is_(None),
        _same(ManualPayment.recorded_by_id, user_id),
        _same(ManualPayment.recorded_by_token_id, token_id),
    )


def boxes(event: Event) -> list[CashBox]:
    """Every box that took cash for the event, with what it should hold and its last closing."""
    rows = db.session.execute(
        select(
            ManualPayment.recorded_by_id,
            ManualPayment.recorded_by_token_id,
            func.sum(ManualPayment.amount_minor),
            func.count(ManualPayment.id),
            User.name,
            ApiToken.name,
        )
        .outerjoin(User, User.id == ManualPayment.recorded_by_id)
        .outerjoin(ApiToken, ApiToken.id == ManualPayment.recorded_by_token_id)
        .where(
            ManualPayment.event_id == event.id,
            ManualPayment.method == "cash",
            ManualPayment.kind.in_(BOX_KINDS),
            ManualPayment.voided_at.is_(None),
        )
        .group_by(
            ManualPayment.recorded_by_id,
            ManualPayment.recorded_by_token_id,
            User.name,
            ApiToken.name,
        )
        .order_by(User.name, ApiToken.name)
    ).all()
    found = [
        CashBox(user_id, token_id, volunteer or "", device or "", int(total), count)
        for user_id, token_id, total, count, volunteer, device in rows
        if user_id is not None or token_id is not None
    ]
    for box in found:
        box.closing = last_closing(event.id, box.user_id, box.token_id)
    return found


def last_closing(event_id: int, user_id: int | None, token_id: int | None):
    return db.session.execute(
        select(CashBoxClosing)
        .where(
            CashBoxClosing.event_id == event_id,
            _same(CashBoxClosing.user_id, user_id),
            _same(CashBoxClosing.token_id, token_id),
        )
        .order_by(CashBoxClosing.closed_at.desc(), CashBoxClosing.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def parse_key(key: str) -> tuple[str, int] | None:
    """`u12` -> ("u", 12); anything else None."""
    if len(key) < 2 or key[0] not in "ut" or not key[1:].isdigit() or len(key) > 12:
        return None
    return key[0], int(key[1:])


def find_box(event: Event, key: str) -> CashBox | None:
    parsed = parse_key(key)
    if parsed is None:
        return None
    kind, number = parsed
    for box in boxes(event):
        if (box.token_id if kind == "t" else box.user_id) == number and (
            kind == "t" or box.token_id is None
        ):
            return box
    return None


def close(
    event: Event, box: CashBox, *, counted_minor: int, closed_by_id: int, note: str = ""
) -> CashBoxClosing:
    """Close the box with the counted cash: expected is what it holds right now."""
    if isinstance(counted_minor, bool) or not isinstance(counted_minor, int):
        raise ValidationFailed(gettext("Amounts are whole minor units."), field="counted")
    if not 0 <= counted_minor <= MAX_AMOUNT_MINOR:
        raise ValidationFailed(gettext("The counted amount cannot be negative."), field="counted")
    expected = db.session.execute(
        select(func.coalesce(func.sum(ManualPayment.amount_minor), 0)).where(
            _box_cash(event.id, box.user_id, box.token_id)
        )
    ).scalar_one()
    closing = CashBoxClosing(
        event_id=event.id,
        user_id=box.user_id,
        token_id=box.token_id,
        currency=event.currency,
        expected_minor=int(expected),
        counted_minor=counted_minor,
        difference_minor=counted_minor - int(expected),
        note=note,
        closed_by_id=closed_by_id,
        closed_at=utcnow(),
    )
    db.session.add(closing)
    db.session.flush()
    return closing
