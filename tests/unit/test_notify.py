"""The bell/desktop notification sequences, plain and through tmux."""

from __future__ import annotations

from efile_tui.core.notify import notification, tmux_wrap


def test_plain_sequence() -> None:
    assert notification("t", "body", tmux=False) == (
        "\x07\x1b]9;t: body\x07\x1b]777;notify;t;body\x07"
    )


def test_tmux_passthrough_doubles_every_escape() -> None:
    wrapped = tmux_wrap("\x1b]9;x\x07")
    assert wrapped == "\x1bPtmux;\x1b\x1b]9;x\x07\x1b\\"
    assert notification("t", "b", tmux=True).count("\x1bPtmux;") == 2


def test_text_cannot_end_or_extend_the_sequence() -> None:
    seq = notification("a;b\x07", "c\x1b]52;x\x9c", tmux=False)
    body = seq[1:]
    # Only the sequences' own ESC/BEL remain: two OSC introducers and two terminators.
    assert body.count("\x1b") == 2 and body.count("\x07") == 2 and "\x9c" not in body
    assert "notify;a,b␇;" in body  # made visible by the one sanitiser, never raw
