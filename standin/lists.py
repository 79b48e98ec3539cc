"""Stripe's list endpoints: newest first, `limit`, `starting_after`, `created[gte]`, filters.

The SDK's `auto_paging_iter()` walks them with `starting_after`, as it does
at Stripe, so `reconcile-stripe` pages through the stand-in unchanged.
"""

from standin import params as p
from standin.errors import StripeFailure
from standin.store import Tx

PAGING = frozenset({"limit", "starting_after", "ending_before", "created", "expand"})
CREATED_OPS = ("gt", "gte", "lt", "lte")


def listing(tx: Tx, kind: str, params: dict, filters: tuple[str, ...] = ()) -> tuple[list, bool]:
    """The page of `kind` the parameters ask for, and whether more follow."""
    p.check_known(params, PAGING | set(filters))
    if params.get("ending_before"):
        raise StripeFailure(
            "The offline stand-in pages forwards only (starting_after).", param="ending_before"
        )
    limit = 10
    if params.get("limit"):
        limit = p.as_int(params["limit"], "limit", minimum=1, maximum=100)
    where = next(((key, p.as_str(params[key], key)) for key in filters if params.get(key)), None)
    starting_after = p.as_str(params.get("starting_after"), "starting_after")
    if starting_after and tx.get(starting_after, kind) is None:
        raise StripeFailure(
            f"No such {kind}: '{starting_after}'",
            status=404,
            code="resource_missing",
            param="starting_after",
        )
    found = tx.page(
        kind,
        limit=limit + 1,
        created=_created(params.get("created")),
        starting_after=starting_after,
        where=where,
    )
    return found[:limit], len(found) > limit


def _created(value) -> dict | None:
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        return {"gte": p.as_int(value, "created"), "lte": p.as_int(value, "created")}
    unknown = set(value) - set(CREATED_OPS)
    if unknown:
        raise StripeFailure(
            f"Received unknown parameter: created[{sorted(unknown)[0]}]", param="created"
        )
    return {op: p.as_int(bound, f"created[{op}]") for op, bound in value.items()}
