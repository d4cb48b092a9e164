"""The command line: ``python -m app ask`` streams an answer to stdout and saves it like the window.

It is a client of the same engine service and runs the same turn runner as the window, so a turn
asked here is stored exactly as one asked there; only the printing is its own.
"""

from __future__ import annotations

import argparse
import queue
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TextIO

from app.core import logs
from app.core.engine.protocol import EngineEvent, ModelLoaded
from app.core.errors import AppError, ModelLoadError
from app.core.registry import ModelRegistry
from app.core.session import EngineService, TurnOutcome, TurnRunner
from app.core.session.service import EngineFactory
from app.core.settings import SettingsStore
from app.core.store import Store

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def add_ask_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ask = subparsers.add_parser("ask", help="ask a question and stream the answer to stdout")
    ask.add_argument("--model", help="an installed model's name, or the path of a .gguf file")
    ask.add_argument("--conversation", type=int, help="continue the conversation with this id")
    ask.add_argument("--max-tokens", type=int, help="the longest answer, in tokens")
    ask.add_argument("--temperature", type=float, help="0 always picks the likeliest token; higher is more varied")
    ask.add_argument("--seed", type=int, help="a fixed seed makes sampling repeatable")
    ask.add_argument(
        "--show-reasoning", action="store_true", help="also print a reasoning model's thinking (to stderr)"
    )
    ask.add_argument("prompt", help="the message to send")


def _local_engine() -> EngineFactory:
    from app.core.engine.local import LocalEngine

    return LocalEngine


def run_ask(
    args: argparse.Namespace,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    engine_factory: EngineFactory | None = None,
) -> int:
    try:
        return _ask(args, out, err, engine_factory or _local_engine())
    except AppError as exc:
        print(f"parley: {exc.user_message()}", file=err)
        return EXIT_USER_ERROR


def _ask(args: argparse.Namespace, out: TextIO, err: TextIO, engine_factory: EngineFactory) -> int:
    logs.configure()
    settings = SettingsStore()
    if not args.prompt.strip():
        print("parley: the message is empty", file=err)
        return EXIT_USER_ERROR
    registry = ModelRegistry(settings)
    store = Store()
    try:
        conversation = store.conversation(args.conversation) if args.conversation is not None else None
        entry = registry.resolve(args.model) if args.model else registry.model_for(conversation)
        if entry is None:
            print("parley: no model is installed; pass --model PATH", file=err)
            return EXIT_USER_ERROR
        if conversation is None:
            conversation = store.create_conversation(model_name=entry.name)
        overrides = {"max_tokens": args.max_tokens, "temperature": args.temperature, "seed": args.seed}
        sampling = replace(
            settings.current.sampling, **{key: value for key, value in overrides.items() if value is not None}
        )
        events: queue.Queue[EngineEvent] = queue.Queue()
        service = EngineService(engine_factory)
        try:
            runner = TurnRunner(store, service.connect(events.put, "command line"), settings, registry)
            runner.start(conversation.id, args.prompt, model=entry, sampling=sampling)
            outcome = _stream(runner, events, out, err, show_reasoning=args.show_reasoning)
        finally:
            service.shutdown()
        return _report(outcome, conversation.id, out, err)
    finally:
        store.close()


@contextmanager
def _ctrl_c_stops() -> Iterator[threading.Event]:
    """While the answer streams, Ctrl+C asks for a stop (like the window's Stop) instead of raising anywhere."""
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.set())
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def _stream(
    runner: TurnRunner, events: queue.Queue[EngineEvent], out: TextIO, err: TextIO, *, show_reasoning: bool = False
) -> TurnOutcome:
    """Prints the answer as it streams (and the reasoning, to stderr, when asked); Ctrl+C stops it."""
    with _ctrl_c_stops() as interrupted:
        while True:
            if interrupted.is_set():
                runner.stop()
            try:
                event = events.get(timeout=0.1)
            except queue.Empty:
                continue
            outcome = _show(runner, event, out, err, show_reasoning)
            if outcome is not None:
                return outcome


def _show(
    runner: TurnRunner, event: EngineEvent, out: TextIO, err: TextIO, show_reasoning: bool
) -> TurnOutcome | None:
    if isinstance(event, ModelLoaded) and event.template_fallback:
        if event.template_error:
            reason = event.template_error
            print(f"parley: this model's chat template could not be used ({reason}); using ChatML", file=err)
        else:
            print("parley: this model has no chat template; using ChatML", file=err)
    update = runner.handle(event)
    if update is None:
        return None
    if update.reasoning and show_reasoning:
        err.write(update.reasoning)
        err.flush()
    if update.text:
        out.write(update.text)
        out.flush()
    if update.error is not None:
        print(f"parley: {update.error.user_message()}", file=err)
    return update.outcome


def _report(outcome: TurnOutcome, conversation_id: int, out: TextIO, err: TextIO) -> int:
    if outcome.status in ("complete", "stopped"):
        out.write("\n")
        stats = outcome.stats
        if stats is not None:
            print(
                f"[conversation {conversation_id} · {stats.tokens_per_second:.1f} tokens/s · "
                f"first token {stats.ttft_seconds:.2f} s]",
                file=err,
            )
    if outcome.error is not None:
        print(f"parley: {outcome.error.user_message()}", file=err)
    if outcome.status == "stopped":
        return EXIT_INTERRUPTED
    if outcome.status == "complete":
        return 1 if outcome.error is not None else 0
    return EXIT_USER_ERROR if isinstance(outcome.error, ModelLoadError) else 1
