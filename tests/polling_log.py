"""Read the simulator's request log to check what polling actually asked for."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

FINAL = {"complete", "fail", "cancel"}


def _tasks(answer: Any) -> Iterator[dict[str, Any]]:
    if isinstance(answer, dict):
        if "taskId" in answer and "status" in answer:
            yield answer
        for value in answer.values():
            yield from _tasks(value)
    elif isinstance(answer, list):
        for value in answer:
            yield from _tasks(value)


@dataclass
class PollAudit:
    """Every task/list request, with the ids the client already knew to be finished."""

    polls: list[list[str]] = field(default_factory=list)
    known_final: list[set[str]] = field(default_factory=list)  # per poll: finished before it
    finished_asked: list[tuple[int, str]] = field(default_factory=list)

    @property
    def informed_polls(self) -> int:
        """Polls sent while the client knew of at least one finished task."""
        return sum(1 for known in self.known_final if known)


def audit_polls(requests: list[dict[str, Any]]) -> PollAudit:
    """For each task/list request: which ids it asked, and which of them the client had
    already been told were finished (an answer received before the request was sent)."""
    lists = [r for r in requests if r["path"].endswith("/task/list")]
    audit = PollAudit()
    for r in lists:
        known: set[str] = set()
        for earlier in lists:
            done = earlier["answered_before"]
            if done is not None and done <= r["seq"]:
                known.update(t["taskId"] for t in _tasks(earlier["answer"]) if t["status"] in FINAL)
        ids = list((r["body"] or {}).get("taskIds") or [])
        audit.polls.append(ids)
        audit.known_final.append(known)
        audit.finished_asked.extend((r["seq"], t) for t in ids if t in known)
    return audit
