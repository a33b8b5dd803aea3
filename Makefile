# Two entry points: `make demo` and `make test`. Both create the virtualenv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: demo test lint clean

demo: $(VENV)/.installed
	$(BIN)/monitor demo

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/pip install -q -e '.[lint]'
	$(BIN)/ruff check monitor tests bench tools
	$(BIN)/python -m mypy monitor bench

# The demo's install has no torch: the support model runs on onnxruntime.
$(VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

# The tests also train and export (the train extra): torch first and pinned, the CPU wheel, so
# nothing pulls the CUDA build.
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test,train]'
	touch $@

clean:
	rm -rf $(VENV) out build *.egg-info
