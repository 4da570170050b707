# One entry point per job. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo test lint typecheck pytest clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

## demo: execute the quickstart notebook headless with tracking, then list its runs
demo: install
	mkdir -p build
	cd example_notebooks && NBTRAIL_NOTEBOOK=$(CURDIR)/example_notebooks/quickstart.ipynb \
		../$(BIN)/papermill --log-level WARNING quickstart.ipynb ../build/quickstart.out.ipynb
	$(BIN)/nbtrail runs --notebook example_notebooks/quickstart.ipynb

## test: lint, type-check and every test
test: install lint typecheck pytest

lint:
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck:
	$(BIN)/mypy

pytest:
	$(PY) -m pytest

clean:
	rm -rf build .nbtrail example_notebooks/data
