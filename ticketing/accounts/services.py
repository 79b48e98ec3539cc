"""Creating users, organizations, memberships and API tokens. Services only flush."""

import re

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ticketing.accounts.models import ROLES, ApiToken, Membership, Organization, User
from ticketing.accounts.tokens import hash_secret, new_secret
from ticketing.errors import ValidationFailed
from ticketing.extensions import db

TOKEN_PREFIX = "tkt"  # noqa: S105  (a label, not a secret)


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80] or "item"


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
        raise ValidationFailed("Use at least 10 characters.", field="password")
    user = User(
        email=normalize_email(email), name=name, password_hash=generate_password_hash(password)
    )
    db.session.add(user)
    db.session.flush()
    return user


def password_matches(user: User | None, password: str) -> bool:
    return user is not None and check_password_hash(user.password_hash, password)


def add_member(user: User, organization: Organization, role: str) -> Membership:
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.", field="role")
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
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.", field="role")
    if membership.role == "door" and role != "door":
        raise ValidationFailed("A door member can only have door tokens.", field="role")
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
