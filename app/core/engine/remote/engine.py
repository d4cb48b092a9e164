"""The remote engine: any OpenAI-compatible server (llama-server, Ollama, LM Studio, vLLM, a hosted API …).

It speaks the same ``Engine`` protocol as the local worker, so the turn runner cannot tell them
apart. The HTTP is ``httpx``; the answer streams as server-sent events, read with ``httpx-sse``.
Each job runs on a background thread. Stop is a flag checked between events, and it also shuts
the socket down, so a server that is busy (or stalled) before its next event is left at once.

Every failure becomes one plain sentence (``RemoteRequestError.reason``): nothing listening, a name
that does not resolve, a TLS error, a refused key (401/403), an unknown model (404), too many
requests (429, with the wait the server asked for), a server error (5xx), a timeout, and a
stream cut in the middle. A cut stream ends the request with ``EngineCrashed``, so the turn keeps
the text that arrived and is marked interrupted; a failure before any text is ``GenerationFailed``
(or ``ModelLoadFailed`` while checking the model). A chunk not shaped like OpenAI's (``choices`` an
object or null, a number for ``content``) is ``GenerationFailed`` with the text that arrived: every
request ends with an event, even on a bug here (then with its traceback).
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
from httpx_sse import EventSource

from app.core.engine.budget import estimated_count
from app.core.engine.protocol import (
    CountTokensRequest,
    EngineCrashed,
    EventSink,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    GenerationStats,
    InspectRequest,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    ModelUnloaded,
    StopReason,
    TokensReceived,
)
from app.core.engine.remote.chunks import RemoteRequestError, first_choice, logprobs_of, text_field
from app.core.errors import NOTHING_ANSWERS

CONNECT_SECONDS = 10.0
REMOTE_INSPECT_REASON = "a remote server does not let Parley re-read an answer's probabilities"
READ_SECONDS = 120.0  # the longest wait for the next event of an answer (a big prompt on a slow server)
# Sampling fields that llama.cpp, vLLM and others accept but OpenAI's own API refuses: sent, and left
# out from then on when a server refuses them (400/422).
EXTRA_SAMPLING = ("top_k", "min_p", "repeat_penalty")
# What vLLM and SGLang need to continue a final assistant message (llama-server, Ollama and Parley's own API
# server continue one unasked): sent with a prefill, and left out from then on when a server refuses them.
PREFILL_FIELDS = ("continue_final_message", "add_generation_prompt")
# The fields a server may refuse (a 400/422 naming one), by ``request_body``'s switch for them: a group refused
# once is left out from then on.
OPTIONAL_FIELDS = {"extras": EXTRA_SAMPLING, "prefill_fields": PREFILL_FIELDS, "logprobs": ("logprobs",)}


def _headers(api_key: str) -> dict[str, str]:
    headers = {"Accept": "application/json, text/event-stream"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return headers


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def failure_from_exception(exc: BaseException, url: str, *, streaming: bool = False) -> RemoteRequestError:
    """The sentence for an exception ``httpx`` raised talking to ``url``."""
    host = _host(url)
    chain = _chain(exc)
    if any(isinstance(e, ssl.SSLError) for e in chain):
        detail = next(str(e) for e in chain if isinstance(e, ssl.SSLError))
        return RemoteRequestError(f"the secure connection to {host} failed (TLS: {detail})")
    if any(isinstance(e, socket.gaierror) for e in chain):
        return RemoteRequestError(f"the name {urlsplit(url).hostname} could not be found (DNS); check the address")
    if isinstance(exc, httpx.TimeoutException):
        if isinstance(exc, httpx.ConnectTimeout):
            return RemoteRequestError(f"{host} did not answer within {CONNECT_SECONDS:.0f} s")
        return RemoteRequestError(f"{host} sent nothing for {READ_SECONDS:.0f} s (timeout)")
    if isinstance(exc, httpx.ConnectError) or any(isinstance(e, ConnectionRefusedError) for e in chain):
        return RemoteRequestError(NOTHING_ANSWERS.format(host=host))
    if streaming or isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return RemoteRequestError(f"the connection to {host} was cut ({exc or type(exc).__name__})")
    return RemoteRequestError(f"{host} could not be used ({exc or type(exc).__name__})")


def _error_message(response: httpx.Response) -> str:
    """The server's own words from an error body (OpenAI's ``{"error": {"message": …}}`` or FastAPI's ``detail``)."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:200]
    if isinstance(data, dict):
        error = data.get("error", data.get("detail"))
        if isinstance(error, dict):
            return str(error.get("message") or error)
        if error is not None:
            return str(error)[:200]
    return str(data)[:200]


def failure_from_response(response: httpx.Response, url: str, *, schema: bool = False) -> RemoteRequestError:
    """The sentence for an HTTP error status (the body must have been read); ``schema``: the request held
    the answer to a JSON Schema (``response_format``), which a server that refuses the request (400/422), or
    fails on it by name (llama-cpp-python's server answers 500 to a type it does not know), is refusing."""
    host, status = _host(url), response.status_code
    words = _error_message(response)
    said = f" ({status}: {words})" if words else f" ({status})"
    if schema and (status in (400, 422) or (status >= 500 and "response_format" in response.text)):
        return RemoteRequestError(
            f"{host} refused to hold the answer to the persona's JSON Schema{said}; use a model on this computer "
            "for this persona, or clear its schema", status,
        )  # fmt: skip
    if status in (401, 403):
        return RemoteRequestError(f"{host} refused the API key{said}; check it in Settings → Remote servers", status)
    if status == 404:
        return RemoteRequestError(f"{host} does not have what was asked for{said}", status)
    if status == 429:
        wait = response.headers.get("retry-after", "").strip()
        after = f"; try again in {wait} s" if wait.isdigit() else "; try again later"
        return RemoteRequestError(f"{host} is limiting requests{said}{after}", status)
    if status >= 500:
        return RemoteRequestError(f"{host} failed with a server error{said}", status)
    return RemoteRequestError(f"{host} refused the request{said}", status)


def list_model_ids(base_url: str, api_key: str, *, timeout: float = CONNECT_SECONDS) -> list[str]:
    """The ids of the models the server offers (``GET /models``); ``RemoteRequestError`` says why not."""
    url = base_url.rstrip("/") + "/models"
    try:
        response = httpx.get(url, headers=_headers(api_key), timeout=timeout)
    except httpx.HTTPError as exc:
        raise failure_from_exception(exc, url) from exc
    if response.status_code >= 400:
        raise failure_from_response(response, url)
    try:
        data = response.json()
        return [str(entry["id"]) for entry in data.get("data", []) if isinstance(entry, dict) and "id" in entry]
    except (ValueError, AttributeError, TypeError) as exc:
        raise RemoteRequestError(f"{_host(url)} did not answer like an OpenAI-compatible server") from exc


def request_body(
    request: GenerationRequest, *, extras: bool = True, logprobs: bool = True, prefill_fields: bool = True
) -> dict[str, Any]:
    """The ``/chat/completions`` body for ``request``: the messages and the persona's sampling (``logprobs``:
    with the token probabilities it asks for, if any). The text the answer already starts with (Continue, a
    branch) goes as a final assistant message, the "assistant prefill" a server continues (its thinking as
    ``reasoning_content`` where it has no text yet), with vLLM's ``PREFILL_FIELDS`` (``prefill_fields``)."""
    s = request.sampling
    messages: list[dict[str, str]] = [{"role": m.role, "content": m.content} for m in request.messages]
    prefilled = bool(request.prefill or request.prefill_reasoning)
    if prefilled:
        kept = {"role": "assistant", "content": request.prefill}
        if request.prefill_reasoning and not request.prefill:
            kept["reasoning_content"] = request.prefill_reasoning
        messages.append(kept)
    body: dict[str, Any] = {
        "model": request.model.name,
        "messages": messages,
        "stream": True,
        "temperature": s.temperature,
        "top_p": s.top_p,
        "max_tokens": s.max_tokens,
    }
    if s.seed is not None:
        body["seed"] = s.seed
    if s.stop:
        body["stop"] = list(s.stop)
    if s.logit_bias:
        body["logit_bias"] = {str(token): bias for token, bias in s.logit_bias}
    if request.json_schema:
        schema = {"name": "answer", "schema": json.loads(request.json_schema), "strict": True}
        body["response_format"] = {"type": "json_schema", "json_schema": schema}
    if request.top_logprobs and logprobs:
        body.update({"logprobs": True, "top_logprobs": min(request.top_logprobs, 20)})
    if extras:
        body.update({"top_k": s.top_k, "min_p": s.min_p, "repeat_penalty": s.repeat_penalty})
    if prefilled and prefill_fields:
        body.update({"continue_final_message": True, "add_generation_prompt": False})
    return body


class RemoteEngine:
    """An ``Engine`` whose ``ModelSpec.path`` is the server's base URL (``…/v1``) and name its model id."""

    def __init__(self, on_event: EventSink, api_key: str = "") -> None:
        self._sink = on_event
        self._api_key = api_key
        self._stop = threading.Event()
        self._loaded: ModelSpec | None = None
        self._thread: threading.Thread | None = None
        self._response: httpx.Response | None = None
        self._response_lock = threading.Lock()
        self._refused: set[str] = set()  # the OPTIONAL_FIELDS groups this server refused

    @property
    def loaded_model(self) -> ModelSpec | None:
        return self._loaded

    def load(self, model: ModelSpec) -> None:
        self._run(lambda: self._check_model(model, None))

    def generate(self, request: GenerationRequest) -> None:
        self._stop.clear()
        self._run(lambda: self._generate_or_report(request))

    def count_tokens(self, request: CountTokensRequest) -> None:
        """A server's tokenizer is not reachable through the OpenAI API: about four characters a token,
        against the local engine's limit (``budget.prompt_limit``)."""
        self._sink(estimated_count(request))

    def inspect(self, request: InspectRequest) -> None:
        """A server's logits are not reachable through the OpenAI API: only what it streamed with an answer
        (``GenerationRequest.top_logprobs``) can be looked at."""
        self._sink(GenerationFailed(request.request_id, REMOTE_INSPECT_REASON, code="not_local"))

    def prepare(self, request: GenerationRequest) -> None:
        """Nothing to do: the server keeps (or not) its own cache."""

    def request_stop(self) -> None:
        self._stop.set()
        with self._response_lock:
            response = self._response
        if response is not None:
            _shut_down_socket(response)

    def unload(self) -> None:
        unloaded, self._loaded = self._loaded, None
        self._sink(ModelUnloaded(unloaded))

    def shutdown(self) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join(CONNECT_SECONDS)
        self._loaded = None

    # -- the background thread -------------------------------------------------------------------

    def _run(self, target: Callable[[], object]) -> None:
        """Runs ``target`` on a new thread once the previous request's thread has ended. The caller never
        waits for that one: it may be the engine service's thread, finishing the previous request and
        waiting for the service's lock, which the caller (the next request's ``generate``) holds."""
        previous = self._thread

        def after_previous() -> None:
            if previous is not None:
                previous.join()
            target()

        self._thread = threading.Thread(target=after_previous, name="parley-remote", daemon=True)
        self._thread.start()

    def _check_model(self, model: ModelSpec, request: GenerationRequest | None) -> bool:
        started = time.perf_counter()
        try:
            ids = list_model_ids(model.path, self._api_key)
            if ids and model.name not in ids:
                offered = ", ".join(sorted(ids))
                raise RemoteRequestError(f"the server has no model called {model.name!r} (it has {offered})")
        except RemoteRequestError as failure:
            self._sink(ModelLoadFailed(model, failure.reason, request.request_id if request else None, self._loaded))
            return False
        self._loaded = model
        self._sink(ModelLoaded(model, time.perf_counter() - started, False, False, model.n_ctx))
        return True

    def _generate_or_report(self, request: GenerationRequest) -> None:
        """``_generate``, whose bugs still end the request (with a traceback, for the crash path)."""
        try:
            self._generate(request)
        except Exception as exc:
            reason = f"an internal error ({type(exc).__name__}: {exc})"
            self._sink(GenerationFailed(request.request_id, reason, traceback=traceback.format_exc()))

    def _generate(self, request: GenerationRequest) -> None:
        if self._loaded != request.model and not self._check_model(request.model, request):
            return
        started = time.perf_counter()
        stream = _Stream()
        try:
            self._stream(request, stream)
        except RemoteRequestError as failure:
            if self._stop.is_set() and stream.parts:
                stream.reason = "stopped"
            elif failure.malformed:
                # The server sent something that is not an answer: the turn fails, keeping what arrived.
                self._sink(GenerationFailed(request.request_id, failure.reason, "".join(stream.parts)))
                return
            elif stream.parts:
                # Cut in the middle: the text that arrived is kept, and the turn is marked interrupted.
                self._sink(EngineCrashed(failure.reason, request.request_id))
                return
            else:
                self._sink(GenerationFailed(request.request_id, failure.reason, ""))
                return
        finished = time.perf_counter()
        count = len(stream.parts)
        first = stream.first
        stats = GenerationStats(
            prompt_tokens=stream.prompt_tokens,
            prompt_tokens_evaluated=stream.prompt_tokens,
            generated_tokens=count,
            ttft_seconds=(first or finished) - started,
            tokens_per_second=(count - 1) / (finished - first) if first and count > 1 and finished > first else 0.0,
        )
        refused = bool(request.top_logprobs) and "logprobs" in self._refused
        self._sink(
            GenerationFinished(
                request.request_id, "".join(stream.parts), stream.reason, stats, "".join(stream.thought),
                logprobs_refused=refused,
            )
        )  # fmt: skip

    def _stream(self, request: GenerationRequest, stream: _Stream) -> None:
        """Reads the answer into ``stream``; ``RemoteRequestError`` when the server fails or the stream is cut."""
        url = request.model.path.rstrip("/") + "/chat/completions"
        timeout = httpx.Timeout(READ_SECONDS, connect=CONNECT_SECONDS)
        try:
            with httpx.Client(timeout=timeout) as client:
                response = self._open(client, url, request)
                try:
                    self._read(EventSource(response), request.request_id, stream)
                finally:
                    with self._response_lock:
                        self._response = None
                    response.close()
        except httpx.HTTPError as exc:
            if self._stop.is_set():
                stream.reason = "stopped"  # the socket was shut down by Stop
                return
            raise failure_from_exception(exc, url, streaming=bool(stream.parts)) from exc

    def _open(self, client: httpx.Client, url: str, request: GenerationRequest) -> httpx.Response:
        """Sends the request; retries without a group of ``OPTIONAL_FIELDS`` (``EXTRA_SAMPLING``, ``PREFILL_FIELDS``,
        ``logprobs``) each time the server refuses one it was sent (a 400/422 naming it: then it is not sent again)."""
        while True:
            body = request_body(request, **{group: group not in self._refused for group in OPTIONAL_FIELDS})
            outgoing = client.build_request("POST", url, json=body, headers=_headers(self._api_key))
            response = client.send(outgoing, stream=True)
            if response.status_code < 400:
                with self._response_lock:
                    self._response = response
                if self._stop.is_set():
                    _shut_down_socket(response)
                return response
            response.read()
            response.close()
            refused = response.status_code in (400, 422) and next(
                (
                    group
                    for group, names in OPTIONAL_FIELDS.items()
                    if any(name in body for name in names) and any(name in response.text for name in names)
                ),
                None,
            )
            if refused:
                self._refused.add(refused)
                continue
            raise failure_from_response(response, url, schema=bool(request.json_schema))

    def _read(self, source: EventSource, request_id: str, stream: _Stream) -> None:
        done = False
        for event in source.iter_sse():
            if self._stop.is_set():
                stream.reason = "stopped"
                return
            if event.data.strip() == "[DONE]":
                done = True
                break
            try:
                chunk = json.loads(event.data)
            except ValueError:
                continue  # a keep-alive or a comment some servers send
            if isinstance(chunk, dict) and "error" in chunk:
                raise RemoteRequestError(f"the server stopped the answer: {chunk['error']}")
            usage = chunk.get("usage") if isinstance(chunk, dict) else None
            if isinstance(usage, dict) and isinstance(usage.get("prompt_tokens"), int):
                stream.prompt_tokens = usage["prompt_tokens"]
            host = _host(str(source.response.url))
            choice = first_choice(chunk, host)
            if choice is None:
                continue  # a chunk with only the usage, or an empty list of choices
            delta = choice.get("delta") or {}
            text = text_field(delta, "content", host)
            thought = text_field(delta, "reasoning_content", host) or text_field(delta, "reasoning", host)
            if text or thought:
                stream.first = stream.first or time.perf_counter()
                if text:
                    stream.parts.append(text)
                if thought:
                    stream.thought.append(thought)
                self._sink(TokensReceived(request_id, text, thought, logprobs_of(choice) if text else ()))
            finish = choice.get("finish_reason")
            if finish:
                stream.finished = True
                if finish == "length":
                    stream.reason = "length"
        if self._stop.is_set():
            stream.reason = "stopped"
        elif not done and not stream.finished:
            raise RemoteRequestError(f"the connection to {_host(str(source.response.url))} ended before the answer did")


class _Stream:
    """What has arrived of one answer."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.thought: list[str] = []
        self.first: float | None = None
        self.reason: StopReason = "stop"
        self.finished = False
        self.prompt_tokens = 0


def _shut_down_socket(response: httpx.Response) -> None:
    """Wakes a read blocked on ``response``'s socket (closing it from another thread would not)."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):  # already closed: nothing to wake
            sock.shutdown(socket.SHUT_RDWR)
