# The two commands: `make run` serves the gateway on 127.0.0.1:8787; `make test` runs every test.
# Both set themselves up from a fresh clone through `make setup`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-done
WORKERD_STAMP := tests/workerd/node_modules/.setup-done
HOST ?= 127.0.0.1
PORT ?= 8787

.PHONY: setup run test lint bench clean chromium redis-server

setup: $(STAMP) $(WORKERD_STAMP) chromium redis-server

# Debian's Chromium drives the console test (tests/integration/test_console_browser.py); never a downloaded browser.
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)

# Debian's redis-server backs the shared-cache tests (tests/integration/test_redis_cache.py); each test starts its own.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[local,test,dev]'
	$(PY) -m pip install --quiet $$($(PY) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["dependency-groups"]["dev"])')
	touch $(STAMP)

$(WORKERD_STAMP): tests/workerd/package.json tests/workerd/package-lock.json
	npm ci --prefix tests/workerd --no-audit --no-fund --loglevel=error
	touch $(WORKERD_STAMP)

run: $(STAMP)
	$(PY) -m local_dev --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check src local_dev tests benchmarks
	$(VENV)/bin/mypy src/gateway local_dev src/worker_runtime src/entry.py

test: setup lint
	$(PY) -m pytest -q tests

bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean:
	rm -rf $(VENV) tests/workerd/node_modules node_modules
