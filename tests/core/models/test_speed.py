"""The engine's decode measurements that speed estimates are fitted to (the starter and its F16 re-pack,
measured by the real engine), the estimate's rules, its cache, the first-start check, and the first
screen's choice by it."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.engine.protocol import (
    ChatMessage,
    EngineEvent,
    GenerationFinished,
    GenerationRequest,
    ModelLoaded,
    ModelSpec,
    SamplingSettings,
)
from app.core.models import fit, speed
from app.core.models.recommended import load_recommended
from app.core.session import speed_check
from app.core.session.service import EngineService, local_engine_factory
from tests.requantized import requantize

GB = 1000**3
PROMPT = (ChatMessage("user", "Count from 1 to 400, separated by commas."),)
TOKENS = 64


class _Answers:
    """A client of the real engine service that waits for each answer to finish."""

    def __init__(self, service: EngineService) -> None:
        self._done = threading.Event()
        self._event: EngineEvent | None = None
        self.client = service.connect(self._deliver, "speed-test")

    def _deliver(self, event: EngineEvent) -> None:
        if isinstance(event, GenerationFinished | ModelLoaded):
            self._event = event
            self._done.set()

    def answer(self, model_path: Path) -> GenerationFinished:
        model = ModelSpec(str(model_path), model_path.stem, n_ctx=1024, n_gpu_layers=0, n_threads=2)
        sampling = SamplingSettings(temperature=0.0, top_k=1, repeat_penalty=1.0, max_tokens=TOKENS, seed=1)
        self._done.clear()
        self.client.generate(GenerationRequest(uuid.uuid4().hex, model, PROMPT, sampling))
        while True:
            assert self._done.wait(900), "no answer in fifteen minutes"  # a shared 2-core machine is that slow
            self._done.clear()
            if isinstance(self._event, GenerationFinished):
                return self._event


@pytest.fixture(scope="module")
def starter_f16(starter_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The second GGUF: the starter re-packed as F16 by llama.cpp's quantizer (2.75x the bytes)."""
    return requantize(starter_model, tmp_path_factory.mktemp("f16") / "starter-f16.gguf", "F16")


@pytest.fixture(scope="module")
def measured_here(starter_model: Path, starter_f16: Path, tmp_path_factory: pytest.TempPathFactory) -> list[
    speed.DecodeMeasurement
]:
    """This computer's decode speed of both models, measured by the real engine service's answers (and
    cached by it, in a data folder of the module's own: the tests' own folder is not made yet)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PARLEY_HOME", str(tmp_path_factory.mktemp("measured-home")))
        service = EngineService(local_engine_factory())
        try:
            answers = _Answers(service)
            for path in (starter_model, starter_f16):
                answers.answer(path)
            return speed.load_measurements()
        finally:
            service.shutdown()


def test_the_engine_measures_each_answer_and_two_models_fit_both_terms(
    measured_here: list[speed.DecodeMeasurement], starter_model: Path, starter_f16: Path
) -> None:
    # How close the estimate comes to a measured speed is bench/speed_estimate.py's to say: a timed
    # assertion here would fail on a busy machine.
    by_name = {m.model_name: m for m in measured_here}
    assert {starter_model.name, starter_f16.name} <= set(by_name)
    assert by_name[starter_model.name].model_bytes == starter_model.stat().st_size
    assert by_name[starter_f16.name].model_bytes == starter_f16.stat().st_size
    assert not any(m.gpu_offload for m in measured_here)
    calibration = speed.calibrate(measured_here)
    assert calibration.fitted and calibration.fixed_seconds >= 0 and calibration.seconds_per_byte > 0
    assert set(calibration.measured) == {starter_model.name, starter_f16.name}
    # Two sizes: the fitted line goes through both measured times (unless clamped to what can be).
    small, large = sorted((by_name[starter_model.name], by_name[starter_f16.name]), key=lambda m: m.model_bytes)
    least_slope = speed.MIN_BYTE_SHARE * small.seconds_per_token / small.model_bytes
    if calibration.fixed_seconds > 0 and calibration.seconds_per_byte > least_slope:
        for measured in (small, large):
            estimate = speed.estimate_tokens_per_second(measured.model_bytes, calibration)
            assert estimate == pytest.approx(measured.tokens_per_second, rel=1e-6)


def test_the_estimate_falls_with_the_bytes_a_token_reads(measured_here: list[speed.DecodeMeasurement]) -> None:
    calibration = speed.calibrate(measured_here)
    chat = sorted((m for m in load_recommended() if m.kind != "embedding"), key=speed.bytes_per_token)
    estimates = [speed.estimate_for(m, calibration) for m in chat]
    assert estimates == sorted(estimates, reverse=True)
    assert estimates[0] > 2 * estimates[-1]
    one = speed.from_one(measured_here[0])  # one model alone: its time is split by FIXED_SHARE
    assert not one.fitted
    assert speed.estimate_tokens_per_second(measured_here[0].model_bytes, one) == pytest.approx(
        measured_here[0].tokens_per_second
    )


def test_the_cache_holds_this_computers_measurements_and_another_computer_starts_afresh(
    measured_here: list[speed.DecodeMeasurement], parley_home: Path
) -> None:
    assert speed.needs_measuring() and speed.load_measurements() == []  # a fresh data folder: nothing yet
    for measurement in measured_here:
        speed.save_measurement(measurement)
    assert speed.load_measurements() == sorted(measured_here, key=lambda m: m.measured_at)
    assert speed.current_calibration() == speed.calibrate(measured_here) and not speed.needs_measuring()
    # An answer slowed by other work does not make the model slower: each size counts by its best.
    slowed = replace(measured_here[0], tokens_per_second=measured_here[0].tokens_per_second / 2, measured_at=2e9)
    speed.save_measurement(slowed)
    assert speed.load_measurement() == slowed and speed.current_calibration() == speed.calibrate(measured_here)
    # Of each model the latest few answers are kept.
    for number in range(speed.KEPT_PER_MODEL + 2):
        speed.save_measurement(replace(slowed, measured_at=3e9 + number))
    same = [m for m in speed.load_measurements() if m.model_name == slowed.model_name]
    assert len(same) == speed.KEPT_PER_MODEL and same[-1].measured_at == 3e9 + speed.KEPT_PER_MODEL + 1
    # Another computer, or another llama.cpp build, did not measure this one.
    cache = next(parley_home.rglob(speed.CACHE_FILE))
    data = json.loads(cache.read_text())
    cache.write_text(json.dumps({**data, "machine": data["machine"] + " | llama-cpp-python 9.9.9"}))
    assert speed.load_measurements() == [] and speed.needs_measuring()
    assert speed.current_calibration() == speed.from_one(speed.assumed_measurement())


def test_the_first_start_check_times_the_starter_once(starter_model: Path) -> None:
    service = EngineService(local_engine_factory())
    done = threading.Event()
    results: list[speed.Calibration | None] = []

    def finished(calibration: speed.Calibration | None) -> None:
        results.append(calibration)
        done.set()

    try:
        check = speed_check.check_if_needed(service, starter_model, finished)
        assert check is not None
        assert done.wait(900), "the speed check did not finish in fifteen minutes"
        assert speed_check.check_if_needed(service, starter_model, finished) is None  # measured: not again
    finally:
        service.shutdown()
    assert results and results[0] is not None and not results[0].fitted
    assert speed.load_measurement() is not None and speed.load_measurement().model_name == starter_model.name  # type: ignore[union-attr]
    assert speed_check.check_if_needed(service, None, finished) is None  # no starter: nothing to time


def test_this_two_core_computer_is_offered_a_model_it_runs_comfortably(
    measured_here: list[speed.DecodeMeasurement],
) -> None:
    # A 2-core computer with 24 GB and no GPU, with its own measured speeds.
    calibration = speed.calibrate(measured_here)
    machine = fit.MachineProfile(ram_free_bytes=24 * GB)
    fitting = [
        (m, speed.estimate_for(m, calibration))
        for m in load_recommended()
        if fit.estimate_for_recommended(m, 4096, machine).verdict == "fits" and not m.gated
    ]
    choice = speed.main_choice(fitting)
    assert choice is not None
    chosen = dict((m.id, s) for m, s in fitting)[choice.id]
    general = [(m, s) for m, s in fitting if not m.coding and m.thinking != "always"]
    if any(s >= speed.COMFORTABLE_TOKENS_PER_SECOND for _, s in general):
        assert chosen >= speed.COMFORTABLE_TOKENS_PER_SECOND
    else:  # a machine too busy to reach the floor with any: the fastest
        assert chosen == max(s for _, s in general)
    largest_dense = max((m for m, _ in general if not m.active_parameters_b), key=lambda m: m.size_bytes)
    if speed.estimate_for(largest_dense, calibration) < speed.COMFORTABLE_TOKENS_PER_SECOND:
        assert choice != largest_dense  # not the largest that fits: it would answer at a few tokens a second


def test_a_faster_computer_is_offered_a_bigger_model() -> None:
    two_cores = speed.from_one(speed.DecodeMeasurement(98_362_432, 50.0, 2, False, 0.0))  # the starter, busy
    fast = speed.from_one(speed.DecodeMeasurement(98_362_432, 800.0, 16, False, 0.0))
    machine = fit.MachineProfile(ram_free_bytes=16 * GB)  # both with 16 GB free
    models = [
        m for m in load_recommended()
        if not m.gated and fit.estimate_for_recommended(m, 4096, machine).verdict == "fits"
    ]
    small = speed.main_choice([(m, speed.estimate_for(m, two_cores)) for m in models])
    bigger = speed.main_choice([(m, speed.estimate_for(m, fast)) for m in models])
    assert small is not None and bigger is not None
    assert speed.quality_rank(bigger) > speed.quality_rank(small)


def test_a_mixture_of_experts_is_estimated_by_its_active_weights_and_a_gpu_speeds_it_up() -> None:
    gpt_oss = next(m for m in load_recommended() if m.id == "gpt-oss-20b")
    assert speed.bytes_per_token(gpt_oss) < gpt_oss.size_bytes / 4
    measurement = speed.DecodeMeasurement(98_000_000, 100.0, 2, False, 0.0)
    cpu_only = speed.from_one(measurement)
    cpu = speed.estimate_for(gpt_oss, cpu_only)
    dense_same_size = speed.estimate_tokens_per_second(gpt_oss.size_bytes, cpu_only)
    assert cpu > 3 * dense_same_size
    assert speed.estimate_for(gpt_oss, cpu_only, gpu_share=1.0) > 3 * cpu
    half = speed.estimate_for(gpt_oss, cpu_only, gpu_share=0.5)
    assert cpu < half < speed.estimate_for(gpt_oss, cpu_only, gpu_share=1.0)
    # A measurement taken on a GPU is not scaled again, and one on the CPU is preferred to it.
    on_gpu = replace(measurement, gpu_offload=True, measured_at=1.0)
    gpu_calibration = speed.calibrate([on_gpu])
    assert speed.estimate_for(gpt_oss, gpu_calibration, gpu_share=1.0) == speed.estimate_for(gpt_oss, gpu_calibration)
    assert speed.calibrate([measurement, on_gpu]) == cpu_only


def test_none_fast_enough_offers_the_fastest_and_special_purpose_models_are_not_a_first_download() -> None:
    slow = speed.from_one(speed.DecodeMeasurement(98_000_000, 3.0, 2, False, 0.0))
    models = [m for m in load_recommended() if m.kind != "embedding"]
    choice = speed.main_choice([(m, speed.estimate_for(m, slow)) for m in models])
    assert choice is not None and choice.size_bytes == min(m.size_bytes for m in models if not m.coding)
    coder = next(m for m in models if m.coding)
    assert speed.main_choice([(coder, 100.0)]) is None


def test_a_broken_cache_is_measured_again(parley_home: Path) -> None:
    saved = speed.DecodeMeasurement(98_000_000, 55.5, 2, False, 1.0, "starter.gguf")
    speed.save_measurement(saved)
    assert speed.load_measurement() == saved
    cache = next(parley_home.rglob(speed.CACHE_FILE))
    cache.write_text("{not json")
    assert speed.load_measurement() is None and speed.needs_measuring()


def test_a_noisy_pair_never_makes_the_bytes_free() -> None:
    # The larger model happened to decode faster (a busy machine): the fit keeps a byte term.
    small = speed.DecodeMeasurement(100_000_000, 40.0, 2, False, 0.0, "small")
    large = speed.DecodeMeasurement(300_000_000, 45.0, 2, False, 1.0, "large")
    calibration = speed.calibrate([small, large])
    assert calibration.seconds_per_byte > 0
    assert speed.estimate_tokens_per_second(5_000_000_000, calibration) < speed.estimate_tokens_per_second(
        300_000_000, calibration
    )
    # Sizes too close to tell the terms apart: the latest alone, split by FIXED_SHARE.
    close = replace(large, model_bytes=110_000_000)
    assert not speed.calibrate([small, close]).fitted


def test_the_shown_number_is_rounded_to_two_figures() -> None:
    assert [speed.rounded(x) for x in (0.2, 3.4, 9.6, 18.4, 123.0, 1234.0)] == [1, 3, 10, 18, 120, 1200]
