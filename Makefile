# The two commands: `make run` serves the gateway on 127.0.0.1:8787; `make test` runs every test.
# Both set themselves up from a fresh clone through `make setup`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-done
WORKERD_STAMP := tests/workerd/node_modules/.setup-done
HOST ?= 127.0.0.1
PORT ?= 8787

.PHONY: setup run test lint bench clean

setup: $(STAMP) $(WORKERD_STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[local,test,dev]'
	touch $(STAMP)

$(WORKERD_STAMP): tests/workerd/package.json tests/workerd/package-lock.json
	npm ci --prefix tests/workerd --no-audit --no-fund --loglevel=error
	touch $(WORKERD_STAMP)

run: $(STAMP)
	$(PY) -m local_dev --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check src local_dev tests benchmarks
	$(VENV)/bin/mypy src/gateway local_dev

test: setup lint
	$(PY) -m pytest -q tests

bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean:
	rm -rf $(VENV) tests/workerd/node_modules node_modules
