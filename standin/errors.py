"""Stripe's error shape, so the SDK raises the same exception class it would for Stripe."""


class StripeFailure(Exception):
    """A refusal sent back as `{"error": {...}}` with Stripe's HTTP status.

    400/404 become `stripe.InvalidRequestError`, 401 `AuthenticationError`,
    402 `CardError`: the SDK picks the class from the status, so it must match.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        type: str = "invalid_request_error",  # noqa: A002  (Stripe's field name)
        code: str | None = None,
        param: str | None = None,
        **extra,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.extra = extra

    def body(self) -> dict:
        error = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://docs.stripe.com/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        error.update(self.extra)
        return {"error": error}


def no_such(kind: str, object_id: str, param: str = "id") -> StripeFailure:
    return StripeFailure(
        f"No such {kind}: '{object_id}'", status=404, code="resource_missing", param=param
    )
