"""The engine's decode measurement that speed estimates start from, the estimate's rules, and the first
screen's choice by it."""

from __future__ import annotations

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
from app.core.session.service import EngineService, local_engine_factory

GB = 1000**3
PROMPT = (ChatMessage("user", "Count from 1 to 400, separated by commas."),)
TOKENS = 96


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
            assert self._done.wait(300), "no answer in five minutes"
            self._done.clear()
            if isinstance(self._event, GenerationFinished):
                return self._event


def test_a_local_answer_leaves_its_decode_speed_measured_in_the_engine(starter_model: Path) -> None:
    # How close the estimate comes to a measured speed is bench/speed_estimate.py's to say: a timed
    # assertion here would fail on a busy machine.
    service = EngineService(local_engine_factory())
    try:
        stats = _Answers(service).answer(starter_model).stats
    finally:
        service.shutdown()
    cached = speed.load_measurement()  # the service took llama.cpp's own timing of the answer and cached it
    assert cached is not None and cached.model_bytes == starter_model.stat().st_size
    assert cached.tokens_per_second == pytest.approx(stats.decoded_tokens / stats.decode_seconds, rel=1e-6)
    assert not cached.gpu_offload


def test_a_two_core_computer_without_a_gpu_is_offered_a_model_that_answers_comfortably() -> None:
    # A 2-core laptop with 24 GB: the starter decodes at about 100 tokens/s there (the bench's number).
    two_cores = speed.DecodeMeasurement(model_bytes=98_362_432, tokens_per_second=100.0, n_threads=2,
                                        gpu_offload=False, measured_at=0.0)
    machine = fit.MachineProfile(ram_free_bytes=24 * GB)
    models = [m for m in load_recommended() if m.kind != "embedding"]
    fitting = [
        (m, speed.estimate_for(m, two_cores))
        for m in models
        if fit.estimate_for_recommended(m, 4096, machine).verdict == "fits" and not m.gated
    ]
    choice = speed.main_choice(fitting)
    assert choice is not None
    assert speed.estimate_for(choice, two_cores) >= speed.COMFORTABLE_TOKENS_PER_SECOND
    largest_dense = max((m for m, _ in fitting if not m.active_parameters_b), key=lambda m: m.size_bytes)
    assert choice != largest_dense  # not the largest that fits: that one would answer at a few tokens a second
    assert speed.estimate_for(largest_dense, two_cores) < speed.COMFORTABLE_TOKENS_PER_SECOND
    # A faster computer is offered a bigger model.
    fast = replace(two_cores, tokens_per_second=400.0)
    bigger = speed.main_choice([(m, speed.estimate_for(m, fast)) for m, _ in fitting])
    assert bigger is not None and bigger.size_bytes > choice.size_bytes


def test_a_mixture_of_experts_is_estimated_by_its_active_weights_and_a_gpu_speeds_it_up() -> None:
    gpt_oss = next(m for m in load_recommended() if m.id == "gpt-oss-20b")
    assert speed.bytes_per_token(gpt_oss) < gpt_oss.size_bytes / 4
    measurement = speed.DecodeMeasurement(98_000_000, 100.0, 2, False, 0.0)
    cpu = speed.estimate_for(gpt_oss, measurement)
    dense_same_size = speed.estimate_tokens_per_second(gpt_oss.size_bytes, measurement)
    assert cpu > 3 * dense_same_size
    assert speed.estimate_for(gpt_oss, measurement, gpu_share=1.0) > 3 * cpu
    # A measurement taken on a GPU is not scaled again.
    on_gpu = replace(measurement, gpu_offload=True)
    assert speed.estimate_for(gpt_oss, on_gpu, gpu_share=1.0) == speed.estimate_for(gpt_oss, on_gpu)


def test_none_fast_enough_offers_the_fastest_and_special_purpose_models_are_not_a_first_download() -> None:
    slow = speed.DecodeMeasurement(98_000_000, 3.0, 2, False, 0.0)
    models = [m for m in load_recommended() if m.kind != "embedding"]
    choice = speed.main_choice([(m, speed.estimate_for(m, slow)) for m in models])
    assert choice is not None and choice.size_bytes == min(m.size_bytes for m in models if not m.coding)
    coder = next(m for m in models if m.coding)
    assert speed.main_choice([(coder, 100.0)]) is None


def test_the_cache_survives_and_a_broken_one_is_measured_again(parley_home: Path) -> None:
    assert speed.load_measurement() is None
    saved = speed.DecodeMeasurement(98_000_000, 55.5, 2, False, 1.0, "starter.gguf")
    speed.save_measurement(saved)
    assert speed.load_measurement() == saved
    cache = next(parley_home.rglob(speed.CACHE_FILE))
    cache.write_text("{not json")
    assert speed.load_measurement() is None


def test_the_shown_number_is_rounded_to_two_figures() -> None:
    assert [speed.rounded(x) for x in (0.2, 3.4, 9.6, 18.4, 123.0, 1234.0)] == [1, 3, 10, 18, 120, 1200]
