"""Real Chromium for the tests that matter in a browser (Debian's, never a download).

Outside CI a machine without Chromium skips these tests with a reason; in CI
(CI=true) its absence is a failure, since .ci/run installs it.
"""

import os
import shutil
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def require_chromium() -> None:
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium is required in CI: apt-get install -y chromium")
    pytest.skip("Chromium is not installed (apt-get install -y chromium)")


# One Playwright driver for the whole session: a second sync_playwright()
# inside a live one is refused, and starting the driver costs a second.
_DRIVER = {}


def _playwright():
    if "playwright" not in _DRIVER:
        from playwright.sync_api import sync_playwright

        _DRIVER["playwright"] = sync_playwright().start()
    return _DRIVER["playwright"]


def stop_playwright() -> None:
    """Stop the session's driver, if a test started it (tests/conftest.py, at the end)."""
    driver = _DRIVER.pop("playwright", None)
    if driver is not None:
        driver.stop()


@contextmanager
def chromium(extra_args: tuple[str, ...] = ()):
    """A launched browser; closed on the way out, whatever happened."""
    require_chromium()
    browser = _playwright().chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *extra_args])
    try:
        yield browser
    finally:
        browser.close()
