"""The CLI under Chinese locales on a UTF-8 terminal: arguments, files and standard input
given as UTF-8 bytes are read as UTF-8, and everything written is UTF-8 (JSON always).

A process's locale is fixed when it starts: these tests run the real entry point in a
subprocess with ``LANG``/``LC_ALL`` set to locales CI generates (``.ci/run``: localedef).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.conftest import HOME, Sim

FOLDER = "数据-结果"
INSIDE = "报告.txt"
LOCALES = ["zh_CN.GB18030", "zh_CN"]  # zh_CN is GB2312


def _locale_available(name: str) -> bool:
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    return name.lower().replace("-", "") in out.replace("-", "")


def _need(lang: str) -> None:
    if not _locale_available(lang if "." in lang else "zh_CN"):
        pytest.skip(f"locale {lang} not generated (localedef -i zh_CN -f GB18030|GB2312 …)")


def run(
    sim: Sim,
    lang: str,
    *args: str | bytes,
    stdin: bytes = b"",
    env: dict[str, str] | None = None,
) -> tuple[int, bytes, bytes]:
    """The entry point under ``lang``; ``str`` arguments are passed as their UTF-8 bytes."""
    full_env = {**sim.env, "LANG": lang, "LC_ALL": lang, "PYTHONUTF8": "0", **(env or {})}
    full_env.pop("PYTHONIOENCODING", None)
    argv = [a.encode() if isinstance(a, str) else a for a in args]
    proc = subprocess.run(
        [sys.executable.encode(), b"-m", b"efile_tui", *argv],
        env=full_env,
        input=stdin,
        capture_output=True,
        timeout=60,
    )
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def folder_sim(sim: Sim) -> Sim:
    """The simulator with ``数据-结果/报告.txt`` in the home."""
    (sim.root / FOLDER).mkdir()
    (sim.root / FOLDER / INSIDE).write_bytes(b"x")
    return sim


@pytest.mark.parametrize("lang", LOCALES)
def test_ls_reads_a_utf8_argument_and_writes_utf8(folder_sim: Sim, lang: str) -> None:
    _need(lang)
    code, out, err = run(folder_sim, lang, "ls", f"{HOME}/{FOLDER}")
    assert code == 0, err.decode("utf-8", "replace")
    assert f"{HOME}/{FOLDER}/{INSIDE}" in out.decode("utf-8")
    assert f"1 entry in {HOME}/{FOLDER}" in err.decode("utf-8")


@pytest.mark.parametrize("lang", LOCALES)
def test_ls_json_is_utf8_and_names_the_folder(folder_sim: Sim, lang: str) -> None:
    _need(lang)
    code, out, _ = run(folder_sim, lang, "ls", "--json", f"{HOME}/{FOLDER}")
    assert code == 0
    data = json.loads(out.decode("utf-8"))
    assert data["path"] == f"{HOME}/{FOLDER}"
    assert [e["name"] for e in data["fileList"]] == [INSIDE]


@pytest.mark.parametrize("lang", LOCALES)
def test_rm_dry_run_names_the_folder_from_arguments_a_file_and_stdin(
    folder_sim: Sim, lang: str
) -> None:
    _need(lang)
    listing = folder_sim.root.parent / "list.txt"
    listing.write_bytes(f"{HOME}/{FOLDER}/{INSIDE}\n".encode())
    for args, stdin in (
        ((f"{HOME}/{FOLDER}",), b""),
        (("--from-file", str(listing)), b""),
        (("--from-file", "-"), f"{HOME}/{FOLDER}\n".encode()),
    ):
        code, out, err = run(folder_sim, lang, "rm", "--dry-run", *args, stdin=stdin)
        assert code == 0, err.decode("utf-8", "replace")
        text = out.decode("utf-8")
        assert f"  {HOME}/{FOLDER}" in text, text
    assert folder_sim.server.requests("delete") == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", LOCALES)
def test_a_chinese_service_error_is_shown_in_utf8(folder_sim: Sim, lang: str) -> None:
    _need(lang)
    code, _, err = run(folder_sim, lang, "ls", f"{HOME}/{FOLDER}/不存在")
    assert code == 1
    text = err.decode("utf-8")
    assert "文件不存在" in text and f"{HOME}/{FOLDER}/不存在" in text, text


@pytest.mark.parametrize("lang", LOCALES)
def test_a_name_valid_in_neither_encoding_is_refused_naming_the_bytes(
    folder_sim: Sim, lang: str
) -> None:
    _need(lang)
    code, _, err = run(folder_sim, lang, "ls", HOME.encode() + b"/\xff\xfe")
    assert code == 2
    text = err.decode("utf-8")
    assert r"\\xff\\xfe" in text and "not valid UTF-8 or GB" in text, text


def test_encoding_locale_reads_and_writes_gb18030(folder_sim: Sim) -> None:
    lang = "zh_CN.GB18030"
    _need(lang)
    name = f"{HOME}/{FOLDER}".encode("gb18030")
    code, out, err = run(folder_sim, lang, "--encoding", "locale", "ls", name)
    assert code == 0, err.decode("gb18030", "replace")
    assert f"{HOME}/{FOLDER}/{INSIDE}".encode("gb18030") in out
    assert f"1 entry in {HOME}/{FOLDER}".encode("gb18030") in err
    # The environment says the same; JSON stays UTF-8 whatever the terminal speaks.
    code, out, _ = run(folder_sim, lang, "ls", "--json", name, env={"EFILE_TUI_ENCODING": "locale"})
    assert code == 0
    assert json.loads(out.decode("utf-8"))["path"] == f"{HOME}/{FOLDER}"
    listing = folder_sim.root.parent / "list.txt"
    listing.write_bytes(f"{HOME}/{FOLDER}\n".encode("gb18030"))
    code, out, _ = run(
        folder_sim, lang, "rm", "--dry-run", "--encoding", "locale", "--from-file", str(listing)
    )
    assert code == 0
    assert f"  {HOME}/{FOLDER}".encode("gb18030") in out


def test_task_data_for_programs_stays_utf8_under_encoding_locale(folder_sim: Sim) -> None:
    lang = "zh_CN.GB18030"
    _need(lang)
    path = f"{HOME}/{FOLDER}/{INSIDE}"
    deleted = folder_sim.cli("rm", "--yes", "--wait", path)
    assert deleted.code == 0, deleted.err
    (task_id,) = re.findall(r"\b[0-9a-f]{32}\b", deleted.out)
    for args in (
        ("tasks", "--all", "--jsonl"),
        ("tasks", task_id, "--json"),
        ("tasks", task_id, "--jsonl"),
    ):
        code, out, err = run(folder_sim, lang, "--encoding", "locale", *args)
        assert code == 0, err.decode("gb18030", "replace")
        assert path in out.decode("utf-8"), args  # UTF-8 whatever the terminal speaks


_READ_TIME = re.compile(r'"(lastSeenAt|updatedAt)": "[0-9T:+-]+"')


def _read_time_out(out: str) -> str:
    """``out`` with the journal's two stamps of the read itself made equal.

    Every ``tasks`` read asks the service and records when it answered (``lastSeenAt``
    and the entry's ``updatedAt``, to the second): two reads a second boundary apart
    differ there whatever the language. Every other byte must match."""
    return _READ_TIME.sub(r'"\1": "<when read>"', out)


def test_programs_read_the_same_under_the_chinese_and_the_english_interface(
    folder_sim: Sim,
) -> None:
    chinese, english = {"EFILE_TUI_LANG": "zh_CN"}, {"EFILE_TUI_LANG": "en"}
    deleted = folder_sim.cli(
        "rm", "--yes", "--wait", f"{HOME}/{FOLDER}/{INSIDE}", env=chinese
    )  # ended: nothing changes between the two reads
    assert deleted.code == 0, deleted.err
    assert "任务" in deleted.out  # people read Chinese…
    for args in (
        ("tasks", "--json"),
        ("tasks", "--ids-only"),
        ("ls", "--json", HOME),
        ("ls", "--json", f"{HOME}/不存在"),
        ("ls", f"{HOME}/不存在"),
        ("cancel", "--yes", "0" * 32),
    ):
        zh, en = folder_sim.cli(*args, env=chinese), folder_sim.cli(*args, env=english)
        program = "--json" in args or "--ids-only" in args
        assert (zh.code, _read_time_out(zh.out) if program else "") == (
            en.code,
            _read_time_out(en.out) if program else "",
        ), args
    missing = f"{HOME}/{FOLDER}/gone"
    zh, en = (folder_sim.cli("ls", missing, env=e).err for e in (chinese, english))
    assert f"[911020] 文件不存在（列出 {missing}）" in zh and "请检查路径" in zh, zh
    assert "check" not in zh and "list" not in zh, zh
    assert "[911020] File does not exist (list " in en and "check the path" in en, en
    tasks = json.loads(folder_sim.cli("tasks", "--json", env=chinese).out)
    assert {t["operationType"] for t in tasks} == {"delete"}  # …programs the API's words
    human = folder_sim.cli("tasks", "--all", env=chinese).out
    assert "删除" in human and "delete" not in human


def test_refusals_and_rejections_are_read_in_chinese_and_stored_in_english(
    folder_sim: Sim,
) -> None:
    chinese, english = {"EFILE_TUI_LANG": "zh_CN"}, {"EFILE_TUI_LANG": "en"}
    home = ("rm", "--dry-run", "--json", HOME)
    zh, en = folder_sim.cli(*home, env=chinese), folder_sim.cli(*home, env=english)
    assert (zh.code, zh.out) == (en.code, en.out) and zh.code == 2
    refused = json.loads(zh.out)["refused"]
    assert refused == [{"path": HOME, "reason": f"{HOME} is your home folder"}]
    human = folder_sim.cli("rm", "--dry-run", HOME, env=chinese)
    assert f"{HOME} 是你的家目录" in human.out and "home folder" not in human.out, human.out
    bad = folder_sim.cli("rm", "--yes", "relative/x", f"{HOME}/a", f"{HOME}//a", env=chinese)
    assert bad.code == 2
    assert "路径 'relative/x' 是相对路径" in bad.err and "给出了两次" in bad.err, bad.err
    assert "relative:" not in bad.err and "twice" not in bad.err, bad.err
