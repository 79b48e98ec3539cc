"""The Stripe stand-in is a development tool (`standin/`, outside the product):
the app imports it only in development, and production never loads it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BUILD_APP = """
import sys
from ticketing import create_app
create_app()
print(sorted(name for name in sys.modules if name == "standin" or name.startswith("standin.")))
"""


def _loaded_standin_modules(env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "-c", BUILD_APP],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


def _env(tmp_path, **settings) -> dict:
    return {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "x" * 48,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "BASE_URL": "http://localhost:5000",
        **settings,
    }


def test_production_never_imports_the_standin(tmp_path):
    env = _env(
        tmp_path,
        APP_ENV="production",
        REDIS_URL="redis://127.0.0.1:6379/11",
        ALLOW_SIMULATED_PAYMENTS="1",
        STRIPE_API_BASE="http://127.0.0.1:12111",
    )
    assert _loaded_standin_modules(env) == "[]"


def test_development_mounts_it_from_its_own_package(tmp_path):
    env = _env(tmp_path, APP_ENV="development", STANDIN_DB=str(tmp_path / "standin.db"))
    assert "'standin'" in _loaded_standin_modules(env)


def test_the_product_package_holds_no_standin():
    assert not (ROOT / "ticketing" / "payments" / "standin").exists()
    assert not (ROOT / "templates" / "standin").exists()
    assert (ROOT / "standin" / "templates" / "checkout.html").is_file()
    assert (ROOT / "standin" / "static" / "css" / "standin.css").is_file()
