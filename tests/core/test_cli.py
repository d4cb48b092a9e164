"""The command line, run as a user would: ``python -m app …`` in a child process."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from app import __version__
from app.core.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "PARLEY_HOME": str(home), "PYTHONPATH": str(ROOT)}


def parley(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], env=_env(home), capture_output=True, text=True, timeout=timeout
    )


def test_version(parley_home: Path) -> None:
    result = parley(parley_home, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"Parley {__version__}"


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
