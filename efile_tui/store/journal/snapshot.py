"""The journal snapshot's file format, read and written a slice at a time.

A snapshot is three lines: a header (JSON object), every row as one JSON list of lists, and
a tail ``{"end": <number of rows>}`` that proves it was written to the end. With 100,000
tasks the rows line is about 30 MB: it is never held whole, as bytes or as text, so a
large journal costs its rows and little more. Reading cuts the rows line at ``],[`` into
slices of about ``ROWS_SLICE`` characters, each parsed by one ``json.loads`` call (one call
for the whole line would hold the interpreter lock for half a second and freeze a TUI
reading it in a thread). A cut that falls inside a string leaves a slice that does not
parse; the rest of the line is then parsed in one go, so the result is always what one
``json.loads`` of the line would give.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

ROWS_SLICE = 1 << 16  # characters of the rows line parsed by one json.loads call
READ_BLOCK = 1 << 18  # bytes read from the file at a time
WRITE_SLICE = 2000  # rows turned into JSON at a time when a snapshot is written


class _Text:
    """Text decoded from blocks of bytes as it is needed: ``buf[pos:]`` is what is left."""

    def __init__(self, blocks: Iterable[bytes]) -> None:
        self.blocks = iter(blocks)
        self.decode = codecs.getincrementaldecoder("utf-8")().decode
        self.buf = ""
        self.pos = 0
        self.eof = False

    def more(self) -> bool:
        """Decode one more block (what was used is dropped); False at the end."""
        if self.eof:
            return False
        block = next(self.blocks, None)
        self.eof = block is None
        self.buf = self.buf[self.pos :] + self.decode(block or b"", final=self.eof)
        self.pos = 0
        return not self.eof

    def line(self) -> str:
        """The rest of the current line (to its newline or the end), moving past it."""
        while (end := self.buf.find("\n", self.pos)) < 0 and self.more():
            pass
        stop = end if end >= 0 else len(self.buf)
        text, self.pos = self.buf[self.pos : stop], stop + 1
        return text

    def at_line_end(self) -> bool:
        """True when the current line ended (a newline was read, or the text ended)."""
        while self.pos >= len(self.buf) and self.more():
            pass
        return self.pos >= len(self.buf) or self.buf[self.pos] == "\n"


Rows = Callable[[Any], list[Any]]


def _same(value: Any) -> Any:
    return value


def _rows(text: _Text, convert: Rows = _same) -> list[Any]:
    """The current line as a JSON value, parsed a slice of rows at a time when it is a
    list (see the module's docstring), each slice passed through ``convert`` as soon as it
    is parsed; raises ValueError if it does not parse."""
    if text.at_line_end() or text.buf[text.pos] != "[":
        return convert(json.loads(text.line()))  # empty, or not a list: one parse
    text.pos += 1
    rows: list[Any] = []
    loads = json.loads
    while True:
        buf, pos = text.buf, text.pos
        end = buf.find("\n", pos)
        limit = end if end >= 0 else len(buf)
        cut = buf.find("],[", pos + ROWS_SLICE, limit)
        if cut >= 0:
            try:
                part = loads("[" + buf[pos : cut + 1] + "]")
            except ValueError:
                break  # cut inside a string, or bad data: the rest in one go
            rows += convert(part)
            text.pos = cut + 2
        elif end >= 0 or not text.more():
            break
    rows += convert(loads("[" + text.line()))
    return rows


def read(blocks: Iterable[bytes], convert: Rows = _same) -> tuple[Any, list[Any], Any]:
    """A snapshot's header, rows (each slice passed through ``convert`` once parsed) and
    tail; raises ValueError when a line is missing or does not parse."""
    text = _Text(blocks)
    head = json.loads(text.line())
    if text.at_line_end() and text.eof:
        raise ValueError("no rows")
    rows = _rows(text, convert)
    tail = json.loads(text.line())
    return head, rows, tail


def head(blocks: Iterable[bytes]) -> Any:
    """A snapshot's header alone (its first line), or None when it does not parse (yet)."""
    try:
        return json.loads(_Text(blocks).line())
    except ValueError:
        return None


def parts(
    head: dict[str, Any], rows: Sequence[T], to_json: Callable[[T], list[Any]]
) -> Iterator[bytes]:
    """A snapshot's bytes, a slice of rows at a time (never the whole text in memory):
    the header line, the rows as one JSON list on one line, the tail line."""

    def dumps(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

    yield dumps(head) + b"\n["
    for start in range(0, len(rows), WRITE_SLICE):
        part = dumps([to_json(row) for row in rows[start : start + WRITE_SLICE]])
        yield (b"," if start else b"") + part[1:-1]
    yield b"]\n" + dumps({"end": len(rows)}) + b"\n"
