"""One error shape: JSON `{"code", "message"}` under /api, friendly pages elsewhere."""

from flask import current_app, jsonify, make_response, render_template, request
from flask_babel import gettext, lazy_gettext
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from ticketing.extensions import db
from ticketing.schemas import translated_errors

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


# The answers werkzeug gives in English, in the reader's language.
STANDARD_MESSAGES = {
    400: lazy_gettext("The request could not be understood."),
    401: lazy_gettext("Please log in or send a valid token."),
    403: lazy_gettext("You are not allowed to do this."),
    404: lazy_gettext("There is nothing at this address."),
    405: lazy_gettext("This address does not take this kind of request."),
    413: lazy_gettext("The request is too large."),
    415: lazy_gettext("This kind of content is not accepted here."),
    429: lazy_gettext("Too many requests; please wait a little and try again."),
    500: lazy_gettext("Something went wrong on our side; please try again."),
    503: lazy_gettext("The service is unavailable; please try again shortly."),
}


class DomainError(Exception):
    """A refusal a service raises; the views turn it into a response.

    Subclasses set `status` and `code`; `extra` carries fields for the JSON body
    (e.g. what is left when tickets are sold out).
    """

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra

    def body(self) -> dict:
        body = {"code": self.code, "message": self.message, **self.extra}
        if self.field:
            body["errors"] = {self.field: [self.message]}
        return body


class ValidationFailed(DomainError):
    status = 422
    code = "validation_error"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Busy(DomainError):
    status = 503
    code = "busy"


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/")) or request.accept_mimetypes.best == (
        "application/json"
    )


def _field_errors(exc: HTTPException) -> dict | None:
    """webargs puts {"json": {"field": [...]}}; the contract wants {"field": [...]}."""
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if not isinstance(messages, dict):
        return None
    if len(messages) == 1:
        (only,) = messages.values()
        if isinstance(only, dict):
            return translated_errors(only)
    return translated_errors(messages)


def render_error(status: int, code: str, message: str, body: dict | None = None):
    message = str(message)  # a lazily translated text, in the request's language
    if status >= 500:
        db.session.rollback()
    if wants_json():
        payload = {"code": code, "message": message, **(body or {})}
        return make_response(jsonify(payload), status)
    page = render_template("errors/error.html", status=status, message=message)
    return make_response(page, status)


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    body = {}
    errors = _field_errors(exc)
    if errors is not None:
        body["errors"] = errors
    message = exc.description or ""
    if message == type(exc).description:  # werkzeug's own English text
        message = str(STANDARD_MESSAGES.get(status, message))
    if status == 422 and errors is not None:
        message = gettext("The request has invalid fields; see errors.")
    response = render_error(status, CODES.get(status, "error"), message, body)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_domain_error(exc: DomainError):
    body = exc.body()
    code = body.pop("code")
    message = body.pop("message")
    return render_error(exc.status, code, message, body)


def handle_database_busy(exc: OperationalError):
    """A lock or connection problem is "try again", not a crash."""
    db.session.rollback()
    return render_error(
        503, "busy", gettext("The system is busy right now; please try again shortly.")
    )


def handle_data_error(exc: DataError):
    """A value the database cannot hold (a number too large, say) is bad input."""
    db.session.rollback()
    return render_error(422, "validation_error", gettext("A value is out of range."))


def handle_overflow(exc: OverflowError):
    """SQLite's DataError: a number past 64 bits cannot even be sent to the database."""
    db.session.rollback()
    return render_error(422, "validation_error", gettext("A value is out of range."))


def handle_unexpected(exc: Exception):
    db.session.rollback()
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    return render_error(500, "internal_error", str(STANDARD_MESSAGES[500]))


def register_error_handlers(app) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(OperationalError, handle_database_busy)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(OverflowError, handle_overflow)
    app.register_error_handler(Exception, handle_unexpected)
