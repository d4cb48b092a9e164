"""``python -m app serve``: the local OpenAI-compatible API server without a window.

The same server as Settings → Local API server (``app.core.api_server``), on the same kind of
engine service, for scripts and for machines without a display. It serves the installed models;
``--model`` loads one before the first request. ``--host`` beyond this computer needs an API key
(Settings, or ``PARLEY_API_KEY``). Ctrl+C stops it; errors end it as every command's do (``app.cli.tree``).
"""

from __future__ import annotations

import argparse
import os
import queue
import threading
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
    try:
        server = ApiServer(ApiBackend(service, choices), config)
        if preload is not None:
            _load(service, preload, err)
        server.start()
        print(f"parley: serving {', '.join(choices.names()) or 'no models'} at {server.base_url}", file=err)
        print("parley: press Ctrl+C to stop", file=err)
        try:
            (stop or threading.Event()).wait()
        except KeyboardInterrupt:
            print("parley: stopped", file=err)
        server.stop()
    finally:
        service.shutdown()
    return 0


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
