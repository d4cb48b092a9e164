"""The session core: the engine service (one engine, many clients) and the turn runner (one chat turn)."""

from app.core.session.service import EngineClient, EngineFactory, EngineService, local_engine_factory
from app.core.session.turns import TurnOutcome, TurnRunner, TurnUpdate

__all__ = [
    "EngineClient",
    "EngineFactory",
    "EngineService",
    "TurnOutcome",
    "TurnRunner",
    "TurnUpdate",
    "local_engine_factory",
]
