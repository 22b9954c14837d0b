# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.

PYTHON ?= $(shell command -v python3.12 || command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := libs/common services/nomination services/review services/publishing services/awards
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))

.PHONY: venv run test lint format asyncapi clean

$(STAMP): $(PYPROJECTS) requirements-dev.txt
	@$(PYTHON) -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else \"Python 3.11 or newer is needed\")"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(addprefix -e ,$(PACKAGES)) -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

## Start Redis (if none answers), migrate, and run the four services; Ctrl-C stops them.
run: $(STAMP)
	$(BIN)/exemplars-run --state var

## Run every test: unit, integration (real Redis, SQLite and PostgreSQL) and end to end.
test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy libs/common/common services/nomination/nomination services/review/review \
		services/publishing/publishing services/awards/awards

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Regenerate the AsyncAPI document of all events (docs/asyncapi.json).
asyncapi: $(STAMP)
	$(BIN)/python -m common.asyncapi > docs/asyncapi.json

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
