"""The base marshmallow schema: unknown fields are an error, not ignored."""

from marshmallow import RAISE, Schema, fields


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE


class ApiErrorSchema(BaseSchema):
    """The error body every API answer shares: {"code", "message", "errors"?}."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict()
