"""Which language a request speaks, and the Flask-Babel wiring.

The choice, first match wins:

1. `?lang=xx` in the address (and it is remembered in the `lang` cookie);
2. the `lang` cookie (an earlier `?lang`);
3. the profile language of a logged-in organizer or door person;
4. the browser's `Accept-Language`;
5. the event's default language (`use_event_locale(event)` on event pages);
6. English.

`current_locale()` answers one of `LANGUAGES` ("en", "ru", "uk", "tr").
Outside a request (CLI, workers) it is English unless the caller wraps its
work in `flask_babel.force_locale(...)`, as the ticket email does.
"""

from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import flask_babel
from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from flask import Flask, current_app, has_request_context, request
from flask_login import current_user

from ticketing.money import BABEL_LOCALES, exponent

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
FIRST = ("en", "ru", "uk", "tr")  # the switcher's order; other catalogs follow


def catalog_languages() -> tuple[str, ...]:
    """English, and every language with a catalog: a fifth language is one file."""
    found = {p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    return ("en", *[c for c in FIRST if c in found], *sorted(found - set(FIRST) - {"en"}))


def own_name(code: str) -> str:
    """The language's name in itself ("Русский", "Türkçe", "ქართული")."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


LANGUAGES = catalog_languages()
# Each language's own name, as the switcher shows it.
LANGUAGE_NAMES = {code: own_name(code) for code in LANGUAGES} | {"en": "English"}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

babel = flask_babel.Babel()


def languages() -> tuple[str, ...]:
    return tuple(current_app.config.get("LANGUAGES") or LANGUAGES)


def known(code: str | None) -> str | None:
    """`code` if it names a language we speak ("ru", "ru-RU", "RU"), else None."""
    if not code or not isinstance(code, str):
        return None
    code = code.strip().replace("-", "_").split("_")[0].lower()
    return code if code in languages() else None


def select_locale() -> str | None:
    if not has_request_context():
        return None
    chosen = known(request.args.get("lang")) or known(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        chosen = known(getattr(current_user, "locale", ""))
        if chosen:
            return chosen
    chosen = request.accept_languages.best_match(languages())
    if chosen:
        return chosen
    return known(getattr(request, "event_locale", None)) or "en"


def current_locale() -> str:
    """The language this request (or the enclosing force_locale) speaks."""
    locale = flask_babel.get_locale()
    return known(str(locale)) if locale is not None else "en"


def use_event_locale(event) -> None:
    """Event pages: the event's default language, when nothing else chooses."""
    use_default_locale(getattr(event, "default_locale", None))


def use_default_locale(code: str | None) -> None:
    """This page's language when neither ?lang, the cookie, the profile nor the
    browser chooses (an order's pages: the language it was bought in)."""
    request.event_locale = code or "en"
    flask_babel.refresh()


def language_links() -> list[dict]:
    """The switcher: this very page in each language (plain links, no script).

    Each link is only a query ("?lang=ru"), which a browser resolves against
    the page's own path: the page never repeats its address (order links
    carry keys, and a 404 looks the same whatever was asked). A page answering
    a form (a POST) names its own address with `link_languages_to`."""
    args = {k: v for k, v in request.args.items(multi=False) if k != "lang"}
    here = current_locale()
    links = []
    for code in languages():
        query = urlencode({**args, "lang": code})
        links.append(
            {
                "code": code,
                "name": LANGUAGE_NAMES.get(code) or own_name(code),
                "url": f"{getattr(request, 'language_base', '')}?{query}",
                "current": code == here,
            }
        )
    return links


def link_languages_to(path: str) -> None:
    """The switcher's links lead to `path` (the page a form was sent from)."""
    request.language_base = path


def remember_choice(response):
    """`?lang=xx` is remembered for the next pages."""
    chosen = known(request.args.get("lang"))
    if chosen and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("LANGUAGES", LANGUAGES)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    # Each request chooses afresh (Flask-Babel keeps its choice on `g`, which
    # outlives a request when an app context is kept open around several).
    app.before_request(flask_babel.refresh)
    app.after_request(remember_choice)

    @app.context_processor
    def inject_language():
        if not has_request_context():
            return {"html_lang": current_locale()}
        return {"html_lang": current_locale(), "language_links": language_links}


def amount_hint(currency: str) -> str:
    """The field error for an amount that is not one, with an example written
    the reader's way ("Enter an amount in TRY, like 12,50.")."""
    digits = exponent(currency)
    example = Decimal(1250).scaleb(-2).quantize(Decimal(1).scaleb(-digits))
    locale = BABEL_LOCALES.get(current_locale(), current_locale())
    text = format_decimal(
        example, format="#,##0" + ("." + "0" * digits if digits else ""), locale=locale
    )
    return flask_babel.gettext(
        "Enter an amount in %(currency)s, like %(example)s.", currency=currency, example=text
    )
