"""Issue 13, finding 7: the ledger CSV's `by` column and `seed-demo` in production."""

import csv
import io
import json

import pytest
from sqlalchemy import select

from tests.support.money import MoneyShop, build_money_shop
from tests.support.web import login_as
from ticketing.accounts.auth import principal_from_token
from ticketing.accounts.models import ApiToken, User
from ticketing.accounts.tokens import hash_secret
from ticketing.database import utcnow
from ticketing.payments import manual

pytestmark = pytest.mark.usefixtures("fresh_request_globals")


@pytest.fixture
def shop(db) -> MoneyShop:
    """The money tests' world (tests/support/money.py), not the shop over HTTP."""
    return build_money_shop(db)


FORMULA = '=HYPERLINK("http://evil.test","x")@x.test'


def test_ledger_csv_defuses_a_formula_in_the_by_column(client, shop, db):
    author = db.session.get(User, shop.organizer.user_id)
    author.email = FORMULA
    manual.record_donation(shop.event, amount_minor=500, method="cash", recorded_by_id=author.id)
    db.session.commit()
    login_as(client, author)

    response = client.get(f"/manage/events/{shop.event.id}/export/ledger.csv")

    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["by"] for row in rows] == ["'" + FORMULA]


def _seed(app, runner, app_env: str):
    app.config["APP_ENV"] = app_env
    return runner.invoke(args=["seed-demo", "--json"])


def test_seed_demo_refuses_to_run_outside_development(app, runner, db):
    for env in ("production", "prod", "testing", ""):
        result = _seed(app, runner, env)
        assert result.exit_code != 0, env
        assert "development" in result.output, result.output
        assert db.session.execute(select(ApiToken)).first() is None
        assert db.session.execute(select(User)).first() is None


def test_seed_demo_does_not_bring_back_a_revoked_demo_token(app, runner, db):
    first = _seed(app, runner, "development")
    assert first.exit_code == 0, first.output
    revoked = json.loads(first.output.strip().splitlines()[-1])["organizer_token"]
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(revoked))
    ).scalar_one()
    token.revoked_at = utcnow()
    db.session.commit()

    again = runner.invoke(args=["seed-demo", "--json"])

    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert principal_from_token(revoked) is None
    fresh = json.loads(again.output.strip().splitlines()[-1])["organizer_token"]
    assert fresh != revoked
    assert principal_from_token(fresh).role == "organizer"
