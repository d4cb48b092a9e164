"""``parley explain``: what the model thought of each token of an answer, as a table (or JSON).

The answer's stored look-inside data is printed as it is; an answer never looked inside (or edited since,
or kept with fewer alternatives than asked for, or without its thinking's figures when ``--thinking`` asks
for them) is looked inside first, through the same engine service and turn runner as the window, and the
result is stored with it. The figures are the model's raw distribution: a softmax of its logits at
temperature 1, whatever the persona's sampling. A remote server's answer is never evaluated again: it has
the figures the server streamed with it, or the command says why not. ``--thinking`` prints the tokens
the model wrote before the answer (its reasoning, tags included) first.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
from typing import Any, TextIO

from app.cli.history_file import open_history
from app.cli.tree import Commands
from app.core import logs
from app.core.config.settings import SettingsStore
from app.core.engine.protocol import (
    AnswerInspected,
    EngineCrashed,
    EngineEvent,
    GenerationFailed,
    ModelLoadFailed,
    TokenLogprobs,
)
from app.core.errors import LookInsideError, NotAnAnswerError
from app.core.history.look_inside import LookInside
from app.core.history.store import Store
from app.core.models.registry import ModelRegistry
from app.core.session import look_inside
from app.core.session.service import EngineFactory, EngineService, local_engine_factory
from app.core.session.turns import TurnRunner

WAIT_SECONDS = 600.0  # a ceiling for loading a model and evaluating a long conversation, not a goal


def add_parser(commands: Commands) -> None:
    explain = commands.add_parser("explain", help="show how sure the model was of each token of an answer")
    explain.set_defaults(run=run_explain)
    explain.add_argument("--conversation", type=int, required=True, help="the conversation's id")
    explain.add_argument("--message", type=int, help="the answer's message id (default: the last answer shown)")
    explain.add_argument("--top", type=int, default=look_inside.TOP, choices=range(1, 21), metavar="N",
                         help="alternatives per token, 1 to 20 (default: 5)")  # fmt: skip
    explain.add_argument("--json", action="store_true", help="print JSON instead of a table")
    explain.add_argument("--thinking", action="store_true",
                         help="also the tokens the model wrote while thinking, before the answer")  # fmt: skip


def run_explain(
    args: argparse.Namespace,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    engine_factory: EngineFactory | None = None,
) -> int:
    logs.configure()
    settings = SettingsStore()
    store = open_history(err)
    try:
        answer_id = _answer_id(store, args.conversation, args.message)
        answer = store.message(answer_id)
        data = store.look_inside(answer_id)
        if answer.server:  # a server cannot evaluate again: what it streamed, or why there is none
            if data is None or not data.tokens:
                raise LookInsideError(reason=look_inside.why_not(data))
        elif data is None or _wants_more(data, args.top, args.thinking and bool(answer.reasoning)):
            data = _look_inside(store, settings, answer_id, args.top, engine_factory or local_engine_factory(settings))
            store.save_look_inside(answer_id, data)
        if args.json:
            found = _json(args.conversation, answer_id, data, args.top, thinking=args.thinking)
            json.dump(found, out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            if args.thinking:
                out.write("Thinking (what the model wrote before the answer, its tags included):\n")
                _table(data.thinking, args.top, out)
                out.write("\nAnswer:\n")
            _table(data.tokens, args.top, out)
            if data.source == "streamed":
                out.write("These are the figures the server sent with the answer.\n")
            else:
                out.write("Probabilities are the model's raw distribution (temperature 1).\n")
        return 0
    finally:
        store.close()


def _wants_more(data: LookInside, top: int, thinking: bool) -> bool:
    """Whether the stored figures fall short of what was asked: fewer alternatives, or no thinking."""
    return max((len(t.alternatives) for t in data.tokens), default=0) < top or (thinking and not data.thinking)


def _answer_id(store: Store, conversation_id: int, message_id: int | None) -> int:
    shown = store.messages(store.conversation(conversation_id).id)
    answers = [m.id for m in store.all_messages(conversation_id) if m.role == "assistant" and m.kind is None]
    if message_id is None:
        last = [m.id for m in shown if m.role == "assistant" and m.kind is None]
        if not last:
            raise NotAnAnswerError(message="—", conversation=conversation_id)
        return last[-1]
    if message_id not in answers:
        raise NotAnAnswerError(message=message_id, conversation=conversation_id)
    return message_id


def _look_inside(store: Store, settings: SettingsStore, answer_id: int, top: int, factory: EngineFactory) -> LookInside:
    events: queue.Queue[EngineEvent] = queue.Queue()
    service = EngineService(factory)
    try:
        client = service.connect(events.put, "command line")
        runner = TurnRunner(store, client, settings, ModelRegistry(settings))
        request = runner.inspect_request(answer_id, top)
        client.inspect(request)
        while True:
            try:
                event = events.get(timeout=WAIT_SECONDS)
            except queue.Empty as exc:
                raise LookInsideError(reason="the engine did not answer") from exc
            if isinstance(event, AnswerInspected) and event.request_id == request.request_id:
                return LookInside(event.tokens, request.model.name, event.thinking_tokens)
            if isinstance(event, GenerationFailed | ModelLoadFailed | EngineCrashed):
                raise LookInsideError(reason=event.reason)
    finally:
        service.shutdown()


def _shown(text: str) -> str:
    """A piece as a table cell: its spaces and line breaks made visible."""
    return text.replace("\n", "\\n").replace("\t", "\\t").replace(" ", "·") or "∅"


def _table(tokens: tuple[TokenLogprobs, ...], top: int, out: TextIO) -> None:
    summary = look_inside.summary(tokens)
    width = max((len(_shown(t.token.text)) for t in tokens), default=5)
    out.write(f"{'#':>4}  {'token':<{width}}  {'prob':>6}  alternatives\n")
    for index, token in enumerate(tokens):
        mark = "!" if token.token.probability < look_inside.LOW_CONFIDENCE else " "
        alternatives = "  ".join(f"{_shown(c.text)} {c.probability:.0%}" for c in token.alternatives[:top])
        out.write(f"{index + 1:>4}  {_shown(token.token.text):<{width}}  {token.token.probability:>6.1%}{mark} "
                  f"{alternatives}\n")  # fmt: skip
    hesitated = ", ".join(f"#{h.position + 1} {_shown(h.token.token.text)} ({h.token.token.probability:.0%})"
                          for h in summary.hesitations)  # fmt: skip
    low = f"{summary.low} below {look_inside.LOW_CONFIDENCE:.0%} (!)"
    out.write(f"\n{len(tokens)} tokens; {summary.overall:.0%} sure per token on average; {low}. "
              f"Least sure: {hesitated or '—'}.\n")  # fmt: skip


def _choice(choice: Any) -> dict[str, Any]:
    return {"id": choice.id, "token": choice.text, "bytes": list(choice.piece), "logprob": choice.logprob,
            "probability": choice.probability}  # fmt: skip


def _token(token: TokenLogprobs, top: int) -> dict[str, Any]:
    return {**_choice(token.token), "alternatives": [_choice(c) for c in token.alternatives[:top]]}


def _json(conversation_id: int, answer_id: int, data: LookInside, top: int, *, thinking: bool) -> dict[str, Any]:
    summary = look_inside.summary(data.tokens)
    found: dict[str, Any] = {
        "conversation": conversation_id,
        "message": answer_id,
        "model": data.model_name,
        "distribution": "raw (softmax of the logits at temperature 1)"
        if data.source == "evaluated"
        else "as the server sent it with the answer",
        "overall": summary.overall,
        "low_confidence": summary.low,
        "hesitations": [h.position for h in summary.hesitations],
        "tokens": [_token(t, top) for t in data.tokens],
    }
    if thinking:
        found["thinking_tokens"] = [_token(t, top) for t in data.thinking]
    return found
