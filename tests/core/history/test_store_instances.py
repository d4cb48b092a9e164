"""Several instances on one history: only answers whose writer is gone are settled as interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.core import paths
from app.core.history import instances
from app.core.history.store import Store
from tests.core.store_helpers import make_version_1_history

REPO = Path(__file__).resolve().parents[3]


def test_opening_a_second_store_leaves_a_live_answer_streaming() -> None:
    first = Store()
    conversation = first.create_conversation()
    answer = first.add_message(conversation.id, "assistant", "Half an ans", status="streaming")

    second = Store()  # a second window, or `parley ask`, on the same history
    assert second.message(answer.id).status == "streaming"
    first.update_message(answer.id, "Half an answer, finished", status="complete")
    assert second.message(answer.id).status == "complete"
    second.close()
    first.close()


def test_the_answer_is_interrupted_once_its_writer_has_closed() -> None:
    first = Store()
    conversation = first.create_conversation()
    answer = first.add_message(conversation.id, "assistant", "Half", status="streaming")
    second = Store()
    first.close()  # nothing settled the answer

    assert second.message(answer.id).status == "streaming"  # nobody looked again yet
    assert second.recover_interrupted() == 1
    assert second.message(answer.id).status == "interrupted"
    second.close()
    third = Store()
    assert third.message(answer.id).status == "interrupted"
    assert third.message(answer.id).content == "Half"
    third.close()


def test_a_store_never_interrupts_its_own_answer() -> None:
    store = Store()
    conversation = store.create_conversation()
    answer = store.add_message(conversation.id, "assistant", "", status="streaming")
    assert store.recover_interrupted() == 0
    assert store.message(answer.id).status == "streaming"
    store.close()


def test_answers_from_before_writers_were_recorded_are_interrupted() -> None:
    make_version_1_history(paths.database_path(), streaming=True)
    store = Store()
    assert [m.status for m in store.messages(1)] == ["complete", "interrupted"]
    store.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_an_answer_of_a_killed_process_is_interrupted_at_the_next_open() -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from app.core.history.store import Store
        store = Store()
        conversation = store.create_conversation()
        answer = store.add_message(conversation.id, "assistant", "Half", status="streaming")
        print(answer.id, flush=True)
        time.sleep(120)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        assert child.stdout is not None
        answer_id = int(child.stdout.readline())

        while_alive = Store()
        assert while_alive.message(answer_id).status == "streaming"
        while_alive.close()

        child.send_signal(signal.SIGKILL)  # no chance to close anything
        child.wait(timeout=30)
        after = Store()
        assert after.message(answer_id).status == "interrupted"
        assert after.message(answer_id).content == "Half"
        after.close()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()


def test_lock_files_of_gone_instances_are_swept() -> None:
    first = Store()
    second = Store()
    folder = instances.locks_folder(paths.database_path())
    assert {p.stem for p in folder.iterdir()} == {first.instance_id, second.instance_id}
    stale = folder / ("0" * 32 + ".lock")
    stale.touch()  # left by a killed instance

    first.close()
    third = Store()

    assert {p.stem for p in folder.iterdir()} == {second.instance_id, third.instance_id}
    assert instances.is_alive(paths.database_path(), second.instance_id)
    assert not instances.is_alive(paths.database_path(), first.instance_id)
    assert not instances.is_alive(paths.database_path(), "../../etc/passwd")
    second.close()
    third.close()
