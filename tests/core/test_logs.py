"""The log file, and stderr where the log folder cannot be written."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core import logs


@pytest.fixture
def app_logger() -> Iterator[logging.Logger]:
    """The ``app`` logger, with the handlers it had before the test put back afterwards."""
    logger = logging.getLogger("app")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    for handler in logger.handlers:
        if handler not in handlers:
            handler.close()
    logger.handlers = handlers
    logger.setLevel(level)


def test_the_log_goes_to_the_log_file(parley_home: Path, app_logger: logging.Logger) -> None:
    target = logs.configure()

    assert target == parley_home / "logs" / logs.LOG_NAME
    assert logs.configure() == target  # a second call adds nothing
    logging.getLogger("app.test").info("hello file")
    for handler in app_logger.handlers:
        handler.flush()
    assert "hello file" in target.read_text(encoding="utf-8")


def test_an_unwritable_log_folder_falls_back_to_stderr_and_says_so(
    parley_home: Path, app_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    (parley_home / "logs").write_text("a file where the log folder should be")  # refused even to root

    assert logs.configure() is None
    assert logs.configure() is None
    logging.getLogger("app.test").warning("hello stderr")

    err = capsys.readouterr().err
    assert "logging to stderr only" in err
    assert "hello stderr" in err
    assert sum(isinstance(h, logs.StderrHandler) for h in app_logger.handlers) == 1
    assert "Traceback" not in err
