"""The settings every test app starts from, and what a production test adds."""

TEST_SETTINGS = {
    "TESTING": True,
    # Development: the tests start their own Stripe stand-in and pass every
    # setting here; production's start-up checks have their own tests.
    "APP_ENV": "development",
    "SECRET_KEY": "test-secret-key-0123456789abcdef-0123456789",
    "WTF_CSRF_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Many buyers on one loopback address: tests/security/test_seat_holds.py
    # sets the seat hold limits it checks.
    "HOLD_RATE_LIMIT": "100000 per hour",
    "HOLD_EMAIL_RATE_LIMIT": "100000 per hour",
    "HOLDS_PER_EMAIL": 0,
    "BASE_URL": "http://localhost",
    "MAIL_SERVER": "",
    # No Stripe unless a test starts the stand-in (`shop`, `standin_server` in tests/conftest.py)
    # and points STRIPE_API_BASE at it; a stray call fails fast on a closed port.
    "STRIPE_API_BASE": "http://127.0.0.1:9",
    "STRIPE_WEBHOOK_SECRET": "whsec_test_secret",
    # A cheap hash for the test users (scrypt costs 0.1 to 0.4 s each); checking
    # still goes through the real check_password_hash, and the login's dummy
    # hash follows the same method (tests/security/test_login_attacks.py).
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    # Tasks run at once, in the caller's thread (Huey's immediate mode), so a
    # test sees the email sent when the request returns; tests/tasks/ start
    # real workers on Redis and on the SQLite queue instead.
    "TASKS_IMMEDIATE": True,
}
# Overrides for a test that needs production (make_app(**PRODUCTION_SETTINGS)):
# everything production requires, with the test's stand-in address and the
# rate limits still in memory.
PRODUCTION_SETTINGS = {
    "APP_ENV": "production",
    "SECRET_KEY": "production-test-secret-key-0123456789abcdef",
    "REDIS_URL": "redis://127.0.0.1:6379/11",
    "ALLOW_SIMULATED_PAYMENTS": True,
}
