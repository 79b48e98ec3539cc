"""marshmallow's validators, saying what is wrong in the reader's language.

Use these instead of `marshmallow.validate` in every input schema: the texts
are marshmallow's own English (so English answers do not change), translated
when the error is raised, with the same `{min}`, `{max}`, `{choices}` as
marshmallow fills them. marshmallow's fixed field errors ("Not a valid
integer.") are translated by `ticketing.schemas.translated_errors`.
"""

from flask_babel import lazy_gettext
from marshmallow import validate

# (min inclusive?, max inclusive?) -> the text for a value outside both bounds.
RANGE_BOTH = {
    (True, True): lazy_gettext(
        "Must be greater than or equal to {min} and less than or equal to {max}."
    ),
    (False, True): lazy_gettext("Must be greater than {min} and less than or equal to {max}."),
    (True, False): lazy_gettext("Must be greater than or equal to {min} and less than {max}."),
    (False, False): lazy_gettext("Must be greater than {min} and less than {max}."),
}
RANGE_MIN = {
    True: lazy_gettext("Must be greater than or equal to {min}."),
    False: lazy_gettext("Must be greater than {min}."),
}
RANGE_MAX = {
    True: lazy_gettext("Must be less than or equal to {max}."),
    False: lazy_gettext("Must be less than {max}."),
}


class Length(validate.Length):
    message_min = lazy_gettext("Shorter than minimum length {min}.")
    message_max = lazy_gettext("Longer than maximum length {max}.")
    message_all = lazy_gettext("Length must be between {min} and {max}.")
    message_equal = lazy_gettext("Length must be {equal}.")


class Range(validate.Range):
    """A subclass may say both bounds its own way with `text_both`."""

    text_both = None

    def _format_error(self, value, message: str) -> str:
        if self.error:
            return super()._format_error(value, message)
        if message is self.message_all:
            text = self.text_both or RANGE_BOTH[(self.min_inclusive, self.max_inclusive)]
        elif message is self.message_min:
            text = RANGE_MIN[self.min_inclusive]
        else:
            text = RANGE_MAX[self.max_inclusive]
        return str(text).format(input=value, min=self.min, max=self.max)


class OneOf(validate.OneOf):
    default_message = lazy_gettext("Must be one of: {choices}.")


class Regexp(validate.Regexp):
    default_message = lazy_gettext("String does not match expected pattern.")
