"""The history opened by several real processes: the schema made once, and a killed backup's temporaries cleared.

Each process is a real ``python`` started with ``subprocess`` on the test's own PARLEY_HOME.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.core import paths
from app.core.history import backups, dbfile
from app.core.history.store import Store

ROOT = Path(__file__).resolve().parents[3]

_OPEN_AND_WRITE = """
import sys
from app.core.history.store import Store
store = Store()
conversation = store.create_conversation(title=sys.argv[1])
store.add_message(conversation.id, "user", "hello from " + sys.argv[1])
store.close()
"""

_HOLD_A_TEMP = """
import sys, time
from pathlib import Path
from app.core.history import backups
fd, temp = backups._locked_temp(Path(sys.argv[1]))
temp.write_bytes(b"x" * 4096)
Path(str(temp) + "-journal").write_bytes(b"j")
print(temp, flush=True)
time.sleep(600)
"""


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", script, *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_two_processes_opening_a_new_history_at_once_both_succeed_and_nothing_is_lost(parley_home: Path) -> None:
    for round_ in range(6):
        for leftover in paths.data_dir().glob("parley.sqlite3*"):
            if leftover.is_file():
                leftover.unlink()
        started = [_python(_OPEN_AND_WRITE, f"p{round_}-{n}") for n in range(3)]
        results = [process.communicate(timeout=120) for process in started]
        assert [process.returncode for process in started] == [0, 0, 0], [err for _, err in results]
        store = Store()
        try:
            titles = sorted(c.title for c in store.conversations())
        finally:
            store.close()
        assert titles == [f"p{round_}-{n}" for n in range(3)], round_


def test_a_temporary_left_by_a_killed_writer_goes_at_open_and_a_live_writers_stays(parley_home: Path) -> None:
    folder = dbfile.backups_folder_for(Store.default_path())
    folder.mkdir(parents=True, exist_ok=True)
    dead = _python(_HOLD_A_TEMP, str(folder))
    live = _python(_HOLD_A_TEMP, str(folder))
    try:
        assert dead.stdout is not None and live.stdout is not None
        dead_temp, live_temp = Path(dead.stdout.readline().strip()), Path(live.stdout.readline().strip())
        assert dead_temp.is_file() and live_temp.is_file()
        dead.send_signal(signal.SIGKILL)
        dead.wait(timeout=30)
        time.sleep(0.1)
        Store().close()
        assert not dead_temp.exists() and not Path(f"{dead_temp}-journal").exists()
        assert live_temp.is_file() and Path(f"{live_temp}-journal").exists()  # still being written
        assert backups.clear_stale_temps(folder) == 0
    finally:
        live.kill()
        live.wait(timeout=30)
        dead.kill()
    assert backups.clear_stale_temps(folder) == 1
    assert list(folder.glob(".parley-backup-*")) == []
