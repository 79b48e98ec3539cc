"""`flask seed-demo`: a demo organization, its people and a benefit concert.

Idempotent: a second run finds what the first made and creates nothing. The
demo tokens are derived from SECRET_KEY, so every run prints the same ones;
a demo token someone revoked stays revoked (a new random one is printed).
It runs only in development: its passwords and tokens are public knowledge.
"""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from sqlalchemy import select

from ticketing.accounts import services as accounts
from ticketing.accounts.models import ApiToken, Organization
from ticketing.accounts.tokens import derived_secret, hash_secret
from ticketing.events import services as events
from ticketing.extensions import db

ORGANIZATION = {"name": "Songs for Shelter", "slug": "songs-for-shelter"}
ORGANIZER = {
    "email": "organizer@demo.test",
    "name": "Demo Organizer",
    "password": "concert-demo-2026",
}
DOOR = {"email": "door@demo.test", "name": "Demo Door Staff", "password": "door-demo-2026"}
EVENT_SLUG = "benefit-concert-istanbul"
TIERS = (
    {"name": "Standard", "price_minor": 2500, "capacity": 300, "position": 1},
    {
        "name": "Supporter",
        "price_minor": 6000,
        "capacity": 100,
        "position": 2,
        "description": "A front-row seat, and twice the help.",
    },
    {
        "name": "Pay what you can",
        "price_minor": 1500,
        "capacity": 100,
        "position": 3,
        "pay_what_you_want": True,
        "min_price_minor": 500,
        "description": "Suggested $15; at least $5.",
    },
)


def next_concert_start(now: datetime) -> datetime:
    """A Saturday 19:30 in Istanbul, three to four weeks from now."""
    tz = ZoneInfo("Europe/Istanbul")
    day = (now + timedelta(days=21)).astimezone(tz).date()
    day += timedelta(days=(5 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 19, 30, tzinfo=tz)


def ensure_user(spec: dict, organization: Organization, role: str):
    user = accounts.find_user(spec["email"])
    if user is None:
        user = accounts.create_user(spec["email"], spec["name"], spec["password"])
    membership = accounts.membership_of(user, organization.id)
    if membership is None:
        membership = accounts.add_member(user, organization, role)
    return membership


def ensure_token(membership, role: str) -> str:
    plain = derived_secret(current_app.config["SECRET_KEY"], f"demo-{role}-token", "tkt")
    existing = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(plain))
    ).scalar_one_or_none()
    if existing is None:
        accounts.issue_token(membership, role, name=f"demo {role}", secret=plain)
    elif existing.revoked_at is not None:
        # Somebody revoked it for a reason: never bring it back.
        _, plain = accounts.issue_token(membership, role, name=f"demo {role}")
    return plain


def ensure_event(organization: Organization):
    event = events.event_by_slug(EVENT_SLUG)
    if event is not None:
        return event
    event = events.create_event(
        organization.id,
        name="Songs for Shelter: a benefit concert",
        slug=EVENT_SLUG,
        starts_at=next_concert_start(datetime.now(ZoneInfo("UTC"))),
        timezone="Europe/Istanbul",
        currency="USD",
        goal_minor=3_000_000,
        venue="Salon İKSV, Sadi Konuralp Cd. 5, Beyoğlu, Istanbul",
        beneficiary="Refugee families' winter shelter fund",
        description=(
            "An evening of songs in Russian, Ukrainian and Turkish by musicians of "
            "the diaspora. Every ticket and donation goes to the winter shelter "
            "fund for refugee families. Can't come? You can still donate."
        ),
        published=True,
        # Much of this audience has no card Stripe can charge: the demo shows
        # reserving to pay cash at the door or by transfer too.
        payment_methods=["card", "door", "transfer"],
        transfer_instructions=(
            "Songs for Shelter e.V., IBAN DE89 3704 0044 0532 0130 00. "
            "Write your payment reference in the transfer's subject."
        ),
        unpaid_seats_cap=60,
    )
    for tier in TIERS:
        events.add_ticket_type(event, **tier)
    return event


@click.command("seed-demo")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line for scripts.")
def seed_demo_command(as_json):
    """Create (once) a demo organization, organizer, door user and a published concert."""
    if current_app.config.get("APP_ENV") != "development":
        raise click.ClickException(
            "seed-demo runs only with APP_ENV=development: its passwords and tokens "
            "are public, and must never open a real installation."
        )
    organization = db.session.execute(
        select(Organization).where(Organization.slug == ORGANIZATION["slug"])
    ).scalar_one_or_none() or accounts.create_organization(**ORGANIZATION)
    organizer = ensure_user(ORGANIZER, organization, "owner")
    door = ensure_user(DOOR, organization, "door")
    event = ensure_event(organization)
    organizer_token = ensure_token(organizer, "organizer")
    door_token = ensure_token(door, "door")
    db.session.commit()
    base = current_app.config["BASE_URL"]
    click.echo(f"Demo event:  {base}/events/{event.slug}")
    click.echo(f"Organizer:   {ORGANIZER['email']} / {ORGANIZER['password']}  ({base}/login)")
    click.echo(f"Door staff:  {DOOR['email']} / {DOOR['password']}")
    if as_json:
        click.echo(
            json.dumps(
                {
                    "organizer_email": ORGANIZER["email"],
                    "organizer_password": ORGANIZER["password"],
                    "organizer_token": organizer_token,
                    "door_token": door_token,
                    "event_id": event.id,
                }
            )
        )


COMMANDS = [seed_demo_command]
