"""The app's two colour themes: ``efile-dark`` (truecolor and 256-colour terminals) and
``efile-ansi`` (16-colour terminals such as PuTTY's default, drawn in the terminal's own
palette so the focused pane is cyan and an error red).
"""

from __future__ import annotations

from textual.theme import Theme

THEMES = (
    Theme(
        name="efile-dark",
        primary="#0178D4",
        secondary="#004578",
        accent="#ffa62b",
        warning="#ffa62b",
        error="#ba3c5b",
        success="#4EBF71",
        foreground="#e0e0e0",
        dark=True,
        variables={"border": "#3a9be8", "border-blurred": "#1d4466"},
    ),
    Theme(
        name="efile-ansi",
        ansi=True,
        primary="ansi_blue",
        secondary="ansi_cyan",
        warning="ansi_yellow",
        error="ansi_red",
        success="ansi_green",
        accent="ansi_cyan",
        foreground="ansi_default",
        background="ansi_default",
        surface="ansi_default",
        panel="ansi_default",
        boost="ansi_default",
        dark=True,
        variables={
            "border": "ansi_bright_cyan",
            "border-blurred": "ansi_bright_black",
            "ansi-background": "ansi_black",
            "ansi-foreground": "ansi_white",
            "block-cursor-foreground": "ansi_black",
            "block-cursor-background": "ansi_white",
            "input-cursor-background": "ansi_white",
            "input-cursor-foreground": "ansi_black",
            "input-selection-background": "ansi_bright_blue",
            "input-selection-foreground": "ansi_black",
            "footer-key-foreground": "ansi_bright_cyan",
        },
    ),
)
