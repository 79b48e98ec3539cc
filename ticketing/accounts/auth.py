"""Who is asking: an API token (Bearer) or a logged-in user, and in which role.

Every API and organizer view asks for a Principal; it carries the
organization whose data may be seen and, for event-bound tokens, the event.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from flask import abort, g, request, session
from flask_babel import gettext
from flask_login import current_user, user_logged_in
from flask_wtf.csrf import validate_csrf
from sqlalchemy import bindparam, select
from wtforms.validators import ValidationError

from ticketing import compiled_sql
from ticketing.accounts.models import MONEY_ROLES, ApiToken, Membership, User
from ticketing.accounts.tokens import hash_secret
from ticketing.extensions import db, login_manager


@dataclass(frozen=True)
class Principal:
    user_id: int
    organization_id: int
    role: str
    event_id: int | None = None
    token_id: int | None = None

    @property
    def sees_money(self) -> bool:
        return self.role in MONEY_ROLES

    def can_see_event(self, event) -> bool:
        if event.organization_id != self.organization_id:
            return False
        return self.event_id is None or self.event_id == event.id


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


# Built once: this runs on every API call, and building a statement costs
# more CPU than PostgreSQL spends answering it.
TOKEN_CALLER = (
    select(
        ApiToken.id,
        ApiToken.user_id,
        ApiToken.organization_id,
        ApiToken.role,
        ApiToken.event_id,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
        User.active,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def principal_from_token(token: str) -> Principal | None:
    """The token's caller, in one query (token and user together: this is every API call)."""
    g.pop("token_last_used_at", None)
    row = compiled_sql.first(TOKEN_CALLER, {"token_hash": hash_secret(token)})
    if row is None or row.revoked_at is not None or not row.active:
        return None
    # Lets the after-request bookkeeping skip a write it knows would change nothing.
    g.token_last_used_at = row.last_used_at
    return Principal(row.user_id, row.organization_id, row.role, row.event_id, row.id)


def token_used_recently(now: datetime, within: timedelta) -> bool:
    """Did this request's token row say it was used less than `within` ago?"""
    last = g.get("token_last_used_at")
    return last is not None and last >= now - within


def principal_from_session() -> Principal | None:
    """A logged-in user; API writes from a page must also carry the CSRF token."""
    if not current_user.is_authenticated:
        return None
    if request.path.startswith("/api/") and request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except ValidationError:
            return None
    membership = db.session.execute(
        select(Membership)
        .where(Membership.user_id == current_user.id)
        .order_by(Membership.id)
        .limit(1)
    ).scalar_one_or_none()
    if membership is None:
        return None
    return Principal(current_user.id, membership.organization_id, membership.role)


def current_principal() -> Principal | None:
    """The caller, looked up once per request (token first, then the session)."""
    if "principal" not in g:
        token = bearer_token()
        g.principal = principal_from_token(token) if token else principal_from_session()
    return g.principal


def require_role(*roles: str):
    """401 without credentials, 403 when the role may not do this."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                abort(401, gettext("A valid API token or login is required."))
            if roles and principal.role not in roles:
                abort(403, gettext("Your role may not do this."))
            return view(*args, **kwargs)

        return wrapped

    return decorator


SESSION_VERSION_KEY = "_session_version"


@login_manager.user_loader
def load_user(user_id: str):
    """The session's user, unless they logged out since the cookie was made."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.active:
        return None
    return user if session.get(SESSION_VERSION_KEY, 0) == user.session_version else None


@user_logged_in.connect
def remember_session_version(sender, user, **extra) -> None:
    """A login writes the user's session version into the (signed) cookie."""
    session[SESSION_VERSION_KEY] = user.session_version


def end_sessions(user) -> None:
    """Every session cookie of this user made until now opens nothing any more."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def refuse_event_bound(principal: Principal) -> None:
    """403 for a token bound to one event (a device link too): the team, the
    tokens and whatever else belongs to the whole organization are not its to touch."""
    if principal.event_id is not None:
        abort(403, gettext("This token is for one event only; it cannot act for the organization."))


def page_role_required(*roles: str, whole_organization: bool = False):
    """Like require_role, for pages: anonymous people are sent to the login form.

    `whole_organization` pages (team, tokens) refuse event-bound tokens.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated and bearer_token() is None:
                return login_manager.unauthorized()
            principal = current_principal()
            if principal is None:
                abort(403, gettext("Your account is not a member of any organization."))
            if roles and principal.role not in roles:
                abort(403, gettext("Your role may not do this."))
            if whole_organization:
                refuse_event_bound(principal)
            return view(*args, **kwargs)

        return wrapped

    return decorator
