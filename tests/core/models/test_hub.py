"""Talking to the Hub: search, file listings, and the errors a user sees when it goes wrong."""

from __future__ import annotations

import time

import httpx2
import pytest

from app.core.config.settings import Settings
from app.core.errors import HubGatedRepoError, HubNotFoundError, HubUnreachableError
from app.core.models import hub
from app.core.models.hub import HubConfig
from tests.fakehub import GATED_REPO, KQUANTS_REPO, NOT_GGUF_REPO, STARTER_REPO, FakeHub


def test_search_finds_gguf_repos_with_downloads_and_likes(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    results = hub.search_models("parley-test", config=hub_env)
    repos = [r.repo for r in results]
    assert repos[0] == STARTER_REPO  # most downloaded first
    assert NOT_GGUF_REPO not in repos  # only GGUF repos
    starter = results[0]
    assert (starter.downloads, starter.likes) == (5000, 120)
    assert next(r for r in results if r.repo == GATED_REPO).gated
    request = fake_hub.requests[-1]
    assert request.query["filter"] == ["gguf"] and request.query["search"] == ["parley-test"]


def test_search_with_no_match_is_empty(hub_env: HubConfig) -> None:
    assert hub.search_models("no-such-model-anywhere", config=hub_env) == []


def test_listing_groups_quants_and_split_parts(hub_env: HubConfig) -> None:
    listing = hub.list_gguf_files(KQUANTS_REPO, config=hub_env)
    assert len(listing.commit) == 40
    by_quant = {m.quantization: m for m in listing.models}
    assert set(by_quant) == {"Q2_K", "IQ4_XS", "Q4_K_M", "Q8_0", "F16", "BF16"}
    assert [m.size for m in listing.models] == sorted(m.size for m in listing.models)  # smallest first
    split = by_quant["BF16"]
    assert split.is_split and split.name == "tiny-BF16-00001-of-00002.gguf"
    assert [p.name for p in split.parts] == ["tiny-BF16-00001-of-00002.gguf", "tiny-BF16-00002-of-00002.gguf"]
    assert split.size == sum(p.size for p in split.parts)
    assert all(p.sha256 and len(p.sha256) == 64 for p in split.parts)
    assert listing.incomplete == ("tiny-Q6_K-00001-of-00002.gguf",)  # a part whose sibling is missing
    assert "README.md" not in {m.name for m in listing.models}


def test_listing_a_missing_repo_or_revision(hub_env: HubConfig) -> None:
    with pytest.raises(HubNotFoundError, match="no-such/repo"):
        hub.list_gguf_files("no-such/repo", config=hub_env)
    with pytest.raises(HubNotFoundError, match="v9"):
        hub.list_gguf_files(STARTER_REPO, "v9", config=hub_env)


def test_a_gated_repo_lists_but_its_files_need_a_token(hub_env: HubConfig) -> None:
    listing = hub.list_gguf_files(GATED_REPO, config=hub_env)
    assert listing.gated
    name = listing.models[0].name
    with pytest.raises(HubGatedRepoError) as caught:
        hub.resolve_file(GATED_REPO, name, listing.commit, config=hub_env)
    message = caught.value.user_message()
    assert GATED_REPO in message and "accept its licence" in message and "access token in Settings" in message


@pytest.mark.parametrize("call", ["search", "list"])
def test_offline_is_reported_quickly(closed_port_endpoint: str, call: str) -> None:
    config = HubConfig(endpoint=closed_port_endpoint)
    started = time.monotonic()
    with pytest.raises(HubUnreachableError) as caught:
        if call == "search":
            hub.search_models("anything", config=config)
        else:
            hub.list_gguf_files(STARTER_REPO, config=config)
    assert time.monotonic() - started < 20, "a refused connection is not retried for the HTTP library's ~23 s"
    assert "Installed models keep working" in caught.value.user_message()
    assert "refused" in caught.value.user_message()


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (httpx2.ConnectError("[Errno -2] Name or service not known"), "could not be looked up"),
        (httpx2.ConnectTimeout("timed out"), "timed out"),
        (httpx2.ReadTimeout("timed out"), "timed out"),
        (httpx2.RemoteProtocolError("peer closed connection"), "connection failed"),
    ],
)
def test_transport_errors_become_the_offline_message(error: Exception, reason: str) -> None:
    # DNS failures and timeouts are not provoked for real: the tests reach no host but 127.0.0.1.
    with pytest.raises(HubUnreachableError, match=reason), hub.translate_errors("some/repo"):
        raise error


def test_the_endpoint_comes_from_settings_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:1234/")
    assert HubConfig.from_settings(Settings()).endpoint == "http://127.0.0.1:1234"
    assert HubConfig.from_settings(Settings(hub_endpoint="http://mirror.example")).endpoint == "http://mirror.example"
    monkeypatch.delenv("HF_ENDPOINT")
    assert HubConfig.from_settings(Settings()).endpoint == "https://huggingface.co"
    assert HubConfig.from_settings(Settings(hub_token=" hf_x ")).token == "hf_x"
    assert HubConfig.from_settings(Settings()).token is None


def test_the_token_is_sent_only_when_set(hub_env: HubConfig, fake_hub: FakeHub) -> None:
    hub.list_gguf_files(STARTER_REPO, config=hub_env)
    assert "authorization" not in fake_hub.requests[-1].headers
    hub.list_gguf_files(STARTER_REPO, config=HubConfig(hub_env.endpoint, "hf_secret"))
    assert fake_hub.requests[-1].headers["authorization"] == "Bearer hf_secret"
