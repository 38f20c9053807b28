"""What the program writes to the terminal: the output encoding and the symbol set.

Login nodes often run a ``zh_CN.GB18030`` or ``zh_CN`` (GB2312) locale while the operator's
terminal (PuTTY, Xshell, MobaXterm, Windows Terminal) speaks UTF-8. Python then encodes the
output for the locale: GB18030 bytes that a UTF-8 terminal shows as ``qr``/``ts`` borders and
garbled names, or ``\\u25b6`` escapes for what GB2312 cannot encode.

The choice (``--encoding`` / ``EFILE_TUI_ENCODING``):

- ``auto`` (default) and ``utf-8``: write UTF-8 whatever the locale says. The TUI library
  reads keys as UTF-8 in any case, so a terminal that is not UTF-8 cannot be served fully;
  a UTF-8 terminal under a non-UTF-8 locale — the common case — then shows everything.
- ``locale``: write the locale's encoding (for a terminal really set to GBK/GB18030).
  Symbols switch to ASCII, and a character the encoding lacks is written as ``?`` (one per
  cell), never as a ``\\u`` escape.

The symbols (``--glyphs`` / ``EFILE_TUI_GLYPHS`` / the profile's ``glyphs``): see
``glyphs.choose``. In ASCII mode every drawing character still written is mapped to
ASCII on the way out (same width). No choice ever raises on output.
"""

from __future__ import annotations

import codecs
import io
import locale
import os
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from efile_tui import glyphs
from efile_tui.i18n import N_, Msg

# The reasons glyphs.choose gives without a value in them (glyphs is a leaf: marked here)
GLYPH_REASONS = (
    N_("ASCII symbols chosen by setting"),
    N_("Unicode symbols chosen by setting"),
    N_("Unicode symbols"),
)

ENCODING_ENV = "EFILE_TUI_ENCODING"
GLYPHS_ENV = "EFILE_TUI_GLYPHS"
ENCODING_CHOICES = ("auto", "utf-8", "locale")
ERRORS = "efile-fallback"  # codec error handler: ASCII look-alike or "?" per cell
_ASCII_CODEC_PREFIX = "efile-ascii-"  # codec: FALLBACK applied, then the base encoding


@dataclass(frozen=True)
class TerminalPlan:
    """How output is encoded and drawn, and why (``doctor`` prints the reasons)."""

    locale_encoding: str
    encoding: str  # what is written
    glyphs: glyphs.Glyphs
    term: str
    colours: str  # "truecolor" | "256" | "16" | "none"
    reasons: tuple[str, ...]


def _name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding.lower()


def locale_encoding() -> str:
    """The encoding the locale asks for (``utf-8`` in Python's UTF-8 mode)."""
    if sys.flags.utf8_mode:
        return "utf-8"
    return locale.getpreferredencoding(False) or "ascii"


def colour_depth(env: Mapping[str, str]) -> str:
    """What the terminal is told to expect, as the TUI library reads TERM and COLORTERM."""
    if "NO_COLOR" in env:
        return "none"
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "truecolor"
    term = env.get("TERM", "").lower()
    if term in ("dumb", "unknown"):
        return "none"
    if "256color" in term:
        return "256"
    return "16"


def plan(
    *,
    encoding: str | None = None,
    glyph_choice: str | None = None,
    profile_glyphs: str | None = None,
    env: Mapping[str, str] | None = None,
    locale_enc: str | None = None,
) -> TerminalPlan:
    """Decide encoding and symbols: flag, then environment, then profile, then auto."""
    env = os.environ if env is None else env
    loc = locale_enc or locale_encoding()
    enc_choice = (encoding or env.get(ENCODING_ENV) or "auto").lower()
    if enc_choice not in ENCODING_CHOICES:
        raise ValueError(
            Msg(
                N_("{name}={value}: use one of {choices}"),
                name=ENCODING_ENV,
                value=repr(enc_choice),
                choices=", ".join(ENCODING_CHOICES),
            )
        )
    reasons: list[str] = []
    if enc_choice == "locale":
        out = loc
        reasons.append(
            Msg(N_("writing the locale's encoding {name} (--encoding locale)"), name=loc)
        )
    else:
        out = "utf-8"
        if _name(loc) != "utf-8":
            text = N_(
                "the locale asks for {name}; writing UTF-8 anyway (a terminal set to GBK/GB18030 "
                "needs --encoding locale or EFILE_TUI_ENCODING=locale)"
            )
            reasons.append(Msg(text, name=loc))
        else:
            reasons.append(Msg(N_("writing UTF-8")))
    g_choice = (glyph_choice or env.get(GLYPHS_ENV) or profile_glyphs or "auto").lower()
    if g_choice not in glyphs.CHOICES:
        raise ValueError(
            Msg(
                N_("{name}={value}: use one of {choices}"),
                name="glyphs",
                value=repr(g_choice),
                choices=", ".join(glyphs.CHOICES),
            )
        )
    term = env.get("TERM", "")
    chosen, why = glyphs.choose(g_choice, encoding=out, term=term)
    reasons.append(Msg(why) if why in GLYPH_REASONS else why)
    return TerminalPlan(loc, out, chosen, term, colour_depth(env), tuple(reasons))


def _fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: an ASCII look-alike, else one ``?`` per terminal cell."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start : error.end]:
        same = glyphs.FALLBACK.get(ord(char))
        if same is not None:
            out.append(same)
        else:
            wide = unicodedata.east_asian_width(char) in ("W", "F")
            out.append("??" if wide else "?")
    return "".join(out), error.end


class _AsciiEncoder(codecs.IncrementalEncoder):
    """Maps drawing characters to ASCII (same width), then encodes for the terminal."""

    base = "utf-8"

    def encode(self, input: str, final: bool = False) -> bytes:
        return input.translate(glyphs.FALLBACK).encode(self.base, ERRORS)


def _search(name: str) -> codecs.CodecInfo | None:
    norm = name.replace("_", "-")
    if not norm.startswith(_ASCII_CODEC_PREFIX):
        return None
    base = codecs.lookup(norm[len(_ASCII_CODEC_PREFIX) :])

    class _Encoder(_AsciiEncoder):
        pass

    _Encoder.base = base.name
    return codecs.CodecInfo(
        encode=lambda s, errors="strict": (
            s.translate(glyphs.FALLBACK).encode(base.name, ERRORS),
            len(s),
        ),
        decode=base.decode,
        incrementalencoder=_Encoder,
        incrementaldecoder=base.incrementaldecoder,
        streamreader=base.streamreader,
        streamwriter=base.streamwriter,
        name=f"{_ASCII_CODEC_PREFIX}{base.name}",
    )


_registered = False


def _register() -> None:
    global _registered
    if not _registered:
        codecs.register_error(ERRORS, _fallback)
        codecs.register(_search)
        _registered = True


def stream_encoding(p: TerminalPlan) -> str:
    """The codec name to give an output stream for plan ``p``."""
    _register()
    if p.glyphs is glyphs.ASCII:
        return _ASCII_CODEC_PREFIX + _name(p.encoding)
    return p.encoding


def apply(p: TerminalPlan, streams: tuple[TextIO | None, ...] | None = None) -> None:
    """Use ``p``'s symbols and make the streams write its encoding, never raising.

    The TUI library writes to the original stderr; the CLI to stdout and stderr.
    """
    glyphs.use(p.glyphs)
    encoding = stream_encoding(p)
    targets = streams if streams is not None else (sys.__stdout__, sys.__stderr__)
    seen: set[int] = set()
    for stream in targets:
        # Only real text streams can change encoding (test runners swap in others).
        if not isinstance(stream, io.TextIOWrapper) or id(stream) in seen:
            continue
        seen.add(id(stream))
        stream.flush()
        stream.reconfigure(encoding=encoding, errors=ERRORS)


def setup_cli_streams(encoding: str | None = None) -> TerminalPlan:
    """For the CLI: the same rule as the TUI (UTF-8 unless ``--encoding locale`` /
    ``EFILE_TUI_ENCODING=locale``), never failing on a character the encoding lacks; input
    (arguments, files, standard input) is then read as ``reading_order`` says.

    Raises ValueError for an unknown choice.
    """
    p = plan(encoding=encoding, glyph_choice=os.environ.get(GLYPHS_ENV) or "auto")
    read_in(reading_order(p))
    stdin = sys.stdin
    if isinstance(stdin, io.TextIOWrapper) and _name(stdin.encoding) != _name(p.encoding):
        stdin.reconfigure(encoding=p.encoding, errors="surrogateescape")
    streams = (sys.stdout, sys.stderr)
    as_is = all(
        not isinstance(s, io.TextIOWrapper) or _name(s.encoding) == "utf-8" for s in streams
    )
    if not (as_is and _name(p.encoding) == "utf-8" and p.glyphs is glyphs.UNICODE):
        apply(p, streams)
    return p


def reading_order(p: TerminalPlan) -> tuple[str, ...]:
    """The encodings input bytes are tried in: the output's encoding, then the other one.

    A UTF-8 terminal under a GB18030 locale sends UTF-8 (tried first); a terminal really
    set to GB18030 (``--encoding locale``) sends GB18030 (tried first). Bytes valid in the
    second only are still read rather than refused.
    """
    first, second = _name(p.encoding), _name(p.locale_encoding)
    if first != "utf-8":
        second = "utf-8"
    return (first,) if first == second else (first, second)


_reading: tuple[str, ...] = ("utf-8",)


def read_in(encodings: tuple[str, ...]) -> None:
    """Read input in ``encodings`` from now on (the first that decodes a text wins)."""
    global _reading
    _reading = encodings


def input_encodings() -> tuple[str, ...]:
    """The encodings input is read in (set by ``setup_cli_streams``; UTF-8 before that)."""
    return _reading


def decode_input(raw: bytes) -> str:
    """Text of bytes typed or read: the first of ``input_encodings`` that decodes them all.

    Bytes valid in none stay as surrogate escapes, which the input checks refuse, showing
    each such byte as ``\\x..``.
    """
    for encoding in _reading:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "surrogateescape")


def decode_argument(arg: str) -> str:
    """A command-line argument read again from its original bytes by ``decode_input``.

    Python decoded argv in the locale's encoding; ``os.fsencode`` gives the bytes back.
    """
    try:
        raw = os.fsencode(arg)
    except UnicodeEncodeError:  # not from argv (a caller's own text): already right
        return arg
    return decode_input(raw)


def encodings_named() -> str:
    """``UTF-8`` or ``UTF-8 or GB18030``: what input may be, for messages."""
    return " or ".join(e.upper() for e in _reading)


__all__ = [
    "ENCODING_CHOICES",
    "ENCODING_ENV",
    "GLYPHS_ENV",
    "TerminalPlan",
    "apply",
    "colour_depth",
    "decode_argument",
    "decode_input",
    "encodings_named",
    "input_encodings",
    "locale_encoding",
    "plan",
    "read_in",
    "reading_order",
    "setup_cli_streams",
    "stream_encoding",
]
