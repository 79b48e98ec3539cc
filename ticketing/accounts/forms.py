"""Flask-WTF forms for the account pages (each carries a CSRF token)."""

from flask_babel import lazy_gettext
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from ticketing.forms import BaseForm
from ticketing.i18n import LANGUAGE_NAMES, LANGUAGES

# A plain shape check: the email_validator package is not a dependency.
EMAIL_SHAPE = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=lazy_gettext("Enter an email address."))


def strip(value):
    return value.strip() if isinstance(value, str) else value


ROLE_NAMES = {
    "door": lazy_gettext("Door staff"),
    "organizer": lazy_gettext("Organizer"),
    "owner": lazy_gettext("Owner"),
}
ROLE_CHOICES = [SelectChoice(role, name) for role, name in ROLE_NAMES.items()]


class LoginForm(BaseForm):
    email = StringField(
        lazy_gettext("Email"),
        filters=[strip],
        validators=[DataRequired(), EMAIL_SHAPE, Length(max=254)],
    )
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=500)])


class MemberForm(BaseForm):
    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=200)])
    email = StringField(
        lazy_gettext("Email"),
        filters=[strip],
        validators=[DataRequired(), EMAIL_SHAPE, Length(max=254)],
    )
    password = PasswordField(
        lazy_gettext("Initial password"),
        validators=[
            DataRequired(),
            Length(min=10, max=500, message=lazy_gettext("Use at least 10 characters.")),
        ],
    )
    role = SelectField(lazy_gettext("Role"), choices=ROLE_CHOICES, default="door")


class TokenForm(BaseForm):
    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(lazy_gettext("Role"), choices=ROLE_CHOICES, default="door")
    # Choices are the organization's events, filled in by the view.
    event_id = SelectField(lazy_gettext("Only for event"), choices=[], default="", coerce=str)


def language_choices() -> list[SelectChoice]:
    return [SelectChoice("", lazy_gettext("As my browser asks"))] + [
        SelectChoice(code, LANGUAGE_NAMES[code]) for code in LANGUAGES
    ]


class ProfileForm(BaseForm):
    locale = SelectField(lazy_gettext("Language of the pages"), default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()
