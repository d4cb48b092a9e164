"""The command line, run as a user would: ``python -m app …`` in a child process."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from app.core.history.store import Store
from app.version import version_line

ROOT = Path(__file__).resolve().parents[2]


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "PARLEY_HOME": str(home), "PYTHONPATH": str(ROOT)}


def parley(
    home: Path,
    *args: str,
    timeout: float = 600,  # a ceiling for a hung process, not a speed limit: a busy machine is slow
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    encoding: str = "utf-8",
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**_env(home), **(env or {})},
        capture_output=True,
        encoding=encoding,
        timeout=timeout,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def stored_messages(home: Path) -> list[tuple[str, str, str]]:
    """(role, status, content) of every message, read straight from the database."""
    with sqlite3.connect(home / "parley.sqlite3") as db:
        return list(db.execute("SELECT role, status, content FROM messages ORDER BY id"))


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def gone(pid: int) -> bool:
    try:
        return "zombie" in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True


def test_version(parley_home: Path) -> None:
    result = parley(parley_home, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == version_line()


def test_ask_streams_the_answer_and_saves_it(parley_home: Path) -> None:
    result = parley(parley_home, "ask", "--max-tokens", "32", "--temperature", "0", "What is the capital of France?")
    assert result.returncode == 0, result.stderr
    assert "Paris" in result.stdout
    store = Store()
    (conversation,) = store.conversations()
    messages = store.messages(conversation.id)
    assert [(m.role, m.status) for m in messages] == [("user", "complete"), ("assistant", "complete")]
    assert messages[1].content.strip() == result.stdout.strip()
    assert messages[1].model_name == "SmolLM2 135M (starter, offline)"
    store.close()

    again = parley(parley_home, "ask", "--conversation", str(conversation.id), "--max-tokens", "24", "And Italy?")
    assert again.returncode == 0, again.stderr
    store = Store()
    assert [m.role for m in store.messages(conversation.id)] == ["user", "assistant", "user", "assistant"]


def test_a_bad_model_path_is_one_clear_line_and_exit_code_2(parley_home: Path, tmp_path: Path) -> None:
    missing = parley(parley_home, "ask", "--model", str(tmp_path / "nope.gguf"), "hi")
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "nope.gguf" in missing.stderr
    assert "Traceback" not in missing.stderr

    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(b"GGUF" + b"\x00" * 100)
    broken = parley(parley_home, "ask", "--model", str(corrupt), "hi")
    assert broken.returncode == 2
    assert "corrupt.gguf" in broken.stderr and "Traceback" not in broken.stderr
    assert broken.stderr.count("\n") == 1


def test_sigkill_mid_answer_loses_no_message(parley_home: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "ask", "--max-tokens", "2000", "Write a very long story about a lighthouse."],
        env=_env(parley_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    db_path = parley_home / "parley.sqlite3"
    seen = ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(seen) < 40:
        time.sleep(0.1)
        if db_path.exists():
            try:
                with sqlite3.connect(db_path) as db:
                    row = db.execute("SELECT content FROM messages WHERE role = 'assistant'").fetchone()
            except sqlite3.OperationalError:
                continue
            seen = row[0] if row else ""
    assert len(seen) >= 40, "the streaming answer was never checkpointed"
    os.killpg(process.pid, signal.SIGKILL)  # the app and its engine process, without warning
    process.wait(10)

    store = Store()
    (conversation,) = store.conversations()
    user, answer = store.messages(conversation.id)
    assert user.content == "Write a very long story about a lighthouse."
    assert answer.status == "interrupted"
    assert answer.content.startswith(seen)


def test_an_answer_the_console_cannot_encode_is_printed_with_replacements_and_saved_whole(
    parley_home: Path,
) -> None:
    prompt = "请用中文回答：中国的首都是哪里？"  # the starter model answers this in Chinese
    env = {"PYTHONIOENCODING": "cp1252"}
    result = parley(
        parley_home, "ask", "--temperature", "0", "--max-tokens", "40", prompt, env=env, encoding="cp1252"
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "UnicodeEncodeError" not in result.stderr
    (_, (role, status, answer)) = stored_messages(parley_home)
    assert (role, status) == ("assistant", "complete")
    unprintable = [c for c in answer if not c.encode("cp1252", errors="ignore")]
    assert unprintable, f"the answer {answer!r} did not test what it should"
    assert result.stdout.strip() == answer.encode("cp1252", errors="replace").decode("cp1252").strip()


def test_a_message_longer_than_a_command_line_allows_is_read_from_stdin(parley_home: Path) -> None:
    prompt = "Summarise this. " + "The lighthouse keeper climbed the stairs again. " * 4300
    assert len(prompt.encode()) > 200 * 1024  # over Linux's 128 KiB limit for one argument
    result = parley(parley_home, "ask", "--max-tokens", "16", "-", stdin=prompt + "\n")
    assert "Traceback" not in result.stderr
    # Too long for the starter's context: refused with a sentence, and not kept in the history, so it
    # cannot crowd the earlier turns out of the next prompts (the user still has it in their file).
    assert result.returncode == 1 and "too long" in result.stderr
    assert stored_messages(parley_home) == []

    # With no message argument and stdin not a terminal, stdin is the message too.
    again = parley(parley_home, "ask", "--max-tokens", "8", stdin="Say hi.")
    assert again.returncode == 0, again.stderr
    assert stored_messages(parley_home)[0] == ("user", "complete", "Say hi.")


def test_ctrl_c_before_the_answer_starts_stops_it_and_keeps_the_message(parley_home: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "ask", "--max-tokens", "2000", "Write a very long story about a lighthouse."],
        env=_env(parley_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # the turn has begun: the message is stored, the engine is starting
            assert time.monotonic() < deadline and process.poll() is None
            try:
                if stored_messages(parley_home):
                    break
            except sqlite3.OperationalError:
                pass
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert err.rstrip().endswith("Stopped.") and "Traceback" not in err
    (user, answer) = stored_messages(parley_home)
    assert user[2] == "Write a very long story about a lighthouse."
    assert answer[:2] == ("assistant", "stopped")


def test_the_engine_process_ends_quietly_when_the_app_is_killed(parley_home: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "ask", "--max-tokens", "2000", "Write a very long story about a lighthouse."],
        env=_env(parley_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        process.stdout.read(40)  # mid-answer
        engine = children(process.pid)
        assert engine, "the engine process was not found"
        process.kill()  # SIGKILL, the app alone: its engine process must notice by itself
        _, err = process.communicate(timeout=20)  # the engine inherited stderr: this ends when it has gone too
    finally:
        if process.poll() is None:
            process.kill()
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    deadline = time.monotonic() + 5
    while not all(gone(pid) for pid in engine):
        assert time.monotonic() < deadline, "the engine process outlived the app"
        time.sleep(0.05)


def test_when_stdout_is_closed_mid_answer_the_answer_is_stopped_and_saved_quietly(parley_home: Path) -> None:
    process = subprocess.Popen(  # like `parley ask … | head -c 40`
        [sys.executable, "-m", "app", "ask", "--max-tokens", "2000", "Write a very long story about a lighthouse."],
        env=_env(parley_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        shown = process.stdout.read(40)
        process.stdout.close()
        err = process.stderr.read()
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert process.returncode == 141
    (_, (role, status, answer)) = stored_messages(parley_home)
    assert (role, status) == ("assistant", "stopped")
    assert answer.startswith(shown)
