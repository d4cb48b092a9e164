"""``parley ask``: streams an answer to stdout and saves it like the window.

It is a client of the same engine service and runs the same turn runner as the window, on the history
opened as the window opens it (``history_file``), so a turn asked here is stored exactly as one asked
there, by the model the window would pick (``turn_context.model_for_turn``); only the printing is its own.

The message is the argument, or stdin with ``ask -`` (or no argument when stdin is not a terminal),
so a message longer than the system allows on a command line can be piped in. Ctrl+C stops the
answer like the window's Stop: it is saved as stopped, "Stopped." goes to stderr, and the status
is 130; SIGTERM and SIGHUP (a logout, ``kill``) stop and save it the same way, and the status is
128 + the signal's number (143 for SIGTERM). When stdout's reader goes away (``parley ask … | head``),
the answer is stopped and saved the same way, quietly.

``--attach FILE…`` reads each file (``app.core.documents.extract``) and hands the documents to the turn
runner, which puts them before the message as the window does. A file that cannot be read gets its
sentence on stderr and is left out; when none of the files could be read the message is not sent
(an answer would not know what the user asked about). How each file went in ("read whole", "N of M
passages used") goes to stderr; the numbered sources the answer was given follow it on stdout.
``--project NAME`` starts the new chat in that project (its persona, model, folders and instructions).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TextIO

from app.cli import voice
from app.cli.history_file import open_history
from app.cli.terminal import EXIT_INTERRUPTED, EXIT_USER_ERROR, STOPPED
from app.cli.tree import Commands
from app.core import logs
from app.core.config.settings import SettingsStore
from app.core.documents.extract import read_document
from app.core.documents.retrieval import source_line
from app.core.documents.types import Document
from app.core.engine.embedding import LocalEmbedder, embedder_for
from app.core.engine.local import STOP_ACK_SECONDS, TERMINATE_GRACE_SECONDS
from app.core.engine.protocol import EngineEvent, ModelLoaded
from app.core.errors import DocumentError, ModelLoadError
from app.core.history.store import Store
from app.core.history.types import StoredAttachment
from app.core.models.registry import ModelRegistry
from app.core.personas.book import PersonaBook, migrate_settings
from app.core.projects.store import ProjectStore
from app.core.session.documents import existing_library
from app.core.session.service import EngineFactory, EngineService, local_engine_factory
from app.core.session.turn_context import model_for_turn
from app.core.session.turns import TurnOutcome, TurnRunner

EXIT_READER_GONE = 141  # what a shell reports for a writer ended by SIGPIPE (128 + 13), as `yes | head` does
# After Ctrl+C, how long the engine has to end the answer before it is settled here without it: long
# enough for the engine's own watchdog to end a hung engine and say so (EngineHungError).
STOP_WAIT_S = STOP_ACK_SECONDS + TERMINATE_GRACE_SECONDS + 1.0


def add_parser(commands: Commands) -> None:
    ask = commands.add_parser("ask", help="ask a question and stream the answer to stdout")
    ask.set_defaults(run=run_ask)
    ask.add_argument("--model", help="an installed model's name, or the path of a .gguf file")
    ask.add_argument("--conversation", type=int, help="continue the conversation with this id")
    ask.add_argument("--persona", help="the persona to ask (its name or id); see `personas list`")
    ask.add_argument("--project", help="start the chat in this project (its name or id); see `projects list`")
    ask.add_argument("--max-tokens", type=int, help="the longest answer, in tokens")
    ask.add_argument("--temperature", type=float, help="0 always picks the likeliest token; higher is more varied")
    ask.add_argument("--seed", type=int, help="a fixed seed makes sampling repeatable")
    ask.add_argument(
        "prompt", nargs="?", help="the message to send; '-' (or nothing, when stdin is not a terminal) reads stdin"
    )
    ask.add_argument(
        "--show-reasoning", action="store_true", help="also print a reasoning model's thinking (to stderr)"
    )
    ask.add_argument(
        "--attach",
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help=(
            "attach files to the message (text, Markdown, PDF, Word, HTML, CSV, code): put the message first, "
            "or end the files with `--`. A file that cannot be read is named on stderr and left out; if none "
            "can be read, the message is not sent. stderr says how each file went in; the numbered sources "
            "follow the answer"
        ),
    )
    voice.add_arguments(ask)


def run_ask(
    args: argparse.Namespace,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    engine_factory: EngineFactory | None = None,
    stdin: TextIO | None = sys.stdin,
) -> int:
    """Asks, streams and saves; the exit status. An ``AppError`` before the turn starts is raised."""
    return _ask(args, out, err, engine_factory, stdin)


def read_prompt(argument: str | None, stdin: TextIO | None) -> str | None:
    """The message: the argument, or stdin for "-" or no argument with stdin not a terminal; None if neither."""
    if argument is not None and argument != "-":
        return argument
    if stdin is None or (argument is None and stdin.isatty()):
        return None
    text = stdin.read()
    return text[:-1] if text.endswith("\n") else text  # the newline echo and most editors end a file with


def _ask(
    args: argparse.Namespace, out: TextIO, err: TextIO, engine_factory: EngineFactory | None, stdin: TextIO | None
) -> int:
    logs.configure()
    settings = SettingsStore()
    engine_factory = engine_factory or local_engine_factory(settings)
    try:
        prompt = voice.listen(err) if getattr(args, "listen", False) else read_prompt(args.prompt, stdin)
    except UnicodeDecodeError as exc:
        print(f"parley: the message on stdin is not {exc.encoding} text", file=err)
        return EXIT_USER_ERROR
    if prompt is None:
        print("parley: give the message as an argument, or pipe it in with `ask -`", file=err)
        return EXIT_USER_ERROR
    if not prompt.strip():
        print("parley: the message is empty", file=err)
        return EXIT_USER_ERROR
    attachments = _read_attachments(getattr(args, "attach", None) or [], err)
    if getattr(args, "attach", None) and not attachments:
        print("parley: none of the attached files could be read, so the message was not sent", file=err)
        return EXIT_USER_ERROR
    registry = ModelRegistry(settings)
    store = open_history(err)
    try:
        book = PersonaBook(store)
        migrate_settings(book, settings)
        conversation = store.conversation(args.conversation) if args.conversation is not None else None
        in_project = getattr(args, "project", None)
        if conversation is None and in_project:  # a new chat in the project: its persona, model and folders
            projects = ProjectStore(store)
            conversation = projects.new_conversation(projects.find(in_project).id)
        wanted = getattr(args, "persona", None)  # absent when a caller builds the arguments itself
        persona = book.find(wanted) if wanted else None
        if persona is not None and conversation is not None and persona.id != conversation.persona_id:
            store.set_conversation_persona(conversation.id, persona.id or 0, persona.name)
            conversation = store.conversation(conversation.id)
        if persona is None:
            persona = book.for_conversation(conversation) if conversation is not None else book.default()
        chosen = registry.resolve(args.model) if args.model else None
        if (chosen or model_for_turn(registry, conversation, persona)) is None:
            print("parley: no model is installed; pass --model PATH", file=err)
            return EXIT_USER_ERROR
        if conversation is None:  # as the window starts one: the turn gives it its model
            conversation = store.create_conversation(persona_id=persona.id)
        overrides = {"max_tokens": args.max_tokens, "temperature": args.temperature, "seed": args.seed}
        sampling = replace(persona.sampling, **{key: value for key, value in overrides.items() if value is not None})
        events: queue.Queue[EngineEvent] = queue.Queue()
        answer = _Answer(out)
        embedder = embedder_for(settings.current, registry)  # as the window: the one Settings choice
        service = EngineService(engine_factory)
        # From here Ctrl+C stops the turn instead of raising: once the message is stored, its answer
        # is always settled (stopped, with what was printed) before the command ends.
        with _ctrl_c_stops() as interrupts:
            try:
                client = service.connect(events.put, "command line")
                library = existing_library()
                runner = TurnRunner(
                    store, client, settings, registry, personas=book, library=library, embedder=lambda: embedder
                )
                turn = runner.start(conversation.id, prompt, attachments=attachments, model=chosen, sampling=sampling)
                _say_how_attached(store.attachments(turn.user_message.id), err)
                outcome = _stream(runner, events, answer, err, interrupts, show_reasoning=args.show_reasoning)
            finally:
                service.shutdown()
                if isinstance(embedder, LocalEmbedder):
                    embedder.close()
        code = _report(outcome, conversation.id, answer, err)
        _show_sources(store, outcome.answer_id, answer, err)
        if (getattr(args, "speak", False) or getattr(args, "speak_to", None)) and outcome.status == "complete":
            voice.speak(store.message(outcome.answer_id).content, getattr(args, "speak_to", None))
        return 128 + interrupts.terminated if interrupts.terminated is not None else code
    finally:
        store.close()


def _read_attachments(paths: Sequence[str], err: TextIO) -> list[Document]:
    """The files that could be read, in order; each one that could not is named on stderr with why."""
    documents: list[Document] = []
    for path in paths:
        try:
            documents.append(read_document(path))
        except DocumentError as refused:
            print(f"parley: {refused.user_message()}", file=err)
    return documents


def _say_how_attached(attachments: Sequence[StoredAttachment], err: TextIO) -> None:
    for attachment in attachments:
        how = "read whole" if attachment.mode == "whole" else f"{attachment.used} of {attachment.total} passages used"
        print(f"parley: {attachment.name}: {how}", file=err)


def _show_sources(store: Store, answer_id: int, answer: _Answer, err: TextIO) -> None:
    """After the answer: its notes (on stderr) and the numbered sources it was given (on stdout)."""
    for note in store.document_notes(answer_id):
        print(f"parley: {note}", file=err)
    sources = store.citations(answer_id)
    if sources:
        answer.write("\nSources:\n" + "".join(source_line(p.number, p.name, p.page) + "\n" for p in sources))


class _Interrupts:
    """How many times Ctrl+C was pressed, and whether SIGTERM/SIGHUP asked the command to end; set by the handler."""

    def __init__(self) -> None:
        self.count = 0
        self.terminated: int | None = None  # SIGTERM or SIGHUP: stop, settle, exit 128 + the number

    @property
    def stop_asked(self) -> bool:
        return bool(self.count) or self.terminated is not None

    def on_signal(self, signum: int, frame: object) -> None:
        del frame
        if signum == signal.SIGINT:
            self.count += 1
        else:
            self.terminated = signum


ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def _ctrl_c_stops() -> Iterator[_Interrupts]:
    """While the answer streams, Ctrl+C (and SIGTERM, SIGHUP) asks for a stop, like the window's Stop, instead
    of raising anywhere or ending the process with the answer unsettled."""
    interrupts = _Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield interrupts
        return
    previous = {signum: signal.signal(signum, interrupts.on_signal) for signum in (signal.SIGINT, *ENDING_SIGNALS)}
    try:
        yield interrupts
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Answer:
    """stdout for the answer; notices when its reader has gone (``parley ask … | head``)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.reader_gone = False

    def write(self, text: str) -> None:
        if self.reader_gone:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            self.reader_gone = True
            # What is still buffered would fail again when Python flushes stdout at exit.
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self.out.fileno())
                os.close(devnull)


def _stream(
    runner: TurnRunner,
    events: queue.Queue[EngineEvent],
    answer: _Answer,
    err: TextIO,
    interrupts: _Interrupts,
    *,
    show_reasoning: bool = False,
) -> TurnOutcome:
    """Prints the answer as it streams. Ctrl+C stops it like the window's Stop; if the engine has not
    ended it after ``STOP_WAIT_S`` (a load cannot be stopped), or at a second Ctrl+C, it is settled here."""
    stop_deadline: float | None = None
    while True:
        if (interrupts.stop_asked or answer.reader_gone) and stop_deadline is None:
            runner.stop()
            stop_deadline = time.monotonic() + STOP_WAIT_S
        if stop_deadline is not None and (interrupts.count > 1 or time.monotonic() > stop_deadline):
            outcome = runner.abandon()
            assert outcome is not None
            return outcome
        try:
            event = events.get(timeout=0.1)
        except queue.Empty:
            continue
        outcome = _show(runner, event, answer, err, show_reasoning)
        if outcome is not None:
            return outcome


def _show(
    runner: TurnRunner, event: EngineEvent, answer: _Answer, err: TextIO, show_reasoning: bool
) -> TurnOutcome | None:
    """Prints what ``event`` adds: the answer on stdout, the reasoning on stderr when asked."""
    if isinstance(event, ModelLoaded) and event.template_fallback:
        if event.template_error:
            reason = event.template_error
            print(f"parley: this model's chat template could not be used ({reason}); using ChatML", file=err)
        else:
            print("parley: this model has no chat template; using ChatML", file=err)
    update = runner.handle(event)  # recorded before it is printed: a printing problem cannot lose it
    if update is None:
        return None
    if update.reasoning and show_reasoning:
        err.write(update.reasoning)
        err.flush()
    if update.text:
        answer.write(update.text)
    if update.error is not None:
        print(f"parley: {update.error.user_message()}", file=err)
    return update.outcome


def _report(outcome: TurnOutcome, conversation_id: int, answer: _Answer, err: TextIO) -> int:
    if answer.reader_gone:
        return EXIT_READER_GONE
    if outcome.status in ("complete", "stopped"):
        answer.write("\n")
        stats = outcome.stats
        if stats is not None:
            drafted = ""
            if stats.drafted_tokens:
                share = round(100 * stats.accepted_tokens / stats.drafted_tokens)
                drafted = f" · speculative: {share} % of {stats.drafted_tokens} drafted tokens accepted"
                drafted += f", {stats.speculative_speedup:.1f}×" if stats.speculative_speedup else ""
            print(
                f"[conversation {conversation_id} · {stats.tokens_per_second:.1f} tokens/s · "
                f"first token {stats.ttft_seconds:.2f} s{drafted}]",
                file=err,
            )
    if outcome.error is not None:
        print(f"parley: {outcome.error.user_message()}", file=err)
    if outcome.status == "stopped":
        print(STOPPED, file=err)
        return EXIT_INTERRUPTED
    if outcome.status == "complete":
        return 1 if outcome.error is not None else 0
    return EXIT_USER_ERROR if isinstance(outcome.error, ModelLoadError) else 1
