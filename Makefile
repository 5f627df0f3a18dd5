# AgroBridge — `make run` for the demo on SQLite, `make test` for lint and the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask
PORT ?= 5000
export FLASK_APP := app

.PHONY: run run-stripe test test-fast screenshots lint format venv translations update-messages serve clean cluster cluster-down

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

translations: venv
	$(PY) -m tools.messages compile

## The demo: SQLite under instance/, demo data, http://127.0.0.1:$(PORT)
run: venv translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	SESSION_COOKIE_SECURE=0 $(FLASK) run --host 127.0.0.1 --port $(PORT)

## The demo with card payments against localstripe (a local Stripe-compatible server)
STRIPE_DEMO_ENV = STRIPE_SECRET_KEY=sk_test_demo STRIPE_PUBLISHABLE_KEY= STRIPE_WEBHOOK_SECRET=whsec_demo \
	STRIPE_API_BASE=http://127.0.0.1:8420 STRIPE_TEST_CONFIRM=1
run-stripe: venv translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	($(VENV)/bin/localstripe --port 8420 --from-scratch >/dev/null 2>&1 &) ; sleep 2
	curl -s -X POST http://127.0.0.1:8420/_config/webhooks/agrobridge \
		-d url=http://127.0.0.1:$(PORT)/webhooks/stripe -d secret=whsec_demo >/dev/null
	$(STRIPE_DEMO_ENV) SESSION_COOKIE_SECURE=0 $(FLASK) run --host 127.0.0.1 --port $(PORT)

## Lint, format check and the whole test suite (SQLite unless TEST_DATABASE_URL is set):
## the in-process tests on TEST_WORKERS processes (each on its own database), then the ones
## that start servers of their own (browser journey, fault and cluster tests) one at a time
TEST_WORKERS ?= 2
IN_PROCESS := not browser and not fault and not cluster
test: venv translations lint
	$(PY) -m pytest -n $(TEST_WORKERS) -m "$(IN_PROCESS)" $(PYTEST_ARGS)
	$(PY) -m pytest -m "not ($(IN_PROCESS))" $(PYTEST_ARGS)

## The inner loop: the suite without the browser journey, the fault tests and the cluster test
test-fast: venv translations
	$(PY) -m pytest -n $(TEST_WORKERS) -m "$(IN_PROCESS)" $(PYTEST_ARGS)

## Refresh the README's screenshots in docs/screenshots from a journey run
screenshots: venv translations
	JOURNEY_SCREENSHOTS=$(CURDIR)/docs/screenshots $(PY) -m pytest tests/journey -q

## Ruff, and the layers of ARCHITECTURE.md (import-linter, contracts in pyproject.toml)
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## After adding or changing user-visible strings: then translate the new zh and ru entries
update-messages: venv
	$(PY) -m tools.messages update

## Production-style server (set DATABASE_URL, REDIS_URL, SECRET_KEY first)
serve: venv translations
	$(FLASK) db upgrade
	$(VENV)/bin/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) app:app

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

## A local cluster on loopback (deploy/Procfile): nginx on $(CLUSTER_PORT) in front of two
## gunicorn instances, a job worker and the scheduler, on PostgreSQL and Redis, files in the database
CLUSTER_PORT ?= 8080
export CLUSTER_PORT
cluster: venv
	$(PY) -m tools.cluster up

## Stop exactly what `make cluster` started (its pid files)
cluster-down:
	$(PY) -m tools.cluster down
