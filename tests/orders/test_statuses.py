"""The order and ticket status enums: the one definition of each status and group."""

import ast
import re
from pathlib import Path

from ticketing.orders.models import ORDER_STATUSES, Order, OrderStatus
from ticketing.tickets.models import TICKET_STATUSES, Ticket, TicketStatus

VERSIONS = Path(__file__).resolve().parents[2] / "migrations/versions"
MIGRATION_0003 = VERSIONS / "0003_seats_claimed_kept_by_triggers.py"
MIGRATION_0011 = VERSIONS / "0011_paying_without_a_card.py"


def _check_text(model, name: str) -> str:
    (constraint,) = [
        c for c in model.__table__.constraints if c.name == f"ck_{model.__tablename__}_{name}"
    ]
    return str(constraint.sqltext)


def test_enum_values_are_the_stored_strings():
    assert [s.value for s in OrderStatus] == [
        "pending", "paid", "expired", "canceled", "refunded", "partially_refunded", "reserved"
    ]  # fmt: skip
    assert [s.value for s in TicketStatus] == ["valid", "revoked", "unpaid"]
    assert OrderStatus.PAID == "paid" and TicketStatus.REVOKED == "revoked"


def test_check_constraints_list_exactly_the_enum():
    assert tuple(OrderStatus) == ORDER_STATUSES
    assert _check_text(Order, "status_known") == (
        "status IN ('pending', 'paid', 'expired', 'canceled', 'refunded', 'partially_refunded',"
        " 'reserved')"
    )
    assert tuple(TicketStatus) == TICKET_STATUSES
    assert _check_text(Ticket, "status_known") == "status IN ('valid', 'revoked', 'unpaid')"


def test_groups_hold_known_statuses_only():
    groups = {
        "SOLD": {"paid", "partially_refunded"},
        "REFUNDABLE": {"paid", "partially_refunded"},
        "SETTLED": {"paid", "partially_refunded", "refunded"},
        "CLAIMING": {"pending", "reserved", "paid", "partially_refunded"},
        "UNPAID": {"pending", "reserved", "expired"},
        "HOLDING": {"pending", "reserved"},
        "REVOKED": {"refunded", "canceled"},
    }
    for name, statuses in groups.items():
        assert getattr(OrderStatus, name) == statuses, name
        assert statuses <= set(ORDER_STATUSES)
    # Groups are not statuses: iterating the enum yields only the seven.
    assert len(OrderStatus) == 7


def _literal(path: Path, name: str):
    tree = ast.parse(path.read_text())
    (literal,) = [
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [name]
    ]
    return ast.literal_eval(literal)


def test_claiming_group_is_what_the_seat_claim_triggers_count():
    """Migrations are frozen history: 0003 made the triggers with its list,
    0011 rewrote that exact list with `reserved`; the enum follows the last."""
    assert _literal(MIGRATION_0011, "OLD_CLAIMING") == _literal(MIGRATION_0003, "CLAIMING")
    assert set(_literal(MIGRATION_0011, "NEW_CLAIMING")) == OrderStatus.CLAIMING


def test_only_orders_assigns_an_orders_status():
    """Payments and reports call orders/status.py; they never set order.status themselves."""
    package = Path(__file__).resolve().parents[2] / "ticketing"
    assigning = re.compile(r"\border\.status\s*=[^=]|\border\.status,\s*\w[\w.]*\s*=")
    offenders = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if path.relative_to(package).parts[0] != "orders"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if assigning.search(line)
    ]
    assert offenders == []
