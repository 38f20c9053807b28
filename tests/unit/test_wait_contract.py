"""The wait contract is written down where a user looks: --help and the README."""

from __future__ import annotations

from pathlib import Path

from efile_tui.cli.parser import build_parser

ROOT = Path(__file__).resolve().parents[2]


def help_of(command: str) -> str:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")  # argparse's own API
    return sub.choices[command].format_help()  # type: ignore[index,no-any-return]


def test_watch_and_wait_help_state_the_exit_codes() -> None:
    for command in ("watch", "rm", "cp", "mv"):
        text = " ".join(help_of(command).split())
        assert "0 every task completed" in text
        assert "1 any failed or was cancelled" in text
        assert "5 none failed but some vanished" in text
        assert "124 (or --timeout-exit-code)" in text
        assert "--heartbeat" in text and "--bell" in text


def test_readme_documents_the_contract_and_the_recipes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "| 124 | `watch`/`--wait`: `--timeout` passed" in readme
    assert "| 5 | `watch`/`--wait`: no task failed, but some vanished" in readme
    scripting = readme.split("## Scripting", 1)[1]
    for recipe in ("colleague's run", "dry run first", "job script"):
        assert recipe in scripting
