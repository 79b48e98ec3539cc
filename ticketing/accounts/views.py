"""Account pages: log in and out, the team, and API tokens.

Every form carries a CSRF token (Flask-WTF); login attempts that fail are
rate-limited per client address and per account (the email typed), so that
passwords cannot be guessed quickly from one address or from many. The
counts live in Redis in production, shared by every worker.
"""

import hashlib
from urllib.parse import urlsplit

import flask_babel
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from ticketing.accounts import services
from ticketing.accounts.auth import (
    current_principal,
    end_sessions,
    page_role_required,
    token_used_recently,
)
from ticketing.accounts.forms import ROLE_NAMES, LoginForm, MemberForm, ProfileForm, TokenForm
from ticketing.accounts.models import MONEY_ROLES, ApiToken, Membership, Organization
from ticketing.database import utcnow
from ticketing.errors import ValidationFailed
from ticketing.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)

DEFAULT_LOGIN_LIMIT = "10 per minute"
DEFAULT_ACCOUNT_LOGIN_LIMIT = "10 per minute;30 per hour"


def login_limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", DEFAULT_LOGIN_LIMIT)


def account_login_limit() -> str:
    return current_app.config.get("LOGIN_ACCOUNT_RATE_LIMIT", DEFAULT_ACCOUNT_LOGIN_LIMIT)


def login_address_key() -> str:
    """The client's address (behind TRUSTED_PROXIES, the one the proxy saw)."""
    return f"address:{request.remote_addr or ''}"


def login_account_key() -> str:
    """The account tried, whatever address the guesses come from (hashed: no
    emails in the limiter's storage)."""
    email = services.normalize_email(request.form.get("email", ""))
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def login_failed(response) -> bool:
    return response.status_code != 302


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def endpoint_url(endpoint: str, **values) -> str | None:
    """The URL of a page another domain may or may not have built yet."""
    if endpoint in current_app.view_functions:
        return url_for(endpoint, **values)
    return None


def landing_url(membership: Membership | None) -> str:
    if membership is not None and membership.role in MONEY_ROLES:
        return url_for("manage.events")
    return endpoint_url("checkin.scanner") or url_for("events.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=login_address_key, deduct_when=login_failed)
@limiter.limit(
    account_login_limit, methods=["POST"], key_func=login_account_key, deduct_when=login_failed
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.find_user(form.email.data)
        if services.password_matches(user, form.password.data) and user.active:
            login_user(user)
            target = safe_next(request.args.get("next"))
            return redirect(target or landing_url(services.membership_of(user)))
        form.password.errors.append(gettext("Wrong email or password."))
    status = 422 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Log out here and everywhere: a copy of the old session cookie opens nothing."""
    if current_user.is_authenticated:
        end_sessions(current_user)
        db.session.commit()
    logout_user()
    g.pop("principal", None)
    flash(gettext("You are logged out."), "info")
    response = redirect(url_for("events.index"))
    # The door list a scanner kept on this device (IndexedDB, service worker
    # caches) goes with the session; cookies stay (the flash rides in one).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/profile", methods=["GET", "POST"])
@page_role_required()
def profile():
    """The person's own settings: the language of their pages (a token has none)."""
    if not current_user.is_authenticated:
        abort(403, gettext("Only a person who logged in has a profile."))
    form = ProfileForm(locale=current_user.locale or "")
    if form.validate_on_submit():
        current_user.locale = form.locale.data or ""
        db.session.commit()
        flask_babel.refresh()
        flash(gettext("Your settings are saved."), "info")
        return redirect(url_for("accounts.profile"))
    status = 422 if form.errors else 200
    return render_template("accounts/profile.html", form=form), status


def current_membership() -> Membership:
    principal = current_principal()
    membership = db.session.execute(
        db.select(Membership).where(
            Membership.user_id == principal.user_id,
            Membership.organization_id == principal.organization_id,
        )
    ).scalar_one_or_none()
    if membership is None:
        abort(403, gettext("Your account is not a member of this organization."))
    return membership


def apply_error(form, exc: ValidationFailed) -> None:
    """Show a service's refusal next to the field it is about."""
    field = getattr(form, exc.field or "", None)
    if field is None:
        flash(exc.message, "error")
    else:
        field.errors = [*field.errors, exc.message]


@bp.route("/team", methods=["GET", "POST"])
@page_role_required(*MONEY_ROLES, whole_organization=True)
def team():
    me = current_membership()
    form = MemberForm()
    status = 200
    if form.validate_on_submit():
        try:
            added = services.add_team_member(
                db.session.get(Organization, me.organization_id),
                email=form.email.data,
                name=form.name.data.strip(),
                password=form.password.data,
                role=form.role.data,
                added_by=me.role,
            )
        except ValidationFailed as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            flash(
                gettext(
                    "%(name)s joined the team as %(role)s.", name=added.user.name, role=added.role
                ),
                "info",
            )
            return redirect(url_for("accounts.team"))
    if form.errors:
        status = 422
    members = services.members_of(me.organization_id)
    return render_template("accounts/team.html", form=form, members=members, me=me), status


@bp.post("/team/<int:membership_id>/remove")
@page_role_required(*MONEY_ROLES, whole_organization=True)
def remove_member(membership_id: int):
    me = current_membership()
    membership = services.get_row(Membership, membership_id)
    if membership is None or membership.organization_id != me.organization_id:
        abort(404, gettext("No such team member."))
    name = membership.user.name
    try:
        services.remove_member(membership, removed_by=me)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("accounts.team"))
    db.session.commit()
    flash(
        gettext("%(name)s was removed from the team; their tokens were revoked.", name=name), "info"
    )
    return redirect(url_for("accounts.team"))


def token_form(me: Membership) -> TokenForm:
    form = TokenForm()
    events = services.EVENTS.events_of(me.organization_id)
    form.event_id.choices = [SelectChoice("", gettext("Every event"))] + [
        SelectChoice(str(e.id), e.name) for e in events
    ]
    allowed = [c for c in form.role.choices if services.role_at_most(c.value, me.role)]
    form.role.choices = allowed
    return form


@bp.route("/tokens", methods=["GET", "POST"])
@page_role_required(*MONEY_ROLES, whole_organization=True)
def tokens():
    me = current_membership()
    form = token_form(me)
    created = None
    status = 200
    if form.validate_on_submit():
        try:
            token, plain = services.create_api_token(
                me,
                role=form.role.data,
                name=form.name.data.strip(),
                event_id=int(form.event_id.data) if form.event_id.data else None,
            )
        except ValidationFailed as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            created = {"token": token, "plain": plain}
            status = 201
            form = token_form(me)
            form.name.data = ""
    if form.errors:
        status = 422
    rows = services.tokens_of(me.organization_id)
    event_names = {int(c.value): c.label for c in form.event_id.choices if c.value}
    page = render_template(
        "accounts/tokens.html",
        form=form,
        tokens=rows,
        created=created,
        me=me,
        event_names=event_names,
    )
    # The plain token is on this page only: keep it out of every cache.
    return page, status, {"Cache-Control": "no-store"}


@bp.post("/tokens/<int:token_id>/revoke")
@page_role_required(*MONEY_ROLES, whole_organization=True)
def revoke_token(token_id: int):
    me = current_membership()
    token = services.get_row(ApiToken, token_id)
    if token is None or token.organization_id != me.organization_id:
        abort(404, gettext("No such token."))
    try:
        services.revoke_token(token, revoked_by=me)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(gettext("Token %(prefix)s… is revoked.", prefix=token.prefix), "info")
    return redirect(url_for("accounts.tokens"))


def record_token_use(response):
    """Remember when a token was last used, after the request's own commit.

    Only for successful, non-streamed answers, so a failed request's half
    work is never committed here.
    """
    principal = g.get("principal")
    if (
        principal is not None
        and principal.token_id is not None
        and response.status_code < 400
        and not response.is_streamed
        and not (db.session.new or db.session.dirty or db.session.deleted)
        and not token_used_recently(utcnow(), services.TOUCH_INTERVAL)
    ) and services.touch_token(principal.token_id):
        db.session.commit()
    return response


def nav_context():
    """What the header needs: who is logged in, in which role."""
    if not current_user.is_authenticated:
        return {"nav_role": None, "nav_scanner_url": None}
    membership = services.membership_of(current_user)
    role = membership.role if membership else None
    return {"nav_role": role, "nav_scanner_url": endpoint_url("checkin.scanner")}


def role_name(role: str) -> str:
    """A role as the reader's language names it."""
    return str(ROLE_NAMES.get(role, role))


def forget_request_user() -> None:
    """Start every request without a cached user, principal or CSRF token.

    They live on `g`, which belongs to the app context; a request normally
    gets a fresh one, but an app context pushed around several requests (as
    the test fixtures do) would otherwise leak one browser's login into the
    next request.
    """
    for name in ("_login_user", "principal", current_app.config.get("WTF_CSRF_FIELD_NAME")):
        g.pop(name or "csrf_token", None)


def init_app(app) -> None:
    app.before_request(forget_request_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.login_message_category = "info"
    app.after_request(record_token_use)
    app.context_processor(nav_context)
    app.context_processor(lambda: {"role_name": role_name})
