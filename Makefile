# The two commands: `make demo` and `make test`. Everything else is for development.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test lint typecheck unit test-slow bench lambda-package report-screenshot clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("python3 >= 3.11 is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e ".[dev,aws,snowflake]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m spotify_etl.pipeline.demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider

test: lint typecheck unit

test-slow: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -m slow

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# docs/report.png in the README: the report of a synthetic 30-day warehouse, in headless chromium.
report-screenshot: $(STAMP)
	$(BIN)/python benchmarks/report_screenshot.py docs/report.png

lambda-package: $(STAMP)
	$(BIN)/python -m spotify_etl.aws.package --out build/lambda

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache
