"""Parley's local API server, driven by the official ``openai`` client (and raw HTTP for malformed requests).

The server runs on the app's engine service with the real starter model, on a free port of 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import openai
import pytest

from app.core.api_server.app import MAX_BODY_BYTES, ApiBackend, ModelChoices
from app.core.api_server.server import ApiConfig, ApiServer, check_binding, is_loopback
from app.core.config.settings import Settings
from app.core.errors import ApiKeyRequiredError, ApiServerError
from app.core.session.service import EngineService, local_engine_factory
from tests.core.api_server.serving import GREEDY, MODEL, Running, start
from tests.llama_server import free_port


def test_it_is_off_by_default_and_binds_to_this_computer_only(api: Running) -> None:
    defaults = Settings()
    assert (defaults.api_enabled, defaults.api_host, defaults.api_port, defaults.api_cors) == (
        False, "127.0.0.1", 8717, False,
    )  # fmt: skip
    assert ApiConfig() == ApiConfig(host="127.0.0.1", port=8717, api_key="", cors=False)
    assert api.server.address[0] == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")


def test_models_lists_the_installed_models(api: Running) -> None:
    assert [model.id for model in api.client().models.list()] == [MODEL]


def test_a_plain_completion(api: Running) -> None:
    answer = api.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Say hello."}], **GREEDY
    )
    assert answer.object == "chat.completion"
    assert answer.choices[0].message.role == "assistant"
    assert answer.choices[0].message.content and answer.choices[0].message.content.strip()
    assert answer.choices[0].finish_reason in ("stop", "length")
    assert answer.usage is not None and 0 < answer.usage.completion_tokens <= 16 and answer.usage.prompt_tokens > 0
    assert api.outcome().reason in ("stop", "length")
    assert api.activity[-2:] == [1, 0]  # the window was told the API used the model, and when it stopped


def test_a_streamed_completion_ends_with_a_finish_reason_and_done(api: Running) -> None:
    stream = api.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Say hello."}], stream=True, **GREEDY
    )
    chunks = list(stream)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text.strip() and len(chunks) >= 4
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert chunks[-1].choices[0].finish_reason in ("stop", "length")
    assert api.outcome().reason in ("stop", "length")
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}], "stream": True, **GREEDY}
    raw = httpx.post(f"{api.server.base_url}/chat/completions", json=body, timeout=120)
    assert raw.headers["content-type"].startswith("text/event-stream")
    assert raw.text.rstrip().endswith("data: [DONE]")
    api.outcome()


def test_two_clients_at_once_each_get_their_own_whole_answer(api: Running) -> None:
    prompts = ("Name a colour.", "Name an animal.")
    alone = [
        api.client().chat.completions.create(model=MODEL, messages=[{"role": "user", "content": p}], **GREEDY)
        .choices[0].message.content
        for p in prompts
    ]
    results: dict[int, str] = {}

    def ask(index: int) -> None:
        stream = api.client().chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": prompts[index]}], stream=True, **GREEDY
        )
        results[index] = "".join(chunk.choices[0].delta.content or "" for chunk in stream)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(240)
    assert [results.get(0), results.get(1)] == alone  # queued on one engine, nothing mixed between them
    api.server.backend.outcomes.clear()


def test_a_client_that_disconnects_mid_stream_stops_the_generation(api: Running) -> None:
    api.server.backend.outcomes.clear()
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Write a very long story about the sea."}],
        "stream": True,
        "temperature": 0.0,
        "max_tokens": 1000,
    }
    with httpx.stream("POST", f"{api.server.base_url}/chat/completions", json=body, timeout=120) as response:
        pieces = 0
        for line in response.iter_lines():
            if line.startswith("data: {") and '"content"' in line:
                pieces += 1
            if pieces == 5:
                break  # leaving the block closes the connection mid-stream
    ended = api.outcome(timeout=30)
    assert ended.reason == "stopped"
    assert ended.generated_tokens < 1000
    deadline = time.monotonic() + 30
    while not api.service.is_idle:  # the engine is free for the next request
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_refusals_have_openai_shaped_bodies_and_status_codes(api: Running) -> None:
    url = f"{api.server.base_url}/chat/completions"
    big = {"model": MODEL, "messages": [{"role": "user", "content": "x" * (MAX_BODY_BYTES + 1)}]}
    too_big = httpx.post(url, json=big, timeout=60)
    assert too_big.status_code == 413 and too_big.json()["error"]["type"] == "invalid_request_error"
    malformed = httpx.post(url, content=b'{"model": "x", "messages": [', headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and "not valid JSON" in malformed.json()["error"]["message"]
    with pytest.raises(openai.NotFoundError) as unknown:
        api.client().chat.completions.create(model="gpt-17", messages=[{"role": "user", "content": "Hi"}])
    assert unknown.value.code == "model_not_found" and unknown.value.body["param"] == "model"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as bad:
        api.client().chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}], temperature=9)
    assert bad.value.body["param"] == "temperature"  # type: ignore[index]
    no_messages = httpx.post(url, json={"model": MODEL, "messages": []})
    assert no_messages.status_code == 400 and json.loads(no_messages.text)["error"]["param"] == "messages"
    assert not api.server.backend.outcomes  # none of them reached the engine


def test_listening_beyond_this_computer_needs_a_key_and_then_every_request_needs_it(starter_model: Path) -> None:
    with pytest.raises(ApiKeyRequiredError):
        check_binding(ApiConfig(host="0.0.0.0"))
    check_binding(ApiConfig(host="0.0.0.0", api_key="k"))  # allowed once a key is set
    with pytest.raises(ApiKeyRequiredError):
        ApiServer(ApiBackend(EngineService(local_engine_factory()), ModelChoices()), ApiConfig(host="0.0.0.0")).start()
    # The same key check, served on loopback so the test never listens beyond this computer.
    keyed = start(starter_model, ApiConfig(port=0, api_key="sk-right"))
    try:
        for wrong in ("", "sk-wrong"):
            with pytest.raises(openai.AuthenticationError):
                keyed.client(wrong or "none").models.list()
        missing = httpx.get(f"{keyed.server.base_url}/models")
        assert missing.status_code == 401 and missing.json()["error"]["code"] == "invalid_api_key"
        assert [m.id for m in keyed.client("sk-right").models.list()] == [MODEL]
    finally:
        keyed.server.stop()
        keyed.service.shutdown()


def test_a_port_in_use_is_a_sentence_not_a_crash(api: Running) -> None:
    other = ApiServer(ApiBackend(api.service, ModelChoices()), ApiConfig(port=api.server.address[1]))
    with pytest.raises(ApiServerError, match="cannot be used"):
        other.start()


def test_python_m_app_serve_runs_the_same_server_without_a_window(parley_home: Path, starter_model: Path) -> None:
    port = free_port()
    env = {**os.environ, "PARLEY_HOME": str(parley_home)}
    env.pop("QT_QPA_PLATFORM", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--model", str(starter_model)],
        stderr=subprocess.PIPE, text=True, env=env, cwd=Path(__file__).parent.parent.parent.parent,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        lines = []
        while not lines or "serving" not in lines[-1]:
            line = process.stderr.readline()
            assert line, "".join(lines)
            lines.append(line)
        assert f"http://127.0.0.1:{port}/v1" in lines[-1]
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="none", max_retries=0, timeout=120)
        names = [model.id for model in client.models.list()]
        answer = client.chat.completions.create(
            model=names[0], messages=[{"role": "user", "content": "Hi"}], **GREEDY
        )
        assert answer.choices[0].message.content
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(120)
    assert code == 0
