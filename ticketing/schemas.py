"""The base marshmallow schema: unknown fields are an error, not ignored."""

from marshmallow import RAISE, Schema


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE
