"""The engine protocol: the plain data that crosses between the app and an engine.

Requests go in through the ``Engine`` methods; events come back through the ``EventSink``
callback, from a background thread. Everything here is a frozen dataclass of plain values,
so it pickles across the worker-process pipe and can be queued to the GUI thread. The meaning
and range of a GPU-layers value live here too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

StopReason = Literal["stop", "length", "stopped", "context_full"]
# When the conversation no longer fits: leave out the oldest turns (a chunk of about a quarter of the
# context at a time, so the prompt's start changes once per chunk), or refuse to start the answer.
OverflowPolicy = Literal["drop_oldest", "stop"]


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str  # for an answer: the answer alone, never reasoning or its markup
    reasoning: str | None = None  # an answer's reasoning, sent back to templates that read it


@dataclass(frozen=True)
class SamplingSettings:
    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    max_tokens: int = 1024
    seed: int | None = None
    stop: tuple[str, ...] = ()  # the answer ends where one of these appears (it is not shown)
    # (token id, bias) pairs added to those tokens' logits before sampling (OpenAI's logit_bias, -100..100).
    logit_bias: tuple[tuple[int, float], ...] = ()

    def __post_init__(self) -> None:
        # Settings come back from JSON with a list here: keep the value hashable and comparable.
        object.__setattr__(self, "stop", tuple(self.stop))
        object.__setattr__(self, "logit_bias", tuple((int(t), float(b)) for t, b in self.logit_bias))


@dataclass(frozen=True)
class ModelSpec:
    """Which model to load and how."""

    path: str
    name: str
    n_ctx: int = 4096
    n_gpu_layers: int = -1  # AUTO_GPU_LAYERS, NO_GPU_LAYERS or a number of layers (see below)
    n_threads: int | None = None
    chat_template: str | None = None  # a Jinja chat template used instead of the GGUF's own
    n_batch: int = 512
    flash_attn: bool = False
    kv_type: str = "f16"  # the KV cache's type: "f16", "q8_0" or "q4_0" (quantized needs flash attention)
    # "" for a model on this computer; else the id of the remote server (app.core.engine.remote.servers) that
    # serves it, and then ``path`` is the server's base URL (``…/v1``) and ``name`` its model id.
    server: str = ""
    # True: an embedding model (llama.cpp's ``embedding=True``), loaded by a worker of its own that answers
    # ``EmbedCommand`` instead of chat requests (app.core.engine.embedding).
    embedding: bool = False
    # An embedding model's pooling where its GGUF declares none ("mean", "cls", "last"; "": the mean), as the
    # catalog knows it for files converted before llama.cpp wrote it (Qwen3-Embedding's own, last token).
    pooling: str = ""
    # Speculative decoding: a draft model's file (same vocabulary, several times smaller; "": none), loaded
    # beside this one with its GPU layers setting; without one, prompt lookup drafts when ``prompt_lookup``.
    # Drafting needs ``flash_attn`` (without it a batch's logits are not one token's); the registry turns it
    # on for a model whose own settings leave it unset.
    draft_path: str = ""
    prompt_lookup: bool = True


# GPU layers, one encoding for the settings, the per-model settings, the load plan and both dialogs.
AUTO_GPU_LAYERS = -1  # Auto: as many layers as fit the free GPU memory
NO_GPU_LAYERS = 0  # Off: every layer on the CPU
MAX_GPU_LAYERS = 999  # the most a setting may ask for: more than any model has, so it means every layer
GpuLayersMode = Literal["auto", "off", "number"]


def valid_gpu_layers(value: object) -> bool:
    """Whether ``value`` is a GPU-layers setting: Auto, Off, or 1 to ``MAX_GPU_LAYERS`` layers."""
    return isinstance(value, int) and not isinstance(value, bool) and AUTO_GPU_LAYERS <= value <= MAX_GPU_LAYERS


def gpu_layers_mode(value: int) -> GpuLayersMode:
    """What a GPU-layers setting means: "auto", "off", or "number" (that many layers)."""
    return "auto" if value == AUTO_GPU_LAYERS else "off" if value == NO_GPU_LAYERS else "number"


KV_TYPES = ("f16", "q8_0", "q4_0")


@dataclass(frozen=True)
class GenerationRequest:
    request_id: str
    model: ModelSpec
    messages: tuple[ChatMessage, ...]
    sampling: SamplingSettings = field(default_factory=SamplingSettings)
    # Template switches, passed only when set; None leaves the model's own default.
    enable_thinking: bool | None = None  # Qwen3, Gemma 4 (see ModelLoaded.template_options)
    reasoning_effort: str | None = None  # gpt-oss: "low", "medium" or "high"
    # The day templates print (ISO); None: today.
    date: str | None = None
    # Which conversation this prompt belongs to: the engine keeps its KV state under this key and
    # restores it when the conversation comes back (None: nothing is kept).
    conversation_key: str | None = None
    # Text the answer already starts with (Continue on a stopped answer): the engine puts it after the
    # prompt and the model goes on from there; the events carry only what is new.
    prefill: str = ""
    # Reasoning the answer already starts with, when it was cut while still thinking (``prefill`` is
    # then empty): the engine reopens the model's reasoning block with it, and the model thinks on.
    prefill_reasoning: str = ""
    overflow: OverflowPolicy = "drop_oldest"
    # A JSON Schema (its JSON text) the answer must follow: llama.cpp's grammar makes the output valid by
    # construction on this computer; a remote server is sent OpenAI's ``response_format``. None: free text.
    json_schema: str | None = None
    # How many alternatives (0–20) to report with each sampled token's log-probability (TokensReceived.logprobs);
    # 0: none, and the token loop does no extra work.
    top_logprobs: int = 0


@dataclass(frozen=True)
class InspectRequest:
    """Look inside an answer: re-evaluate the prompt with the answer's tokens and report each token's
    probability and the ``top`` likeliest alternatives (answered with AnswerInspected or GenerationFailed).

    ``messages`` are what the model saw before the answer (its prompt); ``answer`` the answer's text as stored,
    ``reasoning`` the thinking the model wrote before it (as stored: without its tags), evaluated before the
    answer as the model wrote it and reported apart (AnswerInspected.thinking_tokens).
    The figures are the raw model distribution: a softmax of the logits at temperature 1, no sampler applied.
    """

    request_id: str
    model: ModelSpec
    messages: tuple[ChatMessage, ...]
    answer: str
    top: int = 5
    reasoning: str = ""
    enable_thinking: bool | None = None
    reasoning_effort: str | None = None
    date: str | None = None
    conversation_key: str | None = None  # whose KV state to reuse, as GenerationRequest's


@dataclass(frozen=True)
class CountTokensRequest:
    """How many tokens ``messages`` take once rendered by ``model``'s template (answered with TokensCounted)."""

    request_id: str
    model: ModelSpec
    messages: tuple[ChatMessage, ...]
    max_tokens: int = 1024  # the persona's longest answer: the room a prompt leaves for it


# -- events --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackendDevice:
    """A device llama.cpp can compute on, as its backend registry names it."""

    name: str  # e.g. "CUDA0", "CPU"
    description: str  # e.g. "NVIDIA GeForce RTX 4070"
    kind: Literal["cpu", "gpu", "igpu", "accel"]
    free_bytes: int
    total_bytes: int


@dataclass(frozen=True)
class OffloadReport:
    """What a load really put on the GPU, from llama.cpp's own load log."""

    layers_on_gpu: int
    layers_total: int
    vram_bytes: int  # model, KV cache and compute buffers on GPU devices
    requested_layers: int  # what was asked for (AUTO_GPU_LAYERS resolved to a number)
    n_ctx: int
    # Attempts that failed for memory before this one: (gpu layers, context) each.
    failed_attempts: tuple[tuple[int, int], ...] = ()
    gpu_build: bool = False  # the llama.cpp build can offload at all


@dataclass(frozen=True)
class ModelLoaded:
    model: ModelSpec
    load_seconds: float
    gpu_offload: bool
    template_fallback: bool  # the GGUF's chat template is missing or unusable: ChatML is used instead
    n_ctx: int
    template_options: tuple[str, ...] = ()  # the GenerationRequest switches the template reads
    template_error: str | None = None  # why the GGUF's template was unusable (None: fine, or none at all)
    offload: OffloadReport | None = None  # what went on the GPU (None: an engine that cannot tell)
    devices: tuple[BackendDevice, ...] = ()  # the devices this llama.cpp build sees
    backends: tuple[str, ...] = ()  # the backends compiled in, e.g. ("CPU",) or ("CUDA", "CPU")


@dataclass(frozen=True)
class ModelLoadFailed:
    model: ModelSpec
    reason: str
    request_id: str | None = None  # set when the load was started by generate(): that request ends here
    still_loaded: ModelSpec | None = None  # the model that stays usable after the failure, if any
    traceback: str = ""  # set when a bug, not the model file, made the load fail


@dataclass(frozen=True)
class ModelUnloaded:
    """The engine holds no model any more: its file is no longer open (an answer to ``unload``)."""

    model: ModelSpec | None  # what was loaded, if anything


@dataclass(frozen=True)
class TokenChoice:
    """One token the model could write at a position, with its log-probability (natural log)."""

    id: int  # the vocabulary's id; -1 where a remote server names only the text
    piece: bytes  # the token's bytes (a piece may hold half a character)
    logprob: float

    @property
    def probability(self) -> float:
        return math.exp(self.logprob)

    @property
    def text(self) -> str:
        return self.piece.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class TokenLogprobs:
    """A token of an answer as written, with the likeliest alternatives at its position (the first the likeliest)."""

    token: TokenChoice
    alternatives: tuple[TokenChoice, ...] = ()


@dataclass(frozen=True)
class TokensReceived:
    request_id: str
    text: str  # the answer's new text
    reasoning: str = ""  # the reasoning's new text
    # With GenerationRequest.top_logprobs: the answer's tokens that make ``text``, each with its alternatives.
    logprobs: tuple[TokenLogprobs, ...] = ()


@dataclass(frozen=True)
class AnswerInspected:
    """The answer to an InspectRequest: every answer token, in order, with its alternatives, and the same for
    every token the model wrote before the answer (its thinking, reasoning tags included)."""

    request_id: str
    tokens: tuple[TokenLogprobs, ...]
    prompt_tokens: int  # the prompt's tokens before the answer (and before its thinking)
    evaluated_tokens: int  # the tokens llama.cpp evaluated (the rest came from the KV cache)
    seconds: float
    thinking_tokens: tuple[TokenLogprobs, ...] = ()


@dataclass(frozen=True)
class GenerationStats:
    prompt_tokens: int  # tokens in the whole rendered prompt
    prompt_tokens_evaluated: int  # of those, how many llama.cpp had to evaluate (the rest came from the cache)
    generated_tokens: int
    ttft_seconds: float
    tokens_per_second: float
    truncated_messages: int = 0  # oldest messages left out because the context was full
    decode_seconds: float = 0.0  # llama.cpp's own time decoding the answer's tokens (llama_perf_context)
    decoded_tokens: int = 0  # the tokens that time covers
    # Speculative decoding ("": none; else "prompt lookup" or "draft model"): the tokens drafted, how many of
    # them the model's own sampling kept, and the speed-up against the engine's running estimate of plain
    # decoding (0.0: no estimate yet). ``drafting_turned_down_to``: the smaller draft length the engine
    # went to because drafting made this answer slower than plain decoding (0: off for the next answers).
    speculation: str = ""
    drafted_tokens: int = 0
    accepted_tokens: int = 0
    speculative_speedup: float = 0.0
    drafting_turned_down_to: int | None = None


# An answer that ended before the engine produced anything (stopped while queued, or a hung engine ended).
NO_STATS = GenerationStats(
    prompt_tokens=0, prompt_tokens_evaluated=0, generated_tokens=0, ttft_seconds=0.0, tokens_per_second=0.0
)


@dataclass(frozen=True)
class GenerationFinished:
    request_id: str
    text: str  # the answer alone
    reason: StopReason
    stats: GenerationStats
    reasoning: str = ""  # what the model thought before answering, without its markup
    # The engine did not acknowledge a stop in time and was ended: ``reason`` is "stopped", ``text`` is
    # empty and ``stats`` are zeros, because the engine never said what it had written.
    engine_hung: bool = False
    # A remote server refused the ``top_logprobs`` asked for (a 400 naming the field): the answer was asked
    # again without them, and its events carry none.
    logprobs_refused: bool = False


@dataclass(frozen=True)
class GenerationFailed:
    request_id: str
    reason: str
    text: str = ""  # what was generated before the failure
    traceback: str = ""  # set when a bug in the engine, not the request, made it fail
    # Why, for a front end to act on: "message_too_long" (the last message alone does not fit),
    # "context_full" (the conversation does not fit and the policy is "stop"), "invalid_request" (a JSON
    # Schema or logit bias this model cannot follow), or "" for anything else.
    code: str = ""
    prompt_tokens: int = 0  # with a code: the tokens the prompt needed ...
    limit: int = 0  # ... and how many it may have


@dataclass(frozen=True)
class TokensCounted:
    request_id: str
    tokens: int  # the rendered prompt's tokens, by the model's own tokenizer
    n_ctx: int  # the model's context
    limit: int  # how many of those a prompt may use (the rest is kept for the answer)
    estimated: bool = False  # True where the engine could not tokenize (a remote server): about 4 characters a token


@dataclass(frozen=True)
class TextsEmbedded:
    """The answer to an ``EmbedCommand``: one unit row per text, as float32 bytes (C order)."""

    request_id: str
    vectors: bytes  # len(texts) × dimensions float32 values
    dimensions: int
    tokens: int  # the tokens evaluated, after truncation
    truncated: int  # how many texts were longer than the context and cut to it


@dataclass(frozen=True)
class EmbeddingFailed:
    request_id: str
    reason: str
    traceback: str = ""  # set when a bug, not the text or the model, made it fail


@dataclass(frozen=True)
class EngineCrashed:
    """The engine died on its own (killed, aborted by native code, out of memory)."""

    reason: str
    request_id: str | None  # the request that was running, if any
    traceback: str = ""  # set when the engine reported a bug before it went


EngineEvent = (
    ModelLoaded
    | ModelLoadFailed
    | ModelUnloaded
    | TokensReceived
    | GenerationFinished
    | GenerationFailed
    | TokensCounted
    | AnswerInspected
    | TextsEmbedded
    | EmbeddingFailed
    | EngineCrashed
)
EventSink = Callable[[EngineEvent], None]


class Engine(Protocol):
    """What the app asks of an engine. No call blocks on inference; results arrive as events."""

    def load(self, model: ModelSpec) -> None:
        """Loads ``model`` (unloading any other); answers with ModelLoaded or ModelLoadFailed."""

    def generate(self, request: GenerationRequest) -> None:
        """Streams an answer; loads ``request.model`` first when it is not the loaded one."""

    def count_tokens(self, request: CountTokensRequest) -> None:
        """Counts a prompt's tokens (loading ``request.model`` first if needed); answers with TokensCounted."""

    def inspect(self, request: InspectRequest) -> None:
        """Looks inside an answer (loading ``request.model`` first if needed); answers with AnswerInspected,
        or GenerationFailed where this engine cannot (a remote server, whose logits are not reachable)."""

    def prepare(self, request: GenerationRequest) -> None:
        """Gets ready for ``request``'s conversation, whose turn may come next: puts its saved KV state
        back when ``request.model`` is the loaded model and the state matches. Never loads a model and
        answers with no event; a generation that follows waits for it."""

    def request_stop(self) -> None:
        """Asks the running generation to stop at once; safe from any thread."""

    def unload(self) -> None:
        """Frees the loaded model; answers with ModelUnloaded once its file is closed."""

    def shutdown(self) -> None:
        """Ends the engine and frees everything it holds."""

    @property
    def loaded_model(self) -> ModelSpec | None:
        """The model loaded now, if any."""
