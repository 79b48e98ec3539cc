"""The base marshmallow schema: unknown fields are an error, not ignored."""

from marshmallow import INCLUDE, RAISE, Schema, fields


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
