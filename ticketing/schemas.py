"""The base marshmallow schema (unknown fields are an error), and the API's JSON parser."""

import json

from flask_smorest.arguments import ArgumentsMixin
from marshmallow import INCLUDE, RAISE, Schema, fields
from webargs.flaskparser import FlaskParser, abort


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE


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
