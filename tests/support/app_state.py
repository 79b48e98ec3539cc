"""The shared test app, put back as it was after each test.

Building an app costs about 0.2 s of CPU (its routes and the OpenAPI
document), once per test that was a third of the suite. So one app serves
every test that does not ask for its own (`make_app`, `pytest.mark.own_app`),
and what tests change on it is restored after each:

- its settings (`app.config`), which tests set freely (mail server, APP_ENV);
- its request hooks (`fresh_request_globals` adds one);
- `app.extensions`, where the Stripe clients are cached per stand-in address;
- the rate limiter: one Limiter object serves every app, and each app built
  during a test points it at that app's storage; it goes back to the shared
  app's storage, emptied, so no test inherits another's counts;
- the in-memory task queue (immediate mode), emptied, so a worker heartbeat
  or a scheduled task one test left does not answer another's /readyz.
"""

from collections import defaultdict
from contextlib import contextmanager

from flask import Flask
from huey import MemoryHuey

from ticketing.extensions import limiter

HOOKS = (
    "before_request_funcs",
    "after_request_funcs",
    "teardown_request_funcs",
    "teardown_appcontext_funcs",
    "url_value_preprocessors",
    "url_default_functions",
    "template_context_processors",
)


@contextmanager
def restored_after(app: Flask):
    config = dict(app.config)
    hooks = {name: _copy_hooks(getattr(app, name)) for name in HOOKS}
    extensions = dict(app.extensions)
    limiter_state = dict(vars(limiter))
    rules = len(app.url_map._rules)
    try:
        yield app
    finally:
        app.config.clear()
        app.config.update(config)
        for name, saved in hooks.items():
            setattr(app, name, saved)
        app.extensions.clear()
        app.extensions.update(extensions)
        vars(limiter).clear()
        vars(limiter).update(limiter_state)
        limiter.reset()
        huey = extensions.get("huey")
        if isinstance(huey, MemoryHuey):
            huey.flush()
        if len(app.url_map._rules) != rules:
            raise AssertionError(
                "a test added routes to the shared app: mark it `own_app` or use make_app()"
            )


def _copy_hooks(hooks: dict | list) -> dict | list:
    """A copy of a hook registry: a dict of lists per blueprint, or a plain list."""
    if isinstance(hooks, list):
        return list(hooks)
    copy = {key: list(value) for key, value in hooks.items()}
    if isinstance(hooks, defaultdict):
        return defaultdict(hooks.default_factory, copy)
    return copy
