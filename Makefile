# Peerwork: `make run` starts the demo on SQLite; `make test` runs the whole suite
# (on PostgreSQL when PEERWORK_DATABASE_URL says so).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: run test lint format lock messages bench clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@touch $(STAMP)

run: $(STAMP)
	PEERWORK_ENV=demo $(BIN)/python -m peerwork.run

test: $(STAMP)
	PEERWORK_TESTING=1 $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PEERWORK_TESTING=1 $(BIN)/mypy peerwork

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extract the catalogs after changing strings (needs GNU gettext on the developer's machine;
# running Peerwork only compiles them, with Babel).
messages: $(STAMP)
	cd peerwork && ../$(BIN)/python ../manage.py makemessages --all --no-obsolete --ignore='tests/*'

lock:
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url -o requirements.lock pyproject.toml

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
