# heritage-ld: the two commands a user types on a fresh clone are `make demo` and `make test`.
# Each sets itself up from nothing: a virtual environment in .venv with what it needs.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
OUT    ?= build/hanoi-1972
EXAMPLE := examples/hanoi-1972
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help demo test test-fast lint bench docs serve clean setup setup-test system-deps

help:
	@echo "make demo   - set up and build the Hanoi 1972 example into $(OUT)"
	@echo "make test   - set up and run the whole test suite"
	@echo "make bench  - run the benchmarks side by side with the peer tools"
	@echo "make lint   - ruff + mypy + import-linter"
	@echo "make docs   - build the documentation site into build/docs"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e ".[xlsx,shapes,serve]"
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e ".[test,xlsx,shapes,serve,docs]"
	@touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
setup-test: $(VENV)/.installed-test system-deps

# Debian packages the browser tests need (headless Chromium). Installed only when missing.
system-deps:
	@bash scripts/install-system-deps.sh

demo: setup
	$(VENV)/bin/heritage-ld check $(EXAMPLE)
	$(VENV)/bin/heritage-ld build $(EXAMPLE) -o $(OUT)
	$(VENV)/bin/heritage-ld bag validate --quiet $(OUT)/bags/*/ && echo "validated $$(ls -d $(OUT)/bags/*/ | wc -l) bags in $(OUT)/bags/"
	@echo
	@echo "Built the Hanoi 1972 example into $(OUT)/:"
	@echo "  $(OUT)/rdf/    linked data (Turtle, JSON-LD, N-Triples, RDF/XML) and the dataset dump"
	@echo "  $(OUT)/iiif/   IIIF Presentation 3 manifests, the exhibition collection, level-0 tiles"
	@echo "  $(OUT)/bags/   BagIt preservation packages, one per item"
	@echo "  $(OUT)/site/   the exhibition site"
	@echo "Serve it:  $(VENV)/bin/heritage-ld serve $(OUT) --port 8000   then open http://127.0.0.1:8000/"

test: setup-test
	$(PY) -m pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

test-fast: setup-test
	$(PY) -m pytest -q -m "not slow and not browser" $(PYTEST_ARGS)

lint: setup-test
	$(VENV)/bin/ruff check src tests benchmarks scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: setup-test
	$(PY) -m benchmarks $(BENCH_ARGS)

docs: setup-test
	$(VENV)/bin/mkdocs build --strict -d build/docs

serve: demo
	$(VENV)/bin/heritage-ld serve $(OUT) --port 8000

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
