"""The interactive API docs are served from the app's own files, never a CDN."""

import re

import pytest

from ticketing.apidocs import SWAGGER_UI

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied


def test_docs_page_loads_only_local_assets(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the page loads its scripts and styles"
    assert not [url for url in assets if re.match(r"^(https?:)?//", url)]
    assert f"/static/{SWAGGER_UI}/swagger-ui-bundle.js" in assets
    assert f"/static/{SWAGGER_UI}/swagger-ui.css" in assets
    assert 'data-spec-url="/api/v1/openapi.json"' in html


def test_vendored_swagger_ui_and_its_licence_are_served(client):
    script = client.get(f"/static/{SWAGGER_UI}/swagger-ui-bundle.js")
    licence = client.get(f"/static/{SWAGGER_UI}/LICENSE")
    starter = client.get("/static/js/apidocs.js")

    assert script.status_code == 200 and b"SwaggerUIBundle" in script.data
    assert licence.status_code == 200 and b"Apache License" in licence.data
    assert starter.status_code == 200 and b"/api/v1/openapi.json" not in starter.data
    assert b"data-spec-url" in starter.data
    for response in (script, licence, starter):
        response.close()
