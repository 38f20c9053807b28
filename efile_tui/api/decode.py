"""Reading an answer body defensively: bounded size, bounded depth, tame numbers.

The service (or anything pretending to be it) decides what arrives. Here a body is read
from the raw stream with a cap that also applies after gzip/deflate decompression, and its
JSON is decoded so that:

- nesting deeper than ``MAX_DEPTH`` is refused (never a ``RecursionError``);
- ``NaN``, ``Infinity``, ``1e400`` and integers longer than ``MAX_INT_DIGITS`` digits become
  ``None`` (unknown), never an exception or a 300-digit number;
- a token echoed anywhere in the answer (keys or values) is masked as ``***``.

Every refusal is a ``BodyRefused`` carrying a message for the user.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import AsyncIterator
from typing import Any

from efile_tui.i18n import N_, Msg

MAX_BODY = 32 * 1024 * 1024  # bytes after decompression; a 1000-entry page is ~300 KB
MAX_DEPTH = 64  # the API's answers nest 4 deep
MAX_INT_DIGITS = 19  # anything longer is not a size, count or time the service can mean
MAX_MESSAGE = 1000  # characters of a server message kept for display
MASK = "***"


class BodyRefused(ValueError):
    """The answer body was refused; ``str()`` says why, in words for the user."""


class _Inflater:
    """Decompresses gzip/deflate without ever producing more than the cap."""

    def __init__(self, cap: int) -> None:
        self._z = zlib.decompressobj(47)  # a gzip or zlib header, detected
        self._cap = cap
        self.size = 0

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        pending = data
        while pending or self._z.unconsumed_tail:
            room = self._cap - self.size + 1
            chunk = self._z.decompress(pending or self._z.unconsumed_tail, room)
            pending = b""
            self.size += len(chunk)
            if self.size > self._cap:
                raise BodyRefused(too_big(self._cap, decompressed=True))
            out += chunk
            if not chunk and not self._z.unconsumed_tail:
                break
        return bytes(out)


def too_big(cap: int, *, decompressed: bool = False) -> Msg:
    """The message for a body over the size cap."""
    if decompressed:
        return Msg(N_("the answer is larger than {n} MiB once decompressed; refused"), n=cap >> 20)
    return Msg(N_("the answer is larger than {n} MiB; refused"), n=cap >> 20)


async def read_capped(chunks: AsyncIterator[bytes], encoding: str, cap: int = MAX_BODY) -> bytes:
    """The decoded body from raw ``chunks``, refused as soon as it would exceed ``cap``.

    ``encoding`` is the Content-Encoding header (identity, gzip or deflate; anything else
    is refused: the client only asks for these).
    """
    encoding = encoding.strip().lower()
    inflater: _Inflater | None = None
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = _Inflater(cap)
    elif encoding not in ("", "identity"):
        raise BodyRefused(
            Msg(
                N_("the answer uses the content encoding {name}, not asked for"),
                name=repr(encoding[:40]),
            )
        )
    body = bytearray()
    try:
        async for raw in chunks:
            data = inflater.feed(raw) if inflater else raw
            if len(body) + len(data) > cap:
                raise BodyRefused(too_big(cap))
            body += data
    except zlib.error as exc:
        raise BodyRefused(
            Msg(N_("the compressed answer is corrupt ({why})"), why=str(exc))
        ) from None
    return bytes(body)


def bounded(text: str, limit: int = MAX_MESSAGE) -> str:
    """A server message cut to ``limit`` characters (``…`` marks the cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse_int(text: str) -> int | None:
    digits = text.lstrip("-")
    return int(text) if len(digits) <= MAX_INT_DIGITS else None


def _parse_float(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) and abs(value) < 1e19 else None


def decode_json(body: bytes, token: str | None = None) -> Any:
    """Decode ``body`` as bounded JSON, masking ``token`` wherever it is echoed.

    Raises ``ValueError`` when the body is not JSON and ``BodyRefused`` when it nests
    deeper than ``MAX_DEPTH``.
    """
    try:
        data = json.loads(
            body,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=lambda _name: None,
        )
    except RecursionError:
        raise BodyRefused(_too_deep()) from None
    return _walk(data, token if token and len(token) >= 4 else None)


def _too_deep() -> Msg:
    return Msg(N_("the answer nests deeper than {n} levels; refused"), n=MAX_DEPTH)


def _walk(data: Any, token: str | None) -> Any:
    """Check the depth (without recursion) and mask the token in every string."""
    root: list[Any] = [data]
    stack: list[tuple[Any, Any, Any, int]] = [(root, 0, data, 1)]
    while stack:
        parent, key, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BodyRefused(_too_deep())
        if isinstance(value, str):
            if token and token in value:
                parent[key] = value.replace(token, MASK)
        elif isinstance(value, list):
            stack.extend((value, i, v, depth + 1) for i, v in enumerate(value))
        elif isinstance(value, dict):
            if token and any(token in k for k in value):
                masked = {k.replace(token, MASK): v for k, v in value.items()}
                parent[key] = value = masked
            stack.extend((value, k, v, depth + 1) for k, v in value.items())
    return root[0]
