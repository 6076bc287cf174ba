# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
BENCH_DEV ?= ../shared/bench-dev
BENCH_REAL ?= ../shared/bench-real-dev

.PHONY: install demo test lint bench clean

$(BIN)/pfocr: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,tesseract]"
	@touch $@

install: $(BIN)/pfocr

demo: install
	$(BIN)/pfocr run examples/figures --out demo-out

test: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

bench: install
	$(BIN)/pfocr bench $(BENCH_DEV) $(BENCH_REAL) --out bench-out

clean:
	rm -rf demo-out bench-out .pytest_cache
