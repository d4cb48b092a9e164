"""Crash reports: what they hold (versions, system, traceback) and what they never hold (what the user wrote)."""

from __future__ import annotations

import sys
from pathlib import Path

import app
from app.core import crashreport, paths


def _report_of(error: BaseException) -> str:
    try:
        raise error
    except BaseException:
        exc_type, exc, tb = sys.exc_info()
        assert exc_type is not None and exc is not None
        return crashreport.build_report(crashreport.format_traceback(exc_type, exc, tb), {"Qt": "6.x"})


def test_a_report_names_the_versions_the_system_and_the_traceback() -> None:
    def failing_helper() -> None:
        raise ZeroDivisionError("division by zero")

    try:
        failing_helper()
    except ZeroDivisionError:
        exc_type, exc, tb = sys.exc_info()
        assert exc_type is not None and exc is not None
        text = crashreport.build_report(crashreport.format_traceback(exc_type, exc, tb), {"Qt": "6.11.3"})
    path = crashreport.write_report(text)

    assert path is not None and path.parent == paths.log_dir() and path.name.startswith("crash-")
    written = path.read_text(encoding="utf-8")
    assert written == text
    for label in ("Parley", "Python", "Qt", "llama.cpp", "OS", "CPU", "Memory available", "GPU"):
        assert any(line.startswith(label + " ") for line in written.splitlines()), label
    assert app.__version__ in written and "6.11.3" in written and "llama-cpp-python " in written
    assert "failing_helper" in written and "ZeroDivisionError: division by zero" in written
    assert crashreport.reports() == [path]


def test_two_reports_in_one_second_are_both_kept() -> None:
    first = crashreport.write_report("one", when=1_800_000_000)
    second = crashreport.write_report("two", when=1_800_000_000)
    assert first is not None and second is not None and first != second
    assert {first.read_text(), second.read_text()} == {"one", "two"}


def test_a_message_that_quotes_what_the_user_wrote_is_cut_before_it() -> None:
    written_by_user = "my bank password is hunter2"
    report = _report_of(ValueError("could not parse " + "x" * 300 + written_by_user))
    assert written_by_user not in report
    assert "ValueError: could not parse xxx" in report and crashreport.CUT in report


def test_local_variables_never_reach_the_report() -> None:
    def handles_a_message(text: str) -> None:
        words = text.split()
        raise RuntimeError(f"{len(words)} words")

    diary = " ".join(["about", "my", "medical", "diagnosis"])  # not on a traceback line
    try:
        handles_a_message(diary)
    except RuntimeError:
        exc_type, exc, tb = sys.exc_info()
        assert exc_type is not None and exc is not None
        report = crashreport.build_report(crashreport.format_traceback(exc_type, exc, tb))
    assert "RuntimeError: 4 words" in report
    assert "medical" not in report and "diagnosis" not in report


def test_a_refused_log_folder_gives_no_report_and_no_exception(parley_home: Path) -> None:
    (parley_home / "logs").write_text("a file where the log folder should be")
    assert crashreport.write_report("text") is None
