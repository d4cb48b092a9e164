"""Commands the app sends down the pipe to the local worker process (plain, picklable data)."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.engine.protocol import GenerationRequest, ModelSpec


@dataclass(frozen=True)
class LoadCommand:
    model: ModelSpec


@dataclass(frozen=True)
class GenerateCommand:
    request: GenerationRequest
    seq: int  # increases with every request; a stop request names the seq it stops


@dataclass(frozen=True)
class UnloadCommand:
    pass


@dataclass(frozen=True)
class ShutdownCommand:
    pass


WorkerCommand = LoadCommand | GenerateCommand | UnloadCommand | ShutdownCommand
