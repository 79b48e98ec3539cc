# The two commands: `make run` (the demo site) and `make test` (lint + tests).
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app app
PORT ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/ticketing_test
# Both passes run at once (2 cores: most of a test's time is waiting on a
# server, a browser or the other database); the slowest tests are listed.
PYTEST_ARGS ?= -p no:cacheprovider --durations=20

.PHONY: run test lint format bench clean catalogs messages

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

# The demo site is development: its own random key in instance/, SQLite, and
# simulated payments on the in-process Stripe stand-in. Anything else is production.
# A task worker (ticket emails, sweeps) runs beside the site on the SQLite queue
# in instance/tasks.db (REDIS_URL set: on Redis); it stops with the site.
DEV_ENV = APP_ENV=development BASE_URL=$${BASE_URL:-http://127.0.0.1:$(PORT)}

run: $(VENV)/.installed catalogs
	$(DEV_ENV) $(FLASK) db upgrade
	$(DEV_ENV) $(FLASK) seed-demo
	@echo "Serving on http://127.0.0.1:$(PORT) with a task worker beside it  (Ctrl-C to stop)"
	@$(DEV_ENV) $(FLASK) worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'exit 130' INT TERM; \
	$(DEV_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT) --with-threads

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.dev-installed
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# SQLite always; PostgreSQL too when TEST_DATABASE_URL is set or one answers
# on 127.0.0.1:5432. With CI=true PostgreSQL is required.
test: lint catalogs
	@url="$${TEST_DATABASE_URL:-$(PG_TEST_URL)}"; \
	if $(PY) .ci/pg_ready.py "$$url"; then \
	  log=$$(mktemp); \
	  echo "== SQLite and PostgreSQL passes side by side ($$url); the SQLite log follows"; \
	  TEST_DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS) >"$$log" 2>&1 & lite=$$!; \
	  TEST_DATABASE_URL="$$url" $(PY) -m pytest $(PYTEST_ARGS); pg=$$?; \
	  wait $$lite; sqlite=$$?; \
	  echo "== SQLite pass"; cat "$$log"; rm -f "$$log"; \
	  echo "== PostgreSQL pass: exit $$pg; SQLite pass: exit $$sqlite"; \
	  [ $$pg -eq 0 ] && [ $$sqlite -eq 0 ]; \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "PostgreSQL is required in CI and does not answer at $$url" >&2; exit 1; \
	else \
	  echo "== PostgreSQL pass skipped: nothing answers at $$url"; \
	  TEST_DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS); \
	fi

# Translations: only the .po files are in git; the .mo files are built here
# (make run, make test and CI). Without them the app speaks English.
TRANSLATIONS := ticketing/translations
PYBABEL := $(VENV)/bin/pybabel

catalogs: $(VENV)/.installed
	$(PYBABEL) compile --statistics -d $(TRANSLATIONS)

# After adding or changing texts: collect them and add them to every
# catalog, then translate the new (empty) entries in each .po file.
messages: $(VENV)/.installed
	$(PYBABEL) extract -F babel.cfg -k lazy_gettext -k N_ --no-location --sort-output \
	  --project "Benefit tickets" -o $(TRANSLATIONS)/messages.pot .
	$(PYBABEL) update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) \
	  --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date

bench: $(VENV)/.dev-installed
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .import_linter_cache
