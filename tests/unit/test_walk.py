"""The walk's work is in proportion to folders: listed paths are grouped by parent, each
parent listed once, then the folders among them walked; one walk for many paths."""

from __future__ import annotations

from efile_tui.api.errors import NotFound
from efile_tui.api.models import DirPage, FileEntry
from efile_tui.core.preview import outermost, preview_delete
from tests.unit.test_preview import FakeLister, d, f

HOME = "/public/home/u"


def campaign(folders: int, per_folder: int) -> dict[str, list[FileEntry]]:
    """``folders`` folders of ``per_folder`` files each, and one sub-folder ``keep`` in out0."""
    tree: dict[str, list[FileEntry]] = {HOME: [d(HOME, f"out{i}") for i in range(folders)]}
    for i in range(folders):
        folder = f"{HOME}/out{i}"
        tree[folder] = [f(folder, f"r{n:05d}", n + 1) for n in range(per_folder)]
    tree[f"{HOME}/out0"].append(d(f"{HOME}/out0", "sub"))
    tree[f"{HOME}/out0/sub"] = [d(f"{HOME}/out0/sub", "keep-me"), f(f"{HOME}/out0/sub", "z", 3)]
    tree[f"{HOME}/out0/sub/keep-me"] = []
    return tree


async def test_listed_paths_cost_one_listing_per_parent_page() -> None:
    client = FakeLister(campaign(4, 250))
    paths = [f"{HOME}/out{i}/r{n:05d}" for i in range(4) for n in range(0, 250, 2)]
    result = await preview_delete(client, paths, page_size=100)
    assert result.complete and result.files == 4 * 125
    assert result.bytes == 4 * sum(n + 1 for n in range(0, 250, 2))
    # each parent listed in pages of 100 until every wanted name was met; no path alone
    assert sorted(client.calls) == sorted(
        (f"{HOME}/out{i}", start, None) for i in range(4) for start in (0, 100, 200)
    )
    assert (result.paths, len(result.unfinished)) == (500, 0)


async def test_a_few_names_in_a_big_folder_are_asked_for_by_name() -> None:
    client = FakeLister(campaign(1, 5000))
    paths = [f"{HOME}/out0/r04998", f"{HOME}/out0/r00007"]
    result = await preview_delete(client, paths, page_size=100)
    assert result.complete and result.files == 2 and result.bytes == 4999 + 8
    assert client.calls[0] == (f"{HOME}/out0", 0, None)
    assert sorted(client.calls[1:]) == [(f"{HOME}/out0", 0, "r04998")]  # r00007 on page 1


async def test_folders_among_the_paths_are_walked_after_their_parents() -> None:
    client = FakeLister(campaign(2, 3))
    paths = [f"{HOME}/out0/sub", f"{HOME}/out1/r00001", f"{HOME}/out0/r00000"]
    result = await preview_delete(client, paths)
    assert result.complete
    assert (result.files, result.dirs) == (2 + 1, 2)  # r00001, r00000, sub/z; sub, keep-me
    parents = {(f"{HOME}/out0", 0, None), (f"{HOME}/out1", 0, None)}
    assert set(client.calls[:2]) == parents
    assert client.calls[2:] == [
        (f"{HOME}/out0/sub", 0, None),
        (f"{HOME}/out0/sub/keep-me", 0, None),
    ]


async def test_each_path_learns_whether_it_holds_a_protected_path() -> None:
    client = FakeLister(campaign(2, 3))
    paths = [f"{HOME}/out0", f"{HOME}/out1", f"{HOME}/out0/r00001", f"{HOME}/gone"]
    result = await preview_delete(
        client, paths, protected=lambda p: "deny */keep-me" if p.endswith("/keep-me") else None
    )
    assert result.protected_in == ((f"{HOME}/out0", "deny */keep-me"),)
    assert result.unfinished == (f"{HOME}/gone",)  # not found: not checked
    assert result.stopped_because == "1 path not found"
    listed = [HOME, f"{HOME}/out0", f"{HOME}/out1", f"{HOME}/out0/sub", f"{HOME}/out0/sub/keep-me"]
    assert sorted(path for path, _, _ in client.calls) == sorted(listed)  # each folder once
    assert result.paths == 3


async def test_a_parent_that_cannot_be_listed_falls_back_to_each_path() -> None:
    client = FakeLister(campaign(1, 3))
    client.denied.add(f"{HOME}/out0")
    result = await preview_delete(client, [f"{HOME}/out0/r00001", f"{HOME}/out0/sub"])
    assert result.complete and result.unfinished == ()
    assert result.dirs == 2 and result.files == 2  # sub, keep-me; r00001 (size unknown), sub/z
    assert sorted(p for p, _, _ in client.calls) == sorted(
        [f"{HOME}/out0", f"{HOME}/out0/r00001", f"{HOME}/out0/sub", f"{HOME}/out0/sub/keep-me"]
    )


async def test_the_time_limit_reports_what_it_covered() -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    client = FakeLister(campaign(6, 3))
    paths = [f"{HOME}/out{i}" for i in range(6)]
    result = await preview_delete(client, paths, max_seconds=4, clock=clock, concurrency=1)
    assert not result.complete and result.stopped_because == "time limit (4 s)"
    assert "covered: " in "\n".join(result.summary_lines())
    done = result.paths - len(result.unfinished)
    assert 0 < done < 6 and result.covered.startswith(f"{done:,} of 6 paths")


async def test_limits_grow_with_the_number_of_paths() -> None:
    slow_clock = [0.0]

    def clock() -> float:
        slow_clock[0] += 0.5  # every look at the clock: half a second (over 5 s in all)
        return slow_clock[0]

    tree = campaign(20, 1000)
    paths = [f"{HOME}/out{i}/r{n:05d}" for i in range(20) for n in range(1000)]
    client = FakeLister(tree)
    result = await preview_delete(client, paths, clock=clock)
    assert result.complete and result.files == 20_000
    assert len(client.calls) == 20  # page size 1000: one page per parent


def test_outermost_keeps_folders_whose_name_sorts_between_a_folder_and_its_children() -> None:
    assert outermost(["/a/c", "/a b", "/a", "/a/"]) == ["/a", "/a b"]
    assert outermost(["/x/y/z", "/x/y-1", "/x/y"]) == ["/x/y", "/x/y-1"]


async def test_missing_parent_makes_each_of_its_paths_an_error() -> None:
    class Missing:
        async def list_dir(
            self, path: str, *, start: int = 0, limit: int = 100, keyword: str | None = None
        ) -> DirPage:
            raise NotFound("911020", context=f"list {path}")

    result = await preview_delete(Missing(), ["/n/a/1", "/n/a/2"])
    assert result.unfinished == ("/n/a/1", "/n/a/2") and len(result.errors) == 2
