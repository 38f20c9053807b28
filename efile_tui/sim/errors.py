"""Business error codes used by the simulator and the error type that carries them."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "1001": "未知异常",
    "10001": "内部异常",
    "10003": "参数不全",
    "10004": "参数无效",
    "10008": "权限不足,token已过期",
    "10009": "验证失败",
    "911020": "文件不存在",
    "911021": "文件已存在",
    "911022": "目标地址不是一个文件夹",
    "911029": "文件路径包含特殊字符,请重命名后再操作",
    "911030": "权限不足,禁止操作",
    "911048": "服务繁忙,触发限流,请稍后再试",
    "911406": "服务端token认证异常,未取到关联用户",
    "911507": "源文件与目标文件一致,禁止操作",
}


class SimError(Exception):
    """A business error answered as ``{"code": code, "msg": msg, "data": null}``."""

    def __init__(self, code: str, msg: str | None = None) -> None:
        self.code = code
        self.msg = msg if msg is not None else MESSAGES.get(code, "error")
        super().__init__(f"{self.code}: {self.msg}")
