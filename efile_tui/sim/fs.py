"""Sandbox mapping between virtual absolute paths and files under the simulator root.

A virtual path must be absolute and equal to the home (or below it). It is normalised, then
mapped onto ``root``; symbolic links are resolved and any real path that leaves ``root`` is
refused with 911030. Nothing outside ``root`` is ever touched. Every path mapped below the
root is first handed to ``settle`` (a lazily written sample tree writes its folder then).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from pathlib import Path

from efile_tui.sim.errors import SimError

_SPECIAL = {chr(c) for c in range(32)} | {"\x7f"}


class Sandbox:
    """Map virtual paths (``/public/home/demo/...``) onto the on-disk root and back."""

    def __init__(self, root: Path, home: str, settle: Callable[[Path], None] | None = None) -> None:
        self.root = Path(os.path.realpath(root))
        self.home = "/" + home.strip("/")
        self._settle = settle

    def settle(self, real: Path) -> None:
        """Make ``real`` (an on-disk path below the root) what it is on disk before use:
        a folder of a lazily written sample tree is written whole first."""
        if self._settle is not None:
            self._settle(real)

    def normalise(self, vpath: object) -> str:
        """Validate and normalise a virtual path; raise SimError on a bad one."""
        if vpath is None or vpath == "":
            raise SimError("10003", "路径不能为空")
        if not isinstance(vpath, str):
            raise SimError("10004", "路径必须是字符串")
        if any(ch in _SPECIAL for ch in vpath):
            raise SimError("911029")
        if not vpath.startswith("/"):
            raise SimError("10004", "路径必须是绝对路径")
        norm = posixpath.normpath("/" + vpath.lstrip("/"))
        if norm != self.home and not norm.startswith(self.home + "/"):
            raise SimError("911030")
        return norm

    def to_real(self, vpath: object, *, follow_last: bool = True) -> Path:
        """Return the on-disk path for ``vpath``.

        With ``follow_last`` false the last component is not resolved (a symlink is itself
        the object, as for delete), but its parent still must stay inside the root.
        """
        norm = self.normalise(vpath)
        rel = norm[len(self.home) :].lstrip("/")
        mapped = self.root / rel if rel else self.root
        if rel:
            self.settle(mapped)
        if follow_last or not rel:
            self._check_inside(mapped)
        else:
            self._check_inside(mapped.parent)
        return mapped

    def _check_inside(self, path: Path) -> None:
        real = os.path.realpath(path)
        root = str(self.root)
        if real != root and not real.startswith(root + os.sep):
            raise SimError("911030")

    def to_virtual(self, real: Path | str) -> str:
        """Return the virtual path of an on-disk path below the root."""
        rel = os.path.relpath(real, self.root)
        if rel == ".":
            return self.home
        return self.home + "/" + rel.replace(os.sep, "/")

    def is_home(self, real: Path) -> bool:
        """Tell whether ``real`` is the root (the user's home) itself."""
        return os.path.abspath(real) == str(self.root)
