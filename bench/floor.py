"""The benchmarks' floor: the least an authenticated write can cost on this stack.

`POST /_bench/floor` checks the Bearer token exactly as every API call does,
then makes one indexed single-row update (the token's `last_used_at`) and
commits. The benchmarks drive it on the same server and database as the real
endpoints and report their figures as a ratio to it, which compares across
noisy machines. Only the benchmark harness serves it, through this module's
own app factory (`gunicorn "bench.floor:create_app()"`): the product's app
has no such URL and no switch for it.
"""

from flask import Blueprint, Flask, Response, abort
from sqlalchemy import bindparam, update

import ticketing
from ticketing.accounts.auth import current_principal
from ticketing.accounts.models import ApiToken
from ticketing.database import utcnow
from ticketing.extensions import csrf, db

TOUCH = (
    update(ApiToken)
    .where(ApiToken.id == bindparam("token_id"))
    .values(last_used_at=bindparam("now", type_=ApiToken.last_used_at.type))
)


def floor() -> Response:
    principal = current_principal()
    if principal is None or principal.token_id is None:
        abort(401, "A valid API token is required.")
    db.session.connection().execute(TOUCH, {"token_id": principal.token_id, "now": utcnow()})
    db.session.commit()
    return Response('{"status":"ok"}', mimetype="application/json")


def install(app: Flask) -> Flask:
    """Add the floor's route to an app that has not served a request yet."""
    floor_bp = Blueprint("benchfloor", __name__)
    floor_bp.add_url_rule("/_bench/floor", view_func=floor, methods=["POST"])
    csrf.exempt(floor_bp)
    app.register_blueprint(floor_bp)
    return app


def create_app(config: dict | None = None) -> Flask:
    """The product's app, plus the floor: what the benchmark harness serves."""
    return install(ticketing.create_app(config))
