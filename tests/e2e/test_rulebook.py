"""One table of protection cases, run through both front ends: the CLI process and the TUI
(the real app from a saved profile in XDG_CONFIG_HOME). The simulator's request log is
the judge: a refused case sends nothing, an allowed one sends exactly its item.

{delete, move, copy with cover, move with cover} × {``/`` and shallow, home-like, home and
its parents, deny exact, deny wildcard inside the source, deny wildcard inside the entry a
cover overwrites, allowed}.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.widgets import Button, Input, RadioButton

from efile_tui.api.models import Operation
from efile_tui.ui.launch import close_app, create_app
from efile_tui.ui.messages import DeleteRequested, TransferRequested
from efile_tui.ui.modals.confirm_delete import ConfirmDeleteScreen, RefusedScreen
from efile_tui.ui.modals.transfer import TransferScreen
from tests.conftest import HOME, Sim
from tests.e2e.test_protection import profile_env, run, save_profile, submits
from tests.ui.harness import wait_until

OPS = ("delete", "move", "copy-cover", "move-cover")
KINDS = ("shallow", "home-like", "home", "deny-exact", "wild-source", "wild-target", "allowed")
OUTSIDE = "/data/other/dst"  # a target outside the home: a static refusal comes first
DENY = [f"{HOME}/keep-exact", "*/keep-me"]


@dataclass(frozen=True)
class Case:
    """One row of the table: what is asked and whether it must be sent."""

    op: str
    kind: str
    source: str
    target: str | None
    sent: bool

    @property
    def operation(self) -> Operation:
        return Operation.DELETE if self.op == "delete" else Operation(self.op.split("-")[0])

    @property
    def conflict(self) -> str:
        return "cover" if self.op.endswith("cover") else "both"

    def argv(self) -> list[str]:
        if self.op == "delete":
            return ["rm", self.source, "--yes"]
        verb = "cp" if self.op.startswith("copy") else "mv"
        assert self.target is not None
        return [verb, self.source, self.target, "--on-conflict", self.conflict, "--yes"]


def build(root: Path, op: str, kind: str) -> Case:
    """The case's own folder under the home (``root``), and what it asks."""
    base = f"{op}-{kind}"
    here = root / base
    (here / "src" / "data").mkdir(parents=True)
    (here / "src" / "data" / "f.txt").write_text("x")
    (here / "dst").mkdir()
    src, dst = f"{HOME}/{base}/src/data", f"{HOME}/{base}/dst"
    cover = op.endswith("cover")
    if kind in ("shallow", "home-like", "home"):
        landing = {"shallow": "/work", "home-like": "/work/home", "home": "/public/home"}[kind]
        name = {"shallow": "x", "home-like": "other", "home": "demo"}[kind]
        if cover:  # the overwritten entry is the protected one
            (here / "src" / name).mkdir()
            return Case(op, kind, f"{HOME}/{base}/src/{name}", landing, False)
        protected = {"shallow": "/", "home-like": "/work/home/other", "home": HOME}[kind]
        if op == "move" and kind == "shallow":
            protected = "/work/x"  # "/" contains every target: the target check comes first
        return Case(op, kind, protected, OUTSIDE if op == "move" else None, False)
    if kind == "deny-exact":
        (root / "keep-exact").mkdir(exist_ok=True)
        if cover:
            (here / "src" / "keep-exact").mkdir()
            return Case(op, kind, f"{HOME}/{base}/src/keep-exact", HOME, False)
        return Case(op, kind, f"{HOME}/keep-exact", OUTSIDE if op == "move" else None, False)
    if kind == "wild-source":
        (here / "src" / "data" / "deep" / "keep-me").mkdir(parents=True)
        return Case(op, kind, src, None if op == "delete" else dst, op == "copy-cover")
    if kind == "wild-target":
        (here / "dst" / "data" / "x" / "keep-me").mkdir(parents=True)
        return Case(op, kind, src, None if op == "delete" else dst, not cover)
    return Case(op, kind, src, None if op == "delete" else dst, True)


def table(root: Path, op: str) -> list[Case]:
    """One operation's row of the table (each operation is a test of its own)."""
    return [build(root, op, kind) for kind in KINDS]


def sent_item(case: Case) -> dict[str, str]:
    item = {"sourcePath": case.source}
    if case.target is not None:
        item |= {"targetPath": case.target, "duplicateHandleType": case.conflict}
    return item


def check(cases: list[Case], sent: list[list[dict[str, str]]]) -> None:
    """Exactly the allowed cases were sent, one request each, in table order."""
    wanted = [[sent_item(c)] for c in cases if c.sent]
    assert sent == wanted, "\n".join(
        f"{c.op} × {c.kind}: {'sent' if [sent_item(c)] in sent else 'refused'}, "
        f"want {'sent' if c.sent else 'refused'}"
        for c in cases
    )


@pytest.mark.parametrize("op", OPS)
def test_the_table_through_the_cli(sim: Sim, op: str) -> None:
    cases = table(sim.root, op)
    save_profile(sim.server, deny_paths=DENY)  # type: ignore[arg-type]
    env = profile_env(sim)
    for case in cases:
        done = run(sim, env, *case.argv())
        assert done.code == (0 if case.sent else 2), (case, done.err)
        if not case.sent:
            assert "nothing was sent" in done.err, (case, done.err)
    check(cases, [r["body"] for r in submits(sim.server)])


async def _ask_tui(app, pilot, case: Case, before: int, server: object) -> None:  # type: ignore[no-untyped-def]
    """Ask for ``case`` as the path pane does, answer the dialogs, and wait for the verdict:
    a refusal on screen, or the request in the simulator's log."""
    main = app.main
    if case.op == "delete":
        main.post_message(DeleteRequested([case.source]))
        screen = await wait_until(
            pilot,
            lambda: isinstance(app.screen, (RefusedScreen, ConfirmDeleteScreen)) and app.screen,
            what="delete dialog",
        )
        if isinstance(screen, ConfirmDeleteScreen):
            await wait_until(pilot, lambda: screen.preview_done, what="walk")
            if not screen.can_delete:
                await pilot.press("escape")
                return
            screen.query_one("#delete").press()
    else:
        main.post_message(TransferRequested(case.operation, [case.source]))
        dialog = await wait_until(
            pilot, lambda: isinstance(app.screen, TransferScreen) and app.screen, what="dialog"
        )
        await pilot.pause()  # mounted: the choice is not reset under us
        dialog.query_one("#target", Input).value = case.target or ""
        dialog.query_one(f"#{case.conflict}", RadioButton).value = True
        confirm = dialog.query_one("#confirm", Button)
        await wait_until(
            pilot,
            lambda: dialog.on_conflict == case.conflict and not confirm.disabled,
            what=f"policy and target of {case}",
        )
        confirm.press()
    verdict = await wait_until(
        pilot,
        lambda: isinstance(app.screen, RefusedScreen) or len(submits(server)) > before,
        what=f"{case.op} × {case.kind}",
    )
    if isinstance(app.screen, RefusedScreen):
        await pilot.press("escape")
    assert verdict


@pytest.mark.parametrize("op", OPS)
async def test_the_table_through_the_tui(sim: Sim, op: str) -> None:
    cases = table(sim.root, op)
    save_profile(sim.server, deny_paths=DENY)  # type: ignore[arg-type]
    app = create_app()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.screen.__class__.__name__ == "MainScreen")
            for case in cases:
                before = len(submits(sim.server))
                await _ask_tui(app, pilot, case, before, sim.server)
                await wait_until(pilot, lambda: app.screen is app.main, what="main screen")
                assert len(submits(sim.server)) == before + case.sent, case
            await app.ctx.client.aclose()
    finally:
        close_app(app)
    check(cases, [r["body"] for r in submits(sim.server)])


@pytest.mark.parametrize("verb", ["cp", "mv"])
def test_cover_asks_and_needs_yes_without_a_terminal(sim: Sim, verb: str) -> None:
    """``--on-conflict cover`` without ``--yes`` and without a terminal sends nothing;
    keep-both copies need no confirmation."""
    (sim.root / "a" / "data").mkdir(parents=True)
    (sim.root / "b" / "data").mkdir(parents=True)
    src, dst = f"{HOME}/a/data", f"{HOME}/b"
    env = {k: v for k, v in sim.env.items() if k != "EFILE_HOME"} | {"EFILE_HOME": HOME}
    done = run(sim, env, verb, src, dst, "--on-conflict", "cover")
    assert done.code == 2 and "--yes" in done.err, done.err
    assert submits(sim.server) == []
    if verb == "cp":
        done = run(sim, env, "cp", src, dst)  # keep both: no question
        assert done.code == 0, done.err
        assert [r["body"][0]["duplicateHandleType"] for r in submits(sim.server)] == ["both"]
