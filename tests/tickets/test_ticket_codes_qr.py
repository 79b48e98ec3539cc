"""Ticket codes, their QR images, and reissuing a ticket."""

import re

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from tests.support.tickets import decode_png, decode_qr
from ticketing.errors import Conflict
from ticketing.tickets.codes import grouped_code, looks_like_code, new_code, normalize_code
from ticketing.tickets.models import Ticket
from ticketing.tickets.qr import qr_matrix, qr_png, qr_svg, qr_version
from ticketing.tickets.services import reissue_ticket, ticket_by_code

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def test_codes_are_26_upper_case_base32_characters_and_differ():
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert re.fullmatch(r"[A-Z2-7]{26}", code) and looks_like_code(code)


def test_grouped_code_reads_back_to_the_code():
    code = new_code()
    grouped = grouped_code(code)
    assert grouped.split(" ")[0] == code[:4] and len(grouped.split(" ")) == 7
    assert normalize_code(grouped.lower()) == code


@pytest.mark.parametrize("attempt", range(5))
def test_png_decodes_to_the_exact_code_at_version_2_level_m(attempt):
    code = new_code()
    symbol = decode_png(qr_png(code))
    assert symbol.text == code
    assert symbol.format.name == "QRCode"
    assert symbol.ec_level == "M"
    assert int(symbol.extra["Version"]) <= 2
    assert qr_version(code) == 2
    # 25 modules a side plus a 4-module quiet zone each side.
    assert len(qr_matrix(code)) == 25 + 8


def _rasterise_svg(svg: bytes, scale: int = 8) -> Image.Image:
    """Draw our SVG's path (runs of `M x y h w v1 h-w z`) as pixels, as a viewer would."""
    text = svg.decode()
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', text).group(1))
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", text):
        x, y, width = int(x), int(y), int(width)
        draw.rectangle([x * scale, y * scale, (x + width) * scale - 1, (y + 1) * scale - 1], 0)
    return image


def test_svg_draws_the_same_symbol_and_decodes_to_the_code():
    code = new_code()
    svg = qr_svg(code)
    assert svg.startswith(b"<svg") and b'fill="#fff"' in svg
    assert decode_qr(_rasterise_svg(svg)).text == code


def test_reissue_gives_a_new_code_and_revokes_the_old_one(db, make_paid_order):
    paid = make_paid_order(quantities=(1,))
    old = ticket_by_code(paid.codes[0])
    new = reissue_ticket(old)
    db.session.commit()
    assert new.code != old.code and looks_like_code(new.code)
    assert old.status == "revoked" and old.revoked_at is not None
    assert old.replaced_by_id == new.id
    assert (new.status, new.order_id, new.ticket_type_id) == (
        "valid",
        old.order_id,
        old.ticket_type_id,
    )
    statuses = dict(db.session.execute(select(Ticket.code, Ticket.status)).all())
    assert statuses == {old.code: "revoked", new.code: "valid"}
    with pytest.raises(Conflict):
        reissue_ticket(old)


def test_ticket_by_code_forgives_spaces_and_case(db, make_paid_order):
    paid = make_paid_order(quantities=(1,))
    code = paid.codes[0]
    assert ticket_by_code(grouped_code(code).lower()).code == code
    assert ticket_by_code("not a code") is None
