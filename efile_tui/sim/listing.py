"""Directory listing for ``GET /efile/openapi/v2/file/list``, with a sorted-view cache.

Sorting by name needs no ``stat`` (``os.scandir`` gives names and types), so even a folder
with 100,000 entries answers a page quickly; only the entries on the page are stat'ed.
Sorting by size or time stats every entry once. Sorted views are cached per
(directory, its mtime_ns, orderBy, order, keyword); a view is only cached when the
directory was not modified in the last moments (file-system timestamps are coarse), and
stat-based views also expire after a few seconds because file sizes can change without
touching the directory.
"""

from __future__ import annotations

import collections
import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from efile_tui.sim.clock import format_time
from efile_tui.sim.errors import SimError
from efile_tui.sim.fs import Sandbox

ORDER_BY = ("name", "size", "lastModifiedTime")
MAX_LIMIT = 100_000
MAX_CHILDREN = 1000
CACHE_SIZE = 32
RACY_NS = 200_000_000  # do not cache a directory modified less than this ago
STAT_VIEW_TTL = 3.0  # seconds a size/time-sorted view stays valid


@dataclass
class View:
    """A sorted, filtered listing of one directory: directories first, then files."""

    names: list[str]
    n_dirs: int  # names[:n_dirs] are directories
    children: list[str]  # names of all sub-directories (unfiltered), sorted, capped
    created: float


def _int_param(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SimError("10004", f"{name}必须是整数") from None


class Lister:
    """Answer list requests for one sandbox, caching sorted views of directories."""

    def __init__(self, sandbox: Sandbox, user: str) -> None:
        self.sandbox = sandbox
        self.user = user
        self._cache: collections.OrderedDict[tuple[Any, ...], View] = collections.OrderedDict()

    def page(self, params: Mapping[str, str]) -> dict[str, Any]:
        """Return the ``data`` object of a list answer for the given query parameters."""
        vpath = self.sandbox.normalise(params.get("path") or self.sandbox.home)
        start = _int_param(params, "start", 0)
        limit = _int_param(params, "limit", 10)
        order = params.get("order") or "asc"
        order_by = params.get("orderBy") or "name"
        keyword = params.get("keyWord") or params.get("keyword") or ""
        if start < 0 or limit < 1 or limit > MAX_LIMIT:
            raise SimError("10004", "start/limit参数无效")
        if order not in ("asc", "desc") or order_by not in ORDER_BY:
            raise SimError("10004", "order/orderBy参数无效")
        real = self.sandbox.to_real(vpath)
        try:
            dir_stat = os.stat(real)
        except FileNotFoundError:
            raise SimError("911020") from None
        if not stat.S_ISDIR(dir_stat.st_mode):
            raise SimError("911022")
        view = self._view(real, dir_stat.st_mtime_ns, order_by, order, keyword)
        end = min(start + limit, len(view.names))
        page = [(view.names[i], i < view.n_dirs) for i in range(start, end)]
        return {
            "total": len(view.names),
            "path": vpath,
            "shareEnabled": False,
            "keyWord": keyword,
            "fileList": [
                item for name, is_dir in page if (item := self._item(real, vpath, name, is_dir))
            ],
            "children": [
                {"id": _join(vpath, name), "label": name, "path": _join(vpath, name)}
                for name in view.children
            ],
        }

    def _view(self, real: Path, mtime_ns: int, order_by: str, order: str, kw: str) -> View:
        key = (str(real), mtime_ns, order_by, order, kw.lower())
        view = self._cache.get(key)
        now = time.monotonic()
        if view is not None and (order_by == "name" or now - view.created < STAT_VIEW_TTL):
            self._cache.move_to_end(key)
            return view
        view = self._scan(real, order_by, order, kw.lower())
        if time.time_ns() - mtime_ns > RACY_NS:
            self._cache[key] = view
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return view

    def _scan(self, real: Path, order_by: str, order: str, kw: str) -> View:
        dirs: list[str] = []
        files: list[str] = []
        with os.scandir(real) as it:
            for de in it:
                if de.is_dir(follow_symlinks=False) or (de.is_symlink() and self._link_dir(de)):
                    dirs.append(de.name)
                else:
                    files.append(de.name)
        children = _sorted_names(dirs)[:MAX_CHILDREN]
        if kw:
            dirs = [n for n in dirs if kw in n.lower()]
            files = [n for n in files if kw in n.lower()]
        reverse = order == "desc"
        if order_by == "name":
            dirs, files = _sorted_names(dirs, reverse), _sorted_names(files, reverse)
        else:
            dirs = self._sorted_by_stat(real, dirs, order_by, reverse)
            files = self._sorted_by_stat(real, files, order_by, reverse)
        return View(dirs + files, len(dirs), children, time.monotonic())

    @staticmethod
    def _sorted_by_stat(real: Path, names: list[str], order_by: str, reverse: bool) -> list[str]:
        keyed: list[tuple[float, str, str]] = []
        for name in names:
            try:
                st = os.lstat(os.path.join(real, name))
            except FileNotFoundError:
                continue
            value = st.st_size if order_by == "size" else st.st_mtime
            keyed.append((value, name.lower(), name))
        keyed.sort(reverse=reverse)
        return [name for _, _, name in keyed]

    def _link_dir(self, de: os.DirEntry[str]) -> bool:
        """A link to a folder inside the root is shown as a folder; one leaving it is not."""
        try:
            self.sandbox.to_real(self.sandbox.to_virtual(de.path))
        except SimError:
            return False
        return os.path.isdir(de.path)

    def _item(self, real: Path, vpath: str, name: str, is_dir: bool) -> dict[str, Any] | None:
        full = os.path.join(real, name)
        try:
            st = os.lstat(full)
        except FileNotFoundError:
            return None
        is_link = stat.S_ISLNK(st.st_mode)
        mode = st.st_mode
        created = getattr(st, "st_birthtime", st.st_ctime)
        return {
            "name": name,
            "path": _join(vpath, name),
            "size": 4096 if is_dir else st.st_size,
            "type": "dir" if is_dir else "file",
            "isDirectory": is_dir,
            "isRegularFile": stat.S_ISREG(mode),
            "isSymbolicLink": is_link,
            "isOther": not (is_dir or is_link or stat.S_ISREG(mode)),
            "isShare": False,
            "owner": self.user,
            "group": self.user,
            "permission": stat.filemode(mode)[1:],
            "permissionAction": {
                "read": bool(mode & stat.S_IRUSR),
                "write": bool(mode & stat.S_IWUSR),
                "execute": bool(mode & stat.S_IXUSR),
                "allowed": True,
            },
            "creationTime": format_time(created),
            "lastAccessTime": format_time(st.st_atime),
            "lastModifiedTime": format_time(st.st_mtime),
            "fileKey": f"(dev={st.st_dev:x},ino={st.st_ino})",
        }


def _sorted_names(names: list[str], reverse: bool = False) -> list[str]:
    """Sort case-insensitively (ties broken case-sensitively) using C-level keys only."""
    out = sorted(names, reverse=reverse)
    out.sort(key=str.lower, reverse=reverse)
    return out


def _join(vdir: str, name: str) -> str:
    return vdir.rstrip("/") + "/" + name
