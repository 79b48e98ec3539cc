"""Stripe objects as JSON: builders, the public view, and `expand`.

Fields starting with `_` are the stand-in's own bookkeeping (line items,
card details, refund ids) and never leave it except through `expand`.
"""

import copy

from standin.errors import StripeFailure, no_such
from standin.store import Tx, new_id

# Which id fields may be expanded into the object they name (Stripe's list,
# for the objects simulated here).
EXPANDABLE = {
    "checkout.session": {"payment_intent", "line_items", "customer"},
    "payment_intent": {"latest_charge", "customer", "payment_method"},
    "charge": {"balance_transaction", "payment_intent", "refunds", "customer"},
    "refund": {"charge", "payment_intent", "balance_transaction"},
    "dispute": {"charge", "payment_intent"},
    "balance_transaction": {"source"},
}
MAX_EXPAND_DEPTH = 4


def public(obj: dict) -> dict:
    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}


def list_object(url: str, items: list[dict], has_more: bool = False) -> dict:
    return {"object": "list", "data": items, "has_more": has_more, "url": url}


def render(tx: Tx, obj: dict, expand: list[str] | None = None) -> dict:
    """The object as Stripe returns it, with the requested `expand` paths filled in."""
    out = public(obj)
    if obj.get("object") == "charge":
        out["refunds"] = refunds_list(tx, obj, expanded=False)
    for path in expand or []:
        parts = path.split(".")
        if len(parts) > MAX_EXPAND_DEPTH:
            raise StripeFailure(
                f"You cannot expand more than {MAX_EXPAND_DEPTH} levels of a property.",
                param="expand",
            )
        _expand(tx, out, obj, parts, path)
    return out


def _expand(tx: Tx, out: dict, stored: dict, parts: list[str], path: str) -> None:
    head, rest = parts[0], parts[1:]
    kind = out.get("object")
    if kind == "list":
        if head != "data":
            raise _not_expandable(path)
        for item in out["data"] if rest else []:
            _expand(tx, item, tx.get(item["id"]) or item, rest, path)
        return
    if head not in EXPANDABLE.get(kind, set()):
        raise _not_expandable(path)
    if head == "line_items":
        out[head] = line_items(stored)
    elif head == "refunds":
        out[head] = refunds_list(tx, stored, expanded=True)
    elif isinstance(out.get(head), str):
        target = tx.get(out[head])
        if target is None:
            return
        out[head] = render(tx, target)
        stored = target
    value = out.get(head)
    if rest and isinstance(value, dict):
        inner = tx.get(value["id"]) if value.get("id") else None
        _expand(tx, value, inner or value, rest, path)


def line_items(session: dict) -> dict:
    items = [public(item) for item in session.get("_line_items", [])]
    return list_object(f"/v1/checkout/sessions/{session['id']}/line_items", items)


def _not_expandable(path: str) -> StripeFailure:
    return StripeFailure(
        f"This property cannot be expanded ({path}).", code="parameter_invalid", param="expand"
    )


def refunds_list(tx: Tx, charge: dict, expanded: bool) -> dict:
    refunds = [public(r) for r in (tx.get(rid) for rid in charge.get("_refund_ids", [])) if r]
    refunds.reverse()  # newest first, like Stripe's lists
    return {
        **list_object(f"/v1/charges/{charge['id']}/refunds", refunds),
        "total_count": len(refunds),
    }


def load(tx: Tx, object_id: str, kind: str, label: str | None = None, param: str = "id") -> dict:
    obj = tx.get(object_id, kind) if isinstance(object_id, str) else None
    if obj is None:
        raise no_such(label or kind, str(object_id), param)
    return obj


def balance_transaction(
    tx: Tx,
    *,
    amount: int,
    fee: int,
    currency: str,
    source: str,
    kind: str,
    now: int,
    exchange_rate: float | None = None,
) -> dict:
    """Money as it lands in the account: amount, fee and net in `currency` (the
    settlement currency), with Stripe's `exchange_rate` from the charge's currency
    when the two differ (charge amount x exchange_rate = settled amount)."""
    fee_details = (
        [
            {
                "amount": fee,
                "application": None,
                "currency": currency,
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ]
        if fee
        else []
    )
    return tx.insert(
        {
            "id": new_id("txn_"),
            "object": "balance_transaction",
            "amount": amount,
            "available_on": now + 2 * 86400,
            "created": now,
            "currency": currency,
            "description": None,
            "exchange_rate": exchange_rate,
            "fee": fee,
            "fee_details": fee_details,
            "net": amount - fee,
            "reporting_category": kind,
            "source": source,
            "status": "pending",
            "type": kind,
        }
    )
