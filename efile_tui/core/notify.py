"""A terminal bell and desktop notification, for when every watched task has ended.

The notification is sent three ways at once, because terminals understand different ones
and ignore the rest: BEL (every terminal; many flash or mark the tab), OSC 9 (iTerm2,
Windows Terminal, kitty, foot, WezTerm) and OSC 777 ``notify`` (urxvt, VTE terminals,
Ghostty). Inside tmux each sequence is wrapped in tmux's passthrough (``ESC P tmux; … ESC \\``
with every ESC doubled) so it reaches the outer terminal; tmux needs
``set -g allow-passthrough on`` (3.3+) for that, and rings its own bell for the BEL.

Only fixed text built by the caller goes in a notification; anything that could end the OSC
sequence (control characters, ``;`` in the title) is made inert first.
"""

from __future__ import annotations

import os

from efile_tui.core.text import clean


def tmux_wrap(sequence: str) -> str:
    """``sequence`` in tmux's DCS passthrough (every ESC inside doubled)."""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def notification(title: str, body: str, *, tmux: bool | None = None) -> str:
    """BEL + OSC 9 + OSC 777 for ``title``/``body``, wrapped for tmux when inside it.

    ``tmux`` defaults to whether ``$TMUX`` is set.
    """
    if tmux is None:
        tmux = bool(os.environ.get("TMUX"))
    title = clean(title).strip().replace(";", ",")
    body = clean(body).strip()
    osc9 = f"\x1b]9;{title}: {body}\x07"
    osc777 = f"\x1b]777;notify;{title};{body}\x07"
    if tmux:
        return "\x07" + tmux_wrap(osc9) + tmux_wrap(osc777)
    return "\x07" + osc9 + osc777
