"""The remote engine: any OpenAI-compatible server (llama-server, Ollama, LM Studio, vLLM …).

It speaks the same ``Engine`` protocol as the local worker, so the window cannot tell them
apart. Requests run on a background thread with the standard library's HTTP client; the
answer streams as server-sent events, and Stop is checked between them.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.client import HTTPResponse
from typing import Any

from app.core.engine.protocol import (
    CountTokensRequest,
    EventSink,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    GenerationStats,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    ModelUnloaded,
    StopReason,
    TokensCounted,
    TokensReceived,
)

CONNECT_SECONDS = 10.0


class RemoteEngine:
    """An ``Engine`` whose ``ModelSpec.path`` is the server's base URL (``…/v1``) and name its model id."""

    def __init__(self, on_event: EventSink, api_key: str = "") -> None:
        self._sink = on_event
        self._api_key = api_key
        self._stop = threading.Event()
        self._loaded: ModelSpec | None = None
        self._thread: threading.Thread | None = None

    @property
    def loaded_model(self) -> ModelSpec | None:
        return self._loaded

    def load(self, model: ModelSpec) -> None:
        self._run(self._check_model, model, None)

    def generate(self, request: GenerationRequest) -> None:
        self._stop.clear()
        self._run(self._generate, request.model, request)

    def count_tokens(self, request: CountTokensRequest) -> None:
        """A server's tokenizer is not reachable through the OpenAI API: about four characters a token."""
        characters = sum(len(message.content) for message in request.messages)
        n_ctx = request.model.n_ctx
        self._sink(TokensCounted(request.request_id, characters // 4 + 1, n_ctx, n_ctx * 3 // 4, estimated=True))

    def request_stop(self) -> None:
        self._stop.set()

    def unload(self) -> None:
        unloaded, self._loaded = self._loaded, None
        self._sink(ModelUnloaded(unloaded))

    def shutdown(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(CONNECT_SECONDS)
        self._loaded = None

    # -- the background thread -------------------------------------------------------------------

    def _run(self, target: Any, model: ModelSpec, request: GenerationRequest | None) -> None:
        if self._thread is not None:
            self._thread.join()
        self._thread = threading.Thread(target=target, args=(model, request), name="parley-remote", daemon=True)
        self._thread.start()

    def _http(self, url: str, body: dict[str, Any] | None = None) -> HTTPResponse:
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        data = json.dumps(body).encode() if body is not None else None
        http_request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
        response: HTTPResponse = urllib.request.urlopen(http_request, timeout=CONNECT_SECONDS)
        return response

    def _check_model(self, model: ModelSpec, request: GenerationRequest | None) -> bool:
        started = time.perf_counter()
        try:
            with self._http(model.path.rstrip("/") + "/models") as response:
                listing = json.load(response)
            ids = {entry.get("id") for entry in listing.get("data", [])}
            if ids and model.name not in ids:
                raise ValueError(f"the server has no model called {model.name!r} (it has {', '.join(sorted(ids))})")
        except (OSError, ValueError, urllib.error.URLError) as exc:
            self._sink(ModelLoadFailed(model, _reason(exc), request.request_id if request else None, self._loaded))
            return False
        self._loaded = model
        self._sink(ModelLoaded(model, time.perf_counter() - started, False, False, model.n_ctx))
        return True

    def _generate(self, model: ModelSpec, request: GenerationRequest | None) -> None:
        assert request is not None
        if self._loaded != model and not self._check_model(model, request):
            return
        s = request.sampling
        body = {
            "model": model.name,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "stream": True,
            "temperature": s.temperature,
            "top_p": s.top_p,
            "max_tokens": s.max_tokens,
            **({"seed": s.seed} if s.seed is not None else {}),
        }
        started = time.perf_counter()
        first: float | None = None
        parts: list[str] = []
        reason: StopReason = "stop"
        try:
            with self._http(model.path.rstrip("/") + "/chat/completions", body) as response:
                for chunk in _events(response):
                    if self._stop.is_set():
                        reason = "stopped"
                        break
                    choice = (chunk.get("choices") or [{}])[0]
                    text = (choice.get("delta") or {}).get("content") or ""
                    if text:
                        first = first or time.perf_counter()
                        parts.append(text)
                        self._sink(TokensReceived(request.request_id, text))
                    if choice.get("finish_reason") == "length":
                        reason = "length"
        except (OSError, ValueError, urllib.error.URLError) as exc:
            self._sink(GenerationFailed(request.request_id, _reason(exc), "".join(parts)))
            return
        finished = time.perf_counter()
        count = len(parts)
        stats = GenerationStats(
            prompt_tokens=0,
            prompt_tokens_evaluated=0,
            generated_tokens=count,
            ttft_seconds=(first or finished) - started,
            tokens_per_second=(count - 1) / (finished - first) if first and count > 1 and finished > first else 0.0,
        )
        self._sink(GenerationFinished(request.request_id, "".join(parts), reason, stats))


def _events(response: HTTPResponse) -> Iterator[dict[str, Any]]:
    """The JSON payloads of a server-sent event stream, up to ``[DONE]``."""
    for raw in response:
        line = raw.decode("utf-8").strip()
        if not line.startswith("data:"):
            continue
        payload = line[len("data:") :].strip()
        if payload == "[DONE]":
            return
        yield json.loads(payload)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"the server answered {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"the server could not be reached ({exc.reason})"
    return str(exc)
