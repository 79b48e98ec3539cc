"""Counts people read are grouped the way their language writes numbers."""

from tests.support import factories as f
from tests.support.web import login_as

NBSP = "\u00a0"  # how ru and uk group thousands (CLDR)


def test_seats_left_are_grouped_in_russian_and_english(client, db, concert):
    f.tier(concert, name="Балкон", price_minor=50_000, capacity=1500)
    db.session.commit()
    russian = client.get(f"/events/{concert.slug}?lang=ru").get_data(as_text=True)
    assert f"осталось 1{NBSP}500" in russian
    assert "осталось 1500" not in russian
    english = client.get(f"/events/{concert.slug}?lang=en").get_data(as_text=True)
    assert "1,500 left" in english


def test_the_organizer_list_groups_the_capacity_in_russian(client, db, org, concert):
    f.tier(concert, name="Балкон", price_minor=50_000, capacity=1500)
    organizer = f.member(org, "organizer")
    db.session.commit()
    login_as(client, organizer.user)
    page = client.get("/manage/events?lang=ru").get_data(as_text=True)
    assert f"/ 1{NBSP}600" in page  # 100 + 1500 seats
