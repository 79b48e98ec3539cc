"""No template carries code or styles inline: the CSP (script-src/style-src 'self') refuses them.

Email templates are exempt: mail clients need inline styles, and emails are
not served under the policy.
"""

from pathlib import Path

import pytest

from tests.security.inline_code import inline_code
from ticketing import apidocs

ROOT = Path(__file__).resolve().parents[2]
# The app's templates, and the stand-in's (its own package) named under "standin/".
TEMPLATE_DIRS = {"": ROOT / "templates", "standin/": ROOT / "standin" / "templates"}
SERVED = {
    prefix + p.relative_to(folder).as_posix(): p
    for prefix, folder in TEMPLATE_DIRS.items()
    for p in sorted(folder.rglob("*.html"))
    if "emails" not in p.relative_to(folder).parts
}


def test_the_templates_are_found():
    names = set(SERVED)
    assert {"base.html", "tickets/order.html", "standin/base.html"} <= names


@pytest.mark.parametrize("path", SERVED.values(), ids=list(SERVED))
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
