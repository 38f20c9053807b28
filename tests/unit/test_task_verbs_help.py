"""``tasks VERB --help`` prints that verb's usage, not the generic ``tasks`` usage."""

from __future__ import annotations

import pytest

from efile_tui.cli import main
from efile_tui.cli.task_verbs import VERBS


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_each_task_verb_has_its_own_help(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks", verb, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: efile-tui tasks {verb} ")
    assert VERBS[verb][1].split(":")[0].split("(")[0].strip() in " ".join(out.split())
    assert "Verbs:" not in out  # not the generic `tasks` help
    assert "--profile" in out


def test_help_after_other_words_and_plain_tasks_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks", "label", "x", "local:1", "-h"]) == 0
    assert capsys.readouterr().out.startswith("usage: efile-tui tasks label ")
    with pytest.raises(SystemExit) as done:
        main(["tasks", "--help"])
    assert done.value.code == 0
    assert "Verbs:" in capsys.readouterr().out
