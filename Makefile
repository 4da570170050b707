# One entry point per job. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# The labextension build (see `labextension:` below). jlpm (yarn 3) ignores npm's CA
# settings, so it is given the system CA file explicitly.
ifneq ($(wildcard /etc/ssl/certs/ca-certificates.crt),)
export YARN_CA_FILE_PATH ?= /etc/ssl/certs/ca-certificates.crt
endif
JLPM_BIN := $(BIN)/jlpm
# package.json scripts call jlpm and jupyter: the venv's bin goes first on their PATH.
JLPM := PATH="$(CURDIR)/$(BIN):$$PATH" $(JLPM_BIN)
LABEXT_OUT := src/nbtrail/labextension
LABEXT_BUILT := $(LABEXT_OUT)/static/style.js
LABEXT_LINK := $(VENV)/share/jupyter/labextensions/nbtrail
LABEXT_SOURCES := $(shell find labextension/src labextension/style -type f) package.json tsconfig.json

.PHONY: install demo test lint typecheck pytest bench stress clean
.PHONY: labextension labextension-link lint-js jstest chromium postgresql clean-labextension

$(VENV)/.installed: pyproject.toml | $(LABEXT_BUILT)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	SKIP_JUPYTER_BUILDER=1 $(PY) -m pip install -q -e '.[test,models,serve,postgres,remote]'
	touch $@

install: $(VENV)/.installed labextension-link

## labextension: build the JupyterLab sidebar (TypeScript) into src/nbtrail/labextension.
# Explicit, with real dependencies, so a stale build never ships (the wheel hook's
# skip-if-exists would keep one); pip install -e then skips the hook.

$(JLPM_BIN):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip 'jupyterlab>=4.0,<5'

node_modules/.yarn-state.yml: package.json yarn.lock | $(JLPM_BIN)
	$(JLPM) install
	touch $@

$(LABEXT_BUILT): node_modules/.yarn-state.yml $(LABEXT_SOURCES)
	$(JLPM) build
	touch $@

labextension: $(LABEXT_BUILT)

# pip install -e copies the build into the venv; a link keeps later rebuilds live there.
labextension-link: $(VENV)/.installed $(LABEXT_BUILT)
	@if [ ! -L $(LABEXT_LINK) ]; then rm -rf $(LABEXT_LINK) && ln -s $(CURDIR)/$(LABEXT_OUT) $(LABEXT_LINK); fi

lint-js: node_modules/.yarn-state.yml
	$(JLPM) lint

jstest: node_modules/.yarn-state.yml
	$(JLPM) jest --ci

## chromium: the browser the end-to-end tests drive (Debian's; never a downloaded build)
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## postgresql: the server binaries the store tests start a throwaway cluster with
## (Debian's package; tests/pg_cluster.py finds them through pg_config or the versioned folders)
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || test -x "$$(pg_config --bindir 2>/dev/null)/initdb" \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }

clean-labextension:
	rm -rf labextension/lib $(LABEXT_OUT)

## demo: execute the quickstart notebook headless with tracking, then list its runs
demo: install
	mkdir -p build
	cd example_notebooks && ../$(BIN)/papermill --log-level WARNING quickstart.ipynb \
		../build/quickstart.out.ipynb
	$(BIN)/nbtrail runs --notebook example_notebooks/quickstart.ipynb

## bench: every benchmark figure against its same-run baseline (docs/performance.md)
bench: install
	SKIP_JUPYTER_BUILDER=1 $(PY) -m pip install -q -e '.[test,bench]'
	$(PY) -m benchmarks

## stress: 8 writers x 250 tracked cells into one store, 30 kernels SIGKILLed mid-cell,
## then the fault matrix (docs/reliability.md has the figures)
stress: install
	rm -rf build/stress
	cd tests && $(CURDIR)/$(PY) -m reliability.stress $(CURDIR)/build/stress
	$(PY) -m pytest -q tests/reliability tests/server/test_bounds.py

## test: lint, type-check and every test
test: install lint lint-js typecheck jstest pytest

lint:
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck:
	$(BIN)/mypy

pytest: chromium postgresql
	$(PY) -m pytest -n 2 --dist loadfile  # two workers; a module's kernels and servers start once

clean:
	rm -rf build .nbtrail example_notebooks/data
