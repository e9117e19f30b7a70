# igivehope — the commands you need. `make` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The tests need PostgreSQL; this is the server they use unless DATABASE_URL says otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/igivehope
PYTEST_WORKERS ?= 2

.PHONY: help
help: ## List the targets, one line each
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

# Front-end packages from npm (Leaflet), served as static files from node_modules/.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

.PHONY: install
install: $(STAMP) $(NODE_STAMP) ## Create .venv, install the requirements and npm packages (when changed)

# The .mo files are built, not committed (.gitignore): Django reads only compiled catalogs.
.PHONY: messages
messages: install ## Compile the interface translations in cms/locale (needs GNU gettext's msgfmt)
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=var

.PHONY: migrate
migrate: install messages ## Apply database migrations (SQLite in var/ unless DATABASE_URL is set)
	$(BIN)/python manage.py migrate --no-input

.PHONY: demo-data
demo-data: migrate ## Load the fictional demo content and the demo admin account (idempotent)
	$(BIN)/python manage.py load_demo_data --admin

.PHONY: run
run: demo-data ## Set everything up and serve the demo site on http://127.0.0.1:8000
	$(BIN)/python manage.py runserver 127.0.0.1:8000

.PHONY: test
test: install messages ## Run the whole test suite on PostgreSQL, then the linters
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" bash .ci/ensure-postgres
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(BIN)/pytest -n $(PYTEST_WORKERS)
	$(MAKE) --no-print-directory lint

.PHONY: lint
lint: install ## ruff, migrations up to date, Django system checks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check --fail-level WARNING

.PHONY: format
format: install ## Reformat the code and fix what ruff can fix
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: screenshots
screenshots: install ## Screenshots of home, story and donate pages at 1280 and 375 px into screenshots/
	$(BIN)/python tests/browser/screenshots.py

.PHONY: clean
clean: ## Remove the virtual environment and local state (var/: SQLite database, media)
	rm -rf $(VENV) var static_collected node_modules screenshots

# Every benchmark, or one: make bench BENCH=bench/pages_bench.py
BENCH ?= bench/*.py

.PHONY: bench
bench: install ## Run the benchmarks under bench/ and print their figures (not part of make test)
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" bash .ci/ensure-postgres
	@for script in $(BENCH); do echo "== $$script"; DJANGO_SETTINGS_MODULE=settings.test $(BIN)/python $$script; done

.PHONY: audit
audit: install ## Check installed packages for known vulnerabilities (needs pip-audit's service; see SECURITY.md)
	$(BIN)/pip-audit --progress-spinner off --skip-editable
