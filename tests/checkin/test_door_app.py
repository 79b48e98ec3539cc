"""The scanner as an installable app, server side: service worker, manifest,
icons, no way off the scanner page, the device link as a QR code, tonight's
event first, links to the check-ins page, and logging out clears the device."""

import base64
import io
import json
import re
from datetime import UTC, datetime, timedelta

from PIL import Image

from tests.checkin.test_pages import csrf_from, login
from tests.support import factories
from tests.support.door import settle
from ticketing.tickets.qr import qr_matrix


def test_service_worker_covers_both_scanner_pages_and_lists_files_that_exist(client, door):
    response = client.get("/door/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/door"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    config = json.loads(re.match(r"self\.DOOR_CONFIG = (\{.*?\});\n", body).group(1))
    assert config["scope"] == "/door"
    assert "/static/js/door-offline.js" in config["assets"]
    assert "/static/vendor/qr-scanner-1.4.2/qr-scanner.umd.min.js" in config["assets"]
    for asset in [*config["assets"], config["manifest"]]:
        with client.get(asset) as served:
            assert served.status_code == 200, asset
    assert 'addEventListener("fetch"' in body


def test_manifest_makes_the_scanner_installable_with_real_png_icons(client, door):
    response = client.get("/door/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["name"] == "Door scanner" and manifest["display"] == "standalone"
    assert manifest["scope"] == "/door" and "start_url" not in manifest
    sizes = set()
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as served:
            image = Image.open(io.BytesIO(served.data))
        assert image.format == "PNG" and icon["type"] == "image/png"
        assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.add(image.width)
    assert {192, 512} <= sizes
    ru = client.get("/door/manifest.webmanifest?lang=ru").get_json()
    assert ru["name"] != "Door scanner"


def _links_and_forms(page: str) -> tuple[list[str], list[str]]:
    return re.findall(r'<a [^>]*href="([^"]+)"', page), re.findall(r'action="([^"]+)"', page)


def test_device_link_scanner_has_no_link_away_from_it(client, door, db):
    token = factories.token(door.org, "door", event_id=door.event.id)
    settle(db)
    page = client.get(f"/door/device/{token}").get_data(as_text=True)
    assert '<link rel="manifest" href="/door/manifest.webmanifest">' in page
    assert 'data-sw="/door/sw.js" data-sw-scope="/door"' in page
    links, forms = _links_and_forms(page)
    # Only the language switch, which reloads this very scanner.
    assert links and all(link.startswith("?lang=") for link in links)
    assert forms == []


def test_logged_in_scanner_offers_only_another_event_and_logging_out(client, door, db):
    login(client, db, door.org, "door")
    page = client.get(f"/door?event={door.event.id}").get_data(as_text=True)
    links, forms = _links_and_forms(page)
    away = [link for link in links if "lang=" not in link]
    assert away == ["/door?pick=1"]  # in the settings panel, on purpose
    assert forms == ["/logout"]
    assert "data-door-logout" in page


def test_logging_out_clears_the_door_list_on_the_device(client, door, db):
    login(client, db, door.org, "door")
    page = client.get(f"/door?event={door.event.id}").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def _matrix_of(svg: str) -> list[list[bool]]:
    size = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    matrix = [[False] * size for _ in range(size)]
    for x, y, length in re.findall(r"M(\d+) (\d+)h(\d+)", svg):
        for dx in range(int(length)):
            matrix[int(y)][int(x) + dx] = True
    return matrix


def test_new_device_link_is_shown_as_a_qr_code_with_a_copy_button(client, door, db):
    login(client, db, door.org, "organizer")
    page = client.get(f"/manage/events/{door.event.id}/checkins").get_data(as_text=True)
    assert "new-device-link-qr" not in page
    made = client.post(
        f"/manage/events/{door.event.id}/device-links", data={"csrf_token": csrf_from(page)}
    ).get_data(as_text=True)
    link = re.search(
        r'id="new-device-link" value="([^"]+)"|value="([^"]+)" id="new-device-link"', made
    )
    link = next(group for group in link.groups() if group)
    data_uri = re.search(r'id="new-device-link-qr" src="data:image/svg\+xml;base64,([^"]+)"', made)
    svg = base64.b64decode(data_uri.group(1)).decode()
    assert _matrix_of(svg) == [list(row) for row in qr_matrix(link)]
    assert 'data-copy="new-device-link"' in made


def test_the_event_picker_puts_tonights_event_first(client, door, db):
    org = door.org
    now = datetime.now(UTC)
    factories.event(org, name="Last week", starts_at=now - timedelta(days=7))
    factories.event(org, name="Tonight", starts_at=now + timedelta(hours=3))
    factories.event(org, name="Next month", starts_at=now + timedelta(days=20))
    factories.event(org, name="Next year", starts_at=now + timedelta(days=300))
    login(client, db, org, "door")
    page = client.get("/door?pick=1").get_data(as_text=True)
    names = re.findall(r'href="/door\?event=\d+">([^<]+)</a>', page)
    assert names[0] == "Tonight"
    assert names.index("Next month") < names.index("Next year") < names.index("Last week")
    assert page.count('class="badge"') == 1


def test_the_checkins_page_is_linked_from_the_event_and_the_dashboard(client, door, db):
    login(client, db, door.org, "organizer")
    target = f'href="/manage/events/{door.event.id}/checkins"'
    for path in (
        "/manage/events",
        f"/manage/events/{door.event.id}/edit",
        f"/manage/events/{door.event.id}/dashboard",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert target in response.get_data(as_text=True), path
