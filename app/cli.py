"""The command line: ``python -m app ask`` streams an answer to stdout and saves it like the window."""

from __future__ import annotations

import argparse
import queue
import sys
from dataclasses import replace
from typing import TextIO

from app.core import catalog, logs, settings
from app.core.chat import AnswerRecorder, begin_turn
from app.core.engine.local import LocalEngine
from app.core.engine.protocol import (
    EngineCrashed,
    EngineEvent,
    GenerationFailed,
    GenerationFinished,
    ModelLoaded,
    ModelLoadFailed,
    ModelSpec,
    TokensReceived,
)
from app.core.errors import AppError, EngineCrashedError, GenerationError, ModelLoadError
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
    ask.add_argument("prompt", help="the message to send")


def run_ask(args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    try:
        return _ask(args, out, err)
    except AppError as exc:
        print(f"parley: {exc.user_message()}", file=err)
        return EXIT_USER_ERROR


def _ask(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    logs.configure()
    prefs = settings.load()
    if not args.prompt.strip():
        print("parley: the message is empty", file=err)
        return EXIT_USER_ERROR
    store = Store()
    try:
        conversation = store.conversation(args.conversation) if args.conversation is not None else None
        name = args.model or (conversation.model_name if conversation else None) or prefs.model_name
        entry = catalog.resolve_model(name, prefs.imported_models) if name else catalog.default_model(
            None, prefs.imported_models
        )
        if entry is None:
            print("parley: no model is installed; pass --model PATH", file=err)
            return EXIT_USER_ERROR
        if conversation is None:
            conversation = store.create_conversation(model_name=entry.name)
        model = ModelSpec(str(entry.path), entry.name, prefs.n_ctx, prefs.n_gpu_layers)
        overrides = {"max_tokens": args.max_tokens, "temperature": args.temperature, "seed": args.seed}
        sampling = replace(prefs.sampling, **{key: value for key, value in overrides.items() if value is not None})
        turn = begin_turn(
            store, conversation.id, args.prompt, model=model, system_prompt=prefs.system_prompt, sampling=sampling
        )
        recorder = AnswerRecorder(store, turn.answer.id)
        events: queue.Queue[EngineEvent] = queue.Queue()
        engine = LocalEngine(events.put)
        try:
            engine.generate(turn.request)
            return _stream(engine, events, recorder, out, err, conversation.id)
        finally:
            engine.shutdown()
    finally:
        store.close()


def _stream(
    engine: LocalEngine,
    events: queue.Queue[EngineEvent],
    recorder: AnswerRecorder,
    out: TextIO,
    err: TextIO,
    conversation_id: int,
) -> int:
    while True:
        try:
            event = events.get(timeout=0.25)
        except queue.Empty:
            continue
        except KeyboardInterrupt:
            engine.request_stop()
            continue
        if isinstance(event, TokensReceived):
            recorder.append(event.text)
            out.write(event.text)
            out.flush()
        elif isinstance(event, ModelLoaded):
            if event.template_fallback:
                print("parley: this model has no chat template; using ChatML", file=err)
        elif isinstance(event, GenerationFinished):
            recorder.finish("stopped" if event.reason == "stopped" else "complete", event.stats, event.text)
            out.write("\n")
            s = event.stats
            print(
                f"[conversation {conversation_id} · {s.tokens_per_second:.1f} tokens/s · "
                f"first token {s.ttft_seconds:.2f} s]",
                file=err,
            )
            return EXIT_INTERRUPTED if event.reason == "stopped" else 0
        elif isinstance(event, ModelLoadFailed):
            recorder.finish("failed")
            print(f"parley: {ModelLoadError(path=event.model.path, reason=event.reason).user_message()}", file=err)
            return EXIT_USER_ERROR
        elif isinstance(event, GenerationFailed):
            recorder.finish("failed", text=recorder.text)
            print(f"parley: {GenerationError(reason=event.reason).user_message()}", file=err)
            return 1
        elif isinstance(event, EngineCrashed):
            recorder.finish("interrupted")
            print(f"parley: {EngineCrashedError(reason=event.reason).user_message()}", file=err)
            return 1
