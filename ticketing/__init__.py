"""The application factory: settings, extensions, blueprints, CLI, errors."""

import importlib
import logging
import os

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, g
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from ticketing import config as settings
from ticketing import security_headers
from ticketing.database import MAX_ID, set_lock_timeout
from ticketing.errors import register_error_handlers
from ticketing.extensions import csrf, db, limiter, login_manager, migrate
from ticketing.schemas import ApiErrorSchema
from ticketing.speedups.flask_app import CookielessSessionInterface, TicketingFlask
from ticketing.speedups.limiter import skip_limiter_middleware

# Domain modules that define an HTML blueprint `bp` and/or an API blueprint `blp`.
# Each is imported as listed: a name that does not exist stops the app at start-up.
BLUEPRINT_MODULES = (
    "ticketing.health",
    "ticketing.accounts.views",
    "ticketing.orders.event_pages",
    "ticketing.events.manage",
    "ticketing.events.api",
    "ticketing.orders.views",
    "ticketing.orders.api",
    "ticketing.orders.stripe_views",
    "ticketing.delivery.views",
    "ticketing.checkin.views",
    "ticketing.checkin.pwa",
    "ticketing.checkin.api",
    "ticketing.checkin.sync_api",
    "ticketing.reports.views",
    "ticketing.reports.api",
    "ticketing.apidocs",
    "ticketing.tasks.views",
)

CLI_MODULES = (
    "ticketing.demo",
    "ticketing.accounts.cli",
    "ticketing.orders.cli",
    "ticketing.tasks.cli",
)


def create_app(config: dict | None = None) -> Flask:
    """Build the app; `config` overrides the environment (tests use it)."""
    app = TicketingFlask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings.from_environment(app.instance_path))
    app.config.update(api_settings())
    if config:
        app.config.update(config)
    settings.check(app.config, app.instance_path)
    # Ids are PostgreSQL integers: a larger number in a URL is simply not found.
    app.url_map.converters["int"] = DatabaseIdConverter
    app.session_interface = CookielessSessionInterface()
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_error_handlers(app)
    register_templating(app)
    security_headers.init_app(app)
    skip_limiter_middleware(app)
    trust_proxies(app)
    logging.basicConfig(level=logging.INFO)
    # The SDK logs every API call at INFO ("Request to Stripe api..."): a
    # line per checkout in production logs and 3% of a checkout's CPU.
    # Its warnings and errors still come through; STRIPE_LOG=info brings
    # the trace back on stderr.
    logging.getLogger("stripe").setLevel(logging.WARNING)
    return app


def api_settings() -> dict:
    return {
        "API_TITLE": "Charity concert ticketing",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                    "orderToken": {"type": "apiKey", "in": "header", "name": "X-Order-Token"},
                }
            }
        },
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
        "RATELIMIT_HEADERS_ENABLED": True,
    }


def register_extensions(app: Flask) -> None:
    import ticketing.accounts.auth  # noqa: F401  (Flask-Login's user loader)
    import ticketing.models  # noqa: F401  (every table registered before use)

    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        set_lock_timeout(db.engine, app.config["LOCK_TIMEOUT_MS"])

    @app.before_request
    def forget_previous_caller():
        """Each request finds its own caller, even inside a longer app context (tests)."""
        g.pop("principal", None)
        g.pop("_login_user", None)


def trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto only from the configured number of proxies.

    Behind nginx (TRUSTED_PROXIES=1) the client's address is what nginx saw,
    so rate limits key on the person, not on the proxy. With the default 0 a
    client cannot choose its own address by sending the header.
    """
    hops = app.config.get("TRUSTED_PROXIES") or 0
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _modules(names):
    """The listed modules, imported: a typo fails loudly instead of dropping a blueprint."""
    return [importlib.import_module(name) for name in names]


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class TicketingApi(Api):
    """flask-smorest, documenting errors in the shape they really have."""

    ERROR_SCHEMA = ApiErrorSchema


def schema_name_resolver(schema) -> str:
    """OpenAPI component names that never collide: domain prefix + class name."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema") or cls.__name__
    parts = cls.__module__.split(".")
    if parts[0] == "ticketing" and len(parts) > 2:
        name = parts[1].capitalize() + name
    return name


def register_blueprints(app: Flask) -> None:
    # One Api per app: flask-smorest keeps its spec on the Api object.
    plugin = MarshmallowPlugin(schema_name_resolver)
    api = TicketingApi(app, spec_kwargs={"marshmallow_plugin": plugin})
    for module in _modules(BLUEPRINT_MODULES):
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)
        if hasattr(module, "blp"):
            api.register_blueprint(module.blp)
            csrf.exempt(module.blp)
        if hasattr(module, "init_app"):
            module.init_app(app)


def register_cli(app: Flask) -> None:
    for module in _modules(CLI_MODULES):
        for command in module.COMMANDS:
            app.cli.add_command(command)


def register_templating(app: Flask) -> None:
    from ticketing import i18n, templating

    i18n.init_app(app)
    templating.init_app(app)
