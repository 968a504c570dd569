# One command to run, one to test (README). Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test lint eval bench bench-serve clean

setup: $(STAMP)

# PYTHONWARNINGS: setuptools' notice that an editable install maps grammar/ through an
# import finder is information, not a fault; it would print a warning block on every install.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# make run PORT=8080 serves on that port; without PORT, on $NOTICES_PORT, else 8000.
run: setup  ## serve feeds and the API on the embedded default (SQLite, the demo source)
	$(VENV)/bin/notices serve $(if $(PORT),--port $(PORT))

lint: setup
	$(PY) -m ruff check notices service tests benchmarks
	$(PY) -m mypy

test: lint  ## every test, with lint and types first
	$(PY) -m pytest

eval: setup  ## per-field accuracy over the labelled corpora; the identity rule on printing pairs
	$(PY) -m notices.evaluate tests/corpus/road tests/corpus/loss
	$(PY) -m notices.evaluate_identity tests/corpus/pairs tests/corpus/road

bench: setup  ## throughput and cold start, beside a bare regex scan of the same text
	$(PY) -m notices.bench
	$(PY) benchmarks/ingest.py
	$(PY) -m benchmarks.serve
	$(PY) benchmarks/dashboard.py

# Every endpoint at 10,000 and 100,000 generated notices, bare and behind deploy/'s nginx,
# beside nginx serving the feed's bytes (BENCHMARKS.md). Stores are kept in BENCH_DATA: the
# first run generates them (minutes), later runs reuse them. Needs nginx and wrk (.ci/run).
BENCH_DATA ?= $(VENV)/bench
bench-serve: setup  ## the serving benchmark: figures beside their baselines
	$(PY) -m benchmarks.serve --data $(BENCH_DATA) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
