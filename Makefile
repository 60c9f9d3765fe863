# ocpikit: the commands a newcomer needs. Every target installs what it uses.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test check lint typecheck format bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/ocpikit demo

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

check: lint typecheck

# The whole suite on SQLite, then again on PostgreSQL (OCPIKIT_TEST_DATABASE picks the backend),
# in parallel processes. The tests mostly wait on sockets between real nodes, so more processes
# than cores pays (4 on a 2-core machine: 3 minutes instead of 4 per backend); work stealing
# keeps the long end-to-end tests from finishing last on one process. Outside CI a PostgreSQL
# run skips, with its reason, when the server is not reachable; in CI (CI=true) that is a
# failure.
TEST_WORKERS ?= 4
PYTEST := $(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal

test: check
	$(PYTEST)
	OCPIKIT_TEST_DATABASE=postgresql $(PYTEST)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
