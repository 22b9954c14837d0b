# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.

# The first Python 3.11+ that actually runs (a shim may exist for a version that is not installed).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := libs/common $(wildcard services/*) tools
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))

.PHONY: venv run test lint format asyncapi bench bench-publicity bench-pages screenshots clean

$(STAMP): $(PYPROJECTS) requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(addprefix -e ,$(PACKAGES)) -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

## Start Redis (if none answers), migrate, and run the four services; Ctrl-C stops them.
run: $(STAMP)
	$(BIN)/exemplars-run --state var

## Run every test: unit, integration (real Redis, SQLite and PostgreSQL), end to end, and in a real
## browser through the proxy. Installs the programs they need first where it can (Chromium, nginx…).
test: $(STAMP)
	$(BIN)/python -m exemplars_tools.system_packages
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Measure the pipeline beside a raw Redis baseline; results go to docs/benchmarks.md.
## make bench BENCH_ARGS="--nominations 10000 100000" for the linear-cost comparison.
BENCH_ARGS ?= --nominations 10000
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS) --write docs/benchmarks.md

## Measure the publicity channels (speech, rundowns and feeds after 1,000 approvals, the public
## pages under wrk beside nginx); needs espeak-ng, ffmpeg, nginx and wrk. Results go to docs/benchmarks.md.
bench-publicity: $(STAMP)
	$(BIN)/python -m bench.publicity --write docs/benchmarks.md

## Staff pages under load: 20 signed-in people at once through the proxy, each screen's p99 and
## weight; needs nginx and wrk. Results go to docs/benchmarks.md.
bench-pages: $(STAMP)
	$(BIN)/python -m bench.staff_pages --write docs/benchmarks.md

## Photograph every staff page at desktop and phone width into docs/screenshots/ (needs nginx and
## Chromium, as the browser tests do).
screenshots: $(STAMP)
	$(BIN)/python -m tests.browser.screenshots --out docs/screenshots

## Regenerate the AsyncAPI document (docs/asyncapi.json) from what the services register.
asyncapi: $(STAMP)
	$(BIN)/python -m exemplars_tools.asyncapi > docs/asyncapi.json

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
