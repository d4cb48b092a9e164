"""Runs a piece of direct llama.cpp work for a test in a fresh child process, as the app runs its engine.

Loading a model inside the long-lived pytest process (hundreds of tests in, with Qt, servers and their
threads around it) crashed it now and then with a segfault in llama.cpp's loader, taking the whole run
down. A fresh process per call keeps that state out; a child that dies fails only the test that asked.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def in_child(work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``work(*args, **kwargs)`` computed in a new spawned process; its result (picklable) comes back."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            return pool.submit(work, *args, **kwargs).result(timeout=600)
        except BrokenProcessPool as exc:
            raise AssertionError(f"the child process running {work.__qualname__} died (a native crash)") from exc
