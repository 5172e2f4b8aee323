# Two commands do the set-up: `make run` and `make test`. Both create .venv if it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
N ?= 1000000
PYTEST_ARGS ?=

.PHONY: install run test test-fast lint format bench drill airflow compose-check clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## run: the whole pipeline, offline, on the bundled synthetic sample (warehouse in data/)
run: $(STAMP)
	$(BIN)/jobtrends run --sample

## test: lint, then every test (unit, SQL, DAGs, end-to-end, acceptance, real scheduler)
test: $(STAMP) lint
	$(BIN)/pytest -n 2 --dist loadgroup --no-loadscope-reorder $(PYTEST_ARGS)

## test-fast: skip the real-scheduler test
test-fast: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup --no-loadscope-reorder -m "not scheduler" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: speed targets (not part of `make test`); N=100000 for a quick run; BENCH_ARGS=--scaling for 100k/1M/3M
bench: $(STAMP)
	$(BIN)/python -m jobtrends.bench --n $(N) $(BENCH_ARGS)

## drill: reliability drills (crash recovery, fuzzing, source failures); not part of `make test`
drill: $(STAMP)
	$(BIN)/python -m jobtrends.drills $(DRILL_ARGS)

## airflow: Airflow standalone (SQLite, LocalExecutor) with this project's DAGs
airflow: $(STAMP)
	bash scripts/airflow_standalone.sh

## compose-check: validate docker-compose.yml (installs Debian's docker-compose if missing)
compose-check:
	bash scripts/check_compose.sh

clean:
	rm -rf data airflow_home .pytest_cache .ruff_cache
