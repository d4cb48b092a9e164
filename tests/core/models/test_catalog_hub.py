"""A recommended model against a Hub that changed: a renamed file, a moved model, an unknown architecture."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import ArchitectureUnknownError, HubFileNotFoundError, HubModelMovedError
from app.core.models import gguf, hub
from app.core.models.downloads import Download, DownloadRequest
from app.core.models.hub import HubConfig
from app.core.models.library import import_model
from tests.fakehub import (
    FUTURE_ARCH,
    FUTURE_ARCH_REPO,
    RENAMED_FILE,
    RENAMED_REPO,
    STARTER_FILE,
    STARTER_REPO,
    FakeHub,
    sha256,
)


def test_a_catalog_file_renamed_on_the_hub_is_found_by_its_quantization(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    # The catalog still names the old file; the repo now has the same model under a new name.
    request = DownloadRequest(RENAMED_REPO, (STARTER_FILE,), quantization="Q4_1")
    result = Download(request, config=hub_env).run()
    assert result.status == "installed" and result.model_path is not None
    assert result.model_path.name == RENAMED_FILE
    # Its sha256 is the one the Hub publishes now, not one the catalog could have kept.
    assert sha256(result.model_path) == fake_hub.repos[RENAMED_REPO].files[RENAMED_FILE].sha256


def test_without_the_pattern_a_missing_file_is_still_said_as_missing(hub_env: HubConfig) -> None:
    with pytest.raises(HubFileNotFoundError):
        Download(DownloadRequest(RENAMED_REPO, (STARTER_FILE,)), config=hub_env).run()


def test_a_catalog_model_gone_from_its_repo_says_it_was_moved(hub_env: HubConfig) -> None:
    request = DownloadRequest(RENAMED_REPO, ("SmolLM2-135M-Instruct-Q4_K_M.gguf",), quantization="Q4_K_M")
    with pytest.raises(HubModelMovedError) as caught:
        Download(request, config=hub_env).run()
    assert caught.value.user_message() == "This model was moved on the Hub; search for it."


def test_an_architecture_this_llama_cpp_does_not_know_is_marked_before_download(hub_env: HubConfig) -> None:
    future = hub.list_gguf_files(FUTURE_ARCH_REPO, config=hub_env)
    assert future.architecture == FUTURE_ARCH and future.needs_newer_parley
    known = hub.list_gguf_files(RENAMED_REPO, config=hub_env)
    assert known.architecture == "llama" and not known.needs_newer_parley
    assert not hub.list_gguf_files(STARTER_REPO, config=hub_env).needs_newer_parley  # the Hub said nothing


@pytest.mark.parametrize(
    "architecture",
    [
        "qwen3", "qwen3moe", "gemma3", "gemma3n", "gpt-oss", "lfm2", "llama", "granite", "granitehybrid", "smollm3",
        "phi3",
    ],
)
def test_this_llama_cpp_knows_every_architecture_the_catalog_offers(architecture: str) -> None:
    assert gguf.architecture_is_known(architecture) is True


def test_importing_a_model_of_an_unknown_architecture_is_refused_with_one_sentence(
    tmp_path: Path, fake_hub: FakeHub
) -> None:
    future = fake_hub.repos[FUTURE_ARCH_REPO].files["future-Q4_K_M.gguf"]
    path = tmp_path / "future-Q4_K_M.gguf"
    path.write_bytes(future.read(0, future.size))
    with pytest.raises(ArchitectureUnknownError) as caught:
        import_model(path, copy=False)
    assert caught.value.user_message().startswith("This model needs a newer Parley")
    assert FUTURE_ARCH in caught.value.user_message()


def test_the_starter_imports(starter_model: Path) -> None:
    assert import_model(starter_model, copy=False).info.architecture == "llama"


def test_search_results_carry_the_architecture_the_hub_read(hub_env: HubConfig) -> None:
    found = {summary.repo: summary for summary in hub.search_models("GGUF", config=hub_env)}
    assert found[FUTURE_ARCH_REPO].architecture == FUTURE_ARCH and found[FUTURE_ARCH_REPO].needs_newer_parley
    assert found[RENAMED_REPO].architecture == "llama" and not found[RENAMED_REPO].needs_newer_parley
    assert found[STARTER_REPO].architecture is None and not found[STARTER_REPO].needs_newer_parley  # not said
