"""The one key store: every secret Parley keeps (remote servers' keys, the local API server's key, the Hub token).

A secret goes to the system keychain through ``keyring`` when one works here, otherwise to
``remote_keys.json`` in the config folder (named for the first keys it held), readable by the user
only (0600); ``KeyStore.where`` and ``keychain_name`` say which. Only a real keychain counts:
keyring's own low-priority file backends (``keyrings.alt``) are passed over, so a key said to be in
the keychain is in it. The rule: no secret is ever written to settings.json or any other file;
``move_hub_token`` takes the Hub token out of the settings files of older versions.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Literal

from app.core import paths
from app.core.atomic import write_json_atomically
from app.core.errors import AppError, StorageError

log = logging.getLogger("app.secrets")

KEYRING_SERVICE = "Parley"
HUB_TOKEN_ACCOUNT = "hub-token"
KeyPlace = Literal["keyring", "file"]


class KeyStore:
    """Secrets by account name: the OS keychain when ``keyring`` has a usable backend, else a 0600 file."""

    def __init__(self, file: Path | None = None, *, use_keyring: bool = True) -> None:
        self._file = file
        self._keyring = _usable_keyring() if use_keyring else None

    @property
    def where(self) -> KeyPlace:
        return "keyring" if self._keyring is not None else "file"

    @property
    def keychain_name(self) -> str:
        """The system keychain's name ("macOS Keychain", "Secret Service" …); "" when keys go to the file."""
        return _keychain_name(self._keyring.backend) if self._keyring is not None else ""

    @property
    def file(self) -> Path:
        return self._file or paths.config_dir() / "remote_keys.json"

    def get(self, account: str) -> str:
        if self._keyring is not None:
            return self._keyring.get_password(KEYRING_SERVICE, account) or ""
        return self._read_file().get(account, "")

    def set(self, account: str, key: str) -> None:
        """Stores ``key`` (an empty one deletes it); ``StorageError`` when the file cannot be written."""
        if not key:
            self.delete(account)
            return
        if self._keyring is not None:
            self._keyring.set_password(KEYRING_SERVICE, account, key)
            return
        keys = self._read_file()
        keys[account] = key
        self._write_file(keys)

    def delete(self, account: str) -> None:
        if self._keyring is not None:
            import keyring.errors

            with contextlib.suppress(keyring.errors.PasswordDeleteError):  # there was none
                self._keyring.delete_password(KEYRING_SERVICE, account)
            return
        keys = self._read_file()
        if keys.pop(account, None) is not None:
            self._write_file(keys)

    def _read_file(self) -> dict[str, str]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("the key file %s cannot be read: %s", self.file, exc)
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}

    def _write_file(self, keys: dict[str, str]) -> None:
        target = self.file
        try:
            # Created 0600 before any key is in it, then replaced atomically by a file with the same mode.
            fd = os.open(target.parent / f".{target.name}.tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(keys, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(target.parent / f".{target.name}.tmp", target)
        except OSError as exc:
            raise StorageError(path=target, reason=exc.strerror or exc) from exc


def hub_token(keys: KeyStore | None = None) -> str:
    """The Hugging Face access token the user gave Parley; "" when there is none."""
    return (keys or KeyStore()).get(HUB_TOKEN_ACCOUNT).strip()


def move_hub_token(settings_file: Path, keys: KeyStore | None = None) -> None:
    """Moves a Hub token that an older Parley kept in ``settings_file`` into the key store.

    A token already in the store wins over the file's. When the store or the file refuses, the
    token stays where it was (and still works, see ``HubConfig.from_settings``) and is logged.
    """
    try:
        data = json.loads(settings_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # no file, or one the settings loader itself reports or keeps aside
    token = data.get("hub_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token.strip():
        return
    keys = keys or KeyStore()
    try:
        if not keys.get(HUB_TOKEN_ACCOUNT):
            keys.set(HUB_TOKEN_ACCOUNT, token.strip())
    except AppError as err:
        log.warning("the Hub token stays in %s: the key store refused it: %s", settings_file, err)
        return
    del data["hub_token"]
    try:
        write_json_atomically(settings_file, data, prefix=".settings-")
    except OSError as exc:
        log.warning("the Hub token is in the key store but could not be removed from %s: %s", settings_file, exc)


def _usable_keyring() -> _CheckedKeyring | None:
    """The keyring backend, or None when keyring has none that works here (no keychain, no D-Bus)."""
    try:
        import keyring
        import keyring.backends.fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # any backend's set-up failure means "no keychain here"
        log.info("no keyring backend: %s", exc)
        return None
    if isinstance(backend, keyring.backends.fail.Keyring):
        return None
    children = getattr(backend, "backends", None)
    if children is not None:  # a ChainerBackend (highest priority first): its first real keychain, alone
        chosen: object | None = next((child for child in children if _is_keychain(child)), None)
        if chosen is None:
            log.info("no system keychain among %s: keys go to Parley's own file", children)
            return None
        return _CheckedKeyring(chosen)
    elif not _is_keychain(backend):
        log.info("the keyring backend %s is not a system keychain: keys go to Parley's own file", backend)
        return None
    return _CheckedKeyring(backend)


# keyring's own priorities: 1 or more for a system keychain, below 1 for stand-ins such as a file.
_KEYCHAIN_PRIORITY = 1.0
_KEYCHAIN_NAMES = {
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.SecretService": "Secret Service (GNOME Keyring, KWallet)",
    "keyring.backends.libsecret": "Secret Service (libsecret)",
    "keyring.backends.kwallet": "KWallet",
}


def _is_keychain(backend: object) -> bool:
    module = type(backend).__module__
    if module.startswith("keyrings.alt"):
        return False  # plain or weakly encrypted files, for tests and odd set-ups
    try:
        priority = float(getattr(backend, "priority", 0))
    except (TypeError, ValueError):
        return False
    return priority >= _KEYCHAIN_PRIORITY


def _keychain_name(backend: object) -> str:
    module = type(backend).__module__
    for prefix, name in _KEYCHAIN_NAMES.items():
        if module.startswith(prefix):
            return name
    return str(getattr(backend, "name", "") or type(backend).__name__)


class _CheckedKeyring:
    """A keyring backend whose failures become ``StorageError`` (a locked or refusing keychain)."""

    def __init__(self, backend: object) -> None:
        self.backend = backend

    def _call(self, method: str, *args: str) -> str | None:
        import keyring.errors

        try:
            result = getattr(self.backend, method)(*args)
        except keyring.errors.PasswordDeleteError:
            raise
        except keyring.errors.KeyringError as exc:
            raise StorageError(path="keyring", reason=exc) from exc
        return result if isinstance(result, str) else None

    def get_password(self, service: str, account: str) -> str | None:
        return self._call("get_password", service, account)

    def set_password(self, service: str, account: str, key: str) -> None:
        self._call("set_password", service, account, key)

    def delete_password(self, service: str, account: str) -> None:
        self._call("delete_password", service, account)
