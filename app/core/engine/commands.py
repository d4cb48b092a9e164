"""What crosses the local worker's pipes besides engine events: the app's commands and the worker's log lines.

All plain, picklable data.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.engine.protocol import CountTokensRequest, GenerationRequest, InspectRequest, ModelSpec


@dataclass(frozen=True)
class LoadCommand:
    model: ModelSpec


@dataclass(frozen=True)
class GenerateCommand:
    request: GenerationRequest
    seq: int  # increases with every request; a stop request names the seq it stops


@dataclass(frozen=True)
class CountCommand:
    request: CountTokensRequest


@dataclass(frozen=True)
class InspectCommand:
    """Look inside an answer (answered with AnswerInspected or GenerationFailed); a stop request naming
    ``seq`` (or later) ends it, answered with GenerationFailed coded "stopped"."""

    request: InspectRequest
    seq: int = 0


@dataclass(frozen=True)
class PrepareCommand:
    """Restore the request's conversation state, when it matches, ahead of its next turn (no answer)."""

    request: GenerationRequest


@dataclass(frozen=True)
class EmbedCommand:
    """Embeds ``texts`` with the loaded embedding model (a ``ModelSpec`` with ``embedding=True``)."""

    request_id: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class UnloadCommand:
    pass


@dataclass(frozen=True)
class ShutdownCommand:
    pass


@dataclass(frozen=True)
class CacheConfigCommand:
    """Where the worker keeps conversation KV states, and how much disk they may take."""

    folder: str | None  # None: kept in memory only
    limit_bytes: int


WorkerCommand = (
    LoadCommand
    | GenerateCommand
    | CountCommand
    | InspectCommand
    | PrepareCommand
    | EmbedCommand
    | UnloadCommand
    | ShutdownCommand
    | CacheConfigCommand
)


@dataclass(frozen=True)
class WorkerLogLine:
    """A log record of the worker process, sent up the event pipe so that one process writes the log."""

    level: int
    logger: str
    message: str
