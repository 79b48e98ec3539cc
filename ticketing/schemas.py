"""The base marshmallow schema: unknown fields are an error, not ignored, and
no text field takes control characters or lone surrogates.

A CR/LF in a buyer's name once broke the ticket email (and the batch that
sends them); a lone surrogate cannot be stored as UTF-8 and gave a 500. So
every text field of every input schema refuses them with a 422 naming the
field. Multi-line text (a description, a note) keeps tab, CR and LF; fields
say so with `metadata={"multiline": True}`. A schema whose view strips them
instead (what a door scanner types, a search) sets `CONTROL_CHARACTERS = "stripped"`.

The API's JSON parser refuses hostile JSON (too deep, numbers too long) with a 400.
"""

import json
import re
from collections.abc import Mapping

from flask_babel import lazy_gettext
from flask_smorest.arguments import ArgumentsMixin
from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, pre_load
from webargs.flaskparser import FlaskParser, abort

# C0 and C1 controls, DEL, the Unicode line and paragraph separators, and
# surrogates (only ever lone ones in a Python str).
SINGLE_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
MULTI_LINE_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_MESSAGE = lazy_gettext(
    "Remove the control characters (line breaks, tabs and the like) from this text."
)
MULTILINE_CONTROL_MESSAGE = lazy_gettext(
    "Remove the control characters from this text (line breaks may stay)."
)


# marshmallow's own field errors (English), in the reader's language; the
# validators' texts (bounds, choices) are translated by ticketing.validate.
FIELD_MESSAGES = {
    "Missing data for required field.": lazy_gettext("Missing data for required field."),
    "Field may not be null.": lazy_gettext("Field may not be null."),
    "Invalid value.": lazy_gettext("Invalid value."),
    "Not a valid integer.": lazy_gettext("Not a valid integer."),
    "Not a valid string.": lazy_gettext("Not a valid string."),
    "Not a valid boolean.": lazy_gettext("Not a valid boolean."),
    "Not a valid datetime.": lazy_gettext("Not a valid datetime."),
    "Not a valid aware datetime.": lazy_gettext(
        "Not a valid aware datetime."  # a time without its UTC offset
    ),
    "Not a valid email address.": lazy_gettext("Not a valid email address."),
    "Not a valid list.": lazy_gettext("Not a valid list."),
    "Not a valid mapping type.": lazy_gettext("Not a valid mapping type."),
    "Not a valid number.": lazy_gettext("Not a valid number."),
    "Number too large.": lazy_gettext("Number too large."),
    "Invalid type.": lazy_gettext("Invalid type."),
    "Invalid input type.": lazy_gettext("Invalid input type."),
    "Unknown field.": lazy_gettext("Unknown field."),
}


def translated_errors(errors):
    """Field errors (nested dicts and lists of texts) with marshmallow's own
    messages in the reader's language; ours are translated where raised."""
    if isinstance(errors, dict):
        return {key: translated_errors(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [translated_errors(value) for value in errors]
    if isinstance(errors, str) and errors in FIELD_MESSAGES:
        return str(FIELD_MESSAGES[errors])
    return errors


def text_problem(value: str, multiline: bool = False) -> str | None:
    """Why this text may not be stored, or None when it may."""
    if multiline:
        return str(MULTILINE_CONTROL_MESSAGE) if MULTI_LINE_FORBIDDEN.search(value) else None
    return str(CONTROL_MESSAGE) if SINGLE_LINE_FORBIDDEN.search(value) else None


def _strings(value):
    """Every string in a raw value: itself, a list's items, a mapping's keys and values."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


def _checked(field: fields.Field) -> bool:
    """Text fields, and lists or dicts of them (nested schemas check themselves)."""
    if isinstance(field, fields.String):
        return True
    if isinstance(field, fields.List):
        return _checked(field.inner)
    if isinstance(field, fields.Dict):
        return any(_checked(f) for f in (field.key_field, field.value_field) if f is not None)
    return False


class BaseSchema(Schema):
    # "refused": 422 naming the field; "stripped": the view removes them itself.
    CONTROL_CHARACTERS = "refused"

    class Meta:
        unknown = RAISE

    @pre_load
    def refuse_control_characters(self, data, **kwargs):
        if self.CONTROL_CHARACTERS == "stripped" or not isinstance(data, Mapping):
            return data  # marshmallow says what is wrong with it
        errors = {}
        for key, multiline in self._text_fields():
            if key in data:
                for text in _strings(data[key]):
                    problem = text_problem(text, multiline)
                    if problem:
                        errors[key] = [problem]
                        break
        if errors:
            raise ValidationError(errors)
        return data

    def _text_fields(self) -> list[tuple[str, bool]]:
        """(input key, multi-line?) of the text fields, worked out once per schema object."""
        cached = self.__dict__.get("_text_field_keys")
        if cached is None:
            cached = [
                (field.data_key or name, bool(field.metadata.get("multiline")))
                for name, field in self.load_fields.items()
                if _checked(field)
            ]
            self.__dict__["_text_field_keys"] = cached
        return cached


class ApiErrorSchema(Schema):
    """The error body every API answer shares: {"code", "message", "errors"?}.

    Some errors carry more (what is left when sold out, a scan's reason).
    """

    class Meta:
        unknown = INCLUDE

    code = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict()


class GuardedJsonParser(FlaskParser):
    """webargs' parser, answering 400 to every body `json.loads` refuses.

    webargs turns only JSONDecodeError into a 400; nesting past the
    recursion limit (RecursionError) and an integer of more than 4,300
    digits (Python's int max str digits, a ValueError) escaped as 500s.
    """

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise  # webargs answers these itself
        except RecursionError:
            abort(400, messages={"json": ["The JSON body is nested too deeply."]})
        except ValueError:
            abort(400, messages={"json": ["The JSON body has a number too long to read."]})


# Set before any domain declares its arguments: flask-smorest's decorators read
# ARGUMENTS_PARSER when the api modules are imported, and every import of a
# ticketing module runs ticketing/__init__.py, which imports this module first.
ArgumentsMixin.ARGUMENTS_PARSER = GuardedJsonParser()
