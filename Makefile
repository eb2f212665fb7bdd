# linreg — every target sets itself up: a fresh clone needs only `make serve` or `make test`.
SHELL := bash
export NO_MKDOCS_2_WARNING := 1  # Material's banner about MkDocs 2.0 is not build news
# nbconvert (imported by mkdocs-jupyter) otherwise instantiates every exporter it knows at import, to
# list their names in its command-line help: a quarter of a second of each build's start-up.
export NBCONVERT_DISABLE_CONFIG_EXPORTERS := 1
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# stamp file: the venv matches the lock and pyproject.toml
INSTALLED := $(VENV)/.installed
KATEX_VERSION := 0.19.1
KATEX := .cache/vendor/node_modules/katex/dist/katex.min.css
PYODIDE_VERSION := 314.0.7
PYODIDE := .cache/vendor/node_modules/pyodide/pyodide.asm.wasm
LIGHTHOUSE_VERSION := 12.2.3
LIGHTHOUSE := .cache/vendor/node_modules/lighthouse/cli/index.js
# One npm command installs every vendored package: `npm install --no-save` prunes
# the packages it was not given, so installing one alone would remove the others.
NPM_VENDOR = npm install --prefix .cache/vendor --no-audit --no-fund --silent --no-save \
	katex@$(KATEX_VERSION) pyodide@$(PYODIDE_VERSION) lighthouse@$(LIGHTHOUSE_VERSION)
PORT ?= 8000
# `make execute SHARD=k/N`: the k-th of N shards of the notebooks (1/1: all of them);
# EXPORT=dir also copies the entries it executed there (what a CI shard uploads).
SHARD ?= 1/1
EXPORT ?=
# `make gather ENTRIES=dir`: the folder the shards' exported entries were put in
ENTRIES ?= shard-entries

.PHONY: help setup system-deps serve build execute gather test quick lint audit bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

# torch first, from PyTorch's CPU index when it answers (PyPI's Linux wheels pull
# in CUDA, GBs); where it does not, the probe gives up in seconds and pip never
# hears of that index (scripts/torch_index.py).
$(INSTALLED): requirements/lock.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@index=$$($(PY) scripts/torch_index.py); if [ -n "$$index" ]; then \
	  echo "Installing the CPU build of torch from $$index"; \
	  $(PY) -m pip install --quiet --disable-pip-version-check --no-deps --index-url "$$index" \
	    "$$(grep -E '^torch==' requirements/lock.txt)"; fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# KaTeX typesets the site's math at build time (run by Node); the site serves its
# stylesheet and fonts itself. Installed from the npm registry.
$(KATEX):
	@command -v npm >/dev/null || { echo "npm and Node.js are needed to install KaTeX (apt-get install npm)"; exit 1; }
	$(NPM_VENDOR)

# Pyodide's core runtime runs page 2's "Run it in your browser" block; the site
# serves it (hooks/events.py registers it with MkDocs) and a reader's browser fetches it
# only on Run. Installed from the npm registry, like KaTeX.
$(PYODIDE):
	@command -v npm >/dev/null || { echo "npm and Node.js are needed to install Pyodide (apt-get install npm)"; exit 1; }
	$(NPM_VENDOR)

# Lighthouse audits every page for `make bench` (benchmarks/lighthouse.py), with the
# machine's Chromium. Installed from the npm registry, like KaTeX.
$(LIGHTHOUSE):
	@command -v npm >/dev/null || { echo "npm and Node.js are needed to install Lighthouse (apt-get install npm)"; exit 1; }
	$(NPM_VENDOR)

system-deps:
	@PY=$(PY) scripts/ensure-system-deps.sh $(if $(filter test,$(MAKECMDGOALS)),--browser,)

setup: $(INSTALLED) $(KATEX) $(PYODIDE) system-deps  ## create .venv, install pinned deps, KaTeX, Pyodide, Graphviz

serve: setup  ## execute the pages and serve the site at http://127.0.0.1:8000 with live reload
	$(PY) scripts/serve.py

build: setup  ## strict build of the site into site/
	$(PY) -m mkdocs build --strict

execute: setup  ## execute shard SHARD=k/N of the notebooks into .cache/site (EXPORT=dir: copy them there too)
	$(PY) scripts/execute.py shard $(SHARD) $(if $(EXPORT),--export $(EXPORT),)

gather: setup  ## put the entries shards exported to ENTRIES=dir into .cache/site (then `make build`)
	$(PY) scripts/execute.py gather $(ENTRIES)

# The whole suite in one session on both cores (one torch thread per test: the models
# are tiny and a second thread only oversubscribes). The notebooks execute first, one
# kernel per core, into the execution cache; then the first worker that needs the site
# builds it once for both (tests/conftest.py), finding every notebook executed, and the
# unit, site and browser tests share the cores: a browser test's waits (a page loading,
# a video playing) are the other worker's time. The longest test goes first, and a
# worker that runs out of tests takes some of the other's (worksteal), so neither
# worker is left running alone at the end.
test: setup  ## the whole suite: unit tests, strict site build, built-site and browser checks, audits
	$(PY) scripts/execute.py shard 1/1
	OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist worksteal

# PAGES="02 11" names the pages; by default the ones changed since git's HEAD (scripts/quick.py).
PAGES ?=
quick: setup  ## the edit-test loop, under a minute: unit tests that start no kernel, the changed pages' claims
	$(PY) scripts/quick.py $(if $(PAGES),--pages $(PAGES),)

lint: setup  ## ruff on the library, hooks and tests
	$(PY) -m ruff check linreg hooks tests scripts benchmarks

audit: setup  ## zizmor on the GitHub workflows
	$(VENV)/bin/zizmor --offline .github/workflows

bench: setup $(LIGHTHOUSE)  ## build times, execution times, sizes, Lighthouse scores and the fit overhead, measured here
	$(PY) benchmarks/run.py

clean:  ## remove site/ and the execution caches (keeps .venv and the npm vendor folder)
	rm -rf site .cache/site .cache/mkdocs-jupyter .cache/tmp .pytest_cache
