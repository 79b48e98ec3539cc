"""Creating users, organizations, memberships and API tokens. Services only flush."""

import functools
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ticketing.accounts.models import ROLES, ApiToken, Membership, Organization, User
from ticketing.accounts.tokens import hash_secret, new_secret
from ticketing.database import MAX_ID, utcnow
from ticketing.errors import ValidationFailed
from ticketing.extensions import db
from ticketing.search_text import slugify as text_slug


class EventDirectory:
    """How accounts look up events, which sit above them: a token may be bound
    to one event. The events domain fills this in when it is imported."""

    def __init__(self):
        self.organization_of = None  # event id -> its organization's id, or None
        self.events_of = None  # organization id -> its events, newest first

    def register(self, *, organization_of, events_of) -> None:
        self.organization_of, self.events_of = organization_of, events_of


EVENTS = EventDirectory()

TOKEN_PREFIX = "tkt"  # noqa: S105  (a label, not a secret)
# A token's last use is written at most this often, so reads rarely write.
TOUCH_INTERVAL = timedelta(minutes=1)
# Higher number, more power: a token or a new member never outranks its creator.
ROLE_RANK = {"door": 1, "organizer": 2, "owner": 3}


def role_at_most(role: str, ceiling: str) -> bool:
    return ROLE_RANK.get(role, 99) <= ROLE_RANK.get(ceiling, 0)


def slugify(text: str) -> str:
    """A web address from a name, transliterated to Latin (search_text.slugify)."""
    return text_slug(text) or "item"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalize_email(email))
    ).scalar_one_or_none()


def create_organization(name: str, slug: str | None = None) -> Organization:
    organization = Organization(name=name, slug=slug or slugify(name))
    db.session.add(organization)
    db.session.flush()
    return organization


def create_user(email: str, name: str, password: str) -> User:
    if len(password) < 10:
        raise ValidationFailed(gettext("Use at least 10 characters."), field="password")
    user = User(email=normalize_email(email), name=name, password_hash=_hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def password_matches(user: User | None, password: str) -> bool:
    """Hash the password whether or not the user exists: an unknown email must
    take as long as a known one, or the answer's time tells which emails exist."""
    if user is None:
        check_password_hash(_dummy_password_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


def _hash_password(password: str) -> str:
    return generate_password_hash(password, _password_hash_method())


def _password_hash_method() -> str:
    """Werkzeug's scrypt unless PASSWORD_HASH_METHOD names another: only the
    tests do, with a cheap one, since a real hash costs a test 0.1 to 0.4 s."""
    return current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"


def _dummy_password_hash() -> str:
    """A hash made like every user's (same method and cost), of a password nobody has."""
    return _dummy_hash_for(_password_hash_method())


@functools.cache
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(32), method)


def add_member(user: User, organization: Organization, role: str) -> Membership:
    if role not in ROLES:
        raise ValidationFailed(
            gettext("Role must be one of %(join)s.", join=", ".join(ROLES)), field="role"
        )
    membership = Membership(user=user, organization=organization, role=role)
    db.session.add(membership)
    db.session.flush()
    return membership


def membership_of(user: User, organization_id: int | None = None) -> Membership | None:
    query = select(Membership).where(Membership.user_id == user.id)
    if organization_id is not None:
        query = query.where(Membership.organization_id == organization_id)
    return db.session.execute(query.order_by(Membership.id).limit(1)).scalar_one_or_none()


def issue_token(
    membership: Membership,
    role: str,
    event_id: int | None = None,
    name: str = "",
    secret: str | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the plain token (shown once).

    A token never carries more power than its owner: a door member cannot
    mint an organizer token.
    """
    if role not in ROLES:
        raise ValidationFailed(
            gettext("Role must be one of %(join)s.", join=", ".join(ROLES)), field="role"
        )
    if membership.role == "door" and role != "door":
        raise ValidationFailed(gettext("A door member can only have door tokens."), field="role")
    plain = secret or new_secret(TOKEN_PREFIX)
    token = ApiToken(
        token_hash=hash_secret(plain),
        prefix=plain[:12],
        name=name,
        user_id=membership.user_id,
        organization_id=membership.organization_id,
        role=role,
        event_id=event_id,
    )
    db.session.add(token)
    db.session.flush()
    return token, plain


def members_of(organization_id: int) -> list[Membership]:
    return list(
        db.session.execute(
            select(Membership)
            .join(User)
            .where(Membership.organization_id == organization_id)
            .order_by(User.name, User.id)
        ).scalars()
    )


def add_team_member(
    organization: Organization, *, email: str, name: str, password: str, role: str, added_by: str
) -> Membership:
    """A new person joins the team; only an owner may add another owner.

    Each person belongs to one organization (the session picks their first
    membership), so an email that already has an account is refused.
    """
    if role not in ROLES:
        raise ValidationFailed(
            gettext("Role must be one of %(join)s.", join=", ".join(ROLES)), field="role"
        )
    if not role_at_most(role, added_by):
        raise ValidationFailed(gettext("Only an owner may add another owner."), field="role")
    if find_user(email) is not None:
        raise ValidationFailed(gettext("This email already has an account."), field="email")
    return add_member(create_user(email, name, password), organization, role)


def remove_member(membership: Membership, *, removed_by: Membership) -> None:
    """Take someone off the team and revoke their tokens for this organization."""
    if membership.id == removed_by.id:
        raise ValidationFailed(gettext("You cannot remove yourself."), field="member")
    if not role_at_most(membership.role, removed_by.role):
        raise ValidationFailed(gettext("Only an owner may remove an owner."), field="member")
    db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.user_id == membership.user_id,
            ApiToken.organization_id == membership.organization_id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.delete(membership)
    db.session.flush()


def tokens_of(organization_id: int) -> list[ApiToken]:
    return list(
        db.session.execute(
            select(ApiToken)
            .where(ApiToken.organization_id == organization_id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        ).scalars()
    )


def revoke_token(token: ApiToken, *, revoked_by: Membership) -> None:
    """Revoking is final: the row stays (for the list), the token stops working."""
    if not role_at_most(token.role, revoked_by.role):
        raise ValidationFailed(gettext("Only an owner may revoke an owner token."), field="token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    db.session.flush()


def touch_token(token_id: int, now: datetime | None = None) -> bool:
    """Record a token's use, at most once a minute (so reads rarely write)."""
    now = now or utcnow()
    result = db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - TOUCH_INTERVAL),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def create_api_token(
    membership: Membership, *, role: str, name: str, event_id: int | None = None
) -> tuple[ApiToken, str]:
    """A token made on the tokens page: never above its creator, bound to the org's event."""
    if membership.role == "door":
        raise ValidationFailed(gettext("Door members cannot create tokens."), field="role")
    if not role_at_most(role, membership.role):
        raise ValidationFailed(gettext("A token cannot have more power than you."), field="role")
    if event_id is not None and EVENTS.organization_of(event_id) != membership.organization_id:
        raise ValidationFailed(
            gettext("Choose one of your organization's events."), field="event_id"
        )
    return issue_token(membership, role, event_id=event_id, name=name)


def get_row(model, ident: int):
    """db.session.get, but an id no row can have is simply not found
    (PostgreSQL would refuse a too-large number with an error)."""
    if not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        return None
    return db.session.get(model, ident)
