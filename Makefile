# Yishi: `make run` sets everything up and serves http://127.0.0.1:8000; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup venv static messages lint typecheck pytest migrate demo clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

venv: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static: node_modules/.installed

messages: venv
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

setup: venv static messages

migrate: setup
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) createcachetable

# Served as in production, with DEBUG off: static files collected and served by WhiteNoise, a
# local secret key made in var/ on the first run. Developers who want DEBUG: YISHI_DEBUG=1.
run: migrate
	$(MANAGE) load_demo --if-empty
	$(MANAGE) collectstatic --noinput -v 0
	@echo "Yishi is serving on http://$(HOST):$(PORT)/  (demo accounts: see README.md)"
	$(MANAGE) runserver $(HOST):$(PORT)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy .

test: setup lint typecheck
	$(MANAGE) makemigrations --check --dry-run -v 1
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

demo: migrate
	$(MANAGE) load_demo

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles

# Refresh every app's zh_Hans catalogue after adding or changing interface text; then fill
# in the new msgstr lines (the test suite fails on any untranslated or fuzzy entry).
APPS := core yishi timeline places accounts concerns consultations accountability opinions insights open311 wechat notifications
extract-messages: venv
	for app in $(APPS); do (cd $$app && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete --no-location -v 0) || exit 1; done
