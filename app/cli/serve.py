"""``python -m app serve``: the local OpenAI-compatible API server without a window.

The same server as Settings → Local API server (``app.core.api_server``), on the same kind of
engine service, for scripts and for machines without a display. It serves the installed models;
``--model`` loads one before the first request. ``--host`` beyond this computer needs an API key
(Settings, or ``PARLEY_API_KEY``). Ctrl+C stops it; SIGTERM and SIGHUP too, with the status 128 + the
signal's number (143 for SIGTERM); errors end it as every command's do (``app.cli.tree``).
"""

from __future__ import annotations

import argparse
import os
import queue
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from app.cli.tree import Commands
from app.core import logs
from app.core.api_server.app import ApiBackend, ModelChoices, choices_from
from app.core.api_server.server import API_KEY_ACCOUNT, ApiConfig, ApiServer
from app.core.config.secrets import KeyStore
from app.core.config.settings import SettingsStore
from app.core.engine.protocol import EngineEvent, ModelLoaded, ModelLoadFailed, ModelSpec
from app.core.models.registry import ModelRegistry
from app.core.session.service import EngineFactory, EngineService, local_engine_factory


def add_parser(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="serve the installed models as an OpenAI-compatible API")
    serve.set_defaults(run=run_serve)
    serve.add_argument("--model", help="an installed model's name, or a .gguf path, to load at once")
    serve.add_argument("--port", type=int, help="the port (default: the setting, 8717)")
    serve.add_argument("--host", help="the address to listen on (default: the setting, 127.0.0.1)")


def run_serve(
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    engine_factory: EngineFactory | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Serves until Ctrl+C (or ``stop`` is set, for tests); what it says goes to ``err``."""
    del out
    logs.configure()
    settings = SettingsStore()
    registry = ModelRegistry(settings)
    choices = ModelChoices()
    choices_from(registry, settings.current, choices)
    preload = None
    if args.model:
        entry = registry.resolve(args.model)
        preload = registry.spec_for(entry)
        choices.add(entry.name, preload)  # it may be a file outside the installed models
    current = settings.current
    key = os.environ.get("PARLEY_API_KEY") or KeyStore().get(API_KEY_ACCOUNT)
    config = ApiConfig(
        host=args.host or current.api_host, port=args.port or current.api_port, api_key=key, cors=current.api_cors
    )
    service = EngineService(engine_factory or local_engine_factory())
    stopping = stop or threading.Event()
    with _ending_signals_stop(stopping) as ended_by:
        try:
            server = ApiServer(ApiBackend(service, choices), config)
            if preload is not None:
                _load(service, preload, err)
            server.start()
            print(f"parley: serving {', '.join(choices.names()) or 'no models'} at {server.base_url}", file=err)
            print("parley: press Ctrl+C to stop", file=err)
            try:
                while not stopping.wait(WAIT_STEP_S):  # in steps: a signal's handler runs between them
                    pass
            except KeyboardInterrupt:
                print("parley: stopped", file=err)
            if ended_by:
                print(f"parley: stopped by {signal.Signals(ended_by[0]).name}", file=err)
            server.stop()
        finally:
            service.shutdown()
    return 128 + ended_by[0] if ended_by else 0


WAIT_STEP_S = 0.2
ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def _ending_signals_stop(stopping: threading.Event) -> Iterator[list[int]]:
    """SIGTERM and SIGHUP end the server as Ctrl+C does (its answers stopped, the engine ended); the list
    holds the signal that did. Only the main thread may take signals over: elsewhere nothing changes."""
    ended_by: list[int] = []

    def on_signal(signum: int, frame: object) -> None:
        del frame
        ended_by.append(signum)
        stopping.set()

    if threading.current_thread() is not threading.main_thread():
        yield ended_by
        return
    previous = {signum: signal.signal(signum, on_signal) for signum in ENDING_SIGNALS}
    try:
        yield ended_by
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _load(service: EngineService, spec: ModelSpec, err: TextIO) -> None:
    events: queue.Queue[EngineEvent] = queue.Queue()
    client = service.connect(events.put, "serve")
    client.load(spec)
    while True:
        event = events.get()
        if isinstance(event, ModelLoaded) and event.model == spec:
            print(f"parley: loaded {spec.name} in {event.load_seconds:.1f} s", file=err)
            break
        if isinstance(event, ModelLoadFailed):
            print(f"parley: {spec.name} could not be loaded: {event.reason}", file=err)
            break
    client.close()
