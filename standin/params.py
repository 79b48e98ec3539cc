"""Stripe's form encoding: `a[b][0][c]=v` and `expand[]=x` back into dicts and lists.

The SDK sends every POST body (and GET query) this way; values stay strings,
the endpoints convert and validate them the way Stripe does.
"""

import re
from urllib.parse import urlsplit

from werkzeug.datastructures import MultiDict

from standin.errors import StripeFailure

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
MAX_INDEX = 10_000


def parse(form: MultiDict) -> dict:
    """Nest a flat form into dicts; dicts keyed 0..n-1 become lists."""
    root: dict = {}
    for raw_key, value in form.items(multi=True):
        match = _KEY.match(raw_key)
        if not match:
            raise StripeFailure(f"Invalid parameter name: {raw_key}", code="parameter_unknown")
        parts = [match.group(1)] + re.findall(r"\[([^\[\]]*)\]", match.group(2))
        _place(root, parts, value, raw_key)
    return _listify(root)


def _place(node: dict, parts: list[str], value: str, raw_key: str) -> None:
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if part == "":  # `expand[]`: append
            if not last:
                raise StripeFailure(f"Invalid array: {raw_key}", code="parameter_invalid")
            node[str(_next_index(node))] = value
            return
        if last:
            if isinstance(node.get(part), dict):
                raise StripeFailure(f"Invalid hash: {raw_key}", code="parameter_invalid")
            node[part] = value
            return
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise StripeFailure(f"Invalid hash: {raw_key}", code="parameter_invalid")
        node = child


def _next_index(node: dict) -> int:
    numbers = [int(k) for k in node if k.isdigit()]
    return max(numbers) + 1 if numbers else 0


def _listify(value):
    if not isinstance(value, dict):
        return value
    converted = {k: _listify(v) for k, v in value.items()}
    if converted and all(k.isdigit() for k in converted):
        indexes = sorted(int(k) for k in converted)
        if indexes[-1] > MAX_INDEX:
            raise StripeFailure("Array index too large.", code="parameter_invalid")
        return [converted[str(i)] for i in indexes]
    return converted


def as_list(value, param: str) -> list:
    if value is None:
        return []
    if isinstance(value, str):  # `expand=x` (one item, unindexed)
        return [value]
    if isinstance(value, list):
        return value
    raise StripeFailure(f"Invalid array: {param}", code="parameter_invalid", param=param)


def as_int(value, param: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    text = value if isinstance(value, str) else None
    if text is None or not re.fullmatch(r"-?\d{1,18}", text.strip()):
        raise StripeFailure(
            f"Invalid integer: {value}", code="parameter_invalid_integer", param=param
        )
    number = int(text)
    if minimum is not None and number < minimum:
        kind = "positive" if minimum > 0 else "non-negative"
        raise StripeFailure(
            f"Invalid {kind} integer", code="parameter_invalid_integer", param=param
        )
    if maximum is not None and number > maximum:
        raise StripeFailure(
            f"This value must be less than or equal to {maximum}.",
            code="parameter_invalid_integer",
            param=param,
        )
    return number


def as_str(value, param: str, *, required: bool = False, max_length: int = 5000) -> str | None:
    if value is None or value == "":
        if required:
            raise StripeFailure(
                f"Missing required param: {param}.", code="parameter_missing", param=param
            )
        return None
    if not isinstance(value, str):
        raise StripeFailure(
            f"Invalid string: {param}", code="parameter_invalid_string", param=param
        )
    if len(value) > max_length:
        raise StripeFailure(
            f"Invalid string: {param} is longer than {max_length} characters.",
            code="parameter_invalid_string",
            param=param,
        )
    return value


def as_metadata(value, param: str = "metadata") -> dict:
    """Stripe's metadata rules: at most 50 keys, keys <= 40 chars, values <= 500."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise StripeFailure(f"Invalid hash: {param}", code="parameter_invalid", param=param)
    if len(value) > 50:
        raise StripeFailure("Metadata can have at most 50 keys.", param=param)
    clean = {}
    for key, item in value.items():
        if not isinstance(item, str) or len(key) > 40 or len(item) > 500:
            raise StripeFailure(
                f"Invalid metadata value for key {key!r}.",
                code="parameter_invalid",
                param=f"{param}[{key}]",
            )
        clean[key] = item
    return clean


def check_known(params: dict, allowed: set[str] | frozenset[str], prefix: str = "") -> None:
    """Refuse parameters Stripe does not know, as Stripe does (catches typos early)."""
    if not isinstance(params, dict):
        raise StripeFailure(f"Invalid hash: {prefix}", code="parameter_invalid", param=prefix)
    for key in params:
        if key not in allowed:
            name = f"{prefix}[{key}]" if prefix else key
            raise StripeFailure(
                f"Received unknown parameter: {name}", code="parameter_unknown", param=name
            )


def is_under(url, base: str) -> bool:
    """True for an http(s) URL on `base`'s scheme, host and port, under its path.

    Checkout redirects are links on the hosted page and targets of a 303: a
    `javascript:` URL or another site there is script injection or an open
    redirect, so only the shop's own pages pass (no user part, no backslash).
    """
    if not isinstance(url, str) or not base:
        return False
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in url):
        return False
    try:
        parts, allowed = urlsplit(url), urlsplit(base)
        parts.port, allowed.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or "@" in parts.netloc:
        return False
    if (parts.scheme, parts.netloc.lower()) != (allowed.scheme, allowed.netloc.lower()):
        return False
    prefix = allowed.path.rstrip("/")
    return parts.path == prefix or parts.path.startswith(prefix + "/")


def as_redirect_url(value, param: str, base: str, required: bool = False) -> str | None:
    """A success/cancel URL, refused like Stripe's invalid URL unless under `base`."""
    url = as_str(value, param, required=required)
    if url is None or is_under(url, base):
        return url
    raise StripeFailure(
        f"Not a valid URL: the offline stand-in accepts only http(s) URLs under {base}.",
        code="url_invalid",
        param=param,
    )
