"""Keyring backends of the suite's own, so no test needs keyrings.alt (or touches the user's keychain).

``MemoryKeychain`` stands for a system keychain (keyring priority 5, as the OS backends have);
``PlainFileKeyring`` for a stand-in such as keyrings.alt's file backends (priority below 1).
``installed`` makes one the process's keyring for the length of a test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
from keyring.backend import KeyringBackend


class MemoryKeychain(KeyringBackend):
    """A keychain that keeps passwords in memory, with a system keychain's priority."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


class PlainFileKeyring(MemoryKeychain):
    """Priority 0.5, like keyrings.alt's plain-text file: not a keychain."""

    priority = 0.5  # type: ignore[assignment]


@contextmanager
def installed(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
