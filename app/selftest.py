"""``parley --self-test``: a headless check that this installation (a bundle or the source tree) works.

Each check prints one line, ``PASS name: detail``, ``SKIP name: why`` or ``FAIL name: why``; the
run exits 0 only when no check failed. The checks are what a double-clicked Parley needs first: Qt
starts (offscreen), the resources and translations are where ``paths.resources_dir`` says, a history
database opens (in a temporary data folder), a window built in English switches to 简体中文 while it
is open (from the ``.qm`` alone, as the bundle ships it), the engine process loads a model (``--model``
or the starter; skipped when there is neither) and generates 8 tokens, the first screen offers a way
forward (a chat, or "Open a GGUF file…" where no model is installed), and a bundle holds none of the
modules and libraries only a developer's machine has. The starter is found with
``importlib.util.find_spec`` and never imported.

The self-test changes nothing of the user's: ``PARLEY_HOME`` points at a temporary folder for the
whole run, so the database, the settings and the log land there and are removed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

TOKENS = 8
ENGINE_TIMEOUT_S = 180.0
# What a bundle built from the runtime dependencies alone never holds: dev-only SDKs and servers,
# the test runner, build tools, and GTK (its Python bindings, or the libraries Qt's GTK3 theme
# plugin would bring from the build host).
UNWANTED_MODULES = (
    "openai",
    "fastapi",
    "pydantic",
    "_pytest",
    "pytest",
    "pytestqt",
    "mypy",
    "ruff",
    "gi",
    "pip",
    "setuptools",
    "PyInstaller",
    "llama_cpp.server",
    "keyrings.alt",
    "tkinter",
)
UNWANTED_LIBRARIES = ("libgtk-3.so*", "libgdk-3.so*", "libqgtk3.so")


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str
    skipped: bool = False

    def line(self) -> str:
        verdict = "SKIP" if self.skipped else "PASS" if self.passed else "FAIL"
        return f"{verdict} {self.name}: {self.detail}"


class CheckError(Exception):
    """A check's expected failure: its message is the line's reason."""


class CheckSkippedError(Exception):
    """A check that cannot run here and is not a failure (no model to load): its message says why."""


def check_qt() -> str:
    """A QApplication starts on the offscreen platform and paints a widget."""
    from PySide6 import QtCore, QtNetwork, QtWidgets

    application = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["parley", "-platform", "offscreen"])
    widget = QtWidgets.QLabel("Parley")
    widget.resize(200, 40)
    widget.show()
    image = widget.grab().toImage()
    widget.close()
    if image.isNull() or image.width() < 1:
        raise CheckError("the offscreen window painted nothing")
    server = QtNetwork.QLocalServer()  # the single-instance handover needs QtNetwork
    del server
    platform = application.platformName() if isinstance(application, QtWidgets.QApplication) else "?"
    return f"Qt {QtCore.qVersion()} on '{platform}', a {image.width()}×{image.height()} window painted"


def check_resources() -> str:
    """The catalog, the icons and the Chinese translation are found and load."""
    from PySide6 import QtCore

    from app.core import paths
    from app.core.models import recommended

    root = paths.resources_dir()
    models = recommended.load_recommended()
    if not models:
        raise CheckError(f"the catalog in {root} lists no models")
    icon = paths.resource_path("icons", "parley.svg")
    if not icon.is_file():
        raise CheckError(f"no icon at {icon}")
    translator = QtCore.QTranslator()
    qm = paths.resource_path("translations", "parley_zh_CN.qm")
    if not translator.load(str(qm)) or translator.isEmpty():
        raise CheckError(f"the Chinese translation {qm} does not load")
    mode = "frozen bundle" if paths.is_frozen() else "source tree"
    return f"{mode}: {root} ({len(models)} catalog models, the icon, the zh_CN translation)"


def check_database() -> str:
    """A history opens, takes a conversation and a message, and reads them back."""
    from app.core import paths
    from app.core.history.store import Store

    store = Store()
    try:
        conversation = store.create_conversation("self-test")
        store.add_message(conversation.id, "user", "self-test")
        count = len(store.messages(conversation.id))
    finally:
        store.close()
    if count != 1:
        raise CheckError(f"wrote 1 message and read back {count}")
    return f"{paths.database_path()} opened, written and read back"


def check_language_switch() -> str:
    """A window built in English and switched to 简体中文 while open shows Chinese in its menu and composer."""
    from PySide6 import QtWidgets

    from app.core.config.settings import SettingsStore
    from app.core.history.store import Store
    from app.ui.common import i18n
    from app.ui.shell.application import build_services
    from app.ui.shell.main_window import MainWindow

    application = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["parley", "-platform", "offscreen"])
    store = Store()
    window = MainWindow(build_services(store, SettingsStore()))
    try:
        english = (window.menuBar().actions()[0].text(), window.composer.edit.placeholderText())
        i18n.switch_language(application, "zh_CN")
        application.processEvents()  # the LanguageChange events
        shown = (window.menuBar().actions()[0].text(), window.composer.edit.placeholderText())
        if shown[0] == english[0] or shown[1] == english[1] or not any(ord(ch) > 0x2E80 for ch in "".join(shown)):
            raise CheckError(f"still English after the switch: menu {shown[0]!r}, composer {shown[1]!r}")
    finally:
        i18n.switch_language(application, "en")
        window.shutdown()
        store.close()
    return f"menu {english[0]!r} → {shown[0]!r}, composer → {shown[1][:12]!r}…"


def starter_path() -> Path | None:
    from app.core.models import installed

    return installed.starter_model_path()


def check_engine(model: Path | None) -> str:
    """The engine process starts, loads the model and generates ``TOKENS`` tokens."""
    from app.core.engine.local import LocalEngine
    from app.core.engine.protocol import (
        ChatMessage,
        EngineCrashed,
        EngineEvent,
        GenerationFailed,
        GenerationFinished,
        GenerationRequest,
        ModelLoaded,
        ModelLoadFailed,
        ModelSpec,
        SamplingSettings,
    )

    path = model or starter_path()
    if path is None:
        raise CheckSkippedError("no model to load: the starter is not installed (pass --model PATH to a .gguf)")
    if not path.is_file():
        raise CheckError(f"no model file at {path}")
    events: queue.Queue[EngineEvent] = queue.Queue()
    engine = LocalEngine(events.put)
    try:
        spec = ModelSpec(str(path), path.stem, n_ctx=512)
        sampling = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=TOKENS, seed=1)
        request = GenerationRequest(uuid.uuid4().hex, spec, (ChatMessage("user", "Say hello."),), sampling)
        started = time.monotonic()
        engine.generate(request)
        deadline = started + ENGINE_TIMEOUT_S
        loaded = 0.0
        while True:
            try:
                event = events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise CheckError(f"no answer from the engine in {ENGINE_TIMEOUT_S:.0f} s") from None
            if isinstance(event, ModelLoaded):
                loaded = event.load_seconds
            elif isinstance(event, ModelLoadFailed):
                raise CheckError(f"the model did not load: {event.reason}")
            elif isinstance(event, (GenerationFailed, EngineCrashed)):
                raise CheckError(f"the engine failed: {event.reason}")
            elif isinstance(event, GenerationFinished):
                break
    finally:
        engine.shutdown()
    tokens = event.stats.generated_tokens
    if tokens != TOKENS:
        raise CheckError(f"asked for {TOKENS} tokens and got {tokens} ({event.reason})")
    return f"{path.name} loaded in {loaded:.2f} s, {tokens} tokens generated ({event.text.strip()[:40]!r})"


def check_first_screen() -> str:
    """The welcome page starts a chat with the model found, or, with none at all, says so and opens a file."""
    from PySide6 import QtWidgets

    from app.core.models import installed
    from app.ui.models.welcome import WelcomePanel

    if QtWidgets.QApplication.instance() is None:
        raise CheckError("no QApplication (the qt check failed)")
    models = installed.installed_models()
    welcome = WelcomePanel()
    try:
        welcome.set_model(models[0] if models else None)
        welcome.set_installed(models)
        button = welcome.start_button
        if not button.isEnabled() or not button.text():
            raise CheckError(f"its main way forward is disabled: “{button.text()}”")
        if welcome.offers_open_file() != (not models) or (not models and not welcome.start_note.text()):
            raise CheckError("with no model installed it neither explains why nor offers to open a file")
        return f"{len(models)} model(s) installed; it offers “{button.text()}”"
    finally:
        welcome.deleteLater()


def _bundled_modules() -> set[str]:
    """The module names in the bundle's archive, from PyInstaller's importer (empty outside a bundle)."""
    importers = sys.modules.get("pyimod02_importers")
    toc = getattr(getattr(importers, "pyz_archive", None), "toc", None)
    return {name for name in toc if isinstance(name, str)} if isinstance(toc, dict) else set()


def unwanted_inside(root: Path, modules: set[str]) -> list[str]:
    """The ``UNWANTED_MODULES`` in ``modules`` or on disk under ``root``, then the ``UNWANTED_LIBRARIES`` there."""
    found: list[str] = []
    for name in UNWANTED_MODULES:
        on_disk = root.joinpath(*name.split(".")).is_dir() or any(root.glob(f"{name.replace('.', '/')}.*.so"))
        if on_disk or name in modules or any(module.startswith(f"{name}.") for module in modules):
            found.append(name)
    libraries = {path.name for pattern in UNWANTED_LIBRARIES for path in root.rglob(pattern)}
    return found + sorted(libraries)


def check_contents() -> str:
    """A bundle holds none of ``UNWANTED_MODULES`` and ``UNWANTED_LIBRARIES``."""
    from app.core import paths

    if not paths.is_frozen():
        raise CheckSkippedError("the source tree is not a bundle")
    root = paths.bundle_root()
    modules = _bundled_modules()
    if __name__ not in modules:  # the list was not read: the check would pass on anything
        raise CheckError("the bundle's module list could not be read")
    found = unwanted_inside(root, modules)
    if found:
        raise CheckError(f"inside the bundle but only needed to develop or build it: {', '.join(found)}")
    files = sum(1 for path in root.rglob("*") if path.is_file())
    return f"{len(modules)} modules, {files} files, none of {len(UNWANTED_MODULES)} dev-only modules or the host's GTK"


@contextlib.contextmanager
def temporary_home() -> Iterator[Path]:
    """``PARLEY_HOME`` at a fresh folder for the duration, then the previous value and no folder."""
    from app.core import paths

    folder = Path(tempfile.mkdtemp(prefix="parley-selftest-"))
    previous = os.environ.get(paths.HOME_ENV)
    os.environ[paths.HOME_ENV] = str(folder)
    try:
        yield folder
    finally:
        if previous is None:
            os.environ.pop(paths.HOME_ENV, None)
        else:
            os.environ[paths.HOME_ENV] = previous
        shutil.rmtree(folder, ignore_errors=True)


def _run_check(name: str, check: Callable[[], str]) -> CheckResult:
    try:
        return CheckResult(name, True, check())
    except CheckError as failed:
        return CheckResult(name, False, str(failed))
    except CheckSkippedError as skipped:
        return CheckResult(name, True, str(skipped), skipped=True)
    except Exception as exc:  # a self-test reports a bug as a failed line, with where it happened
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return CheckResult(name, False, f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})")


def run(model: Path | None = None, out: TextIO | None = None) -> int:
    """Runs every check, prints one line each to ``out`` (stdout); 0 when none failed, else 1."""
    out = out or sys.stdout
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.core import paths
    from app.version import version_line

    print(f"{version_line()} self-test ({'frozen' if paths.is_frozen() else 'source'}, {sys.executable})", file=out)
    results: list[CheckResult] = []
    with temporary_home():
        checks: list[tuple[str, Callable[[], str]]] = [
            ("qt", check_qt),
            ("resources", check_resources),
            ("database", check_database),
            ("language", check_language_switch),
            ("engine", lambda: check_engine(model)),
            ("first-screen", check_first_screen),
            ("contents", check_contents),
        ]
        for name, check in checks:
            result = _run_check(name, check)
            results.append(result)
            print(result.line(), file=out, flush=True)
    failed = [result.name for result in results if not result.passed]
    # Not pytest's "N passed, N failed" shape: CI reads that as the test run's closing line.
    skipped = [result.name for result in results if result.skipped]
    verdict = f"skipped: {', '.join(skipped)}, " if skipped else ""
    if failed:
        verdict += f"failed: {', '.join(failed)}"
    else:
        verdict += "the others passed" if skipped else "every check passed"
    print(f"self-test: {len(results)} checks, {verdict}", file=out, flush=True)
    return 1 if failed else 0
