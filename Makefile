# Peerwork: `make run` starts the demo on SQLite; `make test` runs the whole suite
# (on PostgreSQL when PEERWORK_DATABASE_URL says postgresql://…, else on SQLite).
# Needs Python 3.11+ with venv (Debian: python3 python3-venv) and make; everything else
# comes from requirements.lock into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: run test lint lint-ruff lint-format lint-mypy format lock messages bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "Peerwork needs Python 3.11 or newer as '$(PYTHON)' (try: make PYTHON=python3.12 …)." >&2; \
		exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "Could not create $(VENV). On Debian or Ubuntu: apt-get install python3-venv" >&2; \
		exit 1; }

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

# The demo: migrate, compile catalogs, collect static files, seed, then the web server,
# the task worker and the deadline loop until Ctrl-C.
run: export PEERWORK_ENV = demo
run: $(STAMP)
	$(BIN)/python -m peerwork.run

test: $(STAMP)
	@case "$${PEERWORK_DATABASE_URL:-}" in \
		postgres*) echo "Tests on PostgreSQL" ;; \
		*) echo "Tests on SQLite" ;; \
	esac
	PEERWORK_TESTING=1 $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# `make -k lint` runs all three checks even when one fails (CI does).
lint: lint-ruff lint-format lint-mypy

lint-ruff: $(STAMP)
	$(BIN)/ruff check .

lint-format: $(STAMP)
	$(BIN)/ruff format --check .

lint-mypy: $(STAMP)
	PEERWORK_TESTING=1 $(BIN)/mypy peerwork

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extract the catalogs after changing strings (needs GNU gettext on the developer's machine;
# running Peerwork only compiles them, with Babel: `manage.py compile_catalogs`).
messages: $(STAMP)
	cd peerwork && ../$(BIN)/python ../manage.py makemessages --all --no-obsolete --ignore='tests/*'

# After changing dependencies in pyproject.toml. Existing pins are kept where they still fit.
lock: $(BIN)/python
	@test -x $(BIN)/pip-compile || $(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
