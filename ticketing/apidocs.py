"""Interactive API docs at /api/v1/docs, served entirely from this app's own files.

flask-smorest's built-in Swagger UI page loads its scripts from a CDN; the
venues and machines this runs on often have no internet, so the page below
uses the copy of swagger-ui-dist vendored under static/vendor/ (with its
LICENSE) and reads the spec from /api/v1/openapi.json.
"""

from flask import Blueprint, current_app, render_template_string, url_for

SWAGGER_UI = "vendor/swagger-ui-dist-5.35.0"

bp = Blueprint("apidocs", __name__)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ title }} · API docs</title>
  <link rel="stylesheet" href="{{ url_for('static', filename=ui ~ '/swagger-ui.css') }}">
  <link rel="stylesheet" href="{{ url_for('static', filename='css/apidocs.css') }}">
</head>
<body>
  <noscript><p>The interactive docs need JavaScript; the raw spec is at
    <a href="{{ spec_url }}">{{ spec_url }}</a>.</p></noscript>
  <div id="swagger-ui" data-spec-url="{{ spec_url }}"></div>
  <script src="{{ url_for('static', filename=ui ~ '/swagger-ui-bundle.js') }}"></script>
  <script src="{{ url_for('static', filename='js/apidocs.js') }}"></script>
</body>
</html>
"""


@bp.get("/api/v1/docs")
def docs():
    return render_template_string(
        PAGE,
        title=current_app.config.get("API_TITLE", "API"),
        ui=SWAGGER_UI,
        spec_url=url_for("api-docs.openapi_json"),
    )
