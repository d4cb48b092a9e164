"""The bookkeeping of background work on the real engine: a record per key, the record an event belongs to,
stepping aside for the user (the engine stops every running request) and asking again after."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from app.core.engine.protocol import NO_STATS, ChatMessage, GenerationFinished, GenerationRequest, ModelLoadFailed
from app.core.session.background import Background
from app.core.session.service import EngineService
from tests.core.engine_helpers import GREEDY, EventLog, request, spec_for


@dataclass
class _Asked:
    key: str
    request_id: str | None = None


def _finished(log: EventLog, request_id: str) -> GenerationFinished:
    while True:
        event = log.wait_for(GenerationFinished)
        if event.request_id == request_id:
            return event


def test_background_work_steps_aside_for_the_user_and_is_asked_again(
    service: EngineService, starter_model: Path
) -> None:
    log = EventLog()
    client = service.connect(log.put, "background")
    background: Background[str, _Asked] = Background(client)
    model = spec_for(starter_model)

    def ask(record: _Asked, max_tokens: int) -> GenerationRequest:
        made = request(model, [ChatMessage("user", "Tell me a long story about a river.")],
                       replace(GREEDY, max_tokens=max_tokens))  # fmt: skip
        record.request_id = made.request_id
        client.generate(made)
        return made

    first, second = background.add("first", _Asked("first")), background.add("second", _Asked("second"))
    running, queued = ask(first, 400), ask(second, 400)
    assert "first" in background and "third" not in background
    assert background.stepped_aside() == []
    assert background.for_event(GenerationFinished("someone else's", "", "complete", NO_STATS)) is None

    background.step_aside()  # the user sends: both are stopped, the running one and the queued one
    assert (first.request_id, second.request_id) == (None, None)
    assert background.stepped_aside() == [first, second]
    assert background.for_event(ModelLoadFailed(model, "a model failed to load")) is None  # no request of theirs
    ended: dict[str, GenerationFinished] = {}
    while len(ended) < 2:  # the queued one ends at once, the running one when the engine has stopped it
        event = log.wait_for(GenerationFinished)
        ended[event.request_id] = event
    assert set(ended) == {running.request_id, queued.request_id}
    for stopped in ended.values():
        assert stopped.reason == "stopped"
        assert background.for_event(stopped) is None  # already stepped aside: nothing to apply

    again = ask(first, 4)  # asked again after the user's answer
    assert background.stepped_aside() == [second]
    done = _finished(log, again.request_id)
    assert done.reason != "stopped" and background.for_event(done) is first
    background.drop("first")
    assert "first" not in background and background.for_event(done) is None

    background.stopped(second)  # its request ended stopped, seen as an event: the same as stepping aside
    assert background.stepped_aside() == [second]
    asked_again: list[_Asked] = []
    background.ask_again(asked_again.append)
    assert asked_again == [second]
    long = ask(second, 400)
    background.close()  # the long one is stopped and the client closed: another client's request is not held up
    assert second.request_id is None
    other = EventLog()
    client = service.connect(other.put, "window")
    short = request(model, [ChatMessage("user", "Hi")], replace(GREEDY, max_tokens=4))
    client.generate(short)
    assert _finished(other, short.request_id).reason != "stopped"
    assert all(getattr(event, "request_id", None) != long.request_id for event in other.seen)
