"""The benchmarks' floor: the least an authenticated write can cost on this stack.

`POST /_bench/floor` checks the Bearer token exactly as every API call does,
then makes one indexed single-row update (the token's `last_used_at`) and
commits. The benchmarks drive it on the same server and database as the real
endpoints and report their figures as a ratio to it, which compares across
noisy machines. It exists only when the setting BENCH_FLOOR=1 is given (the
environment or the app's config): normal operation has no such URL.
"""

import os

from flask import Blueprint, Flask, Response, abort
from sqlalchemy import bindparam, update

from ticketing.accounts.auth import current_principal
from ticketing.accounts.models import ApiToken
from ticketing.database import utcnow
from ticketing.extensions import csrf, db


def enabled(app: Flask) -> bool:
    setting = app.config.get("BENCH_FLOOR", os.environ.get("BENCH_FLOOR", ""))
    return str(setting).strip().lower() in {"1", "true", "yes", "on"}


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


def init_app(app: Flask) -> None:
    if not enabled(app):
        return
    floor_bp = Blueprint("benchfloor", __name__)
    floor_bp.add_url_rule("/_bench/floor", view_func=floor, methods=["POST"])
    csrf.exempt(floor_bp)
    app.register_blueprint(floor_bp)
