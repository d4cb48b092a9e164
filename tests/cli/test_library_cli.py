"""``parley library`` run as a user would: add (indexed at once), list, search, reindex, remove, and its errors."""

from __future__ import annotations

from pathlib import Path

from app.core.config.settings import Settings, save
from app.core.models.installed import STARTER_NAME
from tests.cli.test_cli import parley


def _folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "vault.txt").write_text("The vault code is 4417 and it opens at dawn.", encoding="utf-8")
    (docs / "garden.md").write_text("# Garden\nThe orchard needs copper wire before winter.", encoding="utf-8")
    (docs / "说明.txt").write_text("项目的代号是紫星，由研发部确定。", encoding="utf-8")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a PDF")
    return docs


def test_add_list_search_reindex_remove(parley_home: Path, tmp_path: Path) -> None:
    docs = _folder(tmp_path)
    added = parley(parley_home, "library", "add", str(docs))
    assert added.returncode == 0, added.stderr
    assert f"added {docs}" in added.stdout
    assert f"indexed {docs}: 4 files, 1 could not be read" in added.stdout
    assert "indexing" in added.stderr and "4 of 4 files" in added.stderr
    assert "passages are ranked by words only, because no embedding model is set" in added.stderr

    listed = parley(parley_home, "library", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith(f"{docs}\tneeds embedder\t4 of 4 files")

    found = parley(parley_home, "library", "search", "vault code")
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines()[0] == f"[1] vault.txt  ({docs / 'vault.txt'})"
    assert "4417" in found.stdout.splitlines()[1]
    chinese = parley(parley_home, "library", "search", "项目的代号", "--folder", str(docs))
    assert chinese.stdout.startswith("[1] 说明.txt")

    (docs / "vault.txt").write_text("The vault code is now 9000, changed on Monday.", encoding="utf-8")
    reindexed = parley(parley_home, "library", "reindex")
    assert reindexed.returncode == 0, reindexed.stderr
    assert "9000" in parley(parley_home, "library", "search", "vault code").stdout

    removed = parley(parley_home, "library", "remove", str(docs))
    assert removed.returncode == 0 and f"removed {docs}" in removed.stdout
    assert "the library has no folders" in parley(parley_home, "library", "list").stdout
    assert "nothing in the library matches" in parley(parley_home, "library", "search", "vault").stdout


def test_errors_are_one_sentence(parley_home: Path, tmp_path: Path) -> None:
    missing = parley(parley_home, "library", "add", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"parley: {tmp_path / 'nowhere'} is not a folder Parley can index."
    unknown = parley(parley_home, "library", "remove", str(tmp_path))
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == f"parley: The library has no folder {tmp_path}."
    usage = parley(parley_home, "library")
    assert usage.returncode == 2 and usage.stderr.startswith("parley library:")


def test_with_an_embedding_model_the_passages_are_embedded(
    parley_home: Path, tmp_path: Path, starter_model: Path
) -> None:
    save(Settings(embedding_model=STARTER_NAME), parley_home / "settings.json")
    docs = _folder(tmp_path)
    added = parley(parley_home, "library", "add", str(docs), timeout=300)
    assert added.returncode == 0, added.stderr
    assert "ranked by words only" not in added.stderr
    listed = parley(parley_home, "library", "list")
    assert listed.stdout.startswith(f"{docs}\tready\t4 of 4 files")
    found = parley(parley_home, "library", "search", "What is the vault code?", timeout=300)
    assert found.returncode == 0, found.stderr
    assert "[1] vault.txt" in found.stdout
