"""The conversation KV-state cache: llama.cpp's sequence state kept per conversation, in memory and on disk.

No llama_cpp here: the worker hands in the state's bytes and takes them back. A state is valid
only for what made it, so each carries a ``StateKey`` (the conversation, the model file's
identity, the context length, the GPU layers, the KV cache's type) and the exact prompt text
its tokens spell. ``find`` returns a state only when the key is equal and the new prompt starts
with that text; anything else (another model, another context, an edited history) is ignored.

On disk there is one file per conversation, ``<hash>.kvstate``: a magic line, a JSON header
(the key, the text, the token ids, the payload's length and CRC-32), then the payload. It is
written to a temporary file and renamed into place, so a kill in the middle of a save leaves
the old file or none; a file cut short or altered fails its length or CRC check and is ignored
(and removed). The folder is kept under a size limit by removing the least recently used files.
The last ``MEMORY_SLOTS`` states stay in memory, so switching among recent conversations reads
no disk; a state whose file was deleted (its conversation deleted, or the cache cleared) is not
used from memory either.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import queue
import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from app.core.atomic import write_atomically

log = logging.getLogger("app.kvstate")

MAGIC = b"PARLEY-KVSTATE-1\n"
SUFFIX = ".kvstate"
MEMORY_SLOTS = 3
DEFAULT_LIMIT_BYTES = 2 * 1024**3
_HEADER_SIZE = struct.Struct("<I")


@dataclass(frozen=True)
class StateKey:
    conversation: str
    model: str  # the model file's identity (model_identity)
    n_ctx: int
    gpu_layers: int
    kv_type: str = "f16"


@dataclass(frozen=True)
class SavedState:
    key: StateKey
    text: str  # the exact prompt text the state's tokens spell
    token_ids: tuple[int, ...]
    data: bytes  # llama.cpp's sequence state (llama_state_seq_get_data)
    evaluated: int = -1  # how many of token_ids the state holds (the last sampled one may not be in); -1: all

    def __post_init__(self) -> None:
        if self.evaluated < 0:
            object.__setattr__(self, "evaluated", len(self.token_ids))

    def matches(self, key: StateKey, prompt: str) -> bool:
        return self.key == key and bool(self.text) and prompt.startswith(self.text)


def model_identity(path: str) -> str:
    """The file as it is now: where it lies, its size and its modification time."""
    resolved = os.path.realpath(path)
    stat = os.stat(resolved)
    return f"{resolved}|{stat.st_size}|{stat.st_mtime_ns}"


def state_path(folder: Path, conversation: str) -> Path:
    digest = hashlib.sha256(conversation.encode("utf-8")).hexdigest()[:32]
    return folder / f"{digest}{SUFFIX}"


def encode(state: SavedState) -> bytes:
    header = json.dumps(
        {
            "key": asdict(state.key),
            "text": state.text,
            "token_ids": list(state.token_ids),
            "evaluated": state.evaluated,
            "size": len(state.data),
            "crc32": zlib.crc32(state.data),
        },
        ensure_ascii=False,
    ).encode("utf-8")
    return MAGIC + _HEADER_SIZE.pack(len(header)) + header


def read_state(path: Path) -> SavedState | None:
    """The state in ``path``; None when it is missing, cut short, altered or of another format."""
    try:
        with path.open("rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC:
                return None
            (header_size,) = _HEADER_SIZE.unpack(handle.read(_HEADER_SIZE.size))
            header = json.loads(handle.read(header_size).decode("utf-8"))
            data = handle.read(int(header["size"]) + 1)
        if len(data) != int(header["size"]) or zlib.crc32(data) != int(header["crc32"]):
            return None
        return SavedState(
            StateKey(**header["key"]), str(header["text"]), tuple(header["token_ids"]), data, int(header["evaluated"])
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, struct.error) as exc:
        log.warning("state cache: %s is unreadable (%s); ignored", path.name, exc)
        return None


def write_state(path: Path, state: SavedState) -> None:
    def write(handle: IO[bytes]) -> None:
        handle.write(encode(state))
        handle.write(state.data)

    write_atomically(path, write, prefix=".kvstate-")


def folder_bytes(folder: Path) -> int:
    """What the cache takes on disk now."""
    total = 0
    for path in folder.glob(f"*{SUFFIX}"):
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


def delete_conversation(folder: Path, conversation: str) -> None:
    """Removes a conversation's saved state (its conversation is deleted)."""
    state_path(folder, conversation).unlink(missing_ok=True)


def clear(folder: Path) -> int:
    """Removes every saved state; returns the bytes freed."""
    freed = 0
    for path in list(folder.glob(f"*{SUFFIX}")) + list(folder.glob(".kvstate-*.tmp")):
        with contextlib.suppress(OSError):
            freed += path.stat().st_size
            path.unlink()
    return freed


def enforce_limit(folder: Path, limit_bytes: int, keep: Path | None = None) -> list[Path]:
    """Removes the least recently used states until the folder is within ``limit_bytes``."""
    files: list[tuple[float, int, Path]] = []
    for path in folder.glob(f"*{SUFFIX}"):
        with contextlib.suppress(OSError):
            stat = path.stat()
            files.append((stat.st_mtime, stat.st_size, path))
    files.sort()
    total = sum(size for _, size, _ in files)
    removed: list[Path] = []
    for _, size, path in files:
        if total <= limit_bytes:
            break
        if path == keep:
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
            total -= size
    return removed


class StateCache:
    """The states of recent conversations: the last few in memory, all of them (within a limit) on disk.

    ``remember`` and ``find`` are called from the worker's thread; the disk writes run on a thread
    of their own, so an answer's end never waits for a file.
    """

    def __init__(self, folder: Path | None, limit_bytes: int = DEFAULT_LIMIT_BYTES, *, background: bool = True) -> None:
        self.folder = folder
        self.limit_bytes = limit_bytes
        self._memory: OrderedDict[str, SavedState] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[str, SavedState] = {}
        self._wake: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        if folder is not None and background:
            self._writer = threading.Thread(target=self._write_loop, name="parley-kvstate-writer", daemon=True)
            self._writer.start()

    def remember(self, state: SavedState) -> None:
        conversation = state.key.conversation
        with self._lock:
            self._memory[conversation] = state
            self._memory.move_to_end(conversation)
            while len(self._memory) > MEMORY_SLOTS:
                self._memory.popitem(last=False)
            if self.folder is None:
                return
            self._pending[conversation] = state
        if self._writer is not None:
            self._wake.put(conversation)
        else:
            self._flush(conversation)

    def find(self, key: StateKey, prompt: str) -> SavedState | None:
        """The saved state for ``key`` whose text ``prompt`` extends, from memory or disk; else None."""
        conversation = key.conversation
        with self._lock:
            state = self._memory.get(conversation)
            pending = conversation in self._pending
        gone = self.folder is not None and not pending and not state_path(self.folder, conversation).exists()
        if state is not None and gone:  # its conversation was deleted, or the cache was cleared
            with self._lock:
                self._memory.pop(conversation, None)
            state = None
        if state is None and self.folder is not None:
            path = state_path(self.folder, conversation)
            state = read_state(path)
            if state is None and path.exists():
                path.unlink(missing_ok=True)  # cut short or altered: never of use
            if state is not None:
                with contextlib.suppress(OSError):
                    os.utime(path)  # recently used: evicted last
        if state is None or not state.matches(key, prompt):
            return None
        with self._lock:
            self._memory[conversation] = state
            self._memory.move_to_end(conversation)
            while len(self._memory) > MEMORY_SLOTS:
                self._memory.popitem(last=False)
        return state

    def flush(self) -> None:
        """Writes every pending state now (tests, and the worker before it ends)."""
        with self._lock:
            conversations = list(self._pending)
        for conversation in conversations:
            self._flush(conversation)

    def close(self) -> None:
        if self._writer is not None:
            self._wake.put(None)
            self._writer.join(30)
            self._writer = None
        self.flush()

    def _write_loop(self) -> None:
        while True:
            conversation = self._wake.get()
            if conversation is None:
                return
            self._flush(conversation)

    def _flush(self, conversation: str) -> None:
        with self._lock:
            state = self._pending.get(conversation)
        if state is None or self.folder is None:
            return
        path = state_path(self.folder, conversation)
        try:
            if len(state.data) > self.limit_bytes:  # larger than the whole cache may be: not kept on disk
                path.unlink(missing_ok=True)
                return
            self.folder.mkdir(parents=True, exist_ok=True)
            write_state(path, state)
            enforce_limit(self.folder, self.limit_bytes, keep=path)
        except OSError as exc:
            log.warning("state cache: could not save %s: %s", path.name, exc)
        finally:
            with self._lock:
                if self._pending.get(conversation) is state:
                    del self._pending[conversation]
