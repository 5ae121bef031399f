# Two commands for a fresh machine (see README):
#   make lab   - create .venv if missing, install gmpkit with the notebook extras, start JupyterLab on notebooks/
#   make test  - lint, type-check the simulator core, run the whole test suite (unit, property,
#                fidelity, notebooks under nbval, and the real-browser test)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.gmpkit-installed

.PHONY: lab test lint typecheck bench clean

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

bench: $(STAMP)
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
