"""Importing model files the user already has, and removing models."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core import paths
from app.core.errors import ModelRemoveError, NotAGgufError, UnsafeFileNameError
from app.core.models import installed as catalog
from app.core.models.installed import ModelEntry
from app.core.models.library import human_size, import_model, remove_model, safe_model_file_name
from tests import ggufdata


def installed(imported: tuple[str, ...] = ()) -> dict[str, ModelEntry]:
    return {entry.name: entry for entry in catalog.installed_models(imported)}


def test_import_by_copy_lands_in_the_models_folder(starter_model: Path, tmp_path: Path) -> None:
    source = tmp_path / "elsewhere" / "MyModel.gguf"
    source.parent.mkdir()
    source.write_bytes(starter_model.read_bytes())
    result = import_model(source, copy=True)
    assert result.copied and result.imported_setting is None
    assert result.model_path == paths.models_dir() / "MyModel.gguf"
    assert result.model_path.read_bytes() == source.read_bytes()
    assert result.info.architecture == "llama"
    entry = installed()["MyModel"]
    assert entry.source == "downloaded"
    assert entry.provenance is not None and entry.provenance.original_path == str(source)
    assert sorted(p.name for p in paths.models_dir().iterdir()) == ["MyModel.gguf", "MyModel.parley.json"]


def test_import_in_place_leaves_the_file_where_it_is(tmp_path: Path) -> None:
    source = tmp_path / "Tiny-Q4_K_M.gguf"
    source.write_bytes(ggufdata.tiny_model())
    result = import_model(source, copy=False)
    assert not result.copied
    assert result.imported_setting == str(source)
    assert list(paths.models_dir().iterdir()) == []
    entry = installed((str(source),))["Tiny-Q4_K_M"]
    assert entry.source == "imported" and entry.path == source


def test_a_split_model_is_copied_whole(tmp_path: Path) -> None:
    for index, data in enumerate(ggufdata.split_model("S", 2), start=1):
        (tmp_path / f"s-{index:05d}-of-00002.gguf").write_bytes(data)
    result = import_model(tmp_path / "s-00001-of-00002.gguf", copy=True)
    assert sorted(p.name for p in paths.models_dir().glob("*.gguf")) == ["s-00001-of-00002.gguf",
                                                                         "s-00002-of-00002.gguf"]
    assert installed()["s"].path == result.model_path


@pytest.mark.parametrize("copy", [True, False])
def test_a_file_that_is_not_a_model_is_refused_with_the_reason(tmp_path: Path, copy: bool) -> None:
    bad = tmp_path / "notes.gguf"
    bad.write_text("shopping list")
    with pytest.raises(NotAGgufError) as caught:
        import_model(bad, copy=copy)
    assert "GGUF signature" in caught.value.user_message()
    assert list(paths.models_dir().iterdir()) == []


def test_a_truncated_model_is_refused(tmp_path: Path) -> None:
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(ggufdata.tiny_model()[:-100])
    with pytest.raises(NotAGgufError, match="truncated"):
        import_model(cut, copy=True)
    assert list(paths.models_dir().iterdir()) == []


def test_remove_deletes_the_files_and_the_sidecar(tmp_path: Path) -> None:
    for index, data in enumerate(ggufdata.split_model("S", 2), start=1):
        (tmp_path / f"s-{index:05d}-of-00002.gguf").write_bytes(data)
    import_model(tmp_path / "s-00001-of-00002.gguf", copy=True)
    (paths.models_dir() / "other.gguf").write_bytes(ggufdata.tiny_model())
    remove_model(installed()["s"])
    assert sorted(p.name for p in paths.models_dir().iterdir()) == ["other.gguf"]
    assert (tmp_path / "s-00001-of-00002.gguf").exists()  # the original is not touched


def test_remove_only_forgets_a_model_used_in_place(tmp_path: Path) -> None:
    source = tmp_path / "mine.gguf"
    source.write_bytes(ggufdata.tiny_model())
    imported = (str(source), "/some/other.gguf")
    kept = remove_model(installed(imported)["mine"], imported)
    assert kept == ("/some/other.gguf",)
    assert source.exists()


def test_the_starter_model_cannot_be_removed(starter_model: Path) -> None:
    with pytest.raises(ModelRemoveError, match="starter"):
        remove_model(installed()[catalog.STARTER_NAME])
    assert starter_model.exists()


def test_remove_never_deletes_outside_the_models_folder(tmp_path: Path) -> None:
    outside = tmp_path / "precious.gguf"
    outside.write_bytes(b"keep me")
    forged = ModelEntry(name="precious", path=outside, source="downloaded", size_bytes=7)
    with pytest.raises(ModelRemoveError, match="not in the models folder"):
        remove_model(forged)
    assert outside.exists()


@pytest.mark.parametrize(
    "name",
    ["../evil.gguf", "..\\evil.gguf", "C:evil.gguf", "C:\\models\\evil.gguf", "/etc/evil.gguf",
     "a/../../evil.gguf", "a//evil.gguf", "./evil.gguf", "evil.bin", ".hidden.gguf", "evil\0.gguf", ""],
)
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(UnsafeFileNameError):
        safe_model_file_name(name)


def test_safe_names_keep_just_the_file_name() -> None:
    assert safe_model_file_name("Q4_K_M/Model-Q4_K_M-00001-of-00002.gguf") == "Model-Q4_K_M-00001-of-00002.gguf"
    with pytest.raises(UnsafeFileNameError):
        safe_model_file_name("model.GGUF")  # would not be listed: the models folder shows *.gguf


def test_human_sizes() -> None:
    assert human_size(999) == "999 B"
    assert human_size(98_362_432) == "98.4 MB"
    assert human_size(4_683_073_728) == "4.7 GB"
