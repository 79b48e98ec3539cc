"""The expected answer of every route to every kind of caller (rows in
access_pages.py and access_api.py, the rules in access_rules.py)."""

from tests.integration.access_api import API_ROWS
from tests.integration.access_pages import PAGE_ROWS
from tests.integration.access_rules import LOGIN, Call, Row

ROWS = {**PAGE_ROWS, **API_ROWS}
assert len(ROWS) == len(PAGE_ROWS) + len(API_ROWS), "a label is used twice"

# Routes this table leaves to others, and why.
NOT_HERE = {
    "static": "files",
    "payments.stripe_webhook": "signature-protected (tests/orders/test_webhooks.py)",
}

__all__ = ["LOGIN", "NOT_HERE", "ROWS", "Call", "Row"]
