"""The local API server's routes: ``/v1/models[/{id}]`` and ``/v1/chat/completions`` on the app's one engine,
and ``/v1/embeddings`` on the embedding model chosen in Settings (``embeddings``).

Each completion is a client of the engine service, queued with the window's and the command line's
answers, and never stored (the API is stateless). The rule: no request thread touches the model
registry; it serves the ``ModelChoices`` snapshot it is given. Bodies are JSON only and must arrive
within ``BODY_SECONDS``; ``guard`` refuses foreign hosts and web pages. A stream whose client leaves
is stopped.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from app.core.api_server import openai_shapes as shapes
from app.core.api_server import request_fields
from app.core.api_server.embeddings import ServedEmbedder, parse_embedding_request
from app.core.api_server.guard import RequestGuard
from app.core.api_server.openai_shapes import ApiRequestError
from app.core.config.settings import Settings
from app.core.engine.protocol import (
    EngineCrashed,
    EngineEvent,
    GenerationFailed,
    GenerationFinished,
    GenerationRequest,
    GenerationStats,
    ModelLoadFailed,
    ModelSpec,
    SamplingSettings,
    StopReason,
    TokenLogprobs,
    TokensReceived,
)
from app.core.models.registry import ModelRegistry
from app.core.session.service import EngineService

log = logging.getLogger("app.api")

MAX_BODY_BYTES = 4 * 1024 * 1024  # a long conversation fits; a runaway upload does not
BODY_SECONDS = 60.0  # a whole body must arrive in this time; one that trickles in is cut off (408)


class ModelChoices:
    """The models the API may use, by name, the sampling it starts from, and the embedder; safe from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._specs: dict[str, ModelSpec] = {}
        self._sampling = SamplingSettings()
        self.embedder = ServedEmbedder()

    def set(self, specs: dict[str, ModelSpec], sampling: SamplingSettings) -> None:
        with self._lock:
            self._specs = dict(specs)
            self._sampling = sampling

    def add(self, name: str, spec: ModelSpec) -> None:
        with self._lock:
            self._specs[name] = spec

    def names(self) -> list[str]:
        with self._lock:
            return list(self._specs)

    def spec(self, name: str) -> ModelSpec | None:
        with self._lock:
            return self._specs.get(name)

    @property
    def sampling(self) -> SamplingSettings:
        with self._lock:
            return self._sampling


@dataclass(frozen=True)
class ApiOutcome:
    """How one API completion ended (kept for the window's status and for tests)."""

    model: str
    reason: str  # "stop", "length", "stopped" (the client went away), or "failed"
    generated_tokens: int


ActivityListener = Callable[[int], None]  # the number of API completions queued or running now


class ApiBackend:
    """What the routes need: the engine service, the models, the key, and who to tell about activity."""

    def __init__(
        self,
        service: EngineService,
        models: ModelChoices,
        *,
        api_key: str = "",
        on_activity: ActivityListener | None = None,
    ) -> None:
        self.service = service
        self.models = models
        self.api_key = api_key
        self._on_activity = on_activity
        self._active = 0
        self._lock = threading.Lock()
        self.outcomes: deque[ApiOutcome] = deque(maxlen=100)

    def resolve(self, name: str) -> ModelSpec:
        spec = self.models.spec(name)
        loaded = self.service.loaded_model
        if spec is None and loaded is not None and not loaded.server and name in (loaded.name, loaded.path):
            spec = loaded
        if spec is None:
            raise ApiRequestError(
                404, f"The model '{name}' does not exist or is not installed", param="model", code="model_not_found"
            )
        return spec

    def activity(self, change: int) -> None:
        with self._lock:
            self._active += change
            active = self._active
        if self._on_activity is not None:
            self._on_activity(active)


class _Completion:
    """One completion's engine client: its events as an asyncio queue, and its end."""

    def __init__(self, backend: ApiBackend, spec: ModelSpec, chat: shapes.ChatRequest) -> None:
        self.backend = backend
        self.loop = asyncio.get_running_loop()
        self.events: asyncio.Queue[EngineEvent] = asyncio.Queue()
        # As OpenAI does, messages that do not fit are refused (context_length_exceeded), not shortened.
        self.request = GenerationRequest(
            uuid.uuid4().hex, spec, chat.messages, chat.sampling, overflow="stop",
            json_schema=chat.json_schema, reasoning_effort=chat.reasoning_effort, top_logprobs=chat.engine_top_logprobs,
            prefill=chat.prefill, prefill_reasoning=chat.prefill_reasoning,
        )  # fmt: skip
        self.model = chat.model
        self.top_logprobs = chat.top_logprobs  # None: the answer carries no logprobs
        self.logprobs: list[TokenLogprobs] = []
        self.include_usage = chat.include_usage
        self.tokens = 0
        self._closed = False
        self.client = backend.service.connect(self._put, "local API")
        backend.activity(+1)
        self.client.generate(self.request)

    def _put(self, event: EngineEvent) -> None:  # the engine's thread
        if getattr(event, "request_id", self.request.request_id) == self.request.request_id:
            self.loop.call_soon_threadsafe(self.events.put_nowait, event)

    def close(self, reason: str) -> None:
        """Ends the client (stopping its request if it still runs); safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.client.close()
        self.backend.activity(-1)
        self.backend.outcomes.append(ApiOutcome(self.model, reason, self.tokens))


def _failure(event: EngineEvent, completion: _Completion) -> ApiRequestError | None:
    if isinstance(event, GenerationFailed) and event.code in ("message_too_long", "context_full"):
        return shapes.context_exceeded(event.prompt_tokens, event.limit, completion.request.sampling.max_tokens)
    if isinstance(event, GenerationFailed) and event.code == "invalid_request":  # the schema or logit bias asked for
        return ApiRequestError(400, event.reason)
    if isinstance(event, ModelLoadFailed):
        return ApiRequestError(500, f"The model could not be loaded: {event.reason}", kind="server_error")
    if isinstance(event, GenerationFailed):
        return ApiRequestError(500, f"The answer could not be generated: {event.reason}", kind="server_error")
    if isinstance(event, EngineCrashed):
        return ApiRequestError(500, f"The model engine stopped: {event.reason}", kind="server_error")
    return None


def _error(err: ApiRequestError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status, headers={"Connection": "close"} if err.close else None)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such route, wrong method) in OpenAI's shape."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = f"{request.method} {request.url.path} is not served here ({status})"
    return _error(ApiRequestError(status, message, code="not_found" if status == 404 else None))


class _EngineStream(StreamingResponse):
    """A stream that closes its completion however it ends: finished, failed, or its client gone."""

    def __init__(self, content: AsyncIterator[str], completion: _Completion) -> None:
        super().__init__(content, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        self._completion = completion

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._completion.close("stopped")  # a no-op when it ended on its own first


async def _read_json(request: Request, seconds: float) -> Any:
    """The body as JSON: declared ``application/json``, at most ``MAX_BODY_BYTES``, whole within ``seconds``."""
    declared_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if declared_type != "application/json":
        raise ApiRequestError(
            415, f"the request body must be JSON sent as 'Content-Type: application/json', not '{declared_type}'",
            code="unsupported_media_type", close=True,
        )  # fmt: skip
    declared = request.headers.get("content-length")
    too_big = ApiRequestError(413, f"the request body is larger than {MAX_BODY_BYTES} bytes", close=True)
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_big
    body = bytearray()
    try:
        async with asyncio.timeout(seconds):
            async for part in request.stream():
                body += part
                if len(body) > MAX_BODY_BYTES:
                    raise too_big
    except TimeoutError as exc:
        raise ApiRequestError(
            408, f"the request body did not arrive within {seconds:g} seconds", code="request_timeout", close=True
        ) from exc
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiRequestError(400, f"the request body is not valid JSON ({exc})") from exc


def build_app(
    backend: ApiBackend, *, hosts: frozenset[str] | None, cors: bool = False, body_seconds: float = BODY_SECONDS
) -> Starlette:
    """The ASGI app, answering only ``hosts`` (None: any; see ``guard.allowed_hosts``).

    ``cors`` lets web pages from any origin call it (off unless the user turns it on); without it a
    request from another origin is refused.
    """

    def authorized(request: Request) -> None:
        if not backend.api_key:
            return
        given = request.headers.get("authorization", "")
        token = given[7:] if given.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(token.encode(), backend.api_key.encode()):
            raise ApiRequestError(401, "Incorrect or missing API key", code="invalid_api_key")

    async def list_models(request: Request) -> Response:
        try:
            authorized(request)
        except ApiRequestError as err:
            return _error(err)
        return JSONResponse(shapes.model_list(backend.models.names()))

    async def retrieve_model(request: Request) -> Response:
        name = str(request.path_params["model_id"])
        try:
            authorized(request)
            if backend.models.spec(name) is None:
                raise ApiRequestError(
                    404, f"The model '{name}' does not exist or is not installed", param="model",
                    code="model_not_found",
                )  # fmt: skip
        except ApiRequestError as err:
            return _error(err)
        return JSONResponse(shapes.model_object(name))

    async def chat_completions(request: Request) -> Response:
        try:
            authorized(request)
            chat = request_fields.parse_request(await _read_json(request, body_seconds), backend.models.sampling)
            spec = backend.resolve(chat.model)
        except ApiRequestError as err:
            return _error(err)
        completion = _Completion(backend, spec, chat)
        cid = shapes.completion_id()
        streaming = False
        try:
            # The first event says whether the messages fit: a refusal is still an HTTP error, even for a stream.
            first = await _decisive(completion, request)
            if first is None:
                return Response(status_code=499)
            failure = _failure(first, completion)
            if failure is not None:
                completion.close("failed")
                return _error(failure)
            if chat.stream:
                streaming = True
                return _EngineStream(_stream(completion, cid, first), completion)
            return await _whole(completion, cid, request, first)
        finally:
            if not streaming:
                completion.close("stopped")  # a no-op when it ended on its own first

    async def embeddings(request: Request) -> Response:
        try:
            authorized(request)
            asked = parse_embedding_request(await _read_json(request, body_seconds))
            return JSONResponse(await backend.models.embedder.reply(asked))
        except ApiRequestError as err:
            return _error(err)

    routes = [
        Route("/v1/models", list_models, methods=["GET"]),
        Route("/v1/embeddings", embeddings, methods=["POST"]),
        Route("/v1/models/{model_id:path}", retrieve_model, methods=["GET"]),
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
    ]
    middleware = [Middleware(RequestGuard, hosts=hosts, cross_origin=cors)]
    if cors:
        middleware.append(Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"]))
    handlers = {404: _http_error, 405: _http_error}
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)


async def _next(completion: _Completion, request: Request) -> EngineEvent | None:
    """The completion's next event; None when the client went away meanwhile."""
    while True:
        try:
            return await asyncio.wait_for(completion.events.get(), timeout=0.5)
        except TimeoutError:
            if await request.is_disconnected():
                return None


async def _decisive(completion: _Completion, request: Request) -> EngineEvent | None:
    """The first event that is a token, the end, or a failure (a model loading is none of them)."""
    while True:
        event = await _next(completion, request)
        if event is None or isinstance(event, TokensReceived | GenerationFinished) or _failure(event, completion):
            return event


async def _whole(completion: _Completion, cid: str, request: Request, first: EngineEvent) -> Response:
    """Waits for the whole answer; stops it when the client goes away meanwhile."""
    event: EngineEvent | None = first
    while True:
        if event is None:
            return Response(status_code=499)
        failure = _failure(event, completion)
        if failure is not None:
            completion.close("failed")
            return _error(failure)
        if isinstance(event, TokensReceived):
            completion.tokens += 1
            completion.logprobs.extend(event.logprobs)
        if isinstance(event, GenerationFinished):
            completion.tokens = event.stats.generated_tokens
            completion.close(event.reason)
            top = completion.top_logprobs
            logprobs = shapes.logprobs_content(completion.logprobs, top) if top is not None else None
            body = shapes.completion(cid, completion.model, event.text, event.reason, event.stats, logprobs)
            return JSONResponse(body)
        event = await _next(completion, request)


async def _stream(completion: _Completion, cid: str, first: EngineEvent) -> AsyncIterator[str]:
    """OpenAI's chunks as server-sent events, the usage when asked for, then ``[DONE]``."""
    model, usage = completion.model, completion.include_usage
    yield _sse(shapes.chunk(cid, model, {"role": "assistant", "content": ""}, with_usage=usage))
    event = first
    while True:
        failure = _failure(event, completion)
        if failure is not None:
            completion.close("failed")
            yield _sse(failure.body())
            return
        if isinstance(event, TokensReceived) and event.text:
            completion.tokens += 1
            top = completion.top_logprobs
            logprobs = shapes.logprobs_content(event.logprobs, top) if top is not None else None
            yield _sse(shapes.chunk(cid, model, {"content": event.text}, with_usage=usage, logprobs=logprobs))
        elif isinstance(event, GenerationFinished):
            reason: StopReason = event.reason
            completion.tokens = event.stats.generated_tokens
            completion.close(reason)
            yield _sse(shapes.chunk(cid, model, {}, shapes.finish_reason(reason), with_usage=usage))
            if usage:
                yield _sse(shapes.usage_chunk(cid, model, event.stats))
            yield "data: [DONE]\n\n"
            return
        event = await completion.events.get()


def _sse(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


__all__ = ["BODY_SECONDS", "MAX_BODY_BYTES", "ApiBackend", "ApiOutcome", "GenerationStats", "ModelChoices", "build_app"]


def choices_from(registry: ModelRegistry, settings: Settings, choices: ModelChoices) -> None:
    """Sets ``choices`` to the installed models (never remote ones) as ``settings`` loads them, and the
    embedding model to the one ``settings`` chooses."""
    specs = {entry.name: registry.spec_for(entry, settings) for entry in registry.models() if not entry.damage}
    choices.set(specs, settings.sampling)
    choices.embedder.choose(settings, registry)
