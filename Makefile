# auditapp: `make run` sets up and serves the app with demo data; `make test` sets up and tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_SERVER ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
export FLASK_APP := wsgi

.PHONY: help install assets run db-upgrade demo test test-pg e2e lint security format clean

# Variables a target's description may name, shown with their values (make help PG_SERVER=...).
HELP_VARIABLES := PG_SERVER SCALE PYTHON
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
	  | sed $(foreach v,$(HELP_VARIABLES),-e 's|$$($(v))|$($(v))|g') \
	  | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

auditapp/static/dist/app.css: node_modules/.installed scripts/build-assets.mjs $(wildcard auditapp/assets/scss/*.scss auditapp/assets/js/*)
	npm run --silent build

install: $(VENV)/.installed node_modules/.installed auditapp/static/dist/app.css ## Python venv, npm packages and built assets

assets: node_modules/.installed ## Rebuild CSS and JavaScript
	npm run --silent build

# wsgi.py runs in production unless told otherwise: these targets are for a developer's machine
# (AUDITAPP_ENV=production in the environment still wins).
db-upgrade demo run: export AUDITAPP_ENV ?= development

db-upgrade: install ## Migrate the database (DATABASE_URL, default SQLite in instance/)
	$(BIN)/flask db upgrade

demo: db-upgrade ## Load the demo data (safe to run twice)
	$(BIN)/flask demo

run: demo ## Set up, migrate SQLite, load demo data and serve at http://127.0.0.1:5000
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install ## Set up and run the whole test suite (SQLite; TEST_DATABASE_URL for PostgreSQL)
	$(BIN)/pytest -q

test-pg: install ## The whole suite against a fresh PostgreSQL database on $(PG_SERVER)
	TEST_DATABASE_URL=$(PG_SERVER) $(BIN)/pytest -q

e2e: install ## Browser journeys and accessibility checks in Chromium; screenshots in artifacts/
	$(BIN)/pytest -q -m e2e tests/e2e

security: install ## bandit on the code; pip-audit on requirements.txt (fails if it cannot audit)
	$(BIN)/bandit -q --ini .bandit -r auditapp migrations config.py wsgi.py gunicorn.conf.py
	$(BIN)/python scripts/audit_dependencies.py

lint: install ## ruff check and format check; mypy (pyproject.toml: strict on auditapp/domain)
	$(BIN)/ruff check auditapp tests config.py wsgi.py
	$(BIN)/ruff format --check auditapp tests config.py wsgi.py
	$(BIN)/mypy

format: install ## Format the code
	$(BIN)/ruff format auditapp tests config.py wsgi.py
	$(BIN)/ruff check --fix auditapp tests config.py wsgi.py

SCALE ?= 1
bench: install ## National-scale benchmark, each figure beside its floor (SCALE=0.01 quick; DATABASE_URL=postgresql+psycopg://... for PostgreSQL)
	$(BIN)/python -m bench --scale $(SCALE)

clean: ## Remove the venv, node_modules and built assets
	rm -rf $(VENV) node_modules auditapp/static/dist
