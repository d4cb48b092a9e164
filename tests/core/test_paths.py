"""Resource lookup in the source tree and frozen in a PyInstaller bundle: one function knows which."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from app.core import paths
from app.core.models import recommended

SOURCE_ROOT = Path(__file__).resolve().parents[2]


def test_from_source_the_resources_are_the_source_trees() -> None:
    assert not paths.is_frozen()
    assert paths.resources_dir() == SOURCE_ROOT / "resources"
    assert paths.resource_path("catalog.json").is_file()
    assert paths.resource_path("translations", "parley_zh_CN.qm").is_file()


def test_frozen_the_resources_are_the_bundles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "Parley" / "_internal"
    (bundle / "resources").mkdir(parents=True)
    shutil.copy(SOURCE_ROOT / "resources" / "catalog.json", bundle / "resources" / "catalog.json")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)

    assert paths.is_frozen()
    assert paths.resources_dir() == bundle / "resources"
    assert paths.resource_path("translations", "parley_zh_CN.qm") == bundle / "resources" / "translations" / (
        "parley_zh_CN.qm"
    )
    # Nothing falls back to the source tree: the catalog read is the bundle's copy.
    (bundle / "resources" / "catalog.json").write_text('{"models": []}', encoding="utf-8")
    assert recommended.load_recommended() == []


def test_frozen_without_a_bundle_folder_is_not_taken_for_a_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    # Other freezers (cx_Freeze, py2exe) set sys.frozen but no _MEIPASS: the files sit beside the program.
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert not paths.is_frozen()
    assert paths.resources_dir() == SOURCE_ROOT / "resources"
