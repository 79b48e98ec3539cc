"""No template carries code or styles inline: the CSP (script-src/style-src 'self') refuses them.

Email templates are exempt: mail clients need inline styles, and emails are
not served under the policy.
"""

from pathlib import Path

import pytest

from tests.security.inline_code import inline_code
from ticketing import apidocs

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SERVED = sorted(
    p for p in TEMPLATES.rglob("*.html") if "emails" not in p.relative_to(TEMPLATES).parts
)


def test_the_templates_are_found():
    names = {p.relative_to(TEMPLATES).as_posix() for p in SERVED}
    assert {"base.html", "tickets/order.html", "standin/base.html"} <= names


@pytest.mark.parametrize("path", SERVED, ids=lambda p: p.relative_to(TEMPLATES).as_posix())
def test_no_inline_script_handler_or_style(path):
    assert inline_code(path.read_text(encoding="utf-8")) == []


def test_the_api_docs_page_too():
    assert inline_code(apidocs.PAGE) == []


def test_the_finder_finds_each_kind():
    html = (
        "<script>alert(1)</script><script src='/a.js'></script><style>p{}</style>"
        "<button onclick=\"go()\">x</button><p style='color:red'>y</p>"
        "<a href='javascript:x()'>z</a>"
    )
    found = inline_code(html)
    assert len(found) == 5, found
