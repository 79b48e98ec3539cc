"""People: two organizations with a member of each role (accounts, events, security)."""

from dataclasses import dataclass

from tests.support import factories


@dataclass
class Team:
    org: object
    owner: object
    organizer: object
    door: object
    other_org: object
    other_organizer: object


def build_team(db) -> Team:
    """Two organizations: ours (owner, organizer, door) and another one; committed."""
    org = factories.organization("Songs for Shelter")
    other = factories.organization("Other Org")
    data = Team(
        org=org,
        owner=factories.member(org, "owner", email="owner@example.test"),
        organizer=factories.member(org, "organizer", email="organizer@example.test"),
        door=factories.member(org, "door", email="door@example.test"),
        other_org=other,
        other_organizer=factories.member(other, "organizer", email="rival@example.test"),
    )
    db.session.commit()
    return data
