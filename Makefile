# Two commands for a fresh machine (see README):
#   make lab   - create .venv if missing, install gmpkit with the notebook extras, start JupyterLab on notebooks/
#   make test  - lint, type-check the simulator core, run the whole test suite (unit, property,
#                fidelity, notebooks under nbval, and the real-browser test)
# And for the optional compiled core (README, "Compiled build"):
#   make compiled    - compile the core with mypyc into build/compiled/ (put it first on PYTHONPATH)
#   make test-builds - make compiled, then the core tests against it and the two builds' traces compared
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.gmpkit-installed

.PHONY: lab test lint typecheck bench clean compiled test-builds

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -e '.[lab,test,go]'
	touch $(STAMP)

# Jupyter refuses to run as root unless told to (containers, CI machines).
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(PY) -m jupyterlab --ip=127.0.0.1 $(LAB_ARGS) notebooks/

lint: $(STAMP)
	$(PY) -m ruff check gmpkit tests benchmarks

typecheck: $(STAMP)
	$(PY) -m mypy

test: lint typecheck
	$(PY) -m pytest

# The compiled build: the mypyc extensions beside a copy of the package's source, in a directory
# of its own, so the editable install stays pure. Python imports an extension before a .py of the
# same name. Run it with `PYTHONPATH=build/compiled python -P ...` (-P: the current directory,
# which holds the pure gmpkit/, must not come first on sys.path).
COMPILED_DIR := build/compiled
CORE_TESTS   := tests --ignore=tests/browser --ignore=tests/test_notebooks.py

compiled: $(STAMP)
	rm -rf $(COMPILED_DIR) build/mypyc
	GMPKIT_USE_MYPYC=1 $(PY) setup.py -q build_ext --build-lib $(COMPILED_DIR) --build-temp build/mypyc-temp
	$(PY) -c "import shutil; shutil.copytree('gmpkit', '$(COMPILED_DIR)/gmpkit', dirs_exist_ok=True, ignore=shutil.ignore_patterns('__pycache__'))"

test-builds: compiled
	PYTHONPATH=$(COMPILED_DIR):. $(PY) -P -c "import gmpkit, sys; print('compiled core:', gmpkit.COMPILED); sys.exit(not gmpkit.COMPILED)"
	PYTHONPATH=$(COMPILED_DIR):. $(PY) -P -m pytest -p no:cacheprovider -q $(CORE_TESTS)
	GMPKIT_COMPILED_DIR=$(COMPILED_DIR) $(PY) -m pytest -p no:cacheprovider -q tests/test_builds.py

bench: $(STAMP)
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
