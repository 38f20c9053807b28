"""Validation of submitted task elements and the file operations a task performs."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from efile_tui.sim.errors import SimError
from efile_tui.sim.fs import Sandbox
from efile_tui.sim.tasks import PlanItem

DUPLICATE_TYPES = (None, "cover", "both")


@dataclass
class Prepared:
    """A validated element: on-disk source and result path plus the echoed fields."""

    source_path: str
    target_path: str | None
    duplicate: str | None
    src: Path
    dest: Path | None


def _raw_field(element: dict[str, Any], name: str) -> str | None:
    value = element.get(name)
    return value if isinstance(value, str) else None


def echo_fields(element: object) -> tuple[str | None, str | None, str | None]:
    """Return (sourcePath, targetPath, duplicateHandleType) to echo for a bad element."""
    if not isinstance(element, dict):
        return None, None, None
    return (
        _raw_field(element, "sourcePath"),
        _raw_field(element, "targetPath"),
        _raw_field(element, "duplicateHandleType"),
    )


def prepare(operation: str, element: object, sandbox: Sandbox) -> Prepared:
    """Validate one array element of async-remove/copy/move; raise SimError if bad."""
    if not isinstance(element, dict):
        raise SimError("10004", "任务参数必须是对象")
    source = element.get("sourcePath")
    if source is None or source == "":
        raise SimError("10003", "sourcePath不能为空")
    source_v = sandbox.normalise(source)
    src = sandbox.to_real(source_v, follow_last=False)
    if sandbox.is_home(src):
        raise SimError("911030", "禁止操作用户主目录")
    if not os.path.lexists(src):
        raise SimError("911020")
    if operation == "delete":
        return Prepared(source_v, None, None, src, None)

    target = element.get("targetPath")
    if target is None or target == "":
        raise SimError("10003", "targetPath不能为空")
    duplicate = element.get("duplicateHandleType") or None
    if duplicate not in DUPLICATE_TYPES:
        raise SimError("10004", "duplicateHandleType只能是cover或both")
    target_v = sandbox.normalise(target)
    target_dir = sandbox.to_real(target_v)
    if not target_dir.exists():
        raise SimError("911020", "目标目录不存在")
    if not target_dir.is_dir():
        raise SimError("911022")
    real_src = os.path.realpath(src.parent) + os.sep + src.name
    real_target = os.path.realpath(target_dir)
    if real_target == real_src or real_target.startswith(real_src + os.sep):
        raise SimError("911507", "目标目录不能是源目录或其子目录")
    dest = Path(real_target) / src.name
    sandbox.settle(dest)
    same = str(dest) == real_src
    if same and (operation == "move" or duplicate == "cover"):
        raise SimError("911507")
    if os.path.lexists(dest):
        if duplicate is None:
            raise SimError("911021", f"文件已存在: {src.name}")
        if duplicate == "both":
            dest = unique_name(dest)
    return Prepared(source_v, target_v, duplicate, src, dest)


def unique_name(path: Path) -> Path:
    """Return ``name(1).ext`` (or ``(2)``, ...) next to ``path`` that does not exist yet."""
    if path.is_dir() and not path.is_symlink():
        stem, ext = path.name, ""
    else:
        stem, ext = os.path.splitext(path.name)
        if not stem:  # dot files such as ".bashrc"
            stem, ext = path.name, ""
    n = 1
    while True:
        candidate = path.with_name(f"{stem}({n}){ext}")
        if not os.path.lexists(candidate):
            return candidate
        n += 1


def _join(base: Path, rel: str) -> Path:
    return base / rel if rel else base


def _remove_any(path: Path) -> None:
    """Remove a file, link or whole directory (never following links)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def apply_delete(src: Path, item: PlanItem) -> None:
    """Delete one plan entry (bottom-up order guarantees directories come last)."""
    path = _join(src, item.rel)
    try:
        if item.is_dir:
            try:
                os.rmdir(path)
            except OSError as exc:
                if exc.errno != errno.ENOTEMPTY:
                    raise
                shutil.rmtree(path)  # files appeared meanwhile
        else:
            try:
                os.unlink(path)
            except IsADirectoryError:
                shutil.rmtree(path)
    except FileNotFoundError:
        pass


def _make_dir(dest: Path) -> None:
    if os.path.lexists(dest) and not (dest.is_dir() and not dest.is_symlink()):
        os.unlink(dest)  # cover: a file (or link) is replaced by the directory
    dest.mkdir(exist_ok=True)


def _clear_for_file(dest: Path) -> None:
    # Never write through an existing symlink (it may point outside the root).
    if dest.is_symlink() or dest.is_dir():
        _remove_any(dest)


def apply_copy(src: Path, dest: Path, item: PlanItem) -> None:
    """Copy one plan entry from ``src`` to ``dest`` (links are copied as links)."""
    s, d = _join(src, item.rel), _join(dest, item.rel)
    if item.is_dir:
        _make_dir(d)
        return
    _clear_for_file(d)
    try:
        shutil.copy2(s, d, follow_symlinks=False)
    except FileNotFoundError:
        if os.path.lexists(s):
            raise  # the destination folder vanished, not the source file


def apply_move(src: Path, dest: Path, item: PlanItem) -> None:
    """Move one plan entry; directories are created at the target and removed later."""
    s, d = _join(src, item.rel), _join(dest, item.rel)
    if item.is_dir:
        _make_dir(d)
        return
    _clear_for_file(d)
    try:
        os.replace(s, d)
    except FileNotFoundError:
        if os.path.lexists(s):
            raise
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.copy2(s, d, follow_symlinks=False)
        os.unlink(s)


def finish_move(src: Path, plan: list[PlanItem]) -> None:
    """Remove the (now empty) source directories of a move, deepest first."""
    for item in reversed(plan):
        if item.is_dir:
            # Not empty (files added meanwhile) or already gone: leave it.
            with contextlib.suppress(OSError):
                os.rmdir(_join(src, item.rel))


def error_of(exc: OSError) -> SimError:
    """Map an OS error met while executing a task to a business error."""
    if isinstance(exc, PermissionError):
        return SimError("911030", f"权限不足: {exc.strerror}")
    if isinstance(exc, FileNotFoundError):
        return SimError("911020", f"文件不存在: {exc.filename}")
    if exc.errno == errno.ENOSPC:
        return SimError("911501", "存储空间不足")
    return SimError("10001", f"内部异常: {exc.strerror or exc}")
