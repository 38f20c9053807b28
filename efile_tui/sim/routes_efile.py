"""efile routes under ``/efile/openapi/v2/file/``: list, mkdir, async-*, task/list|cancel."""

from __future__ import annotations

import os
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from efile_tui.sim.errors import SimError
from efile_tui.sim.web import EFILE, Handler, api, json_body, params_of, state_of, task_ids

PREFIX = "/efile/openapi/v2/file"
MAX_ELEMENTS = 1000  # the docs recommend 100 per request; accept up to this many


async def list_dir(request: Request) -> Any:
    """``GET list``: one page of a directory."""
    return state_of(request).lister.page(request.query_params)


async def mkdir(request: Request) -> Any:
    """``POST mkdir``: create a folder (``createParents`` like ``mkdir -p``)."""
    sandbox = state_of(request).sandbox
    params = await params_of(request)
    path = sandbox.to_real(params.get("path"), follow_last=False)
    parents = str(params.get("createParents", "false")).lower() == "true"
    if os.path.lexists(path):
        if path.is_dir():
            raise SimError("911021")
        raise SimError("911022", "同名文件已存在且不是文件夹")
    try:
        path.mkdir(parents=parents)
    except FileNotFoundError:
        raise SimError("911020", "父目录不存在") from None
    except NotADirectoryError:
        raise SimError("911022") from None
    except PermissionError:
        raise SimError("911030") from None
    return ""


def _submitter(operation: str) -> Handler:
    async def submit(request: Request) -> Any:
        body = await json_body(request)
        if not isinstance(body, list) or not body:
            raise SimError("10003", "请求体必须是非空的JSON数组")
        if len(body) > MAX_ELEMENTS:
            raise SimError("10004", f"每次最多提交{MAX_ELEMENTS}个任务")
        return state_of(request).engine.submit(operation, body)

    submit.__doc__ = f"``POST async-*``: submit {operation} tasks."
    return submit


async def task_list(request: Request) -> Any:
    """``POST task/list``: the known tasks among the ids (unknown or expired omitted)."""
    return state_of(request).engine.list_tasks(await task_ids(request))


async def task_cancel(request: Request) -> Any:
    """``POST task/cancel``: cancel waiting/processing tasks, one result per id."""
    return state_of(request).engine.cancel(await task_ids(request))


routes = [
    Route(f"{PREFIX}/list", api(list_dir, EFILE), methods=["GET"]),
    Route(f"{PREFIX}/mkdir", api(mkdir, EFILE), methods=["POST"]),
    Route(f"{PREFIX}/async-remove", api(_submitter("delete"), EFILE), methods=["POST"]),
    Route(f"{PREFIX}/async-copy", api(_submitter("copy"), EFILE), methods=["POST"]),
    Route(f"{PREFIX}/async-move", api(_submitter("move"), EFILE), methods=["POST"]),
    Route(f"{PREFIX}/task/list", api(task_list, EFILE), methods=["POST"]),
    Route(f"{PREFIX}/task/cancel", api(task_cancel, EFILE), methods=["POST"]),
]
