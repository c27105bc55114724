# The README's two commands are `make run` and `make test`; CI calls `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench load lint format clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,paraphrase]'
	@touch $(STAMP)

## Set up and run the whole app: web server, Celery worker, database, demo newsroom.
run: $(STAMP)
	$(BIN)/python scripts/dev.py run

## Install what the tests need and run every test (pass ARGS="-k name" to narrow).
test: $(STAMP)
	$(BIN)/python scripts/dev.py test $(ARGS)

## Benchmarks (numbers reported in the issue notes).
bench: $(STAMP)
	$(BIN)/python scripts/dev.py bench $(ARGS)

## The mixed load test alone (benchmarks/bench_load.py; LOAD_SECONDS=10 for a quick look).
load: $(STAMP)
	$(BIN)/python scripts/dev.py bench bench_load

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy  # its Django plugin loads the settings

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .data staticfiles test-artifacts .pytest_cache .ruff_cache
