# The two commands of the README:
#   make run   - the portal with demo data on the embedded default, http://127.0.0.1:8000
#   make test  - the whole test suite
# Both set themselves up on a fresh clone (virtual environment, front-end
# libraries, compiled translations).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: setup run test lint format messages clean

setup: $(BIN)/.installed node_modules/.installed messages

$(BIN)/.installed: requirements.lock requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# No install scripts: the front-end packages are static files (and one would
# otherwise send usage analytics from swagger-ui-dist's dependency).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Compiled catalogues are build output, never committed.
messages: $(BIN)/.installed
	DEBUG=true $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

run: setup
	DEBUG=true $(MANAGE) migrate --no-input
	DEBUG=true $(MANAGE) seed_demo
	DEBUG=true $(MANAGE) runserver 127.0.0.1:8000

# Two workers (pytest-xdist); tests marked "services" stay on one of them.
test: setup
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the lock files after editing pyproject.toml (needs uv on the PATH).
lock:
	uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -q -o requirements.lock
	uv pip compile pyproject.toml --extra dev -c requirements.lock --generate-hashes --python-version 3.11 -q -o requirements-dev.lock

clean:
	rm -rf $(VENV) node_modules staticfiles
	find . -name '*.mo' -not -path './.venv/*' -delete
